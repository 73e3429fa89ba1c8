"""Running a submission's notebook in the graded kernel, so that a hostile or broken notebook costs only itself.

`ContainedExecute` (nbgrader's Execute) runs the learner's cells in the contained kernel, with a whole-notebook
deadline on top of the per-cell timeout; a kernel that dies (memory cgroup, CPU or file-size limit, os._exit) or
ignores the interrupt no longer aborts the notebook: what ran before keeps its score, the rest is marked "not run"
with the reason, and every stop is a flag; processes a cell leaves behind are killed after it; huge outputs are
cut while they arrive. Demonstrations no graded answer depends on are skipped (`dlcourse.demos`): they are most of a
lesson's run time. **Test cells are not run in the kernel**: the grader judges them (`verdict.py`) by calling
the learner's functions with plain-data requests, and writes the verdict into the cell.

Flags (one line each, naming the notebook and the cell) are written to ``flags_file`` for the worker's result.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import Any

from nbclient.util import run_sync
from nbformat import NotebookNode
from traitlets import Bool, Bytes, Float, Integer, Unicode

from dlgrade import calling

from ..headless import HeadlessExecute
from ..notebooks import is_grade, is_solution, meta
from ..demos import skippable
from .requests import RequestFailed, Reply, run_request
from .verdict import VERDICT_KEY, judge_cell, write_verdict

SKIPPED = "(not run while grading: a demonstration that no graded answer depends on)\n"
MAX_CELL_OUTPUT = 200_000  # characters of stream output kept per cell (LimitOutput then cuts lines)


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def _cell_name(cell: NotebookNode, index: int) -> str:
    return meta(cell).get("grade_id") or f"cell {index + 1}"


def is_test_cell(cell: NotebookNode) -> bool:
    """An autograded test cell: graded, not an answer, code."""
    return cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)


class ContainedExecute(HeadlessExecute):
    """nbgrader's Execute, made to survive runaway, killing and killed kernels (see the module docstring), with
    one-way Output widgets (dlcourse.headless)."""

    secret = Bytes(b"", help="this grading run's secret: the seed of the hidden cases (never sent to the kernel)"
                   ).tag(config=True)
    skip_demos = Bool(True, help="skip cells no graded answer depends on (dlcourse.demos)").tag(config=True)
    flags_file = Unicode("", help="where the flags are written (JSON list) for the worker's result").tag(config=True)

    notebook_timeout = Float(0, help="seconds for the whole notebook (0: none)").tag(config=True)
    sandbox_uid = Integer(-1, help="uid the kernel runs as (its stray processes are killed after each cell)"
                          ).tag(config=True)
    memory_cgroup = Unicode("", help="the job's memory cgroup (to tell an OOM kill)").tag(config=True)
    memory_mb = Integer(0).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any] | None = None, km: Any = None):
        self._stopped: str | None = None
        self._resources = resources or {}
        self._flags: list[str] = []
        for cell in nb.cells:  # only the grader writes verdicts
            cell.metadata.pop(VERDICT_KEY, None)
        self._skip = skippable(nb) if self.skip_demos else set()
        self._deadline = time.monotonic() + self.notebook_timeout if self.notebook_timeout else None
        if self._deadline is not None:
            cell_limit = self.timeout
            self.timeout_func = lambda cell: max(1, int(min(cell_limit or 1e9, self._deadline - time.monotonic())))
        return super().preprocess(nb, resources, km)

    def _kernel_pid(self) -> int | None:
        proc = getattr(getattr(self.km, "provisioner", None), "process", None)
        return getattr(proc, "pid", None)

    def _death_reason(self) -> str:
        proc = getattr(getattr(self.km, "provisioner", None), "process", None)
        code = proc.poll() if proc is not None else None
        from .containment import oom_killed

        if self.memory_cgroup and oom_killed(self.memory_cgroup):
            return f"killed by the memory limit ({self.memory_mb} MB for the kernel and its processes)"
        if code == -signal.SIGXCPU:
            return "killed by the CPU-time limit"
        if code == -signal.SIGXFSZ:
            return "killed by the file-size limit"
        if code == -signal.SIGKILL:
            return "killed (SIGKILL: out of memory or a limit)"
        if code is not None and code < 0:
            return f"killed by signal {signal.Signals(-code).name}"
        return f"the kernel exited (status {code}): os._exit, sys.exit in a thread, or a crash"

    def _kill_kernel(self) -> None:
        from .containment import reap_user

        proc = getattr(getattr(self.km, "provisioner", None), "process", None)
        if proc is not None:
            try:
                proc.kill()
            except (OSError, ProcessLookupError):
                pass
        if self.sandbox_uid > 0:
            reap_user(self.sandbox_uid)

    def flag(self, resources: dict[str, Any], text: str) -> None:
        """Record one flag line for the instructor (once)."""
        name = resources.get("unique_key") or resources.get("metadata", {}).get("name", "notebook")
        line = f"{name}: {text}"
        if line not in self._flags:
            self._flags.append(line)
            if self.flags_file:
                Path(self.flags_file).write_text(json.dumps(self._flags), encoding="utf-8")

    def send(self, code: str, request: str, allowed: frozenset[str]) -> Reply:
        """One grading request to the kernel, within this cell's time limit; a request that times out
        interrupts the kernel (and kills it if it ignores that), like a cell that runs too long."""
        timeout = float(self.timeout_func(None) if self.timeout_func else (self.timeout or 60))
        try:
            return run_sync(run_request)(self.kc, self.km, code, timeout=timeout, answer=calling.answer,
                                         allowed=allowed, request=request)
        except RequestFailed as exc:
            if exc.kind == "dead":
                self._stopped = f"the kernel died during a test: {self._death_reason()}"
            else:
                run_sync(self.km.interrupt_kernel)()
                time.sleep(1.0)
                if not self._idle_after_interrupt():
                    self._kill_kernel()
                    self._stopped = f"the kernel did not stop after a test timed out ({timeout:g} s); killed"
            raise

    def _idle_after_interrupt(self) -> bool:
        """Drain the interrupted request's messages; True once the kernel answers again."""
        try:
            reply = run_sync(run_request)(self.kc, self.km, "pass", timeout=5.0, answer=calling.answer,
                                          allowed=frozenset())
            return reply is not None
        except RequestFailed:
            return False

    def _judge(self, cell: NotebookNode, resources: dict[str, Any], name: str, cell_index: int) -> None:
        try:
            sources = [c.source for c in self.nb.cells[:cell_index] if c.cell_type == "code"]
            verdict = judge_cell(cell, self.send, self.secret, sources)
        except Exception as exc:  # the grader's own failure: the cell scores 0 and the instructor is told
            self.flag(resources, f"{name}: the grader failed on this test ({type(exc).__name__}: {exc}); scored 0")
            cell.outputs = [_error("GraderError", f"the grader could not judge this test: {type(exc).__name__}")]
            return
        write_verdict(cell, verdict)
        failure = verdict.failure
        if "is not available while the check runs" in failure or "the reference being checked" in failure:
            self.flag(resources, f"{name}: called the reference (or torch) instead of implementing it")
        elif "got no answer from your kernel" in failure or "could not be read" in failure:
            self.flag(resources, f"{name}: the kernel did not answer the grader's call (harness replaced or broken?)")
        if self._stopped is not None:
            self.flag(resources, f"stopped in {name}: {self._stopped}; later cells not run, earlier scores kept")

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int):
        if cell.cell_type != "code" or not cell.source.strip():
            return super().preprocess_cell(cell, resources, index)
        name = _cell_name(cell, index)
        if self._stopped is None and self._deadline is not None and time.monotonic() >= self._deadline:
            self._stopped = f"whole-notebook time limit ({self.notebook_timeout:g} s) reached before {name}"
            self.flag(resources, self._stopped)
        if self._stopped is not None:
            cell.outputs = [_error("NotRun", f"not run: {self._stopped}")]
            return cell, resources
        if is_test_cell(cell):
            self._judge(cell, resources, name, index)
            return cell, resources
        if index in self._skip:
            cell.outputs = [NotebookNode(output_type="stream", name="stdout", text=SKIPPED)]
            cell.execution_count = None
            return cell, resources
        started = time.monotonic()
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except Exception as exc:  # nbclient's DeadKernelError, CellTimeoutError (a kernel ignoring SIGINT), ...
            kind = type(exc).__name__
            if kind == "DeadKernelError":
                why = self._death_reason()
            else:
                why = f"did not stop at its time limit ({kind}); the kernel was killed"
                self._kill_kernel()
            self._stopped = f"{name}: {why}"
            self.flag(resources, f"stopped in {self._stopped}; later cells not run, earlier scores kept")
            cell.outputs = list(cell.get("outputs", [])) + [_error("KernelStopped", why)]
            return cell, resources
        finally:
            self._after_cell(cell, resources, name, time.monotonic() - started)
        return cell, resources

    def _after_cell(self, cell: NotebookNode, resources: dict[str, Any], name: str, took: float) -> None:
        """Kill processes the cell left behind; cut huge outputs; flag what the limits stopped."""
        if self.sandbox_uid > 0:
            from .containment import reap_user

            pid = self._kernel_pid()
            left = reap_user(self.sandbox_uid, keep=frozenset({pid} if pid else ()))
            if left:
                self.flag(resources, f"{name}: left {left} process(es) running after the cell; killed")
        total = 0
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                text = output.get("text", "")
                total += len(text)
                if "Resource temporarily unavailable" in text:
                    self.flag(resources, f"{name}: process limit reached (fork/thread refused)")
                if total > MAX_CELL_OUTPUT:
                    keep = max(0, MAX_CELL_OUTPUT - (total - len(text)))
                    output["text"] = text[:keep] + f"\n... output cut at {MAX_CELL_OUTPUT} characters\n"
            elif output.get("output_type") == "error":
                ename, evalue = output.get("ename", ""), str(output.get("evalue", ""))
                if ename == "CellTimeoutError" or (ename == "KeyboardInterrupt" and took >= (self.timeout or 0)):
                    self.flag(resources, f"{name}: stopped at the per-cell time limit ({self.timeout} s)")
                elif ename == "MemoryError":
                    self.flag(resources, f"{name}: MemoryError (address-space limit)")
                elif "File too large" in evalue:
                    self.flag(resources, f"{name}: file-size limit")
                elif ename == "BlockingIOError" or "Resource temporarily unavailable" in evalue:
                    self.flag(resources, f"{name}: process limit reached ({ename}: {evalue[:80]})")
                elif "is not available while the check runs" in evalue:
                    self.flag(resources, f"{name}: called the reference (or torch) instead of implementing it")
        if total > MAX_CELL_OUTPUT:
            self.flag(resources, f"{name}: printed {total / 1e6:.1f} MB; output cut")
