"""The autograde preprocessors that make a hostile or broken notebook cost only itself.

- `ContainedExecute` (nbgrader's Execute): a whole-notebook deadline on top of the per-cell timeout; a kernel
  that dies (memory cgroup, CPU or file-size limit, os._exit) or ignores the interrupt no longer aborts the
  notebook: what ran before keeps its score, the rest is marked "not run" with the reason, and every stop is a
  flag; processes a cell leaves behind are killed after it; huge outputs are cut while they arrive.
- `TestPrelude` / `IntegrityReport`: each autograded test cell first restores the grading machinery
  (dlcourse.autograde.integrity), and a passing `check(...)` must show its ✓ line — a test that "passed" without a
  verdict (a silenced traceback, a fake check) scores zero.
- `StderrIsNotFailure`: a warning printed to stderr by a correct answer does not zero the test (nbgrader's
  determine_grade fails any test cell with stderr output); errors still do.

Flags (one line each, naming the notebook and the cell) collect in `FLAGS` for the worker's result.
"""

from __future__ import annotations

import re
import signal
import time
from typing import Any

from nbformat import NotebookNode
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Float, Integer, Unicode

from .integrity import MARK
from ..notebooks import is_grade, is_solution, meta

FLAGS: list[str] = []
PRELUDE = "__import__('dlcourse.autograde.integrity', fromlist=['restore']).restore(globals(), {gid!r}, {names!r})"
MAX_CELL_OUTPUT = 200_000  # characters of stream output kept per cell (LimitOutput then cuts lines)
_CALLS = re.compile(r"(?<![\w.])(check|grade)\s*\(")


def flag(resources: dict[str, Any], text: str) -> None:
    name = resources.get("unique_key") or resources.get("metadata", {}).get("name", "notebook")
    line = f"{name}: {text}"
    if line not in FLAGS:
        FLAGS.append(line)


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def _cell_name(cell: NotebookNode, index: int) -> str:
    return meta(cell).get("grade_id") or f"cell {index + 1}"


class ContainedExecute(Execute):
    """nbgrader's Execute, made to survive runaway, killing and killed kernels (see the module docstring)."""

    notebook_timeout = Float(0, help="seconds for the whole notebook (0: none)").tag(config=True)
    sandbox_uid = Integer(-1, help="uid the kernel runs as (its stray processes are killed after each cell)"
                          ).tag(config=True)
    memory_cgroup = Unicode("", help="the job's memory cgroup (to tell an OOM kill)").tag(config=True)
    memory_mb = Integer(0).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any] | None = None, km: Any = None):
        self._stopped: str | None = None
        self._resources = resources or {}
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

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int):
        if cell.cell_type != "code" or not cell.source.strip():
            return super().preprocess_cell(cell, resources, index)
        name = _cell_name(cell, index)
        if self._stopped is None and self._deadline is not None and time.monotonic() >= self._deadline:
            self._stopped = f"whole-notebook time limit ({self.notebook_timeout:g} s) reached before {name}"
            flag(resources, self._stopped)
        if self._stopped is not None:
            cell.outputs = [_error("NotRun", f"not run: {self._stopped}")]
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
            flag(resources, f"stopped in {self._stopped}; later cells not run, earlier scores kept")
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
                flag(resources, f"{name}: left {left} process(es) running after the cell; killed")
        total = 0
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                text = output.get("text", "")
                total += len(text)
                if "Resource temporarily unavailable" in text:
                    flag(resources, f"{name}: process limit reached (fork/thread refused)")
                if total > MAX_CELL_OUTPUT:
                    keep = max(0, MAX_CELL_OUTPUT - (total - len(text)))
                    output["text"] = text[:keep] + f"\n... output cut at {MAX_CELL_OUTPUT} characters\n"
            elif output.get("output_type") == "error":
                ename, evalue = output.get("ename", ""), str(output.get("evalue", ""))
                if ename == "CellTimeoutError" or (ename == "KeyboardInterrupt" and took >= (self.timeout or 0)):
                    flag(resources, f"{name}: stopped at the per-cell time limit ({self.timeout} s)")
                elif ename == "MemoryError":
                    flag(resources, f"{name}: MemoryError (address-space limit)")
                elif "File too large" in evalue:
                    flag(resources, f"{name}: file-size limit")
                elif ename == "BlockingIOError" or "Resource temporarily unavailable" in evalue:
                    flag(resources, f"{name}: process limit reached ({ename}: {evalue[:80]})")
                elif "is not available while the check runs" in evalue:
                    flag(resources, f"{name}: called the reference (or torch) instead of implementing it")
        if total > MAX_CELL_OUTPUT:
            flag(resources, f"{name}: printed {total / 1e6:.1f} MB; output cut")


class TestPrelude(NbGraderPreprocessor):
    """Start each autograded test cell with the integrity restore (removed again by IntegrityReport)."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int):
        if cell.cell_type == "code" and is_grade(cell) and not is_solution(cell):
            names = tuple(sorted(set(_CALLS.findall(cell.source)))) or ("check",)
            cell.source = PRELUDE.format(gid=meta(cell).get("grade_id", ""), names=names) + "\n" + cell.source
        return cell, resources


class IntegrityReport(NbGraderPreprocessor):
    """Remove the prelude, turn integrity lines into flags, and require a verdict from a passing check."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int):
        if not (cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)):
            return cell, resources
        first, _, rest = cell.source.partition("\n")
        if first.startswith("__import__('dlcourse.autograde.integrity'"):
            cell.source = rest
        name = _cell_name(cell, index)
        tampered = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and MARK in output.get("text", ""):
                lines = output["text"].splitlines(keepends=True)
                tampered += [ln.split(":", 2)[-1].strip() for ln in lines if ln.startswith(MARK)]
                output["text"] = "".join(ln for ln in lines if not ln.startswith(MARK))
        cell.outputs = [o for o in cell.get("outputs", []) if not (o.get("output_type") == "stream"
                                                                      and not o.get("text"))]
        for what in dict.fromkeys(tampered):
            flag(resources, f"{name}: tampering undone before the test: {what}")
        failed = any(o.get("output_type") == "error" for o in cell.outputs)
        checks = len(re.findall(r"(?<![\w.])check\s*\(", cell.source))
        if checks and not failed:
            stdout = "".join(o.get("text", "") for o in cell.outputs
                             if o.get("output_type") == "stream" and o.get("name") == "stdout")
            shown = "".join(str(o.get("data", {}).get("text/plain", ""))
                            for o in cell.outputs if o.get("output_type") in ("display_data", "execute_result"))
            if stdout.count("✓") + shown.count("✓") < checks:
                cell.outputs.append(_error("NoVerdict", "the test produced no result from check(): its output "
                                                        "or its error was suppressed"))
                flag(resources, f"{name}: test passed without the check's verdict (output or errors "
                                "suppressed); scored zero")
        return cell, resources


class StderrIsNotFailure(NbGraderPreprocessor):
    """In a test cell that raised nothing, stderr (a warning) is shown as output, not counted as a failure."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int):
        if cell.cell_type == "code" and is_grade(cell):
            outputs = cell.get("outputs", [])
            if not any(o.get("output_type") == "error" for o in outputs):
                for o in outputs:
                    if o.get("output_type") == "stream" and o.get("name") == "stderr":
                        o["name"] = "stdout"
                        o["text"] = "".join(f"[stderr] {ln}" for ln in o["text"].splitlines(keepends=True))
        return cell, resources
