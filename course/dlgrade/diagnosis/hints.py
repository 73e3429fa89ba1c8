"""Generic hints, in families, and which families belong to an exercise.

A rule states what it saw (evidence) and may add a hint *why*; a hint is only shown where its family is in
the exercise's scope, so "overflow in exp?" never reaches an exercise without an exp. An exercise declares
its families (``Exercise.hints``) or they are derived from its reference: the numpy functions it calls
(exp, log, sqrt), its operators (@, **, comparisons) and its parameter names (y, lr, b).
Evidence read from the learner's own run (numpy's warnings) is always shown: it is a fact, not a guess.
"""
from __future__ import annotations

import dis
import inspect
import re
import types
from typing import Any, Callable, Collection, Iterator

EXP, LOG, SQRT = "exp", "log", "sqrt"
RESIDUAL, UPDATE, MATMUL, SQUARE = "residual", "update", "matmul", "square"
BIAS, MASK, VARIANCE, BATCH = "bias", "mask", "variance", "batch"

HINTS: dict[str, str] = {
    EXP: "Overflow in exp? Subtract the row's max before exp (the max trick).",
    LOG: "log of 0? Work with log-probabilities (log-softmax, logaddexp) instead of log(probability).",
    SQRT: "A negative number under a square root? Keep eps outside the root and second moments non-negative.",
    RESIDUAL: "Check `prediction − target` against `target − prediction`.",
    UPDATE: "Check the update's sign: w − lr·gradient (-=, not +=).",
    MATMUL: "Check the order of the matmul operands (a gradient has the shape of what it is the gradient of).",
    SQUARE: "The derivative of a square brings a factor 2.",
    BIAS: "A bias or constant term added twice or not at all?",
    MASK: "The condition choosing which elements pass (a mask such as x > 0, or which element receives a "
          "gradient) is off, or some contributions were dropped.",
    VARIANCE: "N − 1 (sample) versus N (population) in a variance?",
    BATCH: "A sum or a mean over the batch (axis 0)?",
}
FAMILIES = frozenset(HINTS)
ALL = FAMILIES  # the scope of a bare compare(): every hint allowed

# numpy's warnings, read from the learner's run: (pattern, what it means, what to do). Evidence, not a guess:
# shown whatever the exercise's scope.
_WARNINGS: tuple[tuple[str, str, str], ...] = (
    (r"overflow encountered in exp", "exp overflowed", "subtract the row's max before exp (the max trick)"),
    (r"invalid value encountered in sqrt", "a square root of a negative number (invalid value in sqrt)",
     "keep eps outside the root and second moments non-negative"),
    (r"divide by zero encountered in log", "log of 0 (divide by zero in log)",
     "work with log-probabilities (log-softmax, logaddexp) instead of log(probability)"),
    (r"invalid value encountered in log", "log of a negative number (invalid value in log)", ""),
    (r"invalid value encountered in (?:true_)?divide", "0/0 or inf/inf (invalid value in divide)", ""),
    (r"divide by zero encountered in (?:true_)?divide", "a division by zero", ""),
    (r"overflow encountered in (?:multiply|square|power|matmul|add)",
     "numbers too large for floats (overflow)", "do values grow step after step?"),
)


def hint(family: str, scope: Collection[str]) -> str:
    """The hint text of ``family`` with a leading space, or '' where the exercise does not have it."""
    return f" {HINTS[family]}" if family in scope else ""


def warning_causes(warnings: Collection[str]) -> str:
    """What numpy's warnings during the learner's call say about a NaN or inf, and what to do about it."""
    said = [f"{meaning}: {advice}." if advice else f"{meaning}."
            for pattern, meaning, advice in _WARNINGS if any(re.search(pattern, w) for w in warnings)]
    return " numpy saw " + " ".join(said) if said else ""


# --------------------------------------------------------------------------------------------- derivation

_CALLS = {EXP: ("exp", "expm1", "logaddexp", "logsumexp", "tanh", "sigmoid", "softmax"),
          LOG: ("log", "log1p", "log2", "log10", "logaddexp", "log_softmax", "logsumexp"),
          SQRT: ("sqrt", "std", "rsqrt"),
          MATMUL: ("dot", "matmul", "einsum", "tensordot", "inner", "outer"),
          MASK: ("where", "maximum", "minimum", "argmax", "argmin", "clip", "max", "min", "sign", "abs"),
          VARIANCE: ("var", "std"),
          SQUARE: ("square",)}
_PARAMS = {RESIDUAL: ("y", "target", "targets", "y_true"),
           UPDATE: ("lr", "learning_rate", "eta"),
           BIAS: ("b", "bias", "beta", "b1", "b2")}
_OPS = {"@": MATMUL, "**": SQUARE, "<": MASK, ">": MASK, "<=": MASK, ">=": MASK}
_MAX_DEPTH = 3  # how deep to follow the helpers a reference calls


def _codes(fn: Any) -> Iterator[types.CodeType]:
    code = getattr(getattr(fn, "__func__", fn), "__code__", None)
    stack = [code] if code is not None else []
    while stack:
        c = stack.pop()
        yield c
        stack.extend(k for k in c.co_consts if isinstance(k, types.CodeType))


def _names_and_ops(fn: Callable, depth: int = 0, seen: set[int] | None = None) -> tuple[set[str], set[str]]:
    """Names a function's code loads and operators it applies, following its helpers (same package)."""
    seen = set() if seen is None else seen
    names: set[str] = set()
    ops: set[str] = set()
    if id(fn) in seen or depth > _MAX_DEPTH:
        return names, ops
    seen.add(id(fn))
    glb = getattr(getattr(fn, "__func__", fn), "__globals__", {})
    for code in _codes(fn):
        names.update(code.co_names)
        for ins in dis.get_instructions(code):
            if ins.opname in ("BINARY_OP", "COMPARE_OP"):
                ops.add(str(ins.argrepr).rstrip("="))
            elif ins.opname in ("BINARY_MATRIX_MULTIPLY",):
                ops.add("@")
    cells = [c.cell_contents for c in (getattr(fn, "__closure__", None) or ()) if _filled(c)]
    helpers = [glb.get(name) for code in _codes(fn) for name in code.co_names] + cells
    for helper in helpers:  # the reference's own helpers, and the function a guard wrapper closes over
        if inspect.isfunction(helper) and helper.__module__ == getattr(fn, "__module__", None):
            n, o = _names_and_ops(helper, depth + 1, seen)
            names |= n
            ops |= o
    return names, ops


def _filled(cell: Any) -> bool:
    try:
        cell.cell_contents
    except ValueError:  # an empty cell: a variable not bound yet
        return False
    return True


def unwrapped(fn: Callable) -> Callable:
    """The function a guard wrapper (``@reference``, which hides ``__wrapped__``) closes over, else ``fn``."""
    for cell in getattr(fn, "__closure__", None) or ():
        inner = cell.cell_contents if _filled(cell) else None
        if inspect.isfunction(inner) and inner.__name__ == getattr(fn, "__name__", None):
            return unwrapped(inner)
    return fn


def derive(reference: Callable, params: Collection[str] = (), factors: Collection[str] = ()) -> frozenset[str]:
    """The hint families an exercise's reference makes relevant (see the module docstring)."""
    names, ops = _names_and_ops(reference)
    try:
        params = list(params) + list(inspect.signature(unwrapped(reference)).parameters)
    except (TypeError, ValueError):  # a builtin or a class without a signature
        pass
    fams = {fam for fam, calls in _CALLS.items() if names & set(calls)}
    fams |= {fam for fam, ps in _PARAMS.items() if set(params) & set(ps)}
    fams |= {fam for op, fam in _OPS.items() if op in ops}
    if "N" in factors:
        fams.add(BATCH)
    return frozenset(fams)
