"""Every KnownMistake of every exercise, run as if it were the learner's function, is named by its own code and
message (100%).

A mistake that passes the visible cases cannot be told from a correct answer there (a case is missing); a
mistake named as another one gives the same outputs as that one on every case (a distinguishing case is
missing, or the two are one mistake and should be merged). Exercises with an adapter (the learner writes a
class or a graph driver) are skipped: their mistakes do not have the learner's signature.
"""
from __future__ import annotations

from typing import Any, Callable

import pytest

from dlgrade import CheckFailed, check, exercise_names, get_exercise
from dlgrade.harness.guard import suspended
from dlgrade.registry import KnownMistake


def _cases() -> list[Any]:
    out = []
    for name in exercise_names():
        ex = get_exercise(name)
        if ex.adapter is not None or ex.verify is not None:
            continue
        out += [pytest.param(name, i, id=f"{name}:{i}:{m.code}") for i, m in enumerate(ex.mistakes)]
    return out


def as_learner(m: KnownMistake) -> Callable[..., Any]:
    """The mistake as a learner's function (the grader's own code may call the reference: the guard is lifted)."""
    def learner(*args: Any) -> Any:
        with suspended():
            return m.compute(*args)
    learner.__name__ = f"mistake_{m.code}"
    return learner


@pytest.mark.parametrize("name, index", _cases())
def test_known_mistake_is_named_by_its_own_message(name: str, index: int) -> None:
    m = get_exercise(name).mistakes[index]
    failure = None
    for hidden in (False, True):
        try:
            check(name, as_learner(m), hidden=hidden)
        except CheckFailed as exc:
            failure = exc
            break
    assert failure is not None, f"{name}: the mistake {m.code!r} passes every case: a distinguishing case is missing"
    said = " ".join(str(failure).replace(" …\n  … ", " ").split())  # a cause cut after three lines, rejoined
    assert failure.code == m.code and " ".join(m.message.split()) in said, (
        f"{name}: the mistake {m.code!r} was diagnosed as [{failure.code}]:\n{failure}")
