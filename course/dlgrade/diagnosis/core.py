"""What every rule shares: the Diagnosis record, the codes, tolerances, closeness and the worst element."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

# Diagnosis codes. Generic ones come from the rules of this package; exercise-specific codes
# (e.g. "bias_correction") come from the KnownMistakes of the exercises.
NOT_IMPLEMENTED = "not_implemented"
REFERENCE_CALLED = "reference_called"
EXCEPTION = "exception"
WRONG_TYPE = "wrong_type"
WRONG_DTYPE = "wrong_dtype"
WRONG_SHAPE = "wrong_shape"
TRANSPOSED = "transposed"
BATCH_NOT_REDUCED = "batch_not_reduced"
NONFINITE = "nonfinite"
SCALE = "scale"
SIGN = "sign"
OFFSET = "offset"
SHIFTED = "shifted"
ALIASED = "aliased"
WRONG_MASK = "wrong_mask"
MUTATED_INPUT = "mutated_input"
IGNORES_INPUT = "ignores_input"
HARDCODED_SHAPE = "hardcoded_shape"
NONDETERMINISTIC = "nondeterministic"
STATEFUL = "stateful"
UNSEEDED = "unseeded_random"
SEED_IGNORED = "seed_ignored"
UPHILL = "uphill"
DIVERGES = "diverges"
STALE = "stale_definition"
VALUES = "values"

# Default tolerances: references are float64, so a correct float64 solution agrees to
# ~1e-12; 1e-6 leaves room for float32 arithmetic and a different summation order while
# every real mistake (a factor, a missing term) is off by far more.
RTOL = 1e-6
ATOL = 1e-9


@dataclass(frozen=True)
class Diagnosis:
    """What is wrong: a code, the cause in at most three lines, details, and facts later rules may use."""

    code: str
    message: str
    detail: str = ""
    # machine-readable facts (a ratio, the axes of a permutation) that exercise-level rules combine over cases
    evidence: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def render(self) -> str:
        """The full text: the cause, then the details."""
        return self.message if not self.detail else f"{self.message}\n{self.detail}"

    def but(self, **changes: Any) -> "Diagnosis":
        """A copy with some fields changed."""
        return Diagnosis(**{**{"code": self.code, "message": self.message, "detail": self.detail,
                               "evidence": self.evidence}, **changes})


def fmt(x: float) -> str:
    """A number as a learner reads it: 6 significant digits."""
    return f"{x:.6g}"


def shape_of(value: Any) -> str:
    """Shape description of an argument for case labels: ``(5, 3)`` or ``float``."""
    if isinstance(value, np.ndarray):
        return str(value.shape)
    return type(value).__name__


def to_array(value: Any) -> np.ndarray:
    """Convert a learner's numeric output to a float64 array (called after type checks)."""
    return np.asarray(value, dtype=np.float64)


def tolerance(expected: np.ndarray, rtol: float = RTOL, atol: float = ATOL) -> np.ndarray:
    """Per-element tolerance: atol scaled to the array's magnitude plus rtol of each element."""
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    return atol * scale + rtol * np.abs(expected)


def close(expected: np.ndarray, got: np.ndarray, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """Element-wise closeness with a tolerance scaled to the magnitude of ``expected``."""
    if expected.shape != got.shape:
        return False
    if not np.all(np.isfinite(got)):
        return bool(np.array_equal(expected, got, equal_nan=True))
    return bool(np.all(np.abs(got - expected) <= tolerance(expected, rtol, atol)))


def nontrivial(a: np.ndarray) -> bool:
    """An array that says something: not empty, finite, and not all zero."""
    return a.size > 0 and bool(np.all(np.isfinite(a))) and bool(np.any(a != 0))


def worst_element(expected: np.ndarray, got: np.ndarray) -> str:
    """'worst element at index (i, j): expected a, got b (relative error r); k of n element(s) differ'."""
    err = np.abs(got - expected)
    err = np.where(np.isfinite(err), err, np.inf)
    idx = np.unravel_index(int(np.argmax(err)), expected.shape) if expected.ndim else ()
    e, g = float(expected[idx]), float(got[idx])
    rel = abs(g - e) / max(abs(g) + abs(e), 1e-300) if np.isfinite(g) else float("inf")
    n_bad = int(np.sum(~np.isclose(got, expected, rtol=RTOL, atol=ATOL)))
    where = f"index {tuple(int(i) for i in idx)}" if expected.ndim else "the value"
    return (f"worst element at {where}: expected {fmt(e)}, got {fmt(g)} "
            f"(relative error {rel:.1e}); {n_bad} of {expected.size} element(s) differ")
