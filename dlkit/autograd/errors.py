"""Errors the engine raises, named so learners can catch and read them."""


class ShapeError(ValueError):
    """An op got arrays whose shapes do not fit; the message names the op and the shapes."""


class GraphFreedError(RuntimeError):
    """A backward pass needed values that an earlier backward pass already released."""
