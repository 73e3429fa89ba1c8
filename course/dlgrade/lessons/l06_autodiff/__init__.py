"""Lesson 06, an autodiff engine of your own: ops, the backward driver and a Linear module."""
from . import binary, driver, linear, reduction, unary, unbroadcast  # noqa: F401
