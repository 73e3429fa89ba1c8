"""Lesson 04 (backprop): one node's backward pass in a scalar ``Value`` class, and a graph by hand.

The learner writes a micrograd-style ``Value`` (``data``, ``grad``, ``_prev``, ``_backward``)
whose operations record a ``_backward`` closure that adds the node's gradient, times the local
derivative, into its inputs' ``grad``. Each operation is checked on its own with
:func:`one_node`, which turns the learner's class into a function of plain numbers::

    check("backprop.mul", one_node(Value, "mul"))

``one_node(Value, "mul")(a, b, upstream, grad_before, same_node)`` builds ``Value(a)`` and
``Value(b)`` (the same node twice when ``same_node``), puts ``grad_before`` in their ``grad``
(gradient that already arrived along another path), computes ``out = a * b``, sets
``out.grad = upstream``, calls ``out._backward()`` once and returns ``(out.data, a.grad, b.grad)``.
Unary operations return ``(out.data, a.grad)``: ``pow`` takes ``(a, k, upstream, grad_before)``
and computes ``a ** k`` for a constant number ``k``; ``sigmoid`` takes ``(a, upstream,
grad_before)`` and computes ``a.sigmoid()``.

``backprop.by_hand`` checks a dict of numbers the learner worked out with pencil and paper for
the graph q = x·y, m = max(x, z), s = q + m, f = s·z at x = 3, y = −2, z = 2, in three parts
(forward values, inner gradients, input gradients); its messages name the wrong entries and the
gate rule that was broken, never the right numbers.
(``autodiff.topological_sort`` and ``autodiff.backward`` check the rest of the engine.)
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ...diagnosis import WRONG_TYPE, Diagnosis, describe
from ...harness.adapters import one_node
from ...harness.guard import reference
from ...registry import Case, Exercise, KnownMistake, Output, register

_BINARY = {"add": "+", "mul": "*"}
_UNARY = ("pow", "sigmoid")


# ---------------------------------------------------------------------------------------------
# the reference node, with hooks that the known mistakes override


class _Ref:
    """A scalar graph node; each operation's backward step is a method, so a mistake can swap it."""

    def __init__(self, data: float, _prev: tuple = (), _op: str = ""):
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_prev)
        self._op = _op
        self._backward: Callable[[], None] = lambda: None

    def _wire(self, out: "_Ref", step: Callable[[], None]) -> "_Ref":
        out._backward = step
        return out

    def __add__(self, other: "_Ref") -> "_Ref":
        out = type(self)(self.data + other.data, (self, other), "+")
        return self._wire(out, lambda: self.bw_add(other, out))

    def __mul__(self, other: "_Ref") -> "_Ref":
        out = type(self)(self.data * other.data, (self, other), "*")
        return self._wire(out, lambda: self.bw_mul(other, out))

    def __pow__(self, k: float) -> "_Ref":
        out = type(self)(self.data ** k, (self,), f"**{k}")
        return self._wire(out, lambda: self.bw_pow(k, out))

    def sigmoid(self) -> "_Ref":
        x = self.data
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        out = type(self)(s, (self,), "sigmoid")
        return self._wire(out, lambda: self.bw_sigmoid(out))

    # the backward steps: local derivative times upstream gradient, added into the inputs
    def bw_add(self, other, out):
        self.grad += out.grad
        other.grad += out.grad

    def bw_mul(self, other, out):
        self.grad += other.data * out.grad
        other.grad += self.data * out.grad

    def bw_pow(self, k, out):
        self.grad += k * self.data ** (k - 1) * out.grad

    def bw_sigmoid(self, out):
        self.grad += out.data * (1 - out.data) * out.grad


def _variant(op: str, hook: str, body: Callable) -> Callable[..., tuple]:
    cls = type(f"Value_{hook}", (_Ref,), {f"bw_{op}": body})
    return one_node(cls, op)


# add
def _add_overwrites(self, other, out):
    self.grad = out.grad
    other.grad = out.grad


def _add_local_only(self, other, out):
    self.grad += 1.0
    other.grad += 1.0


def _add_one_input(self, other, out):
    self.grad += out.grad


def _add_like_mul(self, other, out):
    self.grad += other.data * out.grad
    other.grad += self.data * out.grad


def _add_output_value(self, other, out):
    self.grad += out.data
    other.grad += out.data


# mul
def _mul_not_swapped(self, other, out):
    self.grad += self.data * out.grad
    other.grad += other.data * out.grad


def _mul_local_only(self, other, out):
    self.grad += other.data
    other.grad += self.data


def _mul_overwrites(self, other, out):
    self.grad = other.data * out.grad
    other.grad = self.data * out.grad


def _mul_like_add(self, other, out):
    self.grad += out.grad
    other.grad += out.grad


def _mul_output_value(self, other, out):
    self.grad += other.data * out.data
    other.grad += self.data * out.data


def _mul_one_input(self, other, out):
    self.grad += other.data * out.grad


# pow
def _pow_not_lowered(self, k, out):
    self.grad += k * self.data ** k * out.grad


def _pow_no_k(self, k, out):
    self.grad += self.data ** (k - 1) * out.grad


def _pow_precedence(self, k, out):
    self.grad += k * self.data ** k - 1 * out.grad  # k * x**k-1 * g, parsed as (k x^k) - g


def _pow_local_only(self, k, out):
    self.grad += k * self.data ** (k - 1)


def _pow_overwrites(self, k, out):
    self.grad = k * self.data ** (k - 1) * out.grad


# sigmoid
def _sig_no_one_minus(self, out):
    self.grad += out.data * out.grad


def _sig_uses_input(self, out):
    self.grad += self.data * (1 - self.data) * out.grad


def _sig_tanh_rule(self, out):
    self.grad += (1 - out.data ** 2) * out.grad


def _sig_local_only(self, out):
    self.grad += out.data * (1 - out.data)


def _sig_overwrites(self, out):
    self.grad = out.data * (1 - out.data) * out.grad


def _sig_sign(self, out):
    self.grad += out.data * (out.data - 1) * out.grad


_OVERWRITES = ("overwrites", "the input's old gradient was replaced, not added to: use `+=`. "
               "A node can receive gradient along several paths (or be both inputs, as in a * a), and "
               "the multivariate chain rule sums them.")
_LOCAL_ONLY = ("local_only", "you passed on only the local derivative: multiply it by the upstream "
               "gradient out.grad (chain rule: dL/da = dL/dout · dout/da).")
_OUTPUT_VALUE = ("output_value", "you multiplied by out.data, the output's value; the chain rule needs "
                 "out.grad, the gradient that arrived from above.")

MISTAKES = {
    "add": (
        KnownMistake(*_OVERWRITES, _variant("add", "overwrites", _add_overwrites)),
        KnownMistake(*_LOCAL_ONLY, _variant("add", "local_only", _add_local_only)),
        KnownMistake("one_input", "only the first input received a gradient: both inputs of + get "
                     "out.grad (an add gate distributes the gradient to all its inputs).",
                     _variant("add", "one_input", _add_one_input)),
        KnownMistake("like_mul", "you used the multiply rule: the local derivative of a + b with respect "
                     "to a is 1, so each input simply receives out.grad (add distributes).",
                     _variant("add", "like_mul", _add_like_mul)),
        KnownMistake(*_OUTPUT_VALUE, _variant("add", "output_value", _add_output_value)),
    ),
    "mul": (
        KnownMistake("not_swapped", "each input got its own value times out.grad: the local derivative "
                     "of a * b with respect to a is b, so the inputs swap (a.grad += b.data * "
                     "out.grad, and the other way round).", _variant("mul", "not_swapped", _mul_not_swapped)),
        KnownMistake(*_LOCAL_ONLY, _variant("mul", "local_only", _mul_local_only)),
        KnownMistake(*_OVERWRITES, _variant("mul", "overwrites", _mul_overwrites)),
        KnownMistake("like_add", "you used the add rule: for a * b the local derivative with respect to "
                     "a is b, so multiply out.grad by the other input's value.",
                     _variant("mul", "like_add", _mul_like_add)),
        KnownMistake(*_OUTPUT_VALUE, _variant("mul", "output_value", _mul_output_value)),
        KnownMistake("one_input", "only the first input received a gradient: both inputs of * need one "
                     "(b.grad += a.data * out.grad).", _variant("mul", "one_input", _mul_one_input)),
    ),
    "pow": (
        KnownMistake("not_lowered", "the exponent was not lowered: d(a**k)/da = k * a**(k-1), not "
                     "k * a**k.", _variant("pow", "not_lowered", _pow_not_lowered)),
        KnownMistake("no_k", "the factor k is missing: d(a**k)/da = k * a**(k-1).",
                     _variant("pow", "no_k", _pow_no_k)),
        KnownMistake("precedence", "operator precedence: `k * x**k-1 * g` means (k * x**k) - (1 * g). "
                     "Write the exponent in brackets: k * x**(k - 1) * out.grad.",
                     _variant("pow", "precedence", _pow_precedence)),
        KnownMistake(*_LOCAL_ONLY, _variant("pow", "local_only", _pow_local_only)),
        KnownMistake(*_OVERWRITES, _variant("pow", "overwrites", _pow_overwrites)),
    ),
    "sigmoid": (
        KnownMistake("no_one_minus", "the factor (1 - σ) is missing: dσ/da = σ(a)(1 - σ(a)).",
                     _variant("sigmoid", "no_one_minus", _sig_no_one_minus)),
        KnownMistake("uses_input", "σ(1 - σ) takes the sigmoid's output σ = out.data, not its input "
                     "a.data.", _variant("sigmoid", "uses_input", _sig_uses_input)),
        KnownMistake("tanh_rule", "that is tanh's derivative (1 - t²); the sigmoid's is σ(1 - σ).",
                     _variant("sigmoid", "tanh_rule", _sig_tanh_rule)),
        KnownMistake(*_LOCAL_ONLY, _variant("sigmoid", "local_only", _sig_local_only)),
        KnownMistake(*_OVERWRITES, _variant("sigmoid", "overwrites", _sig_overwrites)),
        KnownMistake("sign", "wrong sign: σ(1 - σ) is positive (the sigmoid only goes up), you have "
                     "σ(σ - 1).", _variant("sigmoid", "sign", _sig_sign)),
    ),
}


# ---------------------------------------------------------------------------------------------
# input cases


def _nz(rng: np.random.Generator, lo: float, hi: float) -> float:
    """A number with random sign and magnitude in [lo, hi], away from 0 and from 1."""
    return float(rng.choice([-1.0, 1.0]) * rng.uniform(lo, hi))


def _binary_cases(op: str) -> Callable[[np.random.Generator, bool], list[Case]]:
    sym = _BINARY[op]

    def cases(rng: np.random.Generator, hidden: bool) -> list[Case]:
        kinds = [("fresh", False), ("before", False), ("same", False)]
        if hidden:
            kinds = [("before", False), ("fresh", False), ("same", True), ("fresh", False)]
        out = []
        for kind, prior in kinds:
            a, b, g = _nz(rng, 0.3, 2.0), _nz(rng, 0.3, 2.0), _nz(rng, 1.2, 2.5)
            before = _nz(rng, 0.3, 1.5) if kind == "before" or prior else 0.0
            label = {"fresh": f"a {sym} b, grads start at 0",
                     "before": f"a {sym} b, a and b already hold gradient from another path",
                     "same": f"a {sym} a, one node used twice"}[kind]
            out.append(Case(args={"a": a, "b": b, "upstream": g, "grad_before": before,
                                  "same_node": kind == "same"}, label=label))
        return out
    return cases


def _pow_cases(rng: np.random.Generator, hidden: bool) -> list[Case]:
    ks = [(2, False), (3, True), (-1, False)] if not hidden else [(0.5, True), (-2, False), (4, True), (3, False)]
    out = []
    for k, prior in ks:
        a = abs(_nz(rng, 0.4, 1.8)) if isinstance(k, float) else _nz(rng, 0.4, 1.8)
        out.append(Case(args={"a": a, "k": k, "upstream": _nz(rng, 1.2, 2.5),
                              "grad_before": _nz(rng, 0.3, 1.5) if prior else 0.0},
                        label=f"a ** {k}" + (", a already holds gradient" if prior else "")))
    return out


def _sigmoid_cases(rng: np.random.Generator, hidden: bool) -> list[Case]:
    priors = [False, False, True] if not hidden else [True, False, True, False]
    out = []
    for prior in priors:
        out.append(Case(args={"a": float(rng.uniform(-3, 3)), "upstream": _nz(rng, 1.2, 2.5),
                              "grad_before": _nz(rng, 0.3, 1.5) if prior else 0.0},
                        label="a.sigmoid()" + (", a already holds gradient" if prior else "")))
    return out


_SIGNATURES = {
    "add": "one_node(Value, 'add')(a, b, upstream, grad_before, same_node) -> (out, a.grad, b.grad)",
    "mul": "one_node(Value, 'mul')(a, b, upstream, grad_before, same_node) -> (out, a.grad, b.grad)",
    "pow": "one_node(Value, 'pow')(a, k, upstream, grad_before) -> (out, a.grad)",
    "sigmoid": "one_node(Value, 'sigmoid')(a, upstream, grad_before) -> (out, a.grad)",
}
_CASES = {"add": _binary_cases("add"), "mul": _binary_cases("mul"), "pow": _pow_cases,
          "sigmoid": _sigmoid_cases}

for _op in ("add", "mul", "pow", "sigmoid"):
    _outs = (Output("out", "scalar"), Output("a.grad", "scalar"))
    if _op in _BINARY:
        _outs += (Output("b.grad", "scalar"),)
    register(Exercise(
        f"backprop.{_op}", _SIGNATURES[_op], reference(f"backprop.{_op} reference")(one_node(_Ref, _op)),
        _CASES[_op], outputs=_outs, mistakes=MISTAKES[_op],
    ))


# ---------------------------------------------------------------------------------------------
# a graph by hand: q = x*y, m = max(x, z), s = q + m, f = s*z at x = 3, y = -2, z = 2

BY_HAND_INPUTS = {"x": 3.0, "y": -2.0, "z": 2.0}
BY_HAND_KEYS = ("q", "m", "s", "f", "ds", "dq", "dm", "dx", "dy", "dz")
# One graph, checked in three parts (the cases), in the order they are worked out.
_PARTS = {"forward pass: q, m, s, f": ("q", "m", "s", "f"),
          "gradients of the inner nodes: ds, dq, dm": ("ds", "dq", "dm"),
          "gradients of the inputs: dx, dy, dz": ("dx", "dy", "dz")}


def _by_hand_numbers() -> dict[str, float]:
    x, y, z = BY_HAND_INPUTS["x"], BY_HAND_INPUTS["y"], BY_HAND_INPUTS["z"]
    q, m = x * y, max(x, z)
    s = q + m
    f = s * z
    ds, dz_direct = z, s                     # f = s * z: multiply swaps
    dq = dm = ds                             # s = q + m: add distributes
    dx_max, dz_max = (dm, 0.0) if x > z else (0.0, dm)   # m = max(x, z): max routes
    dx_q, dy = y * dq, x * dq                # q = x * y: multiply swaps
    return {"q": q, "m": m, "s": s, "f": f, "ds": ds, "dq": dq, "dm": dm,
            "dx": dx_q + dx_max, "dy": dy, "dz": dz_direct + dz_max}


@reference("backprop.by_hand reference")
def by_hand_reference() -> dict[str, float]:
    """The values and gradients of the graph, computed node by node."""
    return _by_hand_numbers()


def _near(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


def _verify_by_hand(case: Case, args: dict, got: Any) -> Diagnosis | None:
    keys = ", ".join(BY_HAND_KEYS)
    if not isinstance(got, dict):
        return Diagnosis(WRONG_TYPE, f"by_hand() returned {describe(got)}; expected a dict with the keys "
                         f"{keys}, e.g. {{'q': ..., 'm': ..., ...}}.")
    missing = [k for k in BY_HAND_KEYS if k not in got]
    if missing:
        return Diagnosis("missing_keys", f"the dict has no entry for {', '.join(missing)}; it needs all of "
                         f"{keys} (names as strings, values as numbers).")
    v: dict[str, float] = {}
    for k in BY_HAND_KEYS:
        try:
            v[k] = float(got[k])
        except (TypeError, ValueError):
            return Diagnosis(WRONG_TYPE, f"the entry {k!r} is {describe(got[k])}; every entry must be a number.")
    ref = _by_hand_numbers()
    wrong = [k for k in _PARTS[case.label] if not _near(v[k], ref[k])]
    if not wrong:
        return None
    head = f"wrong entries: {', '.join(wrong)}. "
    if any(not k.startswith("d") for k in wrong):
        return Diagnosis("forward", head + "Start with the forward pass, left to right: each node applies its "
                         "operation to its inputs' values (max(x, z) is the larger of the two). The gradients "
                         "use these values, so fix them first.")
    grads = [k for k in BY_HAND_KEYS if k.startswith("d")]
    if all(v[k] == 0 for k in grads):
        return Diagnosis("not_seeded", head + "Every gradient is 0: the backward pass starts with df/df = 1 "
                         "at the output and multiplies its way back from there.")
    if "ds" in wrong:
        return Diagnosis("not_swapped", head + "f = s·z is a multiply gate: df/ds is the value of the *other* "
                         "input, z (multiply swaps).")
    if "dq" in wrong or "dm" in wrong:
        return Diagnosis("add_distributes", head + "s = q + m is an add gate: it hands the gradient arriving "
                         "at s unchanged to each of its inputs (add distributes; nothing is split).")
    if "dz" in wrong:
        if _near(v["dz"], ref["dz"] + ref["dm"]):
            return Diagnosis("max_routes", head + "m = max(x, z) sends all of its gradient to the input that "
                             "won (the larger one) and 0 to the other (max routes).")
        return Diagnosis("missed_path", head + "z reaches f along two paths, directly through f = s·z and "
                         "through max(x, z): dz is the sum of what arrives along both (multivariate chain "
                         "rule), where one of them may contribute 0.")
    if "dy" in wrong:
        return Diagnosis("not_swapped", head + "q = x·y is a multiply gate: dq/dy is the value of the other "
                         "input, x; multiply it by the gradient that arrived at q (multiply swaps).")
    if _near(v["dx"], ref["dx"] - ref["dm"]) or _near(v["dx"], ref["dm"]):
        return Diagnosis("missed_path", head + "x is used twice, in q = x·y and in max(x, z): its gradient is "
                         "the sum over both paths (multivariate chain rule).")
    if _near(v["dx"], BY_HAND_INPUTS["x"] * ref["dq"] + ref["dm"]):
        return Diagnosis("not_swapped", head + "through q = x·y, x receives dq times the value of the other "
                         "input, y (multiply swaps).")
    return Diagnosis("values", head + "Work backward from f node by node: the gradient arriving at a node "
                     "times its local derivative goes to each input, and a node used twice adds up what it "
                     "receives.")


register(Exercise(
    "backprop.by_hand", "by_hand() -> dict of the graph's values and gradients",
    by_hand_reference, lambda rng, hidden: [Case(args={}, label=label) for label in _PARTS],
    verify=_verify_by_hand,
))
