"""Calling a learner's function on given inputs and reporting what happened, as plain data.

This is the only place a learner's function is called, while learning (``check`` in the learner's kernel)
and while grading (the grader's request in the graded kernel). The report says what the function returned,
or how it failed (not implemented, an exception with the line of the learner's code it came from, a call
of the reference it must implement), which inputs it changed in place, what numpy warned and what it
printed. It never says whether the answer is right: that is decided by whoever compares the value.
"""
from __future__ import annotations

import contextlib
import copy
import io
import os
import sys
import traceback
import warnings
from typing import Any, Callable, Mapping

import numpy as np

from .guard import ReferenceBlocked, blocking

MAX_PRINTED = 2_000  # characters of what the learner's function printed, kept for the message
_HERE = os.path.dirname(os.path.abspath(__file__))
_LIBRARY_PARTS = (f"{os.sep}site-packages{os.sep}", f"{os.sep}numpy{os.sep}", f"{os.sep}dlkit{os.sep}",
                  f"{os.sep}dlgrade{os.sep}", "<__array_function__")


def _is_learner_frame(filename: str) -> bool:
    """A frame of the learner's own code (a notebook cell), not of the library, numpy or the grader."""
    path = os.path.abspath(filename) if not filename.startswith("<") else filename
    return not path.startswith(_HERE) and not any(p in path for p in _LIBRARY_PARTS)


def where(exc: BaseException) -> dict[str, Any] | None:
    """The last frame of the learner's code in ``exc``'s traceback: line number, function and source line."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if _is_learner_frame(f.filename)]
    if not frames:
        return None
    f = frames[-1]
    return {"line": f.lineno, "function": f.name, "text": (f.line or "").strip()[:200]}


def _copy_args(args: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.copy() if isinstance(v, np.ndarray) else copy.deepcopy(v)) for k, v in args.items()}


def _mutated(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    return [k for k, v in before.items()
            if isinstance(v, np.ndarray) and not (isinstance(after[k], np.ndarray) and v.shape == after[k].shape
                                                  and np.array_equal(v, after[k], equal_nan=True))]


@contextlib.contextmanager
def substituted(fn: Callable, names: Mapping[str, Callable]) -> Any:
    """Rebind global names of ``fn``'s module (the notebook) for the duration of the call, then restore them."""
    glb = getattr(getattr(fn, "__func__", fn), "__globals__", None)
    saved: dict[str, Any] = {}
    missing = object()
    if isinstance(glb, dict):
        for name, stand_in in names.items():
            saved[name] = glb.get(name, missing)
            glb[name] = stand_in
    try:
        yield
    finally:
        if isinstance(glb, dict):
            for name, old in saved.items():
                if old is missing:
                    glb.pop(name, None)
                else:
                    glb[name] = old


def _read_only(value: Any) -> list[int]:
    """Positions of the returned arrays that cannot be written to (a broadcast view, say)."""
    items = value if isinstance(value, tuple) else (value,)
    return [i for i, v in enumerate(items) if isinstance(v, np.ndarray) and not v.flags.writeable]


class _Capped(io.StringIO):
    def write(self, text: str) -> int:
        if self.tell() < MAX_PRINTED:
            super().write(text[: MAX_PRINTED - self.tell()])
        return len(text)


def call(fn: Callable, args: Mapping[str, Any], *, exercise: str, blocked: tuple[str, ...] = (),
         allow_dlkit: bool = False, adapter: Callable[[Callable, dict], Any] | None = None,
         substitutes: Mapping[str, Callable] | None = None) -> dict[str, Any]:
    """Call ``fn(*args.values())`` (or ``adapter(fn, args)``) under the lock-out; return the plain report.

    The report has ``value`` or ``error`` (``kind``: not_implemented, reference_called, exception;
    ``type``, ``message``, ``where``), plus ``mutated`` (arguments changed in place), ``warnings`` and
    ``printed``.
    """
    before = _copy_args(args)
    work = _copy_args(args)
    report: dict[str, Any] = {"mutated": [], "warnings": [], "printed": ""}
    printed = _Capped()
    # Warnings are recorded, never printed: nbgrader gives zero to a cell that writes to stderr.
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(printed):
        warnings.simplefilter("always")
        try:
            with blocking(exercise, fn, blocked=blocked, allow_dlkit=allow_dlkit) as violations, \
                    substituted(fn, substitutes or {}):
                value = adapter(fn, work) if adapter is not None else fn(*work.values())
            if violations:  # the learner caught the lock-out's error and carried on
                report["error"] = {"kind": "reference_called", "type": "ReferenceBlocked",
                                   "message": f"your function called `{violations[0]}`, the reference being "
                                              "checked", "where": None}
            else:
                report["value"] = value
                report["readonly"] = _read_only(value)
        except NotImplementedError as exc:
            report["error"] = {"kind": "not_implemented", "type": "NotImplementedError", "message": str(exc),
                               "where": where(exc)}
        except ReferenceBlocked as exc:
            report["error"] = {"kind": "reference_called", "type": "ReferenceBlocked", "message": str(exc),
                               "where": where(exc)}
        except RecursionError as exc:
            report["error"] = {"kind": "exception", "type": "RecursionError", "message": str(exc)[:300],
                               "where": where(exc)}
        except Exception as exc:  # the learner's bug, reported as data for the diagnosis
            report["error"] = {"kind": "exception", "type": type(exc).__name__, "message": str(exc)[:500],
                               "where": where(exc)}
    report["mutated"] = _mutated(before, work) if adapter is None else []
    report["warnings"] = sorted({f"{w.category.__name__}: {w.message}"[:200] for w in caught})
    report["printed"] = printed.getvalue()
    return report


def flush() -> None:
    """Flush stdout (a learner's print that bypassed the capture must not land in the next output)."""
    try:
        sys.stdout.flush()
    except Exception:  # a replaced stdout is the learner's business
        pass
