"""The gradient of the mean squared error with respect to the predictions, any shape: dlkit's autograd through
F.mse_loss (registered with the losses; no lesson grades it yet)."""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, register
from .. import _dlkit
from .._common import make_case, pick


@reference("losses.mse_backward reference")
def mse_backward(y_pred: np.ndarray, y: np.ndarray) -> np.ndarray:
    """d mean((y_pred − y)²) / d y_pred = 2 (y_pred − y) / y_pred.size, by dlkit's autograd."""
    import dlkit.functional as F

    yp = _dlkit.tensor64(y_pred, requires_grad=True)
    F.mse_loss(yp, _dlkit.tensor64(y)).backward()
    return _dlkit.numpy(yp.grad)


def _cases(rng: np.random.Generator, hidden: bool):
    cases = []
    for shape in pick([(5,), (1,), (4, 3), (2, 6)], [(7,), (3, 2), (1, 4), (6, 1)], hidden):
        y = rng.normal(size=shape)
        k = int(np.prod(shape[1:])) if len(shape) > 1 else 1
        cases.append(make_case({"y_pred": y + rng.normal(size=shape), "y": y},
                               factors={"N": shape[0], "K": k, "size": int(np.prod(shape))}))
    return cases


def _r(yp, y):
    return yp - y


_LINE = "the line that builds the gradient"
_MISTAKES = (
    KnownMistake("missing_two", "half the gradient: the derivative of a square brings a factor 2, "
                 "2 (y_pred − y) / size.", lambda yp, y: _r(yp, y) / yp.size, _LINE, r"/"),
    KnownMistake("missing_mean", "the gradient is `size` times too large: the loss is a MEAN over every entry, so "
                 "divide by y_pred.size.", lambda yp, y: 2.0 * _r(yp, y), _LINE, r"return"),
    KnownMistake("divided_by_rows", "divided by the number of rows (shape[0]): the mean runs over every ENTRY, "
                 "so divide by y_pred.size.", lambda yp, y: 2.0 * _r(yp, y) / yp.shape[0], _LINE,
                 r"shape\[\s*0\s*\]|len\("),
    KnownMistake("sign", "the gradient has the wrong sign: it is 2 (y_pred − y) / size (prediction minus target).",
                 lambda yp, y: -2.0 * _r(yp, y) / yp.size, _LINE, r"y\s*-\s*y_pred"),
    KnownMistake("squared_residual", "the residual was squared: the derivative of r² is 2r, not r².",
                 lambda yp, y: 2.0 * _r(yp, y) ** 2 / yp.size, _LINE, r"\*\*\s*2"),
    KnownMistake("returns_loss", "this is the loss, one number: return its gradient, an array of y_pred's shape.",
                 lambda yp, y: float(np.mean(_r(yp, y) ** 2)), "the return line", r"mean"),
    KnownMistake("residual_only", "the residual alone is not the gradient: scale it by 2 / y_pred.size.",
                 _r, _LINE, r"return"),
)

register(Exercise(
    "losses.mse_backward", "mse_backward(y_pred, y) -> d mean((y_pred - y)**2) / d y_pred", mse_backward,
    _cases, blocked=("mse_loss",), mistakes=_MISTAKES,
    hints=frozenset({"residual", "square", "batch"}),
))
