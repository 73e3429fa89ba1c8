"""The catalogue of typical mistakes: per exercise, correct implementations and wrong ones.

Each wrong entry is tagged with the diagnosis code a tutor would give it; the catalogue
test runs every check on every entry and measures the catch rate and diagnosis accuracy.
"""
from ._catalogue import ENTRIES, Entry  # noqa: F401
from . import activations, autodiff, cheating, conv, layers, linreg, losses, optim, regularization  # noqa: F401,E402
from . import heldout  # noqa: F401,E402  (last: entries after this point are the held-out set)
