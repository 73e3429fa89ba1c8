"""Comparing one output of one case with the reference: type first, then shape, then values."""
from __future__ import annotations

from typing import Any, Collection, Mapping

import numpy as np

from . import hints
from .core import ATOL, RTOL, Diagnosis, close, to_array
from .outputs import quiet
from .shapes import shape_diagnosis
from .types import check_type, truncated
from .values import value_diagnosis


def compare(
    expected: Any,
    got: Any,
    *,
    name: str = "output",
    kind: str = "array",
    factors: Mapping[str, float] | None = None,
    rtol: float = RTOL,
    atol: float = ATOL,
    scope: Collection[str] = hints.ALL,
    warnings: Collection[str] = (),
    args: Mapping[str, Any] | None = None,
) -> Diagnosis | None:
    """Compare one output; None when it matches, else the most specific diagnosis found.

    ``scope`` is the exercise's hint families, ``warnings`` what numpy warned during the learner's call,
    ``args`` the case's arguments (their numbers are candidate factors). The grader's own arithmetic on a
    learner's NaNs never warns (a warning on stderr costs a notebook cell its points).
    """
    with quiet():
        return _compare(expected, got, name, kind, factors, rtol, atol, scope, warnings, args)


def _compare(expected: Any, got: Any, name: str, kind: str, factors: Mapping[str, float] | None, rtol: float,
             atol: float, scope: Collection[str], warnings: Collection[str],
             args: Mapping[str, Any] | None) -> Diagnosis | None:
    bad_type = check_type(got, kind, name, expected)
    if bad_type is not None:
        return bad_type
    e = to_array(expected)
    g = to_array(got)
    if kind == "scalar" and g.size == 1:
        g = g.reshape(())
    if kind == "scalar" and e.size == 1:
        e = e.reshape(())
    if e.shape != g.shape:
        return shape_diagnosis(e, g, name, factors or {}, scope)
    if close(e, g, rtol, atol):
        return None
    cut = truncated(np.asarray(expected), got, name) if isinstance(got, np.ndarray) else None
    if cut is not None:
        return cut
    return value_diagnosis(e, g, name=name, factors=factors or {}, rtol=rtol, atol=atol, scope=scope,
                           warnings=warnings, args=args)
