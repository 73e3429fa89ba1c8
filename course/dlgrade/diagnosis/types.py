"""Type and dtype rules: what the learner returned is not the kind of value the exercise needs.

- None (a missing return), a Tensor, a list or tuple, a string, a bool, a complex number;
- an integer size (the reference returns an int) returned as a float, even with the right value: it breaks
  every caller that uses it as a size (range, np.zeros, slicing);
- indices or labels (an integer array) returned as floats;
- an integer array where fractions are expected, whose values are the expected ones cut off: a buffer
  created with an integer dtype.
A float where a float is meant is fine as a Python float or a numpy scalar, not as an array (of shape () or (1,)).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..harness.describe import _is_tensor, describe
from .core import WRONG_DTYPE, WRONG_TYPE, Diagnosis, fmt


def _is_int(x: Any) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def _int_array(x: Any) -> bool:
    return isinstance(x, np.ndarray) and np.issubdtype(x.dtype, np.integer)


def check_type(got: Any, kind: str, name: str, expected: Any = None) -> Diagnosis | None:
    """Wrong output type: None, a list, a Tensor, a string, an int returned as a float...

    ``kind`` is 'array' or 'scalar'; ``expected`` (the reference's value, when known) decides whether an
    integer is meant.
    """
    what = f"`{name}`"
    if got is None:
        return Diagnosis(WRONG_TYPE, f"{what} is None: did you forget the `return` statement?")
    if _is_tensor(got):
        return Diagnosis(WRONG_TYPE, f"{what} is {describe(got)}, but this exercise works on numpy arrays: "
                         "return a numpy array (use `.data` or `.numpy()`).")
    if isinstance(got, (list, tuple)):
        return Diagnosis(WRONG_TYPE, f"{what} is {describe(got)}; expected "
                         + ("a numpy array: wrap it with np.array(...) or compute it with array operations."
                            if kind == "array" else "a single number."))
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, float, np.number, np.ndarray)):
        return Diagnosis(WRONG_TYPE, f"{what} is {describe(got)}; expected "
                         + ("a single number." if kind == "scalar" else "a numpy array."))
    if np.iscomplexobj(got):
        return Diagnosis(WRONG_TYPE, f"{what} is complex ({describe(got)}); expected real numbers.")
    if kind == "scalar" and isinstance(got, np.ndarray) and got.size == 1:
        return Diagnosis(WRONG_TYPE, f"{what} is an array of shape {got.shape}, not a number: return the number "
                         "itself, e.g. float(...) (an array breaks the callers that format or compare it).",
                         evidence={"array_as_scalar": True})
    return _integer_meant(got, expected, what, kind)


def _integer_meant(got: Any, expected: Any, what: str, kind: str) -> Diagnosis | None:
    """An integer size or index array returned as floats (the value may even be right)."""
    if kind == "scalar" and _is_int(expected) and not _is_int(got) and not _int_array(got):
        value = float(np.asarray(got, dtype=np.float64).reshape(-1)[0]) if np.size(got) == 1 else None
        if value is not None and float(value).is_integer() and value == float(expected):
            return Diagnosis(WRONG_TYPE, f"{what} is {fmt(value)}, a float: the value is right but it must be an "
                             "int (a size: it goes into range(), np.zeros or a slice). Use // (integer "
                             "division) or int(...).", evidence={"int_as_float": True})
        return None  # a wrong value: the value rules say more
    if kind == "array" and _int_array(expected) and isinstance(got, np.ndarray) \
            and np.issubdtype(got.dtype, np.floating) and got.shape == expected.shape \
            and np.array_equal(got, expected):
        return Diagnosis(WRONG_DTYPE, f"{what} has the right values but dtype {got.dtype}: these are indices or "
                         "labels, which must be integers (an index array of floats cannot index). Use "
                         "an integer dtype (np.argmax gives one; .astype(int) converts).")
    return None


def truncated(expected: np.ndarray, got: Any, name: str) -> Diagnosis | None:
    """An integer array whose values are the expected fractions cut off: an int buffer filled with floats."""
    if not _int_array(got) or np.issubdtype(np.asarray(expected).dtype, np.integer):
        return None
    e = np.asarray(expected, dtype=np.float64)
    if got.shape != e.shape or not np.all(np.isfinite(e)) or np.all(e == np.round(e)):
        return None
    if np.array_equal(got, np.trunc(e)) or np.array_equal(got, np.round(e)) or np.array_equal(got, np.floor(e)):
        return Diagnosis(WRONG_DTYPE, f"`{name}` has dtype {got.dtype}: the expected fractions were cut off to "
                         "whole numbers when they were stored. Create the array with a float dtype (np.zeros "
                         "gives floats; np.zeros_like of an int array, or dtype=int, does not).")
    return None
