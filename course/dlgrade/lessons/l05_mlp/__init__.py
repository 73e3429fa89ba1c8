"""Lesson 05, the multilayer perceptron: layers, activations, a two-layer network and its training loop."""
from . import activations, layers, network, training  # noqa: F401
