"""Dropout (inverted, with a given keep-mask) and batch normalisation (training mode).

- dropout: ``mask`` is a boolean array, True where a unit is kept; ``p`` is the drop
  probability, so kept units are scaled by 1/(1 − p) (PyTorch's convention).
- batch norm: x is (N, D); statistics over the batch axis, biased variance (divide by N),
  ``out = gamma · (x − mean)/sqrt(var + eps) + beta``.
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .._common import make_case, pick

_SHAPES = ([(4, 5), (1, 3), (2, 3, 2)], [(6, 2), (1, 7), (3, 4, 2), (5,)])
_BN_SHAPES = ([(6, 3), (4, 1), (8, 5)], [(10, 2), (3, 4), (7, 6), (2, 3)])


@reference("regularization.dropout_forward reference")
def dropout_forward(x, mask, p):
    """x · mask / (1 − p)."""
    return x * mask / (1.0 - p)


@reference("regularization.dropout_backward reference")
def dropout_backward(dout, mask, p):
    """dout · mask / (1 − p)."""
    return dout * mask / (1.0 - p)


@reference("batchnorm helper")
def _bn_parts(x, eps):
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    std = np.sqrt(var + eps)
    return (x - mu) / std, std


@reference("regularization.batchnorm_forward reference")
def batchnorm_forward(x, gamma, beta, eps):
    """gamma · (x − mean) / sqrt(var + eps) + beta, statistics over axis 0."""
    xhat, _ = _bn_parts(x, eps)
    return gamma * xhat + beta


@reference("regularization.batchnorm_backward reference")
def batchnorm_backward(dout, x, gamma, eps):
    """(dx, dgamma, dbeta) of batchnorm_forward."""
    xhat, std = _bn_parts(x, eps)
    dxhat = dout * gamma
    dx = (dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0)) / std
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


def _dropout_cases(rng: np.random.Generator, hidden: bool, backward: bool):
    cases = []
    for i, shape in enumerate(pick(*_SHAPES, hidden)):
        p = [0.25, 0.5, 0.4, 0.3][i % 4]
        mask = rng.random(shape) >= p
        mask.flat[0], mask.flat[-1] = True, False  # both kept and dropped units in every case
        first = {"dout": rng.normal(size=shape)} if backward else {"x": rng.normal(size=shape)}
        cases.append(make_case({**first, "mask": mask, "p": p}, factors={"N": shape[0]}))
    return cases


def _bn_cases(rng: np.random.Generator, hidden: bool, backward: bool):
    cases = []
    for n, d in pick(*_BN_SHAPES, hidden):
        x = rng.normal(size=(n, d)) * rng.uniform(0.5, 3.0, d) + rng.normal(size=d)
        args = {"x": x, "gamma": rng.uniform(0.5, 2.0, d) * rng.choice([-1, 1], d)}
        if backward:
            args = {"dout": rng.normal(size=(n, d)), **args}
        else:
            args["beta"] = rng.normal(size=d)
        args["eps"] = 0.1  # large enough that where eps goes shows in the numbers
        cases.append(make_case(args, factors={"N": n, "D": d}))
    return cases


_RESCALE = "kept units must be scaled by 1/(1 − p) (inverted dropout), so the expected value is unchanged."

register(Exercise(
    "regularization.dropout_forward", "dropout_forward(x, mask (bool, True = keep), p) -> x * mask / (1 - p)",
    dropout_forward, lambda r, h: _dropout_cases(r, h, False), blocked=("dropout",),
    mistakes=(
        KnownMistake("missing_rescale", _RESCALE, lambda x, m, p: x * m),
        KnownMistake("missing_rescale", _RESCALE + " Multiply by 1/(1 − p), not by (1 − p).", lambda x, m, p: x * m * (1 - p)),
        KnownMistake("wrong_keep_prob", "p is the probability of dropping a unit: divide by the keep probability 1 − p.",
                     lambda x, m, p: x * m / p),
        KnownMistake("inverted_mask", "the mask is inverted: True means keep.", lambda x, m, p: x * ~m / (1 - p)),
    ),
))
register(Exercise(
    "regularization.dropout_backward", "dropout_backward(dout, mask, p) -> dx", dropout_backward,
    lambda r, h: _dropout_cases(r, h, True), blocked=("dropout",),
    mistakes=(
        KnownMistake("missing_rescale", _RESCALE + " The backward pass scales by the same 1/(1 − p).",
                     lambda d, m, p: d * m),
        KnownMistake("wrong_keep_prob", "p is the probability of dropping a unit: divide by 1 − p.",
                     lambda d, m, p: d * m / p),
        KnownMistake("inverted_mask", "the mask is inverted: True means keep.", lambda d, m, p: d * ~m / (1 - p)),
    ),
))


def _bn_unbiased(x, gamma, beta, eps):
    return gamma * (x - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + eps) + beta


def _bn_dx_no_mean_paths(dout, x, gamma, eps):
    xhat, std = _bn_parts(x, eps)
    return dout * gamma / std, (dout * xhat).sum(0), dout.sum(0)


def _bn_dx_no_var_path(dout, x, gamma, eps):
    xhat, std = _bn_parts(x, eps)
    dxhat = dout * gamma
    return (dxhat - dxhat.mean(0)) / std, (dout * xhat).sum(0), dout.sum(0)


def _bn_dx_no_mean_path(dout, x, gamma, eps):
    xhat, std = _bn_parts(x, eps)
    dxhat = dout * gamma
    return (dxhat - xhat * (dxhat * xhat).mean(0)) / std, (dout * xhat).sum(0), dout.sum(0)


_MISSING = ("a term of the gradient is missing: x reaches the output through three paths — "
            "directly, through the mean and through the variance — and dx sums all three.")

register(Exercise(
    "regularization.batchnorm_forward", "batchnorm_forward(x (N, D), gamma (D,), beta (D,), eps) -> (N, D)",
    batchnorm_forward, lambda r, h: _bn_cases(r, h, False), blocked=("batch_norm", "batchnorm"),
    mistakes=(
        KnownMistake("unbiased_variance", "batch norm uses the biased variance (divide by N): "
                     "x.var(axis=0), not ddof=1.", _bn_unbiased),
        KnownMistake("wrong_axis", "the statistics are per feature, over the batch (axis=0), not per example.",
                     lambda x, g, b, eps: g * (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + eps) + b),
        KnownMistake("wrong_axis", "the statistics are per feature, over the batch (axis=0), not over the whole array.",
                     lambda x, g, b, eps: g * (x - x.mean()) / np.sqrt(x.var() + eps) + b),
        KnownMistake("eps_placement", "eps goes inside the square root: sqrt(var + eps).",
                     lambda x, g, b, eps: g * (x - x.mean(0)) / (np.sqrt(x.var(0)) + eps) + b),
        KnownMistake("missing_sqrt", "divide by the standard deviation sqrt(var + eps), not the variance.",
                     lambda x, g, b, eps: g * (x - x.mean(0)) / (x.var(0) + eps) + b),
    ),
))
register(Exercise(
    "regularization.batchnorm_backward", "batchnorm_backward(dout (N, D), x (N, D), gamma (D,), eps) -> (dx, dgamma, dbeta)",
    batchnorm_backward, lambda r, h: _bn_cases(r, h, True),
    outputs=(Output("dx"), Output("dgamma"), Output("dbeta")), blocked=("batch_norm", "batchnorm"),
    mistakes=(
        KnownMistake("missing_term", _MISSING, _bn_dx_no_mean_paths),
        KnownMistake("missing_term", _MISSING, _bn_dx_no_var_path),
        KnownMistake("missing_term", _MISSING, _bn_dx_no_mean_path),
        KnownMistake("swapped", "dgamma and dbeta are swapped: dgamma = Σ dout·x̂, dbeta = Σ dout.",
                     lambda d, x, g, eps: (batchnorm_backward(d, x, g, eps)[0], d.sum(0), (d * _bn_parts(x, eps)[0]).sum(0))),
    ),
))
