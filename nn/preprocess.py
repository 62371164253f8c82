"""Drawing -> MNIST (work in progress by a helper)."""
def canvas_to_mnist(rgba):
    raise NotImplementedError
