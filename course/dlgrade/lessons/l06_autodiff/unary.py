"""Lesson 06 (autodiff): the backward passes of the element-wise ops exp, log, sigmoid and relu.

Cases vary the rank (0-d to 3-d) with a 1 on each axis, include float32 inputs, keep log's input away from 1
(where log a = 0), relu's away from its kink at 0, and give grad both signs. Known mistakes: the table of the
lesson read wrongly (the output where the input is meant and back), the chain rule's factor grad forgotten,
another op's rule (tanh's for the sigmoid), and what a backward returns (one gradient, with its input's shape).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ...registry import Case
from .._common import away_from_zero, make_case
from .ops import mistake, register_op, save_input_too

_LOCAL = "you returned only the local derivative: multiply it by the upstream gradient `grad` (chain rule: " \
    "dL/da = dL/dout · dout/da)."
_GRAD_ONLY = "grad passed through unchanged: multiply it by the local derivative, {d}."
_TWO = "{cls} has one input, so backward returns one gradient (an array, or the tuple (grad_a,))."


def _saved(op: str, code: str, message: str, rule: Callable, look_for: str) -> object:
    """A mistake whose backward is ``rule(saved, grad)`` on what the notebook's forward saved."""
    return mistake(op, code, message, lambda ctx, g: rule(ctx.saved_tensors[0], g), look_for)


def _with_input(op: str, code: str, message: str, rule: Callable, look_for: str) -> object:
    """A mistake that made forward keep the input a too, ``rule(a, out, grad)``."""
    return mistake(op, code, message, lambda ctx, g: rule(*ctx.saved_tensors, g), look_for,
                   forward=save_input_too(op))


def _sig(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.tanh(0.5 * x))


EXP = (
    _saved("exp", "local_only", _LOCAL, lambda out, g: out, r"return\s+ctx\.saved_tensors\[0\]\s*$"),
    _with_input("exp", "input_not_output", "d exp(a)/da = exp(a), the output (saved by forward); you multiplied "
                "by the input a.", lambda a, out, g: g * a, r"grad\s*\*\s*a\b"),
    _saved("exp", "grad_only", _GRAD_ONLY.format(d="exp(a), the output forward saved"), lambda out, g: g,
           r"return\s+grad\s*$"),
    _saved("exp", "two_gradients", _TWO.format(cls="Exp"), lambda out, g: (g * out, g), r",\s*grad\s*$"),
    _saved("exp", "exp_of_grad", "exp belongs to the forward value, not to the gradient: grad * out, with out = "
           "exp(a).", lambda out, g: np.exp(g), r"exp\(\s*grad"),
    _saved("exp", "exp_of_output", "out is exp(a) already: grad * out, not grad * exp(out).",
           lambda out, g: g * np.exp(out), r"exp\(\s*out"),
    _saved("exp", "divided", "d exp(a)/da = exp(a): multiply grad by out, do not divide.", lambda out, g: g / out,
           r"grad\s*/\s*out"),
    _saved("exp", "sign", "wrong sign: exp only goes up, its local derivative exp(a) is positive.",
           lambda out, g: -g * out, r"-\s*grad|-\s*out"),
    _saved("exp", "squared", "the local derivative is exp(a) = out, once: grad * out.", lambda out, g: g * out ** 2,
           r"out\s*\*\*\s*2|out\s*\*\s*out"),
    _saved("exp", "added", "the chain rule multiplies: grad * out, not grad + out.", lambda out, g: g + out,
           r"grad\s*\+\s*out"),
    _saved("exp", "sigmoid_rule", "s(1 − s) is the sigmoid's rule; exp's local derivative is exp(a) itself, "
           "grad * out.", lambda out, g: g * out * (1 - out), r"1\s*-\s*out"),
    _with_input("exp", "times_input", "the local derivative of exp(a) is exp(a) alone, with no factor a: "
                "grad * out.", lambda a, out, g: g * out * a, r"out\s*\*\s*a\b"),
)

LOG = (
    _saved("log", "times_not_divided", "d log(a)/da = 1/a: divide grad by a, do not multiply.",
           lambda a, g: g * a, r"grad\s*\*\s*a\b"),
    _saved("log", "local_only", _LOCAL, lambda a, g: 1 / a, r"return\s+1\s*/"),
    _saved("log", "by_output", "d log(a)/da = 1/a with the input a, not 1/log(a).", lambda a, g: g / np.log(a),
           r"/\s*np\.log"),
    _saved("log", "negative_square", "−1/a² is the derivative of 1/a; log's is 1/a: grad / a.",
           lambda a, g: -g / a ** 2, r"-\s*grad\s*/"),
    _saved("log", "sign", "wrong sign: log only goes up (for a > 0), its local derivative 1/a is positive.",
           lambda a, g: -g / a, r"-\s*grad\s*/\s*a\s*$"),
    _saved("log", "inverted", "the quotient is upside down: grad / a, not a / grad.", lambda a, g: a / g,
           r"a\s*/\s*grad"),
    _saved("log", "times_output", "you multiplied by log(a), the output; log's local derivative is 1/a.",
           lambda a, g: g * np.log(a), r"\*\s*np\.log"),
    _saved("log", "exp_rule", "exp(a) is exp's derivative (log's inverse); log's is 1/a.",
           lambda a, g: g * np.exp(a), r"grad\s*\*\s*np\.exp\("),
    _saved("log", "square_denominator", "the local derivative is 1/a, not 1/a²: grad / a.",
           lambda a, g: g / a ** 2, r"a\s*\*\*\s*2"),
    _saved("log", "log1p_rule", "1/(1 + a) is the derivative of log(1 + a); log's is 1/a.",
           lambda a, g: g / (1 + a), r"1\s*\+\s*a"),
    _saved("log", "grad_only", _GRAD_ONLY.format(d="1/a"), lambda a, g: g, r"return\s+grad\s*$"),
    _saved("log", "two_gradients", _TWO.format(cls="Log"), lambda a, g: (g / a, g), r",\s*grad\s*$"),
)

SIGMOID = (
    _saved("sigmoid", "no_one_minus", "the factor (1 - s) is missing: dσ/da = s(1 - s), with s the output.",
           lambda s, g: g * s, r"grad\s*\*\s*s\s*$"),
    _with_input("sigmoid", "uses_input", "s(1 - s) takes the sigmoid's OUTPUT s (saved by forward), not its input "
                "a.", lambda a, s, g: g * a * (1 - a), r"a\s*\*\s*\(\s*1\s*-\s*a"),
    _saved("sigmoid", "local_only", _LOCAL, lambda s, g: s * (1 - s), r"return\s+s\s*\*"),
    _saved("sigmoid", "tanh_rule", "that is tanh's derivative 1 - t²; the sigmoid's is s(1 - s).",
           lambda s, g: g * (1 - s ** 2), r"s\s*\*\*\s*2"),
    _saved("sigmoid", "sign", "wrong sign: s(1 - s) is positive (the sigmoid only goes up), you have s(s - 1).",
           lambda s, g: g * s * (s - 1), r"s\s*-\s*1"),
    _saved("sigmoid", "one_minus_only", "the factor s is missing: dσ/da = s(1 - s).", lambda s, g: g * (1 - s),
           r"grad\s*\*\s*\(\s*1\s*-\s*s\s*\)\s*$"),
    _saved("sigmoid", "precedence", "operator precedence: `grad * s * 1 - s` is (grad·s) − s. Bracket it: "
           "grad * s * (1 - s).", lambda s, g: g * s * 1 - s, r"\*\s*1\s*-\s*s"),
    _saved("sigmoid", "sigmoid_of_output", "forward saved s = σ(a) already: use it as it is, grad * s * (1 - s), "
           "without applying the sigmoid again.", lambda s, g: g * _sig(s) * (1 - _sig(s)),
           r"tanh\(\s*0\.5\s*\*\s*s\b|exp\(\s*-\s*s\b"),
    _saved("sigmoid", "grad_only", _GRAD_ONLY.format(d="s(1 - s)"), lambda s, g: g, r"return\s+grad\s*$"),
    _saved("sigmoid", "divided", "the chain rule multiplies: grad * s * (1 - s), not grad / (s(1 - s)).",
           lambda s, g: g / (s * (1 - s)), r"grad\s*/"),
    _saved("sigmoid", "two_gradients", _TWO.format(cls="Sigmoid"), lambda s, g: (g * s * (1 - s), g),
           r",\s*grad\s*$"),
    _saved("sigmoid", "squared_output", "the local derivative is s(1 - s), not s²: grad * s * (1 - s).",
           lambda s, g: g * s ** 2, r"s\s*\*\s*s\b"),
)

RELU = (
    _saved("relu", "relu_of_grad", "the mask must come from the INPUT (a > 0), not from the gradient: relu passes "
           "grad through where its input was positive, whatever the sign of grad.", lambda a, g: np.maximum(g, 0),
           r"maximum\(\s*grad"),
    _saved("relu", "local_only", _LOCAL, lambda a, g: (a > 0).astype(float), r"return\s+\(?\s*a\s*>\s*0"),
    _saved("relu", "times_output", "you multiplied grad by the output max(a, 0); the local derivative is the mask "
           "(a > 0): 1 where the input was positive, 0 elsewhere.", lambda a, g: g * np.maximum(a, 0),
           r"grad\s*\*\s*np\.maximum\("),
    _saved("relu", "wrong_mask", "the mask is inverted: the gradient flows where the input was positive, a > 0.",
           lambda a, g: g * (a < 0), r"a\s*<"),
    _saved("relu", "grad_only", _GRAD_ONLY.format(d="the mask (a > 0)"), lambda a, g: g, r"return\s+grad\s*$"),
    _saved("relu", "boolean_index", "grad[a > 0] picks the entries out as a flat list; the gradient keeps a's "
           "shape with 0 where a <= 0: grad * (a > 0).", lambda a, g: g[a > 0], r"grad\s*\[\s*a\s*>"),
    _saved("relu", "sign_mask", "np.sign(a) is -1 for negative a, |a|'s derivative; ReLU's is 0 there: the mask "
           "(a > 0).", lambda a, g: g * np.sign(a), r"sign\("),
    _saved("relu", "else_input", "where a <= 0 the gradient is 0, not a: np.where(a > 0, grad, 0).",
           lambda a, g: np.where(a > 0, g, a), r"where\(.*,\s*a\s*\)"),
    _saved("relu", "relu_of_grad_and_mask", "negative gradients were dropped too: where a > 0, grad passes through "
           "whatever its sign, grad * (a > 0).", lambda a, g: np.maximum(g, 0) * (a > 0), r"grad\s*>\s*0|maximum\(\s*grad"),
    _saved("relu", "times_input", "you multiplied grad by a: the local derivative of ReLU is the 0/1 mask (a > 0), "
           "not a.", lambda a, g: g * a, r"grad\s*\*\s*a\s*$"),
    _saved("relu", "leaky", "that is the leaky ReLU's rule; the ReLU passes exactly 0 where a <= 0.",
           lambda a, g: np.where(a > 0, g, 0.01 * g), r"0?\.01"),
    _saved("relu", "two_gradients", _TWO.format(cls="ReLU"), lambda a, g: (g * (a > 0), g), r",\s*grad\s*$"),
)

_SHAPES = ([(4, 3), (1, 5), (6,), (2, 3, 4), (), (1, 1)], [(5, 2), (1, 1), (2, 3, 4), (7,), (), (3, 1, 2)])


def _inputs(op: str, rng: np.random.Generator, shape: tuple) -> np.ndarray:
    if op == "log":  # away from 0 and from 1, on both sides of 1
        return np.exp(away_from_zero(rng, shape, 0.15) * 0.8)
    if op == "sigmoid":
        return rng.uniform(-6, 6, size=shape)
    return away_from_zero(rng, shape)


def _cases(op: str) -> Callable[[np.random.Generator, bool], list[Case]]:
    def cases(rng: np.random.Generator, hidden: bool) -> list[Case]:
        out = []
        for i, shape in enumerate(_SHAPES[hidden]):
            args = {"a": _inputs(op, rng, shape), "grad": away_from_zero(rng, shape)}
            note = ""
            if i == 3:  # the learner's code must work for float32 arrays too
                args, note = {k: np.asarray(v, dtype=np.float32) for k, v in args.items()}, "float32"
            out.append(make_case(args, note=note))
        return out
    return cases


register_op("exp", _cases("exp"), EXP, frozenset({"exp"}))
register_op("log", _cases("log"), LOG, frozenset({"log"}))
register_op("sigmoid", _cases("sigmoid"), SIGMOID, frozenset())
register_op("relu", _cases("relu"), RELU, frozenset({"mask"}))
