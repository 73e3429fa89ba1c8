"""The typical wrong backward rules of lesson 04's four operations, each run as a node of the learner's shape.

A rule is the body of ``add_backward(a, b, out)`` (here ``self``, ``other``, ``out``); :func:`mistake` turns it
into a known mistake computed through the same ``one_node`` adapter the learner's class goes through, so a rule
that raises there raises the same error. Sources: the lesson's own warnings (``+=`` not ``=``, times
``out.grad``, σ from the output), micrograd's and nn-zero-to-hero's issue threads (``=`` for ``+=``, the input
where the output was meant), and slips of Python itself (``b`` for ``b.data``, ``k * x**k-1`` unbracketed).
"""
from __future__ import annotations

import math
from typing import Callable

from ...harness.adapters import one_node
from ...registry import KnownMistake
from .value import as_value, variant

A, B, X = r"\b(?:a|self)", r"\b(?:b|other)", r"\b(?:a|b|self|other)"
# Patterns are written so that no line of the lesson's given Value class matches them (tested): while grading,
# the quoted cell may be that class's rather than the one with the learner's rules.
_NO_UPSTREAM = rf"{X}\.grad\s*\+=(?!.*\bout\.grad)"
_OVERWRITE = rf"{X}\.grad\s*=[^=].*\bout\.grad"
_SIGN = rf"{X}\.grad\s*-="
_IF_SAME = r"\bif\b.*(?:\bis\b|==|!=)"
_OVERWRITES = "the input's old gradient was replaced, not added to: use `+=`. A node can receive gradient along " \
    "several paths (or be both inputs, as in a * a), and the multivariate chain rule sums them."
_LOCAL_ONLY = "you passed on only the local derivative: multiply it by the upstream gradient out.grad (chain " \
    "rule: dL/da = dL/dout · dout/da)."
_SIGN_MSG = "wrong sign: the gradient is ADDED into the inputs (`+=`); a minus belongs only where the local " \
    "derivative itself is negative."
_NOT_UPDATED = "nothing was added into the inputs' .grad: {rule} must change a.grad in place with `+=`; what it " \
    "returns is ignored, and out.grad is the input of the rule, not its result."
_NOT_NUMBER = "a gradient became a Value: the rule multiplied a node ({node}) instead of its number ({node}.data); " \
    "a.grad holds a plain number."
_SAME_ONCE = "in a {sym} a the same node is both inputs and must receive both shares: do not skip the second " \
    "update when a is b (each use adds its own share)."


def mistake(op: str, code: str, message: str, body: Callable[..., None], look_at: str, look_for: str
            ) -> KnownMistake:
    """A known mistake of ``backprop.<op>``: the reference node with ``body`` as its backward step."""
    return KnownMistake(code, message, one_node(variant(op, body), op), look_at, look_for)


def _pass(self, *rest) -> None:
    pass


_LINES = "the lines of {rule}"

def _both(da: Callable, db: Callable) -> Callable:
    """A rule that adds ``da(self, other, out)`` into a.grad, then ``db(...)`` into b.grad."""
    def body(self, other, out):
        self.grad += da(self, other, out)
        other.grad += db(self, other, out)
    return body


def _same(d: Callable) -> Callable:
    """A rule that adds ``d(self, other, out)`` into both inputs."""
    return _both(d, d)


# ------------------------------------------------------------------------------------------------ add


def _add(code: str, message: str, body: Callable, look_for: str, look_at: str = "") -> KnownMistake:
    return mistake("add", code, message, body, look_at or _LINES.format(rule="add_backward"), look_for)


def _add_overwrites(self, other, out):
    self.grad = out.grad
    other.grad = out.grad


def _add_one_input(self, other, out):
    self.grad += out.grad


def _add_multiplied(self, other, out):
    self.grad *= out.grad
    other.grad *= out.grad


def _add_same_once(self, other, out):
    self.grad += out.grad
    if other is not self:
        other.grad += out.grad


def _add_wrong_source(self, other, out):
    self.grad += out.grad
    other.grad += self.grad


def _add_value(self, other, out):
    self.grad = as_value(self, self.grad + out.grad)


ADD = (
    _add("overwrites", _OVERWRITES, _add_overwrites, _OVERWRITE),
    _add("local_only", _LOCAL_ONLY, _same(lambda s, o, out: 1.0), rf"{X}\.grad\s*\+=\s*1(?:\.0*)?\s*$"),
    _add("one_input", "only the first input received a gradient: both inputs of + get out.grad (an add gate "
         "distributes the gradient to all its inputs).", _add_one_input, r"\ba\.grad\s*\+=\s*out\.grad\s*$",
         "add_backward: b.grad is never updated"),
    _add("like_mul", "you used the multiply rule: the local derivative of a + b with respect to a is 1, so each "
         "input simply receives out.grad (add distributes).",
         _both(lambda s, o, out: o.data * out.grad, lambda s, o, out: s.data * out.grad),
         rf"{X}\.grad\s*\+=\s*{X}\.data"),
    _add("output_value", "you added out.data, the output's value; the chain rule needs out.grad, the gradient "
         "that arrived from above.", _same(lambda s, o, out: out.data), rf"{X}\.grad\s*\+=.*\bout\.data\s*$"),
    _add("halved", "you split the gradient between the inputs: add distributes, each input receives the whole "
         "out.grad (nudging either input by ε moves the sum by ε).", _same(lambda s, o, out: 0.5 * out.grad),
         rf"{X}\.grad\s*\+=.*(?:0?\.5\s*\*|/\s*2\b)"),
    _add("sign", _SIGN_MSG, _same(lambda s, o, out: -out.grad), _SIGN),
    _add("not_updated", _NOT_UPDATED.format(rule="add_backward"), _pass,
         r"return\s+.*out\.grad|\bout\.grad\s*\+?=(?!=)", "the body of add_backward"),
    _add("multiplied_into", "`*=` multiplies the gradient already in a.grad by out.grad: the chain rule's product "
         "is the local derivative times out.grad, and that product is ADDED (`+=`) to a.grad.",
         _add_multiplied, rf"{X}\.grad\s*\*="),
    _add("same_node_once", _SAME_ONCE.format(sym="+"), _add_same_once, _IF_SAME),
    _add("doubled", "each input of + gets out.grad once; a node used twice (a + a) gets it twice because the "
         "rule runs `+=` once per input, not because of a factor 2.", _same(lambda s, o, out: 2 * out.grad),
         rf"{X}\.grad\s*\+=\s*2(?:\.0*)?\s*\*"),
    _add("wrong_source", "b received a.grad instead of out.grad: both inputs of + get the gradient that arrived "
         "at the output, out.grad.", _add_wrong_source, rf"{B}\.grad\s*\+=\s*{A}\.grad"),
    _add("value_not_number", _NOT_NUMBER.format(node="out") + " Add out.grad, not out.", _add_value,
         rf"{X}\.grad\s*\+=\s*out\s*$"),
)

# ------------------------------------------------------------------------------------------------ mul


def _mul(code: str, message: str, body: Callable, look_for: str, look_at: str = "") -> KnownMistake:
    return mistake("mul", code, message, body, look_at or _LINES.format(rule="mul_backward"), look_for)


def _mul_same_once(self, other, out):
    self.grad += other.data * out.grad
    if other is not self:
        other.grad += self.data * out.grad


def _mul_grad_for_data(self, other, out):
    self.grad += other.grad * out.grad
    other.grad += self.grad * out.grad


def _mul_overwrites(self, other, out):
    self.grad = other.data * out.grad
    other.grad = self.data * out.grad


MUL = (
    _mul("not_swapped", "each input got its own value times out.grad: the local derivative of a * b with "
         "respect to a is b, so the inputs swap (a.grad += b.data * out.grad, and the other way round).",
         _both(lambda s, o, out: s.data * out.grad, lambda s, o, out: o.data * out.grad),
         rf"{A}\.grad\s*\+=\s*{A}\.data|{B}\.grad\s*\+=\s*{B}\.data"),
    _mul("local_only", _LOCAL_ONLY, _both(lambda s, o, out: o.data, lambda s, o, out: s.data),
         rf"{X}\.grad\s*\+=\s*{X}\.data\s*$"),
    _mul("overwrites", _OVERWRITES, _mul_overwrites, _OVERWRITE),
    _mul("like_add", "you used the add rule: for a * b the local derivative with respect to a is b, so multiply "
         "out.grad by the other input's value.", _both(lambda s, o, out: out.grad, lambda s, o, out: out.grad),
         rf"{X}\.grad\s*\+=\s*out\.grad\s*$"),
    _mul("output_value", "you multiplied by out.data, the output's value; the chain rule needs out.grad, the "
         "gradient that arrived from above.",
         _both(lambda s, o, out: o.data * out.data, lambda s, o, out: s.data * out.data),
         rf"{X}\.grad\s*\+=.*\bout\.data\s*$|{X}\.grad\s*\+=\s*out\.data\s*\*\s*{X}\.data"),
    _mul("one_input", "only the first input received a gradient: both inputs of * need one (b.grad += a.data "
         "* out.grad).", lambda s, o, out: setattr(s, "grad", s.grad + o.data * out.grad),
         r"\ba\.grad\s*\+=\s*b\.data\s*\*\s*out\.grad\s*$", "mul_backward: b.grad is never updated"),
    _mul("sign", _SIGN_MSG, _both(lambda s, o, out: -o.data * out.grad, lambda s, o, out: -s.data * out.grad),
         _SIGN),
    _mul("not_updated", _NOT_UPDATED.format(rule="mul_backward"), _pass,
         r"return\s+.*out\.grad|\bout\.grad\s*\+?=(?!=)", "the body of mul_backward"),
    _mul("same_node_once", _SAME_ONCE.format(sym="*"), _mul_same_once, _IF_SAME),
    _mul("times_output", "the local derivative of a * b with respect to a is b, not the product a·b (that is "
         "exp's rule, whose derivative is its output).",
         _both(lambda s, o, out: out.data * out.grad, lambda s, o, out: out.data * out.grad),
         r"\b(?:a|b)\.grad\s*\+=\s*out\.data\s*\*\s*out\.grad"),
    _mul("value_not_number", _NOT_NUMBER.format(node="b"),
         lambda s, o, out: setattr(s, "grad", as_value(s, s.grad + o.data * out.grad)),
         rf"{X}\.grad\s*\+=\s*{X}\s*\*"),
    _mul("grad_for_data", "you multiplied by the other input's gradient (b.grad), not by its value: the local "
         "derivative of a * b with respect to a is b.data, so a.grad += b.data * out.grad (and a.data for b).",
         _mul_grad_for_data, rf"{X}\.grad\s*\+=\s*{X}\.grad\s*\*"),
    _mul("copy_paste", "b got its own value times out.grad (the first line copied without swapping): b.grad += "
         "a.data * out.grad.", _both(lambda s, o, out: o.data * out.grad, lambda s, o, out: o.data * out.grad),
         rf"{B}\.grad\s*\+=\s*{B}\.data"),
)

# ------------------------------------------------------------------------------------------------ pow


def _pow(code: str, message: str, step: Callable[[float, float, float], float], look_for: str,
         look_at: str = "the line of pow_backward") -> KnownMistake:
    def body(self, k, out):
        self.grad += step(self.data, k, out)
    return mistake("pow", code, message, body, look_at, look_for)


def _pow_overwrites(self, k, out):
    self.grad = k * self.data ** (k - 1) * out.grad


POW = (
    _pow("not_lowered", "the exponent was not lowered: d(a**k)/da = k * a**(k-1), not k * a**k.",
         lambda x, k, out: k * x ** k * out.grad,
         rf"{X}\.grad\s*\+?=.*\*\*\s*k\b(?!\s*-)|k\s*\*\s*out\.data\s*\*\s*out\.grad"),
    _pow("no_k", "the factor k is missing: d(a**k)/da = k * a**(k-1).", lambda x, k, out: x ** (k - 1) * out.grad,
         rf"{X}\.grad\s*\+=\s*{X}\.data\s*\*\*"),
    _pow("precedence", "operator precedence: `k * x**k-1 * g` means (k * x**k) - (1 * g). Write the exponent in "
         "brackets: k * x**(k - 1) * out.grad.", lambda x, k, out: k * x ** k - 1 * out.grad, r"\*\*\s*k\s*-\s*1"),
    _pow("local_only", _LOCAL_ONLY, lambda x, k, out: k * x ** (k - 1), _NO_UPSTREAM),
    mistake("pow", "overwrites", _OVERWRITES, _pow_overwrites, "the line of pow_backward", _OVERWRITE),
    _pow("sign", _SIGN_MSG, lambda x, k, out: -k * x ** (k - 1) * out.grad, _SIGN),
    mistake("pow", "not_updated", _NOT_UPDATED.format(rule="pow_backward"), _pass, "the body of pow_backward",
            r"return\s+.*out\.grad|\bout\.grad\s*\+?=(?!=)"),
    mistake("pow", "value_not_number", _NOT_NUMBER.format(node="a"),
            lambda s, k, out: setattr(s, "grad", as_value(s, s.grad + k * s.data ** (k - 1) * out.grad)),
            "the line of pow_backward", rf"{A}\s*\*\*\s*\(?\s*k\s*-"),
    _pow("exponent_plus", "the exponent goes down by one: d(a**k)/da = k * a**(k - 1), not a**(k + 1).",
         lambda x, k, out: k * x ** (k + 1) * out.grad, r"\*\*\s*\(\s*k\s*\+\s*1\s*\)"),
    _pow("exponent_rule", "that is the derivative with respect to the exponent (a**k · log a); k is a constant "
         "here, and the derivative with respect to a is k * a**(k - 1).",
         lambda x, k, out: x ** k * math.log(x) * out.grad, r"\blog\("),
    _pow("output_value", "you multiplied by out.data, the output's value; the chain rule needs out.grad, the "
         "gradient that arrived from above.", lambda x, k, out: k * x ** (k - 1) * out.data,
         rf"{X}\.grad\s*\+=.*\bout\.data\s*$"),
    _pow("uses_output", "the power rule takes the INPUT: k * a.data**(k - 1); out.data is a**k already.",
         lambda x, k, out: k * out.data ** (k - 1) * out.grad, r"out\.data\s*\*\*"),
)

# -------------------------------------------------------------------------------------------- sigmoid


def _sig(code: str, message: str, step: Callable[[float, float], float], look_for: str,
         look_at: str = "the line of sigmoid_backward") -> KnownMistake:
    def body(self, out):
        self.grad += step(self, out)
    return mistake("sigmoid", code, message, body, look_at, look_for)


def _sig_overwrites(self, out):
    self.grad = out.data * (1 - out.data) * out.grad


def _sig_from_input(a, out):
    s = 1 / (1 + math.exp(-a.data))  # overflows for a very negative input: the forward's stable form avoids it
    return s * (1 - s) * out.grad


SIGMOID = (
    _sig("no_one_minus", "the factor (1 - σ) is missing: dσ/da = σ(a)(1 - σ(a)).", lambda a, out: out.data * out.grad,
         r"\ba\.grad\s*\+=\s*out\.data\s*\*\s*out\.grad\s*$"),
    _sig("uses_input", "σ(1 - σ) takes the sigmoid's output σ = out.data, not its input a.data.",
         lambda a, out: a.data * (1 - a.data) * out.grad, rf"{X}\.data\s*\*\s*\(\s*1\s*-\s*{X}\.data"),
    _sig("tanh_rule", "that is tanh's derivative (1 - t²); the sigmoid's is σ(1 - σ).",
         lambda a, out: (1 - out.data ** 2) * out.grad, r"1\s*-\s*out\.data\s*\*\*\s*2"),
    _sig("local_only", _LOCAL_ONLY, lambda a, out: out.data * (1 - out.data), _NO_UPSTREAM),
    mistake("sigmoid", "overwrites", _OVERWRITES, _sig_overwrites, "the line of sigmoid_backward", _OVERWRITE),
    _sig("sign", "wrong sign: σ(1 - σ) is positive (the sigmoid only goes up), you have σ(σ - 1).",
         lambda a, out: out.data * (out.data - 1) * out.grad, rf"out\.data\s*-\s*1|{_SIGN}"),
    mistake("sigmoid", "not_updated", _NOT_UPDATED.format(rule="sigmoid_backward"), _pass,
            "the body of sigmoid_backward", r"return\s+.*out\.grad|\bout\.grad\s*\+?=(?!=)"),
    mistake("sigmoid", "value_not_number", _NOT_NUMBER.format(node="out"),
            lambda s, out: setattr(s, "grad", as_value(s, s.grad + out.data * (1 - out.data) * out.grad)),
            "the line of sigmoid_backward", rf"{X}\.grad\s*\+=\s*out\s*\*"),
    # the same slip where the notebook's Value cannot do the arithmetic: it has no 1 - node (__rsub__)
    mistake("sigmoid", "value_not_number", _NOT_NUMBER.format(node="out"),
            lambda s, out: setattr(s, "grad", s.grad + (1 - as_value(s, out.data))),
            "the line of sigmoid_backward", r"1\s*-\s*out\b(?!\.)"),
    _sig("output_value", "you multiplied by out.data, the output's value; the chain rule needs out.grad, the "
         "gradient that arrived from above.", lambda a, out: out.data * (1 - out.data) * out.data,
         rf"{X}\.grad\s*\+=.*\bout\.data\s*$"),
    _sig("overflow", "σ recomputed from the input with exp(-a) overflows for a very negative a: use the output "
         "the forward pass already computed, σ = out.data.", _sig_from_input, r"exp\(\s*-\s*(?:a|self)\.data"),
    _sig("one_minus_only", "the factor σ is missing: dσ/da = σ(1 - σ), with σ = out.data.",
         lambda a, out: (1 - out.data) * out.grad, rf"{X}\.grad\s*\+=\s*\(\s*1\s*-\s*out\.data\s*\)\s*\*\s*out\.grad"),
    _sig("precedence", "operator precedence: `out.data * 1 - out.data * out.grad` is σ - σ·g. Bracket the factor: "
         "out.data * (1 - out.data) * out.grad.", lambda a, out: out.data * 1 - out.data * out.grad,
         r"out\.data\s*\*\s*1\s*-"),
)

MISTAKES: dict[str, tuple[KnownMistake, ...]] = {"add": ADD, "mul": MUL, "pow": POW, "sigmoid": SIGMOID}
