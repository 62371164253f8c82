"""Weights I/O (work in progress by a helper)."""
class WeightsError(ValueError):
    pass
def load_weights(src): raise NotImplementedError
def save_weights(params, path, **meta): raise NotImplementedError
def default_weights(): raise NotImplementedError
