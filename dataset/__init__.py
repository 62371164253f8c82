"""MNIST for the playground: the book's `load_mnist`, from a folder, a cache, a mirror or an offline sample."""
