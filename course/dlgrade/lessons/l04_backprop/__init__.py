"""Lesson 04, backpropagation: one node of a scalar engine, a graph by hand, graphs in order."""
from . import by_hand, graphs, nodes  # noqa: F401
