"""Element-wise activations: forward(x) and backward(dout, x) -> dx, any shape (``activations.sigmoid_forward``
is registered with lesson 02, where learners write it)."""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, register
from .._common import away_from_zero, make_case, pick

_SHAPES = ([(4, 5), (1, 3), (2, 3, 4), (6,)], [(3, 7), (1, 1), (5, 2, 2), (8, 3)])


@reference("sigmoid helper")
def _stable_sigmoid(x: np.ndarray) -> np.ndarray:
    # exp of a non-positive number only, so neither branch overflows
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


@reference("activations.relu_forward reference")
def relu_forward(x: np.ndarray) -> np.ndarray:
    """max(x, 0) element-wise."""
    return np.maximum(x, 0.0)


@reference("activations.relu_backward reference")
def relu_backward(dout: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dout where x > 0, else 0."""
    return dout * (x > 0)


@reference("activations.sigmoid_backward reference")
def sigmoid_backward(dout: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dout * s * (1 - s) with s = sigmoid(x)."""
    s = _stable_sigmoid(x)
    return dout * s * (1.0 - s)


@reference("activations.tanh_forward reference")
def tanh_forward(x: np.ndarray) -> np.ndarray:
    """tanh(x)."""
    return np.tanh(x)


@reference("activations.tanh_backward reference")
def tanh_backward(dout: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dout * (1 - tanh(x)²)."""
    return dout * (1.0 - np.tanh(x) ** 2)


def _cases(rng: np.random.Generator, hidden: bool, backward: bool, stress: bool = False):
    cases = []
    for shape in pick(*_SHAPES, hidden):
        x = away_from_zero(rng, shape) * 2.0
        args = {"dout": rng.normal(size=shape), "x": x} if backward else {"x": x}
        cases.append(make_case(args, factors={"N": shape[0]}))
    if stress:  # large inputs, where 1/(1+exp(-x)) overflows
        x = away_from_zero(rng, (3, 4)) * 900.0
        args = {"dout": rng.normal(size=x.shape), "x": x} if backward else {"x": x}
        cases.append(make_case(args, stress=True, note="large |x|"))
    return cases


_INPUT_NOT_OUTPUT = ("you used x where the formula needs the activation's output: the derivative is "
                     "written in terms of {f}(x), so compute it first.")

register(Exercise(
    "activations.relu_forward", "relu_forward(x) -> max(x, 0)", relu_forward,
    lambda r, h: _cases(r, h, False), blocked=("relu",),
))
register(Exercise(
    "activations.relu_backward", "relu_backward(dout, x) -> dx", relu_backward,
    lambda r, h: _cases(r, h, True), blocked=("relu",),
    mistakes=(KnownMistake("wrong_mask", "you multiplied by relu(x) instead of the 0/1 mask (x > 0): "
                           "the local derivative of ReLU is 1 where x > 0, not x.",
                           lambda dout, x: dout * np.maximum(x, 0)),
              KnownMistake("wrong_mask", "the mask is inverted: the gradient flows where x > 0.",
                           lambda dout, x: dout * (x < 0))),
))
register(Exercise(
    "activations.sigmoid_backward", "sigmoid_backward(dout, x) -> dx", sigmoid_backward,
    lambda r, h: _cases(r, h, True, stress=True), blocked=("sigmoid",),
    mistakes=(
        KnownMistake("missing_factor", "a factor is missing: the derivative of sigmoid is s * (1 - s).",
                     lambda dout, x: dout * _stable_sigmoid(x)),
        KnownMistake("missing_factor", "a factor is missing: the derivative of sigmoid is s * (1 - s).",
                     lambda dout, x: dout * (1 - _stable_sigmoid(x))),
        KnownMistake("input_not_output", _INPUT_NOT_OUTPUT.format(f="sigmoid"), lambda dout, x: dout * x * (1 - x)),
    ),
))
register(Exercise(
    "activations.tanh_forward", "tanh_forward(x) -> tanh(x)", tanh_forward,
    lambda r, h: _cases(r, h, False), blocked=("tanh",),
))
register(Exercise(
    "activations.tanh_backward", "tanh_backward(dout, x) -> dx", tanh_backward,
    lambda r, h: _cases(r, h, True), blocked=("tanh",),
    mistakes=(
        KnownMistake("input_not_output", _INPUT_NOT_OUTPUT.format(f="tanh"), lambda dout, x: dout * (1 - x ** 2)),
        KnownMistake("missing_square", "the derivative of tanh is 1 - tanh(x)**2: the square is missing.",
                     lambda dout, x: dout * (1 - np.tanh(x))),
    ),
))
