"""Lesson 00, tensors: one-hot, standardize, pairwise distances, permutation matrices."""
from . import exercises  # noqa: F401
