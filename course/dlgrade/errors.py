"""Exceptions raised by the grading toolkit."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .diagnosis import Diagnosis


class CheckFailed(AssertionError):
    """A learner's function failed a check; the message is the diagnosis.

    It subclasses AssertionError so nbgrader, pytest and notebook readers treat it
    as a failed test. ``code`` names the diagnosis (e.g. ``"transposed"``).
    """

    def __init__(self, message: str, *, exercise: str = "", diagnosis: "Diagnosis | None" = None):
        super().__init__(message)
        self.exercise = exercise
        self.diagnosis = diagnosis

    @property
    def code(self) -> str:
        """The diagnosis code, e.g. ``"scale"`` or ``"not_implemented"``."""
        return self.diagnosis.code if self.diagnosis is not None else "values"

    def _render_traceback_(self) -> list[str]:
        """Short traceback for IPython: the diagnosis only, no frames of grading internals."""
        red, reset = "\x1b[31m", "\x1b[0m"
        lines = str(self).splitlines() or [""]
        return [f"{red}✗ {type(self).__name__}: {lines[0]}{reset}", *lines[1:]]

