"""Lesson 02, logistic regression: the logistic model, softmax and cross-entropy."""
from . import logistic, softmax  # noqa: F401
