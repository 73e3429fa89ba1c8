"""Element-wise activations: forward(x) and backward(dout, x) -> dx, any shape (``activations.sigmoid_forward``
is registered with lesson 02, where learners write it).

References are dlkit's (``F.relu``, ``F.sigmoid``, ``F.tanh`` and their autograd on float64 tensors). Cases vary
the rank (0-d to 3-d), put a 1 on each axis, include float32 inputs and, for the saturating functions, inputs
near ±900 where a naive formula overflows. Inputs stay at least 0.1 away from ReLU's kink at 0.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ...harness.guard import reference
from ...registry import STABLE_SIGMOID, Exercise, register
from .. import _dlkit
from .._common import away_from_zero, make_case
from .._draw import F32_ATOL, F32_RTOL
from .activation_mistakes import RELU_BACKWARD, RELU_FORWARD, SIGMOID_BACKWARD, TANH_BACKWARD, TANH_FORWARD

_VISIBLE = [(4, 5), (1, 3), (2, 3, 4), (6,), (3, 1)]
_HIDDEN = [(3, 7), (1, 1), (5, 2, 2), (8, 3), (), (2, 1, 3)]


def _dlkit_act(name: str, x: np.ndarray, dout: np.ndarray | None = None) -> np.ndarray:
    """dlkit's activation ``name`` on x (float64), or the gradient of its input for ``dout``."""
    import dlkit.functional as F

    t = _dlkit.tensor64(x, requires_grad=dout is not None)
    out = getattr(F, name)(t)
    if dout is None:
        return _dlkit.numpy(out)
    out.backward(_dlkit.tensor64(dout))
    return _dlkit.numpy(t.grad)


@reference("activations.relu_forward reference")
def relu_forward(x: np.ndarray) -> np.ndarray:
    """max(x, 0) element-wise: dlkit's F.relu."""
    return _dlkit_act("relu", x)


@reference("activations.relu_backward reference")
def relu_backward(dout: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dout where x > 0, else 0: dlkit's autograd of F.relu."""
    return _dlkit_act("relu", x, dout)


@reference("activations.sigmoid_backward reference")
def sigmoid_backward(dout: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dout * s * (1 - s) with s = sigmoid(x): dlkit's autograd of F.sigmoid."""
    return _dlkit_act("sigmoid", x, dout)


@reference("activations.tanh_forward reference")
def tanh_forward(x: np.ndarray) -> np.ndarray:
    """tanh(x): dlkit's F.tanh."""
    return _dlkit_act("tanh", x)


@reference("activations.tanh_backward reference")
def tanh_backward(dout: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dout * (1 - tanh(x)²): dlkit's autograd of F.tanh."""
    return _dlkit_act("tanh", x, dout)


def _cases(backward: bool, stress: bool = False, zeros: bool = False) -> Callable[[np.random.Generator, bool], list]:
    def cases(rng: np.random.Generator, hidden: bool) -> list:
        out = []
        for i, shape in enumerate(_HIDDEN if hidden else _VISIBLE):
            x = away_from_zero(rng, shape) * 2.0
            args = {"dout": rng.normal(size=shape), "x": x} if backward else {"x": x}
            note = ""
            if i == 2:  # the learner's code must work for float32 arrays too
                args, note = {k: np.asarray(v, dtype=np.float32) for k, v in args.items()}, "float32"
            out.append(make_case(args, factors={"N": shape[0]} if shape else {}, note=note))
        if stress:  # large inputs of both signs, where 1/(1+exp(-x)) or exp(x) overflows
            x = away_from_zero(rng, (3, 4)) * 900.0
            args = {"dout": rng.normal(size=x.shape), "x": x} if backward else {"x": x}
            out.append(make_case(args, stress=True, note="large |x|"))
        if zeros:  # the kink: the lesson takes ReLU's derivative at exactly 0 as 0 (the mask is z > 0), as torch does
            x = rng.integers(-2, 3, size=(4, 5)).astype(float)
            x[0, 0] = 0.0
            out.append(make_case({"dout": rng.normal(size=x.shape), "x": x}, factors={"N": 4},
                                 note="x with exact zeros"))
        return out
    return cases


_TOL = {"rtol": F32_RTOL, "atol": F32_ATOL}
register(Exercise(
    "activations.relu_forward", "relu_forward(x) -> max(x, 0)", relu_forward, _cases(False),
    blocked=("relu",), mistakes=RELU_FORWARD, **_TOL,
))
register(Exercise(
    "activations.relu_backward", "relu_backward(dout, x) -> dx", relu_backward, _cases(True, zeros=True),
    blocked=("relu",), mistakes=RELU_BACKWARD, **_TOL,
))
register(Exercise(
    "activations.sigmoid_backward", "sigmoid_backward(dout, x) -> dx", sigmoid_backward, _cases(True, stress=True),
    blocked=("sigmoid",), mistakes=SIGMOID_BACKWARD, stable=STABLE_SIGMOID, **_TOL,  # the lesson asks for no overflow
))
register(Exercise(
    "activations.tanh_forward", "tanh_forward(x) -> tanh(x)", tanh_forward, _cases(False, stress=True),
    blocked=("tanh",), mistakes=TANH_FORWARD, **_TOL,
))
register(Exercise(
    "activations.tanh_backward", "tanh_backward(dout, x) -> dx", tanh_backward, _cases(True, stress=True),
    blocked=("tanh",), mistakes=TANH_BACKWARD, **_TOL,
))
