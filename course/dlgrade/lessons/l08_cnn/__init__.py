"""Lesson 08, convolutional networks: output sizes, convolution and max pooling (08-cnn), the same layers as
autograd Functions and a CNN trained with them (08-cnn-training)."""
from . import conv, functions, sizes, training  # noqa: F401
