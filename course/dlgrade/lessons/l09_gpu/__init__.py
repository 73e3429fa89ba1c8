"""Lesson 09, GPUs: arithmetic intensity and the roofline, FLOPs and activation memory, training on a device."""
from . import devices, flops, intensity, memory, roofline  # noqa: F401
