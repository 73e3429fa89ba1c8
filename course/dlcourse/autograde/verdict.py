"""The verdict on each autograded test cell, decided in the grader's process, and the only score recorded.

The learner's kernel never runs a test cell. At a test cell the grader reads it (``dlgrade.testcell``), calls
the learner's function in the kernel through plain-data requests (``requests.run_request``), compares and
diagnoses here (``dlgrade.verdict.judge``), writes the verdict into the cell's outputs and metadata, and
:class:`SaveVerdicts` stores that fraction of the cell's points in the gradebook. Cell outputs are never read
as scores.
"""

from __future__ import annotations

from typing import Any, Callable

from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import SaveAutoGrades

from dlgrade import calling
from dlgrade.harness import adapters, wire
from dlgrade.registry import Exercise
from dlgrade.diagnosis.source import definition_in_cells
from dlgrade.testcell import TestCellError, parse
from dlgrade.verdict import Verdict, judge

from .requests import RequestFailed, Reply

VERDICT_KEY = "dlcourse_verdict"  # cell metadata written by the grader (any learner-written copy is dropped)
SERVE = '__import__("dlgrade.harness.serve", fromlist=["serve"]).serve(lambda: ({target}))'
Send = Callable[[str, str, frozenset[str]], Reply]  # (line to execute, request text, oracle keys) -> reply


def _failed_reports(n: int, kind: str, message: str) -> list[dict[str, Any]]:
    return [{"error": {"kind": kind, "type": kind, "message": message, "where": None},
             "mutated": [], "warnings": [], "printed": ""} for _ in range(n)]


def _reports(reply: Reply, n: int) -> list[dict[str, Any]]:
    """The reports in a reply, strictly: anything malformed is the learner's kernel not answering."""
    if reply.payload is None:
        why = (f"{reply.error['type']}: {reply.error['message']}" if reply.error else "no reply")
        return _failed_reports(n, "no_reply", f"the grader's call got no answer from your kernel ({why}); "
                               "was the grading harness replaced or broken by your code?")
    try:
        data = wire.loads(reply.payload)
        reports = data["reports"] if isinstance(data, dict) else None
        if not isinstance(reports, list) or len(reports) != n or not all(isinstance(r, dict) for r in reports):
            raise wire.WireError(data.get("error", "not one report per call") if isinstance(data, dict)
                                 else "not a dict")
    except (wire.WireError, KeyError) as exc:
        return _failed_reports(n, "no_reply", f"your kernel's answer could not be read ({exc})")
    return reports


class KernelCaller:
    """A dlgrade caller whose calls run in the graded kernel: ``target`` is the test cell's second argument."""

    def __init__(self, send: Send, target: str) -> None:
        self.send = send
        self.target = target

    def __call__(self, ex: Exercise, calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
        request = wire.dumps(calling.request(ex, calls))
        allowed = frozenset(ex.oracles.values()) | adapters.ORACLES.get(ex.adapter or "", frozenset())
        try:
            reply = self.send(SERVE.format(target=self.target), request, allowed)
        except RequestFailed as exc:
            return _failed_reports(len(calls), exc.kind, str(exc))
        return _reports(reply, len(calls))


def judge_cell(cell: NotebookNode, send: Send, secret: bytes,
               sources: list[str] | None = None) -> Verdict:
    """Judge one test cell (its source restored from the gradebook) through ``send``; ``sources`` are the code
    cells run before it, where a message can find the learner's line to look at."""
    try:
        calls = parse(cell.source)
    except TestCellError as exc:
        return Verdict(0.0, [(False, "test cell", f"the grader cannot read this test cell: {exc}")])
    return judge(calls, lambda target: KernelCaller(send, target), secret,
                 source_for=lambda target: definition_in_cells(sources or [], target))


def write_verdict(cell: NotebookNode, verdict: Verdict) -> None:
    """Show the verdict in the cell (a ✓ stream, or an error output naming the failure) and record it."""
    if verdict.fraction >= 1.0 and all(ok for ok, _, _ in verdict.lines):
        cell.outputs = [NotebookNode(output_type="stream", name="stdout", text=verdict.text() + "\n")]
    else:
        cell.outputs = [NotebookNode(output_type="error", ename="CheckFailed", evalue=verdict.failure,
                                     traceback=verdict.text().splitlines())]
    cell.metadata[VERDICT_KEY] = {"fraction": verdict.fraction}
    cell.execution_count = None


class SaveVerdicts(SaveAutoGrades):
    """nbgrader's SaveAutoGrades, except that a test cell's score is the grader's verdict (0 without one)."""

    def _add_score(self, cell: NotebookNode, resources: Any) -> None:
        if not (utils.is_grade(cell) and not utils.is_solution(cell) and cell.cell_type == "code"):
            return super()._add_score(cell, resources)
        grade = self.gradebook.find_grade(cell.metadata["nbgrader"]["grade_id"], self.notebook_id,
                                          self.assignment_id, self.student_id)
        points = float(cell.metadata["nbgrader"]["points"])
        fraction = float(cell.metadata.get(VERDICT_KEY, {}).get("fraction", 0.0))
        grade.auto_score = round(points * min(max(fraction, 0.0), 1.0), 6)
        grade.needs_manual_grade = grade.manual_score is not None
        self.gradebook.db.commit()
