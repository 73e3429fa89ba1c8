"""Lesson 10, layer normalization of x (N, D), statistics per example (over the D features of each row):

    x̂ = (x − mean) / sqrt(var + eps)  (biased variance, over axis 1),   out = gamma·x̂ + beta,  gamma, beta (D,)

- layernorm.forward(x, gamma, beta, eps) -> (N, D): dlkit's F.layer_norm(x, (D,), gamma, beta, eps).
- layernorm.backward(dout, x, gamma, eps) -> (dx, dgamma, dbeta): the gradients of sum(out · dout), by dlkit's
  autograd through F.layer_norm. With dx̂ = dout·gamma and means over each row:
  dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) / sqrt(var + eps); dgamma = Σ_rows dout·x̂; dbeta = Σ_rows dout.

The cases have N ≠ D (and one N == D), a single example, a large eps (0.1, so where it goes shows) and rows of
different scales, so a statistic taken over the wrong axis shows.
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .. import _dlkit
from .._common import make_case
from .._draw import drawn

_SHAPES = ([(4, 6), (1, 5), (5, 3), (4, 4)], [(3, 7), (1, 4), (6, 2), (5, 5)])
_BLOCKED = ("layer_norm", "layernorm", "batch_norm", "batchnorm")


def _layer_norm(x, gamma, beta, eps, dout=None):
    """dlkit's layer norm on float64 tensors: the output, or the three gradients of sum(out · dout)."""
    import dlkit.functional as F

    xt, g, b = (_dlkit.tensor64(a, requires_grad=dout is not None) for a in (x, gamma, beta))
    out = F.layer_norm(xt, (np.shape(x)[1],), g, b, eps)
    if dout is None:
        return _dlkit.numpy(out)
    out.backward(_dlkit.tensor64(dout))
    return _dlkit.numpy(xt.grad), _dlkit.numpy(g.grad), _dlkit.numpy(b.grad)


@reference("layernorm.forward reference")
def layernorm_forward(x, gamma, beta, eps):
    """gamma · (x − mean) / sqrt(var + eps) + beta, statistics over axis 1: dlkit's F.layer_norm."""
    return _layer_norm(x, gamma, beta, eps)


@reference("layernorm.backward reference")
def layernorm_backward(dout, x, gamma, eps):
    """(dx, dgamma, dbeta) of layernorm_forward, by dlkit's autograd."""
    return _layer_norm(x, gamma, np.zeros_like(np.asarray(gamma, dtype=np.float64)), eps, dout)


def _cases(rng: np.random.Generator, hidden: bool, backward: bool) -> list:
    cases = []
    shapes = _SHAPES[1] + drawn(rng, 1, [(2, 9), (2, 9)]) if hidden else _SHAPES[0]  # hidden: one shape drawn
    for n, d in shapes:
        # rows of different scales and offsets, so per-row and per-column statistics differ
        x = rng.normal(size=(n, d)) * rng.uniform(0.5, 3.0, size=(n, 1)) + rng.normal(size=(n, 1))
        args = {"x": x, "gamma": rng.uniform(0.5, 2.0, d) * rng.choice([-1, 1], d)}
        if backward:
            args = {"dout": rng.normal(size=(n, d)), **args}
        else:
            args["beta"] = rng.normal(size=d)
        args["eps"] = 0.1
        note = "N == D" if n == d else ""
        cases.append(make_case(args, factors={"N": n, "D": d}, note=note))
    return cases


def _stats(x, axis=1, ddof=0, eps=0.0, where="inside", root=True):
    """(mean, scale) of x over ``axis``: scale is sqrt(var + eps) with the catalogued variations."""
    keep = axis is not None
    mu = x.mean(axis=axis, keepdims=keep)
    var = x.var(axis=axis, ddof=ddof, keepdims=keep)
    if not root:
        return mu, var + eps
    return mu, (np.sqrt(var) + eps if where == "outside" else np.sqrt(var + eps))


def _forward_with(axis=1, ddof=0, where="inside", root=True, use_eps=True, center=True, affine="both",
                  keepdims=True):
    def run(x, gamma, beta, eps):
        if not keepdims:  # (N,) statistics against (N, D): numpy refuses unless N == D
            return gamma * (x - x.mean(axis=1)) / np.sqrt(x.var(axis=1) + eps) + beta
        mu, scale = _stats(x, axis, ddof, eps if use_eps else 0.0, where, root)
        xhat = ((x - mu) if center else x) / scale
        if affine == "none":
            return xhat
        if affine == "no_beta":
            return gamma * xhat
        if affine == "swapped":
            return beta * xhat + gamma
        return gamma * xhat + beta
    return run


_NORM, _AFFINE = "the line that normalises x", "the line with gamma and beta"
_FORWARD_MISTAKES = (
    KnownMistake("batch_axis", "the statistics were taken over the batch (axis=0, per feature): that is batch norm. "
                 "Layer norm normalises each EXAMPLE over its own features, axis=1.", _forward_with(axis=0), _NORM,
                 r"axis\s*=\s*0"),
    KnownMistake("whole_array", "the statistics were taken over the whole array: layer norm takes them per example, "
                 "over each row (axis=1, keepdims=True).", _forward_with(axis=None), _NORM, r"mean\(\s*\)|var\(\s*\)"),
    KnownMistake("unbiased_variance", "layer norm uses the biased variance (divide by D): x.var(axis=1), not ddof=1.",
                 _forward_with(ddof=1), _NORM, r"ddof"),
    KnownMistake("eps_placement", "eps goes inside the square root: sqrt(var + eps).", _forward_with(where="outside"),
                 _NORM, r"sqrt\([^)]*\)\s*\+\s*eps|std\("),
    KnownMistake("missing_sqrt", "divide by the standard deviation sqrt(var + eps), not the variance.",
                 _forward_with(root=False), _NORM, r"var\("),
    KnownMistake("eps_missing", "eps is missing: divide by sqrt(var + eps), which stays away from 0 even for a row "
                 "of equal values.", _forward_with(use_eps=False), _NORM, r"sqrt\("),
    KnownMistake("not_centred", "the mean was not subtracted: x̂ = (x − mean) / sqrt(var + eps).",
                 _forward_with(center=False), _NORM, r"/\s*np\.sqrt"),
    KnownMistake("no_affine", "gamma and beta are missing: return gamma · x̂ + beta (the layer learns the scale and "
                 "shift it wants).", _forward_with(affine="none"), _AFFINE, r"return"),
    KnownMistake("no_beta", "beta is missing: return gamma · x̂ + beta.", _forward_with(affine="no_beta"), _AFFINE,
                 r"return"),
    KnownMistake("gamma_beta_swapped", "gamma and beta are swapped: gamma SCALES x̂ and beta SHIFTS it, "
                 "gamma · x̂ + beta.", _forward_with(affine="swapped"), _AFFINE, r"beta\s*\*"),
    KnownMistake("keepdims_missing", "the row statistics have shape (N,) and broadcast against the columns (this "
                 "fails unless N == D): keep them as a column, x.mean(axis=1, keepdims=True).",
                 _forward_with(keepdims=False), _NORM, r"axis\s*=\s*1\s*\)"),
)

register(Exercise(
    "layernorm.forward", "layernorm_forward(x (N, D), gamma (D,), beta (D,), eps) -> (N, D), statistics per row",
    layernorm_forward, lambda r, h: _cases(r, h, False), outputs=(Output("out"),), blocked=_BLOCKED,
    mistakes=_FORWARD_MISTAKES,
))


def _backward_with(axis=1, ddof=0, where="inside", mean_term=True, var_term=True, var_sign=-1.0, use_gamma=True,
                   xhat_in_dgamma=True, param_axis=0, reduce=np.sum, swapped=False, scale="divide", count=None,
                   mean_axis=None):
    def run(dout, x, gamma, eps):
        mu, std = _stats(x, axis, ddof, eps, where)
        xhat = (x - mu) / std
        dxhat = dout * gamma if use_gamma else dout
        over = axis if mean_axis is None else mean_axis  # the axis of the means in dx
        d = x.shape[over] if count is None else count(x)
        dx = dxhat.copy()
        if mean_term:
            dx = dx - dxhat.sum(axis=over, keepdims=True) / d
        if var_term:
            dx = dx + var_sign * xhat * (dxhat * xhat).sum(axis=over, keepdims=True) / d
        dx = dx / std if scale == "divide" else dx * std
        dgamma = reduce(dout * (xhat if xhat_in_dgamma else x), axis=param_axis)
        dbeta = reduce(dout, axis=param_axis)
        return (dx, dbeta, dgamma) if swapped else (dx, dgamma, dbeta)
    return run


_DX, _PARAMS = "the line that computes dx", "the lines of dgamma and dbeta"
_MISSING = ("a term of dx is missing: x reaches the output directly, through the row's mean and through its "
            "variance, and dx sums all three: (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) / sqrt(var + eps).")
_BACKWARD_MISTAKES = (
    KnownMistake("missing_term", _MISSING + " Here the mean's term is missing.", _backward_with(mean_term=False), _DX,
                 r"dx\s*="),
    KnownMistake("missing_term", _MISSING + " Here the variance's term is missing.", _backward_with(var_term=False),
                 _DX, r"dx\s*="),
    KnownMistake("missing_term", _MISSING + " Here both the mean's and the variance's terms are missing.",
                 _backward_with(mean_term=False, var_term=False), _DX, r"dx\s*="),
    KnownMistake("batch_axis", "the means in dx were taken over the batch (axis=0), as in batch norm's backward. "
                 "Layer norm's statistics are per row, so the means in dx are over each row too, axis=1.",
                 _backward_with(mean_axis=0), _DX, r"axis\s*=\s*0"),
    KnownMistake("batch_statistics", "this is batch norm's backward: x̂, the standard deviation and the means were "
                 "all taken over the batch (axis=0). Layer norm normalises each row: every statistic is over axis=1.",
                 _backward_with(axis=0), _DX, r"axis\s*=\s*0"),
    KnownMistake("params_wrong_axis", "dgamma and dbeta sum over the EXAMPLES (axis=0), one number per feature: gamma "
                 "and beta are shared by every row.", _backward_with(param_axis=1), _PARAMS, r"axis\s*=\s*1"),
    KnownMistake("dgamma_uses_x", "dgamma = Σ dout · x̂ (the normalised x), not Σ dout · x.",
                 _backward_with(xhat_in_dgamma=False), _PARAMS, r"dout\s*\*\s*x\b"),
    KnownMistake("swapped", "dgamma and dbeta are swapped: dgamma = Σ dout · x̂, dbeta = Σ dout.",
                 _backward_with(swapped=True), "the return line", r"return"),
    KnownMistake("gamma_missing", "dx̂ = dout · gamma: the scale gamma multiplies the gradient on its way back.",
                 _backward_with(use_gamma=False), _DX, r"dout"),
    KnownMistake("unbiased_variance", "the forward pass uses the biased variance (divide by D): x.var(axis=1), not "
                 "ddof=1.", _backward_with(ddof=1), _DX, r"ddof"),
    KnownMistake("eps_placement", "eps goes inside the square root: sqrt(var + eps).", _backward_with(where="outside"),
                 _DX, r"sqrt\([^)]*\)\s*\+\s*eps|std\("),
    KnownMistake("mean_not_sum", "dgamma and dbeta SUM over the examples (each row adds its gradient), they do not "
                 "average.", _backward_with(reduce=np.mean), _PARAMS, r"mean\(\s*axis\s*=\s*0"),
    KnownMistake("variance_term_sign", "the variance's term is SUBTRACTED: dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) "
                 "/ sqrt(var + eps).", _backward_with(var_sign=1.0), _DX, r"\+\s*x_?hat"),
    KnownMistake("times_std", "divide by sqrt(var + eps) at the end (the derivative of x/σ is 1/σ), do not multiply.",
                 _backward_with(scale="multiply"), _DX, r"\*\s*std"),
    KnownMistake("divided_by_batch", "the means in dx are over the D features of a row, so divide the row sums by D "
                 "= x.shape[1], not by N (batch norm's count).", _backward_with(count=lambda x: x.shape[0]), _DX,
                 r"shape\[0\]|len\("),
)

register(Exercise(
    "layernorm.backward", "layernorm_backward(dout (N, D), x (N, D), gamma (D,), eps) -> (dx, dgamma, dbeta)",
    layernorm_backward, lambda r, h: _cases(r, h, True),
    outputs=(Output("dx"), Output("dgamma"), Output("dbeta")), blocked=_BLOCKED, mistakes=_BACKWARD_MISTAKES,
))
