"""Lesson 03, optimizers: moving averages, momentum, adaptive steps and Newton's method."""
from . import averages, steps  # noqa: F401
