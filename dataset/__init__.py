"""MNIST for the playground: the book's `load_mnist`, from a folder, cache, mirror or offline sample."""
