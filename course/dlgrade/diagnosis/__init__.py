"""Diagnosis of a learner's output: what is wrong, and why when the evidence says so.

One module per kind of rule:
- ``core``: the Diagnosis record, the codes, tolerances, closeness, the worst element;
- ``types``: None, Tensor, list, an int size returned as a float, labels as floats, truncated int arrays;
- ``shapes``: permuted axes, missing or extra reductions (which axes, sum or mean), broadcasts;
- ``shifts``: a window or index off by one, an output one position short or long;
- ``values``: NaN/inf (with numpy's warnings), all zero, masks, in-place aliasing, offsets;
- ``factors``: constant factors named only when one candidate explains every case;
- ``hints``: hint families and which belong to an exercise;
- ``probes``: designed calls through the caller (which inputs matter, state, seeds, scalars' relations);
- ``training``: a training loop's first step against the gradient (uphill versus diverging);
- ``source``: the line of the learner's code to look at, and stale definitions.
``compare`` (one output of one case) is what the runner and the exercises call.
"""
from __future__ import annotations

from ..harness.describe import describe
from .compare import compare
from .core import (ALIASED, ATOL, BATCH_NOT_REDUCED, DIVERGES, EXCEPTION, HARDCODED_SHAPE, IGNORES_INPUT,
                   MUTATED_INPUT, NONDETERMINISTIC, NONFINITE, NOT_IMPLEMENTED, OFFSET, REFERENCE_CALLED, RTOL,
                   SCALE, SEED_IGNORED, SHIFTED, SIGN, STALE, STATEFUL, TRANSPOSED, UNSEEDED, UPHILL, VALUES,
                   WRONG_DTYPE, WRONG_MASK, WRONG_SHAPE, WRONG_TYPE, Diagnosis, close, fmt, shape_of, to_array,
                   worst_element)
from .shapes import shape_diagnosis
from .types import check_type
from .values import value_diagnosis

__all__ = [
    "ALIASED", "ATOL", "BATCH_NOT_REDUCED", "DIVERGES", "EXCEPTION", "HARDCODED_SHAPE", "IGNORES_INPUT",
    "MUTATED_INPUT", "NONDETERMINISTIC", "NONFINITE", "NOT_IMPLEMENTED", "OFFSET", "REFERENCE_CALLED", "RTOL",
    "SCALE", "SEED_IGNORED", "SHIFTED", "SIGN", "STALE", "STATEFUL", "TRANSPOSED", "UNSEEDED", "UPHILL", "VALUES",
    "WRONG_DTYPE", "WRONG_MASK", "WRONG_SHAPE", "WRONG_TYPE", "Diagnosis", "check_type", "close", "compare",
    "describe", "fmt", "shape_diagnosis", "shape_of", "to_array", "value_diagnosis", "worst_element",
]
