"""The entry format of the fresh set, its registry, and the code that runs one entry through ``check``.

An entry is one learner answer: the exercise name, the object a learner passes to ``check`` (their
function, or an adapter around their class), and, for a wrong answer, the phrases of which at least one
(case-insensitive substring) must appear in a message that names the cause correctly.

The lesson files (``l00_tensors.py`` ... ``l09_gpu.py``) register entries with the decorators below::

    @wrong("linreg.mse", "01", ["mean", "1/n"], "sums the squared errors instead of averaging them")
    def mse(y_pred, y):
        return float(np.sum((y_pred - y) ** 2))

    register_wrong("backprop.add", "04", one_node(ValueEq, "add"), ["+="], "assigns instead of adding")
"""
from __future__ import annotations

import contextlib
import importlib
import io
import re
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

LESSON_MODULES = ("l00_tensors", "l01_linreg", "l02_logreg", "l03_optim", "l04_backprop", "l05_mlp",
                  "l06_autodiff", "l07_making_it_work", "l08_cnn", "l09_gpu",
                  "l10_training_in_practice",
                  # round 2: written later by another hand, from the student notebooks only, and measured once
                  # before any grader change (110 wrong, 33 correct: 100% caught, 90.9% named, 0 full marks, 0
                  # false alarms); three of its misses then became known mistakes
                  "r2_l00", "r2_l01", "r2_l02", "r2_l03", "r2_l04", "r2_l05", "r2_l06", "r2_l07", "r2_l08",
                  "r2_l09", "r2_l10")


@dataclass
class Entry:
    """One learner answer of the fresh set."""

    exercise: str            # the name given to check(), e.g. "linreg.mse"
    obj: Any                 # what the learner passes to check(): a function or an adapter
    expect: list[str]        # wrong answers: phrases, one of which a correct diagnosis contains
    description: str         # what the learner did (wrong) or how the answer differs (correct)
    lesson: str              # "00" ... "09"
    kind: str                # "wrong" or "correct"
    id: str = ""             # a short unique label, filled in by the registry

    def names_cause(self, message: str) -> bool:
        low = diagnostic_text(message).lower()
        return any(normalize(p).lower() in low for p in self.expect)


_HEADER = re.compile(r"^\S+ failed on (hidden )?case .*:\s*$")
_ECHO = re.compile(r"^\s*(at line \d+ in \S*\(\)|arguments:)")
_DASHES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u00a0": " "})


def normalize(text: str) -> str:
    """Typographic minus signs and dashes read as '-'."""
    return text.translate(_DASHES)


def diagnostic_text(message: str) -> str:
    """The part of a message that can name a cause: without the header that restates the case (its
    argument names, e.g. 'padding 1', would match phrases by accident) and without the echo of the
    learner's own source line and arguments under a traceback."""
    lines = normalize(message).splitlines()
    if lines and _HEADER.match(lines[0]):
        lines = lines[1:]
    return "\n".join(line for line in lines if not _ECHO.match(line))


ENTRIES: list[Entry] = []


def _add(kind: str, exercise: str, lesson: str, obj: Any, expect: list[str], description: str,
         label: str | None) -> Entry:
    if kind == "wrong" and not expect:
        raise ValueError(f"{exercise}: a wrong answer needs at least one expected phrase")
    base = label or getattr(obj, "__name__", None) or exercise.split(".")[-1]
    n = sum(1 for e in ENTRIES if e.exercise == exercise and e.kind == kind) + 1
    entry = Entry(exercise, obj, list(expect), description, lesson, kind,
                  id=f"{lesson}:{exercise}:{kind[0]}{n}:{base}")
    ENTRIES.append(entry)
    return entry


def register_wrong(exercise: str, lesson: str, obj: Any, expect: list[str], description: str,
                   label: str | None = None) -> Entry:
    return _add("wrong", exercise, lesson, obj, expect, description, label)


def register_correct(exercise: str, lesson: str, obj: Any, description: str, label: str | None = None) -> Entry:
    return _add("correct", exercise, lesson, obj, [], description, label)


def wrong(exercise: str, lesson: str, expect: list[str], description: str) -> Callable:
    def deco(fn):
        register_wrong(exercise, lesson, fn, expect, description)
        return fn
    return deco


def correct(exercise: str, lesson: str, description: str) -> Callable:
    def deco(fn):
        register_correct(exercise, lesson, fn, description)
        return fn
    return deco


def load_entries() -> list[Entry]:
    """Import every lesson file once (which registers its entries) and return all entries."""
    if not ENTRIES:
        for mod in LESSON_MODULES:
            importlib.import_module(f"{__package__}.{mod}")
    return list(ENTRIES)


# ------------------------------------------------------------------------------------------------
# Running one entry


@dataclass
class Outcome:
    entry: Entry
    passed_visible: bool = False
    passed_hidden: bool = False
    message: str = ""           # the first failing message (visible, else hidden)
    failed_in: str = ""         # "visible", "hidden", or "" when both passed
    error: str = ""             # set when check itself raised something other than CheckFailed
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def full_marks(self) -> bool:
        return self.passed_visible and self.passed_hidden

    @property
    def caught(self) -> bool:
        return not self.full_marks

    @property
    def named(self) -> bool:
        return self.caught and self.entry.names_cause(self.message)


class _Timeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _Timeout()


def _one_check(name: str, obj: Any, hidden: bool) -> tuple[bool, str, str]:
    """(passed, CheckFailed message, other error) for one call of check()."""
    from dlgrade import CheckFailed, check

    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            check(name, obj, hidden=hidden)
    except CheckFailed as err:
        return False, str(err), ""
    except _Timeout:
        raise
    except BaseException as err:
        if isinstance(err, (KeyboardInterrupt, SystemExit)):
            raise
        return False, f"{type(err).__name__}: {err}", f"{type(err).__name__}: {err}"
    return True, "", ""


def run_entry(entry: Entry, timeout_s: int = 240) -> Outcome:
    """check(name, obj), then check(name, obj, hidden=True) if the visible run passed."""
    out = Outcome(entry)
    start = time.perf_counter()
    old = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(timeout_s)
    try:
        ok, msg, err = _one_check(entry.exercise, entry.obj, hidden=False)
        out.passed_visible = ok
        if not ok:
            out.message, out.failed_in, out.error = msg, "visible", err
        else:
            ok, msg, err = _one_check(entry.exercise, entry.obj, hidden=True)
            out.passed_hidden = ok
            if not ok:
                out.message, out.failed_in, out.error = msg, "hidden", err
    except _Timeout:
        out.message = out.error = f"timed out after {timeout_s} s"
        out.failed_in = out.failed_in or ("hidden" if out.passed_visible else "visible")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    out.seconds = time.perf_counter() - start
    return out


def first_lines(text: str, n: int = 3) -> str:
    return "\n".join(text.strip().splitlines()[:n])


def learner_name(obj: Any, name: str) -> Any:
    """Give a variant the name a learner's object has (add_backward, Add, Linear, ...).

    Messages may echo names (a traceback's function, a class in an error), and an entry's telling
    helper name such as 'AddNoUnbroadcast' must not hand the grader the answer.
    """
    obj.__name__ = obj.__qualname__ = name
    code = getattr(obj, "__code__", None)
    if code is not None:
        try:
            obj.__code__ = code.replace(co_name=name, co_qualname=name)
        except TypeError:  # Python < 3.11 has no co_qualname
            obj.__code__ = code.replace(co_name=name)
    return obj
