"""Lesson 07, making it work: initialisation, weight penalties, dropout and batch norm."""
from . import batchnorm, dropout, glorot, he, penalties  # noqa: F401
