"""Run All of a lesson's instructor notebook stays under 90 s (course/README.md): measured as an instructor would,
`jupyter nbconvert --to notebook` with dlcourse.headless's executor (as course/README.md says), on whatever cores
the machine has (the budget is for 2). `python -m tests.course.test_lesson_run_all [LESSON ...]` prints the times.

Slow: each lesson runs in full. The wall time depends on the machine and on what else runs on it, so the test
also prints the CPU time the notebook used (the kernel included), which a busy machine does not inflate as
much. The lessons that train networks: 08-cnn, 08-cnn-training, 09-gpu and 10-training-in-practice (add others
to LESSONS).
"""
from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import pytest

from .conftest import run_all_headless

REPO = Path(__file__).resolve().parents[2]
LESSONS = ("08-cnn", "08-cnn-training", "09-gpu", "10-training-in-practice")
BUDGET_S = 90.0


def run_all(lesson: str, out: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of nbconvert and its kernel) of one Run All."""
    notebook = REPO / "solutions" / lesson / f"{lesson}.ipynb"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run_all_headless(notebook, out, timeout=600)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS)
def test_run_all_under_budget(lesson: str, tmp_path: Path) -> None:
    wall, cpu = run_all(lesson, tmp_path / f"{lesson}.ipynb")
    print(f"\n{lesson}: Run All {wall:.1f} s wall, {cpu:.1f} s CPU")
    assert wall < BUDGET_S, f"{lesson}: Run All took {wall:.1f} s ({cpu:.1f} s CPU), over {BUDGET_S:.0f} s"


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for lesson in sys.argv[1:] or LESSONS:
            wall, cpu = run_all(lesson, Path(tmp) / f"{lesson}.ipynb")
            print(f"{lesson}: Run All {wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)
