"""Lesson 04, backpropagation: one node of a scalar engine, graphs by hand and in order."""
from . import graphs, nodes  # noqa: F401
