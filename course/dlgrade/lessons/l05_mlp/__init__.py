"""Lesson 05, the multilayer perceptron: layers, activations and a two-layer network."""
from . import activations, layers, network  # noqa: F401
