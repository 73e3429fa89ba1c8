"""Lesson 01, linear regression: the model and its loss, gradient descent and training."""
from . import model, training  # noqa: F401
