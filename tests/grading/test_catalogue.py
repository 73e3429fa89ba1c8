"""Every check on every catalogue entry: correct ones pass, wrong ones are caught and diagnosed.

Prints the catch rate (wrong implementations caught / total) and the diagnosis accuracy
(caught ones whose diagnosis code is the one the catalogue names); asserts 100% and ≥ 90%.
"""
from __future__ import annotations

import collections

import pytest

from dlgrade import CheckFailed, check, exercise_names
from dlgrade import diagnosis as dg

from .mistakes import ENTRIES

pytest.importorskip("torch")  # the catalogue's cheating entries call torch

CORRECT = [e for e in ENTRIES if e.expect is None]
WRONG = [e for e in ENTRIES if e.expect is not None]


def _run(entry) -> CheckFailed | None:
    """Visible check first, then hidden; the first failure is what the learner would see."""
    for hidden in (False, True):
        try:
            check(entry.exercise, entry.fn, hidden=hidden)
        except CheckFailed as exc:
            return exc
    return None


@pytest.mark.parametrize("entry", CORRECT, ids=lambda e: e.id)
def test_correct_implementation_passes(entry):
    failure = _run(entry)
    assert failure is None, f"{entry.id} should pass but got [{failure.code}]:\n{failure}"


def test_catalogue_covers_every_exercise():
    per = collections.Counter(e.exercise for e in WRONG)
    has_correct = {e.exercise for e in CORRECT}
    missing = [n for n in exercise_names() if per[n] < 5 or n not in has_correct]
    assert not missing, f"exercises with fewer than 5 wrong or no correct implementation: {missing}"


def test_catch_rate_and_diagnosis_accuracy():
    caught, right, misdiagnosed, escaped = 0, 0, [], []
    held_total = sum(e.heldout for e in WRONG)
    held_right = 0
    generic = {v for k, v in vars(dg).items() if k.isupper() and isinstance(v, str)} | {"nondeterministic"}
    by_kind = collections.Counter()
    for entry in WRONG:
        failure = _run(entry)
        if failure is None:
            escaped.append(entry.id)
            continue
        caught += 1
        if failure.code == entry.expect:
            right += 1
            held_right += entry.heldout
            by_kind["generic" if failure.code in generic else "exercise-specific"] += 1
        else:
            misdiagnosed.append(f"{entry.id}: expected {entry.expect}, got {failure.code}\n    "
                                + str(failure).replace("\n", "\n    "))
    catch_rate = caught / len(WRONG)
    accuracy = right / len(WRONG)
    print(f"\ncatalogue: {len(WRONG)} wrong implementations over {len({e.exercise for e in WRONG})} "
          f"exercises; catch rate {caught}/{len(WRONG)} = {catch_rate:.1%}; "
          f"diagnosis accuracy {right}/{len(WRONG)} = {accuracy:.1%} "
          f"({by_kind['generic']} by generic array diagnoses, {by_kind['exercise-specific']} by "
          "exercise-specific recognizers); held-out subset: "
          f"{held_right}/{held_total} diagnosed")
    for m in misdiagnosed:
        print("  misdiagnosed:", m)
    assert not escaped, f"wrong implementations that passed: {escaped}"
    assert accuracy >= 0.90, "\n".join(misdiagnosed)
