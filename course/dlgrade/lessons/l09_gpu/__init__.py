"""Lesson 09, GPUs: arithmetic intensity and the roofline, training on a device, FLOPs and memory."""
from . import costs, devices, roofline  # noqa: F401
