"""Lesson 01, linear regression: the model and its loss. Textbook convention: X is (N, D), w is (D,), b a float.

The references are dlkit's ``F.linear`` and ``F.mse_loss`` on float64 tensors.
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .. import _dlkit
from .._common import make_case
from .._draw import F32_ATOL, F32_RTOL, float32, shapes

# (N, D): N = 1, D = 1, N < D, N == D (so w @ X runs), N > D; the last one float32
PREDICT_VISIBLE = [(6, 3), (1, 3), (5, 1), (4, 7), (3, 3), (7, 4)]
PREDICT_HIDDEN = [(9, 2), (1, 5), (12, 4), (2, 8), (4, 4), (6, 5)]
PREDICT_BOUNDS = [(1, 15), (1, 9)]


def model_shapes(rng: np.random.Generator, hidden: bool) -> list[tuple[int, int]]:
    """The (N, D) shapes of every lesson-01 exercise on X, w, b; the sixth is the float32 one."""
    return shapes(rng, hidden, PREDICT_VISIBLE, PREDICT_HIDDEN, PREDICT_BOUNDS)


@reference("linreg.predict reference")
def predict(X: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """X @ w + b, shape (N,): dlkit's F.linear with the weight as one output row."""
    import dlkit.functional as F

    out = F.linear(_dlkit.tensor64(X), _dlkit.tensor64(np.reshape(w, (1, -1))), _dlkit.tensor64([b]))
    return _dlkit.numpy(out)[:, 0]


def _predict_cases(rng: np.random.Generator, hidden: bool):
    cases = []
    for i, (n, d) in enumerate(model_shapes(rng, hidden)):
        args = {"X": rng.normal(size=(n, d)), "w": rng.normal(size=d), "b": float(rng.normal())}
        args = float32(args, "X", "w") if i == 5 else args
        cases.append(make_case(args, factors={"N": n, "D": d}, note="float32" if i == 5 else ""))
    return cases


_RETURN = "the return line"
_PREDICT_MISTAKES = (
    KnownMistake("missing_bias", "the bias is missing: predictions are X @ w + b.", lambda X, w, b: X @ w, _RETURN,
                 r"return"),
    KnownMistake("bias_sign", "the bias is subtracted: predictions are X @ w + b.", lambda X, w, b: X @ w - b,
                 _RETURN, r"-\s*b\b"),
    KnownMistake("bias_multiplied", "the bias multiplies the scores: it is ADDED, X @ w + b.",
                 lambda X, w, b: (X @ w) * b, _RETURN, r"\*\s*b\b"),
    KnownMistake("bias_per_feature", "b was added to X before the product ((X + b) @ w adds b·sum(w)): add it once "
                 "per example, after the product, X @ w + b.", lambda X, w, b: (X + b) @ w, _RETURN, r"X\s*\+\s*b"),
    KnownMistake("bias_added_to_w", "b was added to w before the product (X @ (w + b)); the bias is added once per "
                 "example, after it: X @ w + b.", lambda X, w, b: X @ (w + b), _RETURN, r"w\s*\+\s*b"),
    KnownMistake("operand_order", "w @ X multiplies in the wrong order (it fails unless N == D, and then it is "
                 "Xᵀw): each row of X meets w, X @ w.", lambda X, w, b: w @ X + b, "the product",
                 r"w\s*@\s*X|dot\(\s*w"),
    KnownMistake("elementwise_product", "X * w multiplies element by element and keeps an (N, D) array: each "
                 "prediction is the SUM over the features, X @ w.", lambda X, w, b: X * w + b, "the product",
                 r"X\s*\*\s*w"),
    KnownMistake("summed_everything", "the products were summed over everything into one number: sum over the "
                 "features only (axis=1), or use X @ w.", lambda X, w, b: np.sum(X * w) + b, "the sum",
                 r"sum\("),
    KnownMistake("wrong_axis", "the products were summed over the examples (axis 0): sum over the features "
                 "(axis=1), one prediction per row, or use X @ w.", lambda X, w, b: np.sum(X * w, axis=0) + b,
                 "the sum", r"axis\s*=\s*0"),
    KnownMistake("mean_not_sum", "the products were AVERAGED over the features: a prediction is their sum, "
                 "X @ w + b.", lambda X, w, b: np.mean(X * w, axis=1) + b, "the reduction", r"mean"),
    KnownMistake("column_vector", "the predictions are an (N, 1) column (w was reshaped to a column): return "
                 "shape (N,), X @ w + b with w of shape (D,).", lambda X, w, b: X @ w.reshape(-1, 1) + b,
                 "the product", r"reshape|\[\s*:\s*,\s*None"),
    KnownMistake("first_feature_only", "only the first feature is used (X[:, 0] * w[0], like the 1-D demo): use "
                 "all D features, X @ w.", lambda X, w, b: X[:, 0] * w[0] + b, "the product", r"\[\s*0\s*\]"),
)

register(Exercise(
    "linreg.predict", "predict(X, w, b) -> (N,) array: X @ w + b", predict, _predict_cases,
    outputs=(Output("y_pred"),), blocked=("linear", "matmul"), mistakes=_PREDICT_MISTAKES,
    rtol=F32_RTOL, atol=F32_ATOL,
    hints=frozenset({"matmul", "bias", "batch"}),
))

# -------------------------------------------------------------------------------------------------- mse


@reference("linreg.mse reference")
def mse(y_pred: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error, a float: dlkit's F.mse_loss."""
    import dlkit.functional as F

    return _dlkit.scalar(F.mse_loss(_dlkit.tensor64(y_pred), _dlkit.tensor64(y)))


def _mse_cases(rng: np.random.Generator, hidden: bool):
    cases = []
    sizes = shapes(rng, hidden, [(5,), (1,), (8,), (3,), (6,)], [(7,), (1,), (12,), (2,), (9,)], [(2, 20)])
    for i, (n,) in enumerate(sizes):
        y = rng.normal(size=n)
        args = {"y_pred": y + rng.normal(size=n), "y": y}
        args = float32(args, "y_pred", "y") if i == 4 else args
        cases.append(make_case(args, factors={"N": n}, note="float32" if i == 4 else ""))
    return cases


def _res(yp, y):
    return yp - y


_MSE_MISTAKES = (
    KnownMistake("missing_square", "the errors are not squared (absolute values instead): mean((y_pred - y)**2).",
                 lambda yp, y: float(np.mean(np.abs(_res(yp, y)))), "the line that averages", r"abs"),
    KnownMistake("missing_square", "the errors are not squared: mean((y_pred - y)**2), not mean(y_pred - y).",
                 lambda yp, y: float(np.mean(_res(yp, y))), "the line that averages", r"mean"),
    KnownMistake("square_of_mean", "the mean was squared instead of the errors: square each error first, then "
                 "average, mean((y_pred - y)**2).", lambda yp, y: float(np.mean(_res(yp, y)) ** 2),
                 "the line that averages", r"\)\s*\*\*\s*2"),
    KnownMistake("precedence", "y_pred - y**2 squares only y: the brackets are missing, (y_pred - y)**2.",
                 lambda yp, y: float(np.mean(yp - y ** 2)), "the squared error", r"-\s*y\s*\*\*"),
    KnownMistake("difference_of_squares", "y_pred² − y² is not (y_pred − y)²: square the DIFFERENCE.",
                 lambda yp, y: float(np.mean(yp ** 2 - y ** 2)), "the squared error", r"\*\*\s*2\s*-"),
    KnownMistake("rmse", "this is the root of the mean squared error (RMSE); the MSE has no square root.",
                 lambda yp, y: float(np.sqrt(np.mean(_res(yp, y) ** 2))), "the return line", r"sqrt"),
    KnownMistake("norm_over_n", "this is ||y_pred − y|| / N (a norm divided by N): the MSE is ||y_pred − y||² / N, "
                 "the mean of the squared errors.", lambda yp, y: float(np.linalg.norm(_res(yp, y)) / len(y)),
                 "the return line", r"norm"),
    KnownMistake("sum_not_mean", "the squared errors were SUMMED: the MSE is their mean (divide by N).",
                 lambda yp, y: float(np.sum(_res(yp, y) ** 2)), "the reduction", r"sum"),
    KnownMistake("n_minus_one", "divided by N − 1 (the sample-variance habit): the mean divides by N.",
                 lambda yp, y: np.sum(_res(yp, y) ** 2) / (len(y) - 1), "the division", r"-\s*1"),
    KnownMistake("half", "a factor 1/2 too small: that is ½·MSE (a convention some texts use to simplify the "
                 "gradient); this exercise returns the mean of the squared errors itself.",
                 lambda yp, y: float(0.5 * np.mean(_res(yp, y) ** 2)), "the return line", r"0?\.5\s*\*|\)\s*/\s*2"),
    KnownMistake("variance_of_residual", "this is the variance of the residuals (their mean is subtracted, "
                 "np.var): the MSE averages the squared residuals themselves.",
                 lambda yp, y: float(np.var(_res(yp, y))), "the return line", r"var"),
    KnownMistake("broadcast", "an (N, 1) column minus an (N,) vector broadcast to (N, N): every prediction was "
                 "compared with every target. Make both (N,).",
                 lambda yp, y: float(np.mean((yp.reshape(-1, 1) - y) ** 2)), "the difference",
                 r"reshape|None"),
    KnownMistake("no_reduction", "one squared error per example was returned: average them into one number "
                 "(np.mean) and return a float.", lambda yp, y: _res(yp, y) ** 2, "the return line", r"return"),
)

register(Exercise(
    "linreg.mse", "mse(y_pred, y) -> float: mean of the squared errors", mse, _mse_cases,
    outputs=(Output("loss", "scalar"),), blocked=("mse_loss",), mistakes=_MSE_MISTAKES,
    rtol=F32_RTOL, atol=F32_ATOL,
    hints=frozenset({"residual", "square", "batch"}),
))
