"""Lesson 08, convolutional networks: output sizes, convolution and max pooling."""
from . import conv, sizes  # noqa: F401
