"""Rules over all the cases of an exercise: which known mistakes fit every case, and hard-coded sizes.

A known mistake is named only when its outputs equal the learner's on every case the learner answered (a
mistake that matches one case by coincidence is not the learner's). "Sizes hard-coded?" is said only with
evidence: the function passed a case of other sizes, and its output (or the line that raised) carries a
size of that case which this case does not have.
"""
from __future__ import annotations

import re
from typing import Any, Iterator, Mapping, NamedTuple, Sequence

import numpy as np

from .core import HARDCODED_SHAPE, Diagnosis
from .outputs import close_all, quiet, split


class Error(NamedTuple):
    """What a learner's call raised: the exception's type name and message."""

    type: str
    message: str


def _fits(ex: Any, m: Any, case: Any, got: Sequence[Any] | Error) -> bool:
    """The mistake gives the learner's outputs on this case, or raises the error the learner's call raised."""
    try:
        with quiet():
            wrong = split(ex, m.compute(*case.fresh().values()))
    except Exception as exc:  # a mistake that raises fits a learner who raised the same
        return isinstance(got, Error) and got == Error(type(exc).__name__, str(exc)[:len(got.message)])
    if isinstance(got, Error):
        return False
    return not isinstance(wrong, Diagnosis) and close_all(wrong, got, ex)


def fitting(ex: Any, rows: Sequence[tuple[Any, Sequence[Any] | Error, bool]]) -> list[Any]:
    """The known mistakes of ``ex`` that explain the learner's outputs, best first.

    ``rows`` are (case, learner's outputs or the Error it raised, passed). A mistake fits when it gives the
    learner's outputs (or raises its error) on every case; failing that, on every failing case when there
    are at least two (a bug that shows only on some inputs behaves there like the mistake), never on one
    failing case alone (a coincidence).
    """
    everywhere = [m for m in ex.mistakes if all(_fits(ex, m, c, g) for c, g, _ in rows)]
    if everywhere:
        return everywhere
    failing = [(c, g) for c, g, ok in rows if not ok]
    if len(failing) < 2:
        return []
    return [m for m in ex.mistakes if all(_fits(ex, m, c, g) for c, g in failing)]


def _arrays(value: Any, depth: int = 0) -> Iterator[np.ndarray]:
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, (list, tuple)) and depth < 3:
        for v in value:
            yield from _arrays(v, depth + 1)


def sizes(args: Mapping[str, Any]) -> set[int]:
    """Every size a case's arguments have: array dimensions and integer arguments."""
    out: set[int] = set()
    for v in args.values():
        if isinstance(v, np.ndarray):
            out.update(int(s) for s in v.shape)
        elif isinstance(v, (int, np.integer)) and not isinstance(v, bool):
            out.add(int(v))
    return out


def _kept_sizes(value: Any, expected: Any, ok_value: Any) -> int | None:
    """A size the output kept from the case that passed: on every axis where an output array's shape is not
    the expected one, it is the shape the same output had on that case."""
    for g, e, ok in zip(_arrays(value), _arrays(expected), _arrays(ok_value)):
        if g.shape == e.shape or not g.ndim == e.ndim == ok.ndim:
            continue
        axes = [a for a in range(g.ndim) if g.shape[a] != e.shape[a]]
        if all(g.shape[a] == ok.shape[a] for a in axes):
            return int(g.shape[axes[0]])
    return None


def hardcoded(ok: tuple[Mapping[str, Any], str, Any], args: Mapping[str, Any], label: str, value: Any,
              expected: Any, line: str, base: Diagnosis) -> Diagnosis | None:
    """Hard-coded sizes: ``ok`` = (arguments, label, output) of a case of other sizes that passed; evidence is
    the failing line using a size of that case (not of this one), or the output keeping that case's shape."""
    ok_args, ok_label, ok_value = ok
    foreign = sizes(ok_args) - sizes(args) - {0, 1}
    literals = {int(x) for x in re.findall(r"(?<![\w.])\d+(?![\w.])", line)} & foreign
    kept = _kept_sizes(value, expected, ok_value) if expected is not None else None
    if literals:
        seen = f"the line that failed uses the number {min(literals)}, a size of that case and not of this one"
    elif kept is not None:
        seen = f"your output keeps that case's size {kept} where this case needs another"
    else:
        return None
    return Diagnosis(HARDCODED_SHAPE, f"it works for {ok_label} but not for {label}, and {seen}. Are sizes "
                     "hard-coded (a literal number, or a shape taken from a global variable) instead of read "
                     "from the arguments' .shape?",
                     f"(your function's own message: {base.message.splitlines()[0][:200]})",
                     {"size": min(literals) if literals else kept})
