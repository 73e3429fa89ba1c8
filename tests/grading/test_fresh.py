"""The fresh set (tests/grading/fresh): learner answers written from the student notebooks only, run
through check() to measure how right the grader's feedback is on mistakes it has never seen.

It asserts that the set is well formed, runs end to end, and stays at issue #20's targets (caught ≥ 95%,
named ≥ 90%, no wrong answer with full marks, no false alarm on the unusual correct answers).
``python -m tests.grading.fresh`` prints the full report.
"""
import re

from dlgrade import exercise_names

from tests.grading.fresh.__main__ import report, run_all, summarize
from tests.grading.fresh._fresh import LESSON_MODULES, load_entries

TARGETS: dict | None = {"caught": 0.95, "named": 0.90, "full_marks": 0, "false_alarms": 0}


def test_every_entry_names_a_real_exercise():
    entries = load_entries()
    known = set(exercise_names())
    assert [e.id for e in entries if e.exercise not in known] == []
    assert len({e.id for e in entries}) == len(entries)
    assert all(e.expect for e in entries if e.kind == "wrong")
    assert {e.lesson for e in entries} == {re.search(r"l(\d\d)", m).group(1) for m in LESSON_MODULES}


def test_fresh_set_runs(capsys):
    entries = load_entries()
    outcomes = run_all(entries, jobs=1)
    assert len(outcomes) == len(entries)
    rows = summarize(outcomes)
    assert rows["total"]["wrong"] + rows["total"]["correct"] == len(entries)
    with capsys.disabled():
        report(outcomes, details=False)
    if TARGETS is not None:
        total = rows["total"]
        assert total["full_marks"] <= TARGETS["full_marks"]
        assert total["caught"] / total["wrong"] >= TARGETS["caught"]
        assert total["named"] / total["wrong"] >= TARGETS["named"]
        assert total["false_alarms"] <= TARGETS["false_alarms"]
