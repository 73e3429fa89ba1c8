"""Lesson 01, linear regression: the model and its loss, the gradient and the exact fit, one gradient step, and
a whole minibatch training run."""
from . import fit, model, step, training  # noqa: F401
