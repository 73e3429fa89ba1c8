"""Diagnosis of a mismatch between an expected output and a learner's output.

Each diagnosis has a short ``code`` (used by the mistake catalogue to prove the right
one is named) and a message that says what is wrong, hints why, and shows the worst
element (index, expected, got) with its relative error.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from .harness.describe import _is_tensor, describe

# Diagnosis codes. Generic ones come from comparing arrays; exercise-specific codes
# (e.g. "bias_correction") come from the KnownMistake recognizers in the exercise specs.
NOT_IMPLEMENTED = "not_implemented"
REFERENCE_CALLED = "reference_called"
EXCEPTION = "exception"
WRONG_TYPE = "wrong_type"
WRONG_SHAPE = "wrong_shape"
TRANSPOSED = "transposed"
BATCH_NOT_REDUCED = "batch_not_reduced"
NONFINITE = "nonfinite"
SCALE = "scale"
SIGN = "sign"
OFFSET = "offset"
MUTATED_INPUT = "mutated_input"
IGNORES_INPUT = "ignores_input"
HARDCODED_SHAPE = "hardcoded_shape"
VALUES = "values"

# Default tolerances: references are float64, so a correct float64 solution agrees to
# ~1e-12; 1e-6 leaves room for float32 arithmetic and a different summation order while
# every real mistake (a factor, a missing term) is off by far more.
RTOL = 1e-6
ATOL = 1e-9

# Factors a learner commonly gets wrong regardless of the exercise; exercise cases add
# named sizes (N, D, ...) so the hint can say "forgot to average over the batch (1/N)?".
_GENERIC_FACTORS = {"2": 2.0, "1/2": 0.5}


@dataclass(frozen=True)
class Diagnosis:
    """What is wrong with one output: a code, a one-paragraph message and optional detail."""

    code: str
    message: str
    detail: str = ""

    def render(self) -> str:
        """The full text shown to the learner."""
        return self.message if not self.detail else f"{self.message}\n{self.detail}"


def shape_of(value: Any) -> str:
    """Shape description of an argument for case labels: ``(5, 3)`` or ``float``."""
    if isinstance(value, np.ndarray):
        return str(value.shape)
    return type(value).__name__


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def close(expected: np.ndarray, got: np.ndarray, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """Element-wise closeness with a tolerance scaled to the magnitude of ``expected``."""
    if expected.shape != got.shape:
        return False
    if not np.all(np.isfinite(got)):
        return bool(np.array_equal(expected, got, equal_nan=True))
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    return bool(np.all(np.abs(got - expected) <= atol * scale + rtol * np.abs(expected)))




def worst_element(expected: np.ndarray, got: np.ndarray) -> str:
    """'worst element at index (i, j): expected a, got b (relative error r)'."""
    err = np.abs(got - expected)
    err = np.where(np.isfinite(err), err, np.inf)
    idx = np.unravel_index(int(np.argmax(err)), expected.shape) if expected.ndim else ()
    e, g = float(expected[idx]), float(got[idx])
    rel = abs(g - e) / max(abs(g) + abs(e), 1e-8) if np.isfinite(g) else float("inf")
    n_bad = int(np.sum(~np.isclose(got, expected, rtol=RTOL, atol=ATOL)))
    where = f"index {tuple(int(i) for i in idx)}" if expected.ndim else "the value"
    return (
        f"worst element at {where}: expected {_fmt(e)}, got {_fmt(g)} "
        f"(relative error {rel:.1e}); {n_bad} of {expected.size} element(s) differ"
    )


def to_array(value: Any) -> np.ndarray:
    """Convert a learner's numeric output to a float64 array (called after type checks)."""
    return np.asarray(value, dtype=np.float64)


def check_type(got: Any, kind: str, name: str) -> Diagnosis | None:
    """Wrong output type: None, a list, a Tensor, a string... ``kind`` is 'array' or 'scalar'."""
    what = f"`{name}`"
    if got is None:
        return Diagnosis(WRONG_TYPE, f"{what} is None: did you forget the `return` statement?")
    if _is_tensor(got):
        return Diagnosis(
            WRONG_TYPE,
            f"{what} is {describe(got)}, but this exercise works on numpy arrays: "
            "return a numpy array (use `.data` or `.numpy()`).",
        )
    if isinstance(got, (list, tuple)):
        return Diagnosis(
            WRONG_TYPE,
            f"{what} is {describe(got)}; expected "
            + ("a numpy array: wrap it with np.array(...) or compute it with array operations."
               if kind == "array" else "a single number."),
        )
    if kind == "scalar":
        if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, float, np.number, np.ndarray)):
            return Diagnosis(WRONG_TYPE, f"{what} is {describe(got)}; expected a single float.")
        if isinstance(got, np.ndarray) and got.size != 1:
            return None  # a shape problem, diagnosed by compare()
        if np.iscomplexobj(got):
            return Diagnosis(WRONG_TYPE, f"{what} is complex ({got!r}); expected a real float.")
        return None
    if not isinstance(got, (np.ndarray, np.number, int, float)) or isinstance(got, (bool, np.bool_)):
        return Diagnosis(WRONG_TYPE, f"{what} is {describe(got)}; expected a numpy array.")
    if np.iscomplexobj(got):
        return Diagnosis(WRONG_TYPE, f"{what} is a complex array; expected real numbers.")
    return None


def compare(
    expected: Any,
    got: Any,
    *,
    name: str = "output",
    kind: str = "array",
    factors: Mapping[str, float] | None = None,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> Diagnosis | None:
    """Compare one output; None when it matches, else the most specific diagnosis found."""
    bad_type = check_type(got, kind, name)
    if bad_type is not None:
        return bad_type
    e = to_array(expected)
    g = to_array(got)
    if kind == "scalar" and g.size == 1:
        g = g.reshape(())
    if e.shape != g.shape:
        return _shape_diagnosis(e, g, name, factors or {})
    if close(e, g, rtol, atol):
        return None
    return value_diagnosis(e, g, name=name, factors=factors or {}, rtol=rtol, atol=atol)


def _shape_diagnosis(e: np.ndarray, g: np.ndarray, name: str, factors: Mapping[str, float]) -> Diagnosis:
    head = f"`{name}` has shape {g.shape}, expected {e.shape}"
    n = factors.get("N")
    if e.ndim >= 2 and g.shape == e.shape[::-1]:
        if np.allclose(g, e.T, rtol=RTOL, atol=ATOL * max(1.0, float(np.max(np.abs(e), initial=0.0)))):
            return Diagnosis(TRANSPOSED, f"{head}: it is transposed. Check the order of the matmul "
                             "operands (a gradient has the shape of the thing it is the gradient of).")
        return Diagnosis(TRANSPOSED, f"{head}: the transposed shape (and not just a transpose of the "
                         "right values). A transposed operand in a matmul, or a reshape used where .T was meant?")
    if n is not None and g.ndim == e.ndim + 1 and g.shape[0] == n and g.shape[1:] == e.shape:
        return Diagnosis(BATCH_NOT_REDUCED, f"{head}: it still has the batch axis. Did you forget to "
                         "sum (or average) over the batch, axis 0? A parameter's gradient collects "
                         "the contributions of every example.")
    if e.ndim == 0 and g.ndim >= 1:
        return Diagnosis(BATCH_NOT_REDUCED, f"{head}: expected a single number. Did you forget to "
                         "sum or average over the examples?")
    if e.ndim == 1 and g.ndim == 2 and g.shape == (e.shape[0], e.shape[0]) and e.shape[0] > 1:
        return Diagnosis(WRONG_SHAPE, f"{head}: an (N, 1) array was broadcast against an (N,) "
                         "array. Flatten one of them (e.g. `y.reshape(-1)`) before subtracting.")
    if g.size != e.size and g.ndim > e.ndim and _is_subsequence(e.shape, g.shape):
        return Diagnosis(BATCH_NOT_REDUCED, f"{head}: it has extra axes. Sum over every axis the "
                         "parameter is shared across — the batch (and, for images, height and width).")
    if g.size == e.size:
        return Diagnosis(WRONG_SHAPE, f"{head}: the number of elements is right but the layout is "
                         "not. A stray reshape, keepdims=True or a (N, 1) column instead of (N,)?")
    if g.ndim == e.ndim - 1 and g.shape == e.shape[1:]:
        return Diagnosis(WRONG_SHAPE, f"{head}: the batch axis is missing. Did you sum or average "
                         "over axis 0 where every example needs its own value?")
    return Diagnosis(WRONG_SHAPE, f"{head}.")


def _is_subsequence(small: tuple, big: tuple) -> bool:
    it = iter(big)
    return all(any(b == s for b in it) for s in small)


def _factor_names(factors: Mapping[str, float]) -> dict[str, float]:
    named = dict(_GENERIC_FACTORS)
    for k, v in factors.items():
        if v not in (0, 1):
            named.setdefault(k, float(v))
            named.setdefault(f"1/{k}", 1.0 / float(v))
    n = factors.get("N")
    if n is not None and n > 1:  # divided by N - 1 (the sample-variance habit) instead of N
        named.setdefault("N/(N-1)", n / (n - 1))
        named.setdefault("(N-1)/N", (n - 1) / n)
    for k, v in list(named.items()):  # the 2/N of a derivative of a mean of squares
        if k in factors:
            named.setdefault(f"2{k}", 2.0 * v)
            named.setdefault(f"{k}/2", v / 2.0)
            named.setdefault(f"2/{k}", 2.0 / v)
            named.setdefault(f"1/(2{k})", 1.0 / (2.0 * v))
    return named


_FACTOR_HINTS = {
    "N": "it is N times too large: did you forget to average over the batch (divide by N)?",
    "1/N": "it is N times too small: did you divide by N where the sum over the batch is wanted?",
    "2": "it is twice too large: an extra factor 2?",
    "1/2": "it is half the expected value: did you forget the 2 from the derivative of a square?",
    "N/(N-1)": "it is N/(N−1) times too large: did you divide by N − 1 where the mean divides by N?",
    "(N-1)/N": "it is (N−1)/N times too small: did you divide by N where N − 1 is wanted?",
}


def value_diagnosis(
    e: np.ndarray, g: np.ndarray, *, name: str, factors: Mapping[str, float],
    rtol: float = RTOL, atol: float = ATOL,
) -> Diagnosis:
    """Same shape, different values: NaN/inf, a constant factor, a sign, an offset, or plain wrong."""
    worst = worst_element(e, g)
    head = f"`{name}` has the right shape {e.shape} but wrong values"
    if not np.all(np.isfinite(g)) and np.all(np.isfinite(e)):
        bad = np.argwhere(~np.isfinite(g))[0] if g.ndim else ()
        return Diagnosis(
            NONFINITE,
            f"`{name}` contains NaN or inf (first at index {tuple(int(i) for i in bad)}) where the "
            "expected values are finite. Overflow in exp? Use the max trick (subtract the max "
            "before exp), or log of 0 (use log-softmax instead of log(softmax)).",
            worst,
        )
    if np.allclose(e, 0, atol=ATOL) or np.allclose(g, 0, atol=ATOL):
        if np.allclose(g, 0, atol=ATOL):
            return Diagnosis(VALUES, f"{head}: yours are all zero.", worst)
        return Diagnosis(VALUES, f"{head}.", worst)
    mask_diag = _mask_diagnosis(e, g, head, worst, rtol, atol)
    if mask_diag is not None:
        return mask_diag
    if e.ndim == 2 and e.shape[0] == e.shape[1] > 1 and close(e.T, g, rtol, atol):
        return Diagnosis(TRANSPOSED, f"{head}: they are the transpose of the expected ones. Check the "
                         "order of the matmul operands.", worst)
    ef, gf = e.ravel(), g.ravel()
    c = float(ef @ gf) / float(ef @ ef)
    fits = np.linalg.norm(gf - c * ef) <= 1e-6 * max(np.linalg.norm(gf), 1e-300)
    if fits and e.size > 1 or (e.size == 1 and fits):
        scale_diag = _scale_diagnosis(c, head, factors, worst, single=e.size == 1)
        if scale_diag is not None:
            return scale_diag
    d = gf - ef
    tol = 1e-6 * max(1.0, float(np.max(np.abs(ef))))
    if e.size > 1 and np.ptp(d) <= tol:
        return Diagnosis(OFFSET, f"{head}: every element is off by the same constant "
                         f"({_fmt(float(d[0]))}). A bias or a constant term added twice or not at all?",
                         worst)
    if e.ndim >= 2 and e.shape[0] > 1 and np.all(np.ptp((g - e), axis=0) <= tol):
        return Diagnosis(OFFSET, f"{head}: every row is off by the same vector (the first row's "
                         f"difference starts {_fmt(float(d[0]))}). A per-feature bias added twice or "
                         "not at all?", worst)
    return Diagnosis(VALUES, f"{head}.", worst)


def _mask_diagnosis(e: np.ndarray, g: np.ndarray, head: str, worst: str,
                    rtol: float, atol: float) -> Diagnosis | None:
    """Right wherever it is not zero, or zero exactly where it should not be: a wrong mask."""
    tol = atol * max(1.0, float(np.max(np.abs(e)))) + rtol * np.abs(e)
    same = np.abs(g - e) <= tol
    zero_g, zero_e = g == 0, np.abs(e) <= tol
    if same.all() or e.size < 2 or not np.all(same | zero_g | zero_e):
        return None
    if not np.any(same & ~zero_e):  # nothing non-zero is right: not a mask problem
        return None
    wrong_zero = int(np.sum(~same & zero_g))
    wrong_kept = int(np.sum(~same & zero_e))
    return Diagnosis("wrong_mask", f"{head}: {wrong_zero} element(s) are 0 where they should not be "
                     f"and {wrong_kept} are non-zero where they should be 0; the rest are right. "
                     "The condition choosing which elements pass (a mask such as x > 0, or which "
                     "element receives a gradient) is off, or some contributions were dropped.", worst)


def _scale_diagnosis(c: float, head: str, factors: Mapping[str, float], worst: str,
                     single: bool) -> Diagnosis | None:
    named = _factor_names(factors)
    mag = abs(c)
    label = next((k for k, v in named.items() if abs(mag - v) <= 1e-6 * v), None)
    if c < 0 and abs(mag - 1.0) <= 1e-6:
        return Diagnosis(SIGN, f"{head}: they have the opposite sign. A sign error: check "
                         "`prediction - target` against `target - prediction`, or += against -=.", worst)
    if single and label is None:
        return None  # a single number always "fits" some factor; only name the common ones
    if label is None:
        how = f"your values are {_fmt(c)} × the expected ones"
        return Diagnosis(SCALE, f"{head}: {how} — off by a constant factor.", worst)
    hint = _FACTOR_HINTS.get(label, f"your values are {label} × the expected ones.")
    if c < 0:
        return Diagnosis(SIGN, f"{head}: wrong sign and off by a factor {label}. {hint}", worst)
    return Diagnosis(SCALE, f"{head}: off by a constant factor {label} — {hint}", worst)
