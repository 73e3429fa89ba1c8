"""Lesson 00, tensors: one-hot labels and permutation matrices; standardized features and pairwise distances."""
from . import encoding, features  # noqa: F401
