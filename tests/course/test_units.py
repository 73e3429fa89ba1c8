"""Fast unit tests of the pieces the end-to-end run cannot easily provoke."""

from __future__ import annotations

import sys
from pathlib import Path

from nbformat.v4 import new_code_cell, new_output

from dlcourse.autograde.diagnosis import diagnose, pattern
from dlcourse.autograde.grade import _Workers
from dlcourse.autograde.limits import Limits
from dlcourse.feedback.hide_hidden import HideHiddenTests


def _test_cell(source: str, outputs: list) -> object:
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "t", "points": 1}
    cell.outputs = outputs
    return cell


def test_feedback_preprocessor_strips_hidden_region_and_traceback() -> None:
    """A hidden-only failure shows the diagnosis but neither the hidden call nor the traceback quoting it."""
    source = 'check("x.f", f)\n### BEGIN HIDDEN TESTS\ncheck("x.f", f, hidden=True)\n### END HIDDEN TESTS'
    error = new_output("error", ename="CheckFailed", evalue="x.f: wrong shape",
                       traceback=['----> 3 check("x.f", f, hidden=True)', "CheckFailed: x.f: wrong shape"])
    cell, _ = HideHiddenTests().preprocess_cell(_test_cell(source, [error]), {}, 0)
    assert cell.source == 'check("x.f", f)'
    assert cell.outputs[0]["traceback"] == ["CheckFailed: x.f: wrong shape"]


def test_diagnosis_of_failures() -> None:
    """Toolkit failures give their message; stderr and timeouts are named; a pass gives nothing."""
    fail = new_output("error", ename="CheckFailed", evalue="\x1b[31mlinreg.mse: off by N\x1b[0m", traceback=[])
    assert diagnose(_test_cell("", [fail])) == "linreg.mse: off by N"
    stderr = new_output("stream", name="stderr", text="RuntimeWarning: overflow")
    assert "stderr" in diagnose(_test_cell("", [stderr]))
    timeout = new_output("error", ename="KeyboardInterrupt", evalue="", traceback=[])
    assert "time limit" in diagnose(_test_cell("", [timeout]))
    assert diagnose(_test_cell("", [new_output("stream", name="stdout", text="✓ ok")])) == ""
    assert pattern("case 1 of 4 (X (6, 3)), error 2.5e-3") == pattern("case 3 of 4 (X (1, 7)), error 0.1")


def test_whole_notebook_time_limit_kills_the_worker(tmp_path: Path) -> None:
    """A worker past the wall-clock limit is killed with its whole process group and reported as a timeout."""
    code = _Workers().run([sys.executable, "-c", "import time; time.sleep(60)"], Limits(wall_s=1),
                          tmp_path / "log")
    assert code == "timeout"
