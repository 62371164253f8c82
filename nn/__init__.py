"""Chapter 3 of *Deep Learning from Scratch* in NumPy: the functions, the network, its weights and inputs."""

from nn.functions import (
    ACTIVATIONS,
    identity_function,
    leaky_relu,
    relu,
    sigmoid,
    softmax,
    softmax_naive,
    softmax_with_temperature,
    step_function,
    tanh,
)
from nn.network import (
    Params,
    ShapeError,
    Trace,
    forward,
    forward_trace,
    init_network,
    predict,
    predict_trace,
)
from nn.perceptron import perceptron
from nn.preprocess import canvas_to_mnist
from nn.weights import WeightsError, default_weights, load_weights, save_weights

__all__ = [
    "ACTIVATIONS",
    "Params",
    "ShapeError",
    "Trace",
    "WeightsError",
    "canvas_to_mnist",
    "default_weights",
    "forward",
    "forward_trace",
    "identity_function",
    "init_network",
    "leaky_relu",
    "load_weights",
    "perceptron",
    "predict",
    "predict_trace",
    "relu",
    "save_weights",
    "sigmoid",
    "softmax",
    "softmax_naive",
    "softmax_with_temperature",
    "step_function",
    "tanh",
]
