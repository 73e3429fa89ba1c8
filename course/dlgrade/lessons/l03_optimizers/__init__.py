"""Lesson 03, optimizers: moving averages, momentum, adaptive steps, Adam and Newton's method."""
from . import adam, adaptive, averages, momentum, newton  # noqa: F401
