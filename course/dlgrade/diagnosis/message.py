"""The failure message a learner reads: the most likely cause first, then where to look, then the details.

    linreg.mse_gradients: `dw` has the right shape (3,) but wrong values: off by a constant factor N — ...
      look at line 3: `dw = 2 * X.T @ r`
      case 1 of 4: X (6, 3), y (6,), w (3,), b float; seed 2043 — dlgrade.case_inputs("linreg.mse_gradients", 1, seed=2043)
      worst element at index (2,): expected 1.5, got 9 (relative error 7.1e-01); 3 of 3 element(s) differ

The cause (the diagnosis message) fits in three lines of ``WIDTH`` characters as a notebook wraps it (a longer
one is cut there and its rest moved below, among the indented details).
"""
from __future__ import annotations

import textwrap
from typing import Sequence

from .core import NOT_IMPLEMENTED, Diagnosis

WIDTH = 120       # characters per line of a cause, as a notebook shows it
MAX_LINES = 3     # lines of cause before the details


def cause_lines(message: str) -> list[str]:
    """A cause as the lines a reader sees (wrapped at WIDTH)."""
    return [w for line in message.splitlines() for w in (textwrap.wrap(line, WIDTH) or [""])]


def reproduce(exercise: str, index: int, seed: int, hidden: bool) -> str:
    """The call that rebuilds a case's inputs."""
    flag = ", hidden=True" if hidden else ""
    return f'dlgrade.case_inputs("{exercise}", {index + 1}, seed={seed}{flag})'


def render(exercise: str, diagnosis: Diagnosis, *, hidden: bool, index: int, n_cases: int, label: str,
           seed: int | None, look: str = "", warnings: Sequence[str] = ()) -> str:
    """The whole message for one failing case (see the module docstring)."""
    if diagnosis.code == NOT_IMPLEMENTED:
        return f"{exercise}: {diagnosis.message}"
    which = "hidden case" if hidden else "case"
    where = f"{which} {index + 1} of {n_cases}" + (f": {label}" if label else "")
    if seed is not None:
        where += f"; seed {seed} — {reproduce(exercise, index, seed, hidden)}"
    cause = f"{exercise}: {diagnosis.message}"
    wrapped = cause_lines(cause)
    lines = cause.splitlines()  # unbroken: a notebook wraps long lines itself, and phrases stay searchable
    if len(wrapped) > MAX_LINES:  # a longer cause keeps what fits in three lines; the rest joins the details
        cut = textwrap.wrap(" ".join(wrapped), WIDTH - 2)  # room for the " …"
        lines = [" ".join(cut[:MAX_LINES]) + " …", "  … " + " ".join(cut[MAX_LINES:])]
    lines += [f"  {look}"] if look else []
    lines += [f"  {where}"]
    lines += [f"  {d}" for d in diagnosis.detail.splitlines() if d.strip()]
    if warnings:
        lines.append("  numpy warned: " + "; ".join(sorted(set(warnings))))
    return "\n".join(lines)
