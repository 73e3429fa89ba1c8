"""Lesson 07, making it work: initialisation, penalties, dropout and batch norm."""
from . import dropout_batchnorm, init_penalties  # noqa: F401
