"""Lesson 08, convolutional networks: output sizes, im2col, convolution forward and backward (08-cnn); max pooling,
the layers as autograd Functions and a CNN trained with them (08-cnn-training)."""
from . import sizes, im2col, conv_forward, conv_backward  # noqa: F401  (08-cnn)
from . import pool_forward, pool_backward, conv_function, pool_function, training  # noqa: F401  (08-cnn-training)
