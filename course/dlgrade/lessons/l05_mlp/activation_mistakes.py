"""Known mistakes of the element-wise activations, with the line each one is written on.

Sources: lesson 05's own pitfalls (the mask x > 0, σ' written with σ, the ±900 inputs), lesson 04's sigmoid
gate, cs231n's ReLU layer (the mask taken from the gradient, a boolean index instead of a mask, np.max for
np.maximum), and the slips of writing a formula out (brackets, a sign, tan for tanh, exp overflowing).
"""
from __future__ import annotations

import numpy as np

from ...registry import KnownMistake


def _sig(x: np.ndarray) -> np.ndarray:
    """The sigmoid without overflow, for building the mistakes."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x)))


def _naive(f):
    """``f`` with numpy's overflow warnings silenced: a mistake's inf or nan is its output, not a message."""
    def compute(*args):
        with np.errstate(all="ignore"):
            return f(*args)
    return compute


def _m(code: str, message: str, f, look_for: str, look_at: str = "the line that computes the result") -> KnownMistake:
    return KnownMistake(code, message, _naive(f), look_at, look_for)


_INT = "the result is an integer array, so the fractions were cut off: build it as floats (np.zeros_like(x), " \
    "not dtype=int or .astype(int))."
_LOCAL = "you returned only the local derivative: multiply it by the upstream gradient dout (chain rule)."
_IN_NOT_OUT = "you used x where the formula needs the activation's output: the derivative is written in terms " \
    "of {f}(x), so compute it first."

RELU_FORWARD = (
    _m("np_max", "np.max(x, 0) is the largest entry along axis 0 (a reduction); the element-wise max with 0 is "
       "np.maximum(x, 0).", lambda x: np.max(x, 0), r"np\.max\("),
    _m("min_not_max", "np.minimum keeps the negative part: ReLU keeps the positive part, np.maximum(x, 0).",
       lambda x: np.minimum(x, 0), r"minimum"),
    _m("abs", "|x| flips the negative entries up; ReLU sets them to 0: np.maximum(x, 0).", np.abs, r"abs\("),
    _m("doubled", "(x + |x|) is twice the ReLU: halve it, (x + |x|) / 2, or use np.maximum(x, 0).",
       lambda x: x + np.abs(x), r"x\s*\+\s*(?:np\.)?abs\("),
    _m("leaky", "that is the leaky ReLU (a small slope for x < 0); the ReLU gives exactly 0 there.",
       lambda x: np.where(x > 0, x, 0.01 * x), r"0?\.01|leak"),
    _m("returns_mask", "you returned the mask (x > 0), the ReLU's DERIVATIVE; the ReLU itself is x where x > 0 "
       "and 0 elsewhere: x * (x > 0) or np.maximum(x, 0).", lambda x: x > 0,
       r"return\s+\(?\s*x\s*>\s*0\s*\)?(?:\.astype\(\s*float\s*\))?\s*$"),
    _m("int_buffer", _INT, lambda x: np.maximum(x, 0).astype(int), r"dtype\s*=\s*int|astype\(\s*int"),
    _m("clipped", "np.clip(x, 0, 1) also caps the positive part at 1; the ReLU has no upper limit: "
       "np.maximum(x, 0).", lambda x: np.clip(x, 0, 1), r"clip\("),
    _m("python_max", "Python's max(0, x) compares whole arrays (and fails on more than one element): use numpy's "
       "element-wise np.maximum(x, 0).", lambda x: max(0, x), r"(?<![\w.'\"])max\("),
    _m("identity", "x came back unchanged: the ReLU sets the negative entries to 0.", lambda x: x,
       r"return\s+x\s*$"),
    _m("boolean_index", "x[x > 0] picks out the positive entries as a flat list; the ReLU keeps the shape and "
       "puts 0 at the others: np.maximum(x, 0) or np.where(x > 0, x, 0).", lambda x: x[x > 0], r"x\s*\[\s*x\s*>"),
    _m("negated", "the ReLU of -x keeps the negative part with its sign flipped: ReLU is np.maximum(x, 0).",
       lambda x: np.maximum(-x, 0), r"-\s*x\b"),
)

RELU_BACKWARD = (
    _m("times_relu", "you multiplied by relu(x) instead of the 0/1 mask (x > 0): the local derivative of ReLU is "
       "1 where x > 0, not x.", lambda dout, x: dout * np.maximum(x, 0), r"maximum\(\s*x|maximum\(\s*0\s*,\s*x"),
    _m("inverted", "the mask is inverted: the gradient flows where x > 0.", lambda dout, x: dout * (x < 0),
       r"x\s*<\s*=?\s*0"),
    _m("no_mask", "the gradient passed through unchanged: multiply dout by the mask (x > 0), so it stops where "
       "the ReLU gave 0.", lambda dout, x: dout, r"return\s+dout\s*$"),
    _m("local_only", _LOCAL + " The ReLU's is the mask (x > 0).", lambda dout, x: (x > 0).astype(float),
       r"return\s+\(?\s*x\s*>\s*0"),
    _m("relu_of_grad", "the mask must come from the INPUT x, not from the gradient: ReLU passes dout through "
       "where x > 0, whatever the sign of dout.", lambda dout, x: np.maximum(dout, 0), r"maximum\(\s*dout"),
    _m("times_input", "you multiplied dout by x: the local derivative of ReLU is the 0/1 mask (x > 0), not x.",
       lambda dout, x: dout * x, r"dout\s*\*\s*x\s*$"),
    _m("boolean_index", "dout[x > 0] picks the entries out as a flat list; the gradient keeps x's shape with 0 "
       "where x <= 0: dout * (x > 0).", lambda dout, x: dout[x > 0], r"dout\s*\[\s*x\s*>"),
    _m("relu_of_grad_and_mask", "negative gradients were dropped too: where x > 0, dout passes through whatever "
       "its sign, dout * (x > 0).", lambda dout, x: np.maximum(dout, 0) * (x > 0), r"dout\s*>\s*0|maximum\(\s*dout"),
    _m("sign_mask", "np.sign(x) is -1 for negative x, which is |x|'s derivative; ReLU's is 0 there: the mask "
       "(x > 0).", lambda dout, x: dout * np.sign(x), r"sign\("),
    _m("else_x", "where x <= 0 the gradient is 0, not x: np.where(x > 0, dout, 0).",
       lambda dout, x: np.where(x > 0, dout, x), r"where\(.*,\s*x\s*\)"),
    _m("summed_batch", "the gradient was summed: dx has x's shape, one entry per element of x.",
       lambda dout, x: (dout * (x > 0)).sum(axis=0), r"\.sum\(|np\.sum\("),
    _m("int_buffer", _INT, lambda dout, x: (dout * (x > 0)).astype(int), r"dtype\s*=\s*int|astype\(\s*int"),
    _m("mask_at_zero", "where x is exactly 0 your gradient passes dout through: the lesson takes ReLU's derivative "
       "at 0 as 0 (1 where x > 0, 0 elsewhere, as PyTorch does), so the mask is x > 0, not x >= 0.",
       lambda dout, x: dout * (x >= 0), r">=\s*0|<\s*0\s*\]\s*=\s*0"),
)

SIGMOID_BACKWARD = (
    _m("missing_factor", "the factor (1 - s) is missing: the derivative of sigmoid is s * (1 - s).",
       lambda dout, x: dout * _sig(x), r"dout\s*\*\s*s\s*$"),
    _m("missing_factor", "the factor s is missing: the derivative of sigmoid is s * (1 - s).",
       lambda dout, x: dout * (1 - _sig(x)), r"dout\s*\*\s*\(\s*1\s*-\s*s\s*\)\s*$"),
    _m("input_not_output", _IN_NOT_OUT.format(f="sigmoid"), lambda dout, x: dout * x * (1 - x),
       r"x\s*\*\s*\(\s*1\s*-\s*x"),
    _m("local_only", _LOCAL, lambda dout, x: _sig(x) * (1 - _sig(x)), r"return\s+s\s*\*"),
    _m("sign", "wrong sign: s * (1 - s) is positive (the sigmoid only goes up), you have s * (s - 1).",
       lambda dout, x: dout * _sig(x) * (_sig(x) - 1), r"s\s*-\s*1"),
    _m("exp_form", "exp(-x) / (1 + exp(-x))² is right on paper but gives inf/inf = nan for very negative x: "
       "compute s with the stable sigmoid and return dout * s * (1 - s).",
       lambda dout, x: dout * np.exp(-x) / (1 + np.exp(-x)) ** 2, r"exp\(\s*-\s*x\s*\)\s*/"),
    _m("unstable_ratio", "s = exp(x) / (1 + exp(x)) gives inf/inf = nan for very positive x: use exp(x) / (1 + "
       "exp(x)) only where x < 0 and 1 / (1 + exp(-x)) where x >= 0 (np.where).",
       lambda dout, x: dout * (np.exp(x) / (1 + np.exp(x))) * (1 - np.exp(x) / (1 + np.exp(x))),
       r"exp\(\s*x\s*\)\s*/"),
    _m("tanh_rule", "that is tanh's derivative (1 - t²); the sigmoid's is s * (1 - s).",
       lambda dout, x: dout * (1 - _sig(x) ** 2), r"1\s*-\s*s\s*\*\*\s*2"),
    _m("precedence", "operator precedence: `dout * s * 1 - s` is (dout·s) − s. Bracket the factor: "
       "dout * s * (1 - s).", lambda dout, x: dout * _sig(x) * 1 - _sig(x), r"\*\s*1\s*-\s*s"),
    _m("tanh_derivative", "you used tanh instead of the sigmoid: s = sigmoid(x), and dx = dout * s * (1 - s).",
       lambda dout, x: dout * (1 - np.tanh(x) ** 2), r"tanh"),
    _m("times_input", "the chain rule was applied once too often (a factor x): dx = dout * s * (1 - s).",
       lambda dout, x: dout * _sig(x) * (1 - _sig(x)) * x, r"\*\s*x\s*$"),
    _m("sigmoid_of_dout", "s must be the sigmoid of the INPUT x, not of the gradient dout.",
       lambda dout, x: dout * _sig(dout) * (1 - _sig(dout)), r"dout\s*\)"),
)

TANH_FORWARD = (
    _m("sign", "wrong sign: tanh(-x) = -tanh(x); the forward pass is tanh(x).", lambda x: np.tanh(-x),
       r"tanh\(\s*-"),
    _m("halved", "half of tanh: tanh(x) = 2·σ(2x) − 1 with no further division.", lambda x: np.tanh(x) / 2,
       r"/\s*2"),
    _m("typo_denominator", "the denominator is e^x + e^-x (a minus sign in the second exponent): tanh = "
       "(e^x − e^-x)/(e^x + e^-x), or simply np.tanh(x).",
       lambda x: (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(x)), r"exp\(\s*x\s*\)\s*\+\s*np\.exp\(\s*x"),
    _m("sigmoid", "that is the sigmoid 1 / (1 + e^-x), between 0 and 1; tanh is between -1 and 1: np.tanh(x) "
       "or 2·σ(2x) − 1.", _sig, r"1\s*/\s*\(\s*1\s*\+"),
    _m("sigmoid_2x", "σ(2x) must still be stretched to (-1, 1): tanh(x) = 2·σ(2x) − 1.", lambda x: _sig(2 * x),
       r"2\s*\*\s*x"),
    _m("half_argument", "2·σ(x) − 1 is tanh(x/2): the sigmoid's argument is 2x, tanh(x) = 2·σ(2x) − 1.",
       lambda x: 2 * _sig(x) - 1, r"2\s*\*"),
    _m("overflow", "(e^x − e^-x)/(e^x + e^-x) gives inf/inf = nan for |x| near 900: use np.tanh(x), which never "
       "overflows.", lambda x: (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x)), r"exp\(|sinh|cosh"),
    _m("derivative", "you returned tanh's derivative 1 − tanh²; the forward pass is tanh(x) itself.",
       lambda x: 1 - np.tanh(x) ** 2, r"1\s*-\s*np\.tanh"),
    _m("abs", "tanh of |x| loses the sign: tanh is odd, tanh(-x) = -tanh(x); use np.tanh(x).",
       lambda x: np.tanh(np.abs(x)), r"abs"),
    _m("tan", "np.tan is the trigonometric tangent; the hyperbolic tangent is np.tanh.", np.tan, r"\btan\("),
    _m("clipped", "np.clip(x, -1, 1) is the 'hard tanh', straight lines; tanh is the smooth curve np.tanh(x).",
       lambda x: np.clip(x, -1, 1), r"clip"),
    _m("identity", "x came back unchanged: return np.tanh(x).", lambda x: x, r"return\s+x\s*$"),
)

TANH_BACKWARD = (
    _m("input_not_output", _IN_NOT_OUT.format(f="tanh"), lambda dout, x: dout * (1 - x ** 2), r"x\s*\*\*\s*2"),
    _m("missing_square", "the derivative of tanh is 1 - tanh(x)**2: the square is missing.",
       lambda dout, x: dout * (1 - np.tanh(x)), r"1\s*-\s*(?:np\.tanh\(x\)|t)\s*\)"),
    _m("local_only", _LOCAL, lambda dout, x: 1 - np.tanh(x) ** 2, r"return\s+1\s*-"),
    _m("sign", "wrong sign: 1 - tanh² is positive (tanh only goes up); you have tanh² - 1.",
       lambda dout, x: dout * (np.tanh(x) ** 2 - 1), r"\*\*\s*2\s*-\s*1"),
    _m("doubled", "a factor 2 too many: d tanh/dx = 1 - tanh², with no 2 (the 2 of the square belongs to the "
       "derivative OF tanh², which is not needed here).", lambda dout, x: 2 * dout * (1 - np.tanh(x) ** 2),
       r"2\s*\*"),
    _m("sigmoid_rule", "t(1 - t) is the sigmoid's rule; tanh's is 1 - t².", lambda dout, x: dout * np.tanh(x) *
       (1 - np.tanh(x)), r"t\s*\*\s*\(\s*1\s*-\s*t\s*\)"),
    _m("precedence", "operator precedence: `dout * 1 - t**2` is dout − t². Bracket it: dout * (1 - t**2).",
       lambda dout, x: dout * 1 - np.tanh(x) ** 2, r"\*\s*1\s*-"),
    _m("times_input", "the chain rule was applied once too often (a factor x): dx = dout * (1 - tanh(x)²).",
       lambda dout, x: dout * x * (1 - np.tanh(x) ** 2), r"\*\s*x\s*\*|\*\s*x\s*$"),
    _m("times_output", "you multiplied by tanh(x) itself: the derivative is 1 - tanh(x)², not tanh(x).",
       lambda dout, x: dout * np.tanh(x), r"dout\s*\*\s*(?:np\.tanh\(x\)|t)\s*$"),
    _m("plus_square", "the derivative is 1 MINUS tanh², not 1 + tanh² (that would be the tangent's).",
       lambda dout, x: dout * (1 + np.tanh(x) ** 2), r"1\s*\+"),
    _m("square_outside", "the square belongs to tanh alone: (1 - tanh²), not (1 - tanh)².",
       lambda dout, x: dout * (1 - np.tanh(x)) ** 2, r"\)\s*\*\*\s*2"),
    _m("overflow", "tanh written with exponentials gives inf/inf = nan for |x| near 900: use np.tanh(x), which "
       "never overflows.", lambda dout, x: dout * (1 - ((np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))) ** 2),
       r"exp\("),
)
