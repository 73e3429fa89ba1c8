"""Lesson 09, GPUs: counting the FLOPs and the memory of a convolutional network."""
from . import costs  # noqa: F401
