"""Batch normalisation in training mode (lesson 07): x is (N, D), statistics over the batch axis, the biased
variance (divide by N), ``out = gamma · (x − mean)/sqrt(var + eps) + beta``.

- batchnorm_forward(x, gamma, beta, eps) -> out (N, D);
- batchnorm_backward(dout, x, gamma, eps) -> (dx, dgamma, dbeta).
The reference is dlkit's F.batch_norm (training=True, no running statistics) on float64, its gradients by dlkit's
autograd. batchnorm_backward may call the learner's batchnorm_forward (x̂ is batchnorm_forward(x, 1, 0, eps)):
while it is checked that name answers with the reference. The cases' eps is large (0.1, 0.5) so that where eps goes
shows in the numbers; N ≥ 2 (a batch of one has no variance: dlkit refuses it, as torch does).
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .. import _dlkit
from .._common import make_case, pick
from .._draw import F32_ATOL, F32_RTOL

# (N, D): N ≠ D, a single feature, the smallest batch (2), N < D; the fourth visible case float32
_SHAPES = ([(6, 3), (4, 1), (8, 5), (2, 3)], [(10, 2), (3, 4), (7, 6), (2, 3), (5, 1)])


def _bn(x, gamma, beta, eps, dout=None):
    """F.batch_norm's output, or with ``dout`` its gradients (dx, dgamma, dbeta), by dlkit on float64."""
    import dlkit.functional as F

    d = np.shape(x)[1]
    t = [_dlkit.tensor64(np.broadcast_to(np.asarray(a, dtype=np.float64), shape), requires_grad=dout is not None)
         for a, shape in ((x, np.shape(x)), (gamma, (d,)), (beta, (d,)))]
    out = F.batch_norm(t[0], None, None, t[1], t[2], training=True, eps=float(eps))
    if dout is None:
        return _dlkit.numpy(out)
    out.backward(_dlkit.tensor64(dout))
    return tuple(_dlkit.numpy(a.grad) for a in t)


@reference("regularization.batchnorm_forward reference")
def batchnorm_forward(x, gamma, beta, eps):
    """gamma · (x − mean) / sqrt(var + eps) + beta, statistics over axis 0 (gamma, beta may be scalars)."""
    return _bn(x, gamma, beta, eps).astype(np.result_type(x, np.float32))


@reference("regularization.batchnorm_backward reference")
def batchnorm_backward(dout, x, gamma, eps):
    """(dx, dgamma, dbeta) of batchnorm_forward."""
    return _bn(x, gamma, 0.0, eps, dout)


def _cases(rng: np.random.Generator, hidden: bool, backward: bool):
    cases = []
    for i, (n, d) in enumerate(pick(*_SHAPES, hidden)):
        x = rng.normal(size=(n, d)) * rng.uniform(0.5, 3.0, d) + rng.normal(size=d)
        args = {"x": x, "gamma": rng.uniform(0.5, 2.0, d) * rng.choice([-1, 1], d)}
        args = {"dout": rng.normal(size=(n, d)), **args} if backward else {**args, "beta": rng.normal(size=d)}
        args["eps"] = 0.5 if i == 2 else 0.1
        if i == 3:
            args = {k: (v.astype(np.float32) if isinstance(v, np.ndarray) else v) for k, v in args.items()}
        cases.append(make_case(args, factors={"N": n, "D": d}, note="float32" if i == 3 else ""))
    return cases


def _xhat(x, eps, ddof=0, eps_outside=False):
    mu = x.mean(axis=0)
    std = np.sqrt(x.var(axis=0, ddof=ddof)) + eps if eps_outside else np.sqrt(x.var(axis=0, ddof=ddof) + eps)
    return (x - mu) / std, std


def _f(normalise):
    """A forward mistake: ``normalise(x, eps)`` in place of x̂, then gamma · x̂ + beta."""
    return lambda x, g, b, eps: g * normalise(np.asarray(x, dtype=np.float64), eps) + b


_STATS, _OUT = "the line that computes the mean, the variance or x̂", "the return line"
_FORWARD = tuple(KnownMistake(code, msg, fn, look, rx) for code, msg, fn, look, rx in (
    ("unbiased_variance", "batch norm uses the biased variance (divide by N): x.var(axis=0), not ddof=1.",
     _f(lambda x, eps: _xhat(x, eps, ddof=1)[0]), _STATS, r"ddof\s*=\s*1|-\s*1\s*\)"),
    ("per_example", "the statistics are per FEATURE, over the batch (axis=0), not per example (axis=1: that is "
     "layer norm).", _f(lambda x, eps: (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + eps)),
     _STATS, r"axis\s*=\s*1"),
    ("whole_array", "the statistics are per feature, over the batch (axis=0), not over the whole array.",
     _f(lambda x, eps: (x - x.mean()) / np.sqrt(x.var() + eps)), _STATS, r"(mean|var|std)\(\s*\)"),
    ("eps_outside_sqrt", "eps goes inside the square root: sqrt(var + eps), not sqrt(var) + eps.",
     _f(lambda x, eps: _xhat(x, eps, eps_outside=True)[0]), _STATS, r"\)\s*\+\s*eps"),
    ("eps_missing", "eps is missing: divide by sqrt(var + eps) (eps keeps a feature with zero variance finite).",
     _f(lambda x, eps: _xhat(x, 0.0)[0]), _STATS, r"^(?!.*eps).*sqrt|std\("),
    ("missing_sqrt", "divide by the standard deviation sqrt(var + eps), not by the variance.",
     _f(lambda x, eps: (x - x.mean(0)) / (x.var(0) + eps)), _STATS, r"^(?!.*sqrt).*var"),
    ("std_as_variance", "x.std() is already a square root: sqrt(var + eps) uses the variance, x.var(axis=0).",
     _f(lambda x, eps: (x - x.mean(0)) / np.sqrt(x.std(0) + eps)), _STATS, r"sqrt\(.*std"),
    ("uncentered_variance", "the variance is the mean of (x − mean)², not the mean of x²: x.var(axis=0).",
     _f(lambda x, eps: (x - x.mean(0)) / np.sqrt((x * x).mean(0) + eps)), _STATS, r"x\s*\*\*\s*2|x\s*\*\s*x"),
    ("not_centred", "the mean is not subtracted: x̂ = (x − mean) / sqrt(var + eps).",
     _f(lambda x, eps: x / np.sqrt(x.var(0) + eps)), _STATS, r"^(?!.*-).*sqrt"),
    ("beta_missing", "the shift β is missing: out = γ·x̂ + β.", lambda x, g, b, eps: g * _xhat(x, eps)[0], _OUT,
     r"return"),
    ("gamma_missing", "the scale γ is missing: out = γ·x̂ + β.", lambda x, g, b, eps: _xhat(x, eps)[0] + b, _OUT,
     r"return"),
    ("affine_missing", "x̂ is not the output: batch norm then scales and shifts it, out = γ·x̂ + β.",
     lambda x, g, b, eps: _xhat(x, eps)[0], _OUT, r"return"),
    ("gamma_beta_swapped", "γ and β are swapped: γ scales, β shifts, out = γ·x̂ + β.",
     lambda x, g, b, eps: b * _xhat(x, eps)[0] + g, _OUT, r"beta\s*\*"),
    ("shift_inside", "β is added after scaling: out = γ·x̂ + β, not γ·(x̂ + β).",
     lambda x, g, b, eps: g * (_xhat(x, eps)[0] + b), _OUT, r"\*\s*\("),
))


def _b(dx_rule=None, *, ddof=0, eps_outside=False, params=None, gamma_used=True):
    """A backward mistake: ``dx_rule(dxhat, xhat, std)`` for dx (the lesson's formula when None), x̂ computed with
    ``ddof``/``eps_outside``, ``params(dout, x, xhat)`` for (dgamma, dbeta) when given, and dx̂ = dout when not
    ``gamma_used``."""
    def run(dout, x, gamma, eps):
        dout, x = np.asarray(dout, dtype=np.float64), np.asarray(x, dtype=np.float64)
        xhat, std = _xhat(x, eps, ddof, eps_outside)
        dxhat = dout * gamma if gamma_used else dout
        rule = dx_rule or (lambda d, h, s: (d - d.mean(0) - h * (d * h).mean(0)) / s)
        dg, db = params(dout, x, xhat) if params else ((dout * xhat).sum(0), dout.sum(0))
        return rule(dxhat, xhat, std), dg, db
    return run


_DX, _PARAMS = "the dx line", "the dgamma and dbeta lines"
_BACKWARD = tuple(KnownMistake(code, msg, fn, look, rx) for code, msg, fn, look, rx in (
    ("missing_both_paths", "the mean and the variance were treated as constants: x reaches the output through "
     "them too, so dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) / sqrt(var + eps).", _b(lambda d, h, s: d / s), _DX,
     r"^(?!.*mean).*/"),
    ("missing_variance_path", "the variance path is missing: x also reaches the output through the variance, "
     "which adds − x̂·mean(dx̂·x̂) to dx's bracket.", _b(lambda d, h, s: (d - d.mean(0)) / s), _DX,
     r"^(?!.*\*.*mean).*mean"),
    ("missing_mean_path", "the mean path is missing: x also reaches the output through the mean, which adds "
     "− mean(dx̂) to dx's bracket.", _b(lambda d, h, s: (d - h * (d * h).mean(0)) / s), _DX, r"mean"),
    ("variance_path_sign", "the variance term has the wrong sign: dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) / "
     "sqrt(var + eps).", _b(lambda d, h, s: (d - d.mean(0) + h * (d * h).mean(0)) / s), _DX, r"\+\s*\w*hat"),
    ("dvar_missing_half", "dvar lost the −½ of d(var^(−½))/d var = −½·var^(−3/2): with it the variance term of dx "
     "is − x̂·mean(dx̂·x̂)/std.", _b(lambda d, h, s: (d - d.mean(0) + 2 * h * (d * h).mean(0)) / s), "the dvar line",
     r"dvar"),
    ("sum_not_mean", "the formula has MEANS over the batch (a 1/N each): mean(dx̂) and mean(dx̂·x̂), not sums.",
     _b(lambda d, h, s: (d - d.sum(0) - h * (d * h).sum(0)) / s), _DX, r"sum"),
    ("gamma_not_in_dx", "dx̂ = dout·γ: the upstream gradient passes through the scale γ before it reaches x̂.",
     _b(gamma_used=False), _DX, r"dout\s*-"),
    ("inv_std_missing", "the bracket must be divided by sqrt(var + eps): x̂ = (x − mean)/std, so every path to x "
     "carries 1/std.", _b(lambda d, h, s: d - d.mean(0) - h * (d * h).mean(0)), _DX, r"^(?!.*/).*mean"),
    ("unbiased_variance", "batch norm's variance is the biased one (divide by N), in backward as in forward: "
     "x.var(axis=0), not ddof=1.", _b(ddof=1), "the variance line", r"ddof\s*=\s*1|-\s*1\s*\)"),
    ("eps_outside_sqrt", "eps goes inside the square root: std = sqrt(var + eps), not sqrt(var) + eps.",
     _b(eps_outside=True), "the std line", r"\)\s*\+\s*eps"),
    ("dgamma_uses_x", "dgamma = Σ dout·x̂, the NORMALISED input that γ multiplies, not Σ dout·x.",
     _b(params=lambda d, x, h: ((d * x).sum(0), d.sum(0))), _PARAMS, r"dout\s*\*\s*x\b"),
    ("dgamma_not_normalised", "dgamma = Σ dout·x̂ with x̂ = (x − mean)/std: the division by std is missing.",
     _b(params=lambda d, x, h: ((d * (x - x.mean(0))).sum(0), d.sum(0))), _PARAMS, r"x\s*-\s*mu"),
    ("params_not_summed", "γ and β are shared by every example, so their gradients SUM over the batch: dgamma = "
     "Σ dout·x̂ and dbeta = Σ dout, over axis 0.", _b(params=lambda d, x, h: (d * h, d.copy())), _PARAMS,
     r"^(?!.*sum).*dout"),
    ("params_mean", "dgamma and dbeta SUM over the batch (every example adds its share), not average.",
     _b(params=lambda d, x, h: ((d * h).mean(0), d.mean(0))), _PARAMS, r"mean"),
    ("swapped", "dgamma and dbeta are swapped: dgamma = Σ dout·x̂, dbeta = Σ dout.",
     _b(params=lambda d, x, h: (d.sum(0), (d * h).sum(0))), "the return line", r"return"),
))

_BLOCKED = ("batch_norm", "batchnorm", "BatchNorm")

register(Exercise(
    "regularization.batchnorm_forward", "batchnorm_forward(x (N, D), gamma (D,), beta (D,), eps) -> (N, D)",
    batchnorm_forward, lambda r, h: _cases(r, h, False), blocked=_BLOCKED, mistakes=_FORWARD,
    rtol=F32_RTOL, atol=F32_ATOL, hints=frozenset({"variance", "sqrt", "batch"}),
))
register(Exercise(
    "regularization.batchnorm_backward",
    "batchnorm_backward(dout (N, D), x (N, D), gamma (D,), eps) -> (dx, dgamma, dbeta)",
    batchnorm_backward, lambda r, h: _cases(r, h, True), outputs=(Output("dx"), Output("dgamma"), Output("dbeta")),
    blocked=_BLOCKED, mistakes=_BACKWARD, oracles={"batchnorm_forward": "ex:regularization.batchnorm_forward"},
    rtol=F32_RTOL, atol=F32_ATOL, hints=frozenset({"variance", "batch"}),
))
