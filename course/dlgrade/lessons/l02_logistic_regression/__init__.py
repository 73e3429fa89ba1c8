"""Lesson 02, logistic regression: the sigmoid and binary cross-entropy, softmax and cross-entropy with its
gradient, numerical gradient checking, and training a softmax classifier."""
from . import binary, cross_entropy, gradcheck, logistic, mse_backward, softmax  # noqa: F401
