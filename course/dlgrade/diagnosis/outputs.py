"""An exercise's outputs as lists: the learner's returned value split, the reference's, and their closeness."""
from __future__ import annotations

import contextlib
import itertools
import warnings
from typing import Any, Iterator, Mapping, Sequence

import numpy as np

from ..harness.describe import describe
from .core import WRONG_TYPE, Diagnosis, close, to_array


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Grader-side numerics (references, known mistakes) never warn: stderr costs the cell its points."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def split(ex: Any, value: Any) -> list[Any] | Diagnosis:
    """The returned value as one entry per output of ``ex``, or the diagnosis of a wrong structure."""
    names = [o.name for o in ex.outputs]
    if len(names) == 1:
        if isinstance(value, tuple) and ex.outputs[0].kind == "array" and len(value) == 2 \
                and isinstance(value[0], np.ndarray):
            return Diagnosis(WRONG_TYPE, f"your function returned a tuple of 2; expected only "
                             f"`{names[0]}`. Return just the output (no cache).")
        return [value]
    if not isinstance(value, (tuple, list)) or len(value) != len(names):
        return Diagnosis(WRONG_TYPE, f"your function returned {describe(value)}; expected a "
                         f"tuple ({', '.join(names)}) of {len(names)} values.")
    return list(value)


def reference(ex: Any, args: Mapping[str, Any]) -> list[Any] | None:
    """The reference's outputs on a copy of ``args`` (descriptors made real); None where it cannot run them."""
    from ..registry import Case

    try:
        with quiet():
            value = ex.reference(*Case(args).fresh().values())
    except Exception:  # a designed or perturbed input outside the reference's domain (a stride, say)
        return None
    out = split(ex, value)
    return None if isinstance(out, Diagnosis) else out


def of_report(ex: Any, report: Mapping[str, Any]) -> list[Any] | None:
    """The learner's outputs in a caller's report; None when the call failed or returned a wrong structure."""
    if report.get("error"):
        return None
    out = split(ex, report.get("value"))
    return None if isinstance(out, Diagnosis) else out


def close_all(a: Sequence[Any], b: Sequence[Any], ex: Any, only: Sequence[int] | None = None) -> bool:
    """Every output (or those at ``only``) of ``a`` close to ``b``'s, with the exercise's tolerances."""
    for i in (range(len(a)) if only is None else only):
        try:
            xa, ya = to_array(a[i]), to_array(b[i])
        except (TypeError, ValueError):
            return False
        if xa.size == 1 and ya.size == 1:
            xa, ya = xa.reshape(()), ya.reshape(())
        if not close(xa, ya, ex.rtol, ex.atol):
            return False
    return True


def equal(x: Any, y: Any) -> bool:
    """Bit for bit equal values: arrays and numbers (NaN equal to NaN), containers item by item, else ==."""
    if isinstance(x, (list, tuple)) and isinstance(y, (list, tuple)):
        return len(x) == len(y) and all(equal(p, q) for p, q in zip(x, y))
    if isinstance(x, dict) and isinstance(y, dict):
        return x.keys() == y.keys() and all(equal(x[k], y[k]) for k in x)
    try:
        return bool(np.array_equal(np.asarray(x, dtype=float), np.asarray(y, dtype=float), equal_nan=True))
    except (TypeError, ValueError):
        try:
            return bool(x == y)
        except Exception:  # an object whose == is not a truth value
            return x is y


def same(a: Sequence[Any], b: Sequence[Any], only: Sequence[int] | None = None) -> bool:
    """Bit for bit the same outputs (what a call that ignores a changed argument gives)."""
    return all(equal(a[i], b[i]) for i in (range(len(a)) if only is None else only))


def repeated(a: Sequence[Any], b: Sequence[Any]) -> bool:
    """The same outputs up to the last bits (a repeated call; a threaded sum may round differently)."""
    for x, y in zip(a, b):
        try:
            xa, ya = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        except (TypeError, ValueError):
            if not equal(x, y):
                return False
            continue
        if xa.shape != ya.shape or not np.allclose(xa, ya, rtol=1e-9, atol=1e-12, equal_nan=True):
            return False
    return len(a) == len(b)


def swapped(ex: Any, expected: Sequence[Any], got: Sequence[Any]) -> Diagnosis | None:
    """Every output right but returned in another place (two swapped, a cycle, pairs moved as blocks): the order
    of the tuple. Outputs that move must differ from what stood there, or the order could not be told."""
    names = [o.name for o in ex.outputs]
    n = len(names)
    if not 2 <= n <= 6:  # 720 orders at most; no exercise has more outputs
        return None
    fits = [[j for j in range(n) if close_all([expected[j]], [got[k]], ex)] for k in range(n)]
    for order in itertools.permutations(range(n)):
        moved = [k for k in range(n) if order[k] != k]
        if moved and all(order[k] in fits[k] for k in range(n)) \
                and not any(close_all([expected[order[k]]], [expected[k]], ex) for k in moved):
            if len(moved) == 2:
                i, j = moved
                return Diagnosis("swapped", f"`{names[i]}` holds what `{names[j]}` should be, and the other way "
                                 f"round: return them in the order ({', '.join(names)}).")
            return Diagnosis("swapped", f"every output is right but in the wrong order: you return "
                             f"({', '.join(names[j] for j in order)}); return ({', '.join(names)}).")
    return None
