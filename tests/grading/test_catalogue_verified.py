"""Every KnownMistake of an exercise judged by ``verify`` (statistics, accuracy) rather than element by element,
run as if it were the learner's function, is named by its own code and message — what test_catalogue_self checks
for the exercises compared with their reference. Their ``verify`` names a mistake by running it on the case."""
from __future__ import annotations

from typing import Any

import pytest

from dlgrade import CheckFailed, check, exercise_names, get_exercise

from .test_catalogue_self import as_learner


def _cases() -> list[Any]:
    out = []
    for name in exercise_names():
        ex = get_exercise(name)
        if ex.verify is not None and ex.adapter is None:
            out += [pytest.param(name, i, id=f"{name}:{i}:{m.code}") for i, m in enumerate(ex.mistakes)]
    return out


@pytest.mark.parametrize("name, index", _cases())
def test_verified_mistake_is_named_by_its_own_message(name: str, index: int) -> None:
    m = get_exercise(name).mistakes[index]
    failure = None
    for hidden in (False, True):
        try:
            check(name, as_learner(m), hidden=hidden)
        except CheckFailed as exc:
            failure = exc
            break
    assert failure is not None, f"{name}: the mistake {m.code!r} passes every case: a distinguishing case is missing"
    said = " ".join(str(failure).replace(" …\n  … ", " ").split())
    assert failure.code == m.code and " ".join(m.message.split()) in said, (
        f"{name}: the mistake {m.code!r} was diagnosed as [{failure.code}]:\n{failure}")
