"""Optimizer update rules as pure functions on arrays, with PyTorch's conventions.

Each returns new arrays (parameters first, then the new state) and leaves its inputs
unchanged. ``t`` in Adam is the 1-based number of this step.
- sgd:      w − lr·dw
- momentum: v ← μ·v + dw;  w ← w − lr·v                       (torch.optim.SGD, dampening 0)
- nesterov: v ← μ·v + dw;  w ← w − lr·(dw + μ·v)               (SGD(nesterov=True))
- adagrad:  s ← s + dw²;   w ← w − lr·dw / (√s + eps)
- rmsprop:  s ← α·s + (1−α)·dw²;  w ← w − lr·dw / (√s + eps)
- adam:     m ← β1·m + (1−β1)·dw;  v ← β2·v + (1−β2)·dw²;
            w ← w − lr·m̂ / (√v̂ + eps) with m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ)
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .._common import make_case, pick

_SHAPES = ([(3, 4), (5,), (1, 2)], [(2, 3), (7,), (4, 1), (2, 2, 2)])
_BLOCKED = ("sgd", "adam", "rmsprop", "adagrad", "step")


@reference("optim.sgd reference")
def sgd(w, dw, lr):
    """w − lr·dw."""
    return w - lr * dw


@reference("optim.momentum reference")
def momentum(w, dw, v, lr, mu):
    """(w − lr·v', v') with v' = μ·v + dw."""
    v = mu * v + dw
    return w - lr * v, v


@reference("optim.nesterov reference")
def nesterov(w, dw, v, lr, mu):
    """(w − lr·(dw + μ·v'), v') with v' = μ·v + dw."""
    v = mu * v + dw
    return w - lr * (dw + mu * v), v


@reference("optim.adagrad reference")
def adagrad(w, dw, s, lr, eps):
    """(w − lr·dw/(√s' + eps), s') with s' = s + dw²."""
    s = s + dw * dw
    return w - lr * dw / (np.sqrt(s) + eps), s


@reference("optim.rmsprop reference")
def rmsprop(w, dw, s, lr, alpha, eps):
    """(w − lr·dw/(√s' + eps), s') with s' = α·s + (1−α)·dw²."""
    s = alpha * s + (1 - alpha) * dw * dw
    return w - lr * dw / (np.sqrt(s) + eps), s


@reference("optim.adam reference")
def adam(w, dw, m, v, t, lr, beta1, beta2, eps):
    """(w', m', v') of one Adam step with bias correction; t is this step's 1-based number."""
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw * dw
    mhat = m / (1 - beta1 ** t)
    vhat = v / (1 - beta2 ** t)
    return w - lr * mhat / (np.sqrt(vhat) + eps), m, v


def _cases(rng: np.random.Generator, hidden: bool, state: tuple[str, ...], hyper):
    cases = []
    for i, shape in enumerate(pick(*_SHAPES, hidden)):
        args = {"w": rng.normal(size=shape), "dw": rng.normal(size=shape)}
        for name in state:  # second moments are non-negative; first moments any sign
            args[name] = rng.normal(size=shape) if name in ("v_momentum", "m") else rng.uniform(0.1, 2.0, shape)
        args = {("v" if k == "v_momentum" else k): a for k, a in args.items()}
        args.update(hyper(rng, i))
        cases.append(make_case(args))
    return cases


_UPHILL = "the step goes uphill: subtract the update from w (w − lr·…), do not add it."


def _uphill(ref):
    """The update applied with the wrong sign: w + step instead of w − step, state unchanged."""
    def wrong(w, *rest):
        out = ref(w, *rest)
        new_w, state = (out[0], out[1:]) if isinstance(out, tuple) else (out, ())
        flipped = 2 * w - new_w
        return (flipped, *state) if state else flipped
    return KnownMistake("sign", _UPHILL, wrong)


def _lr(rng):
    return float(rng.uniform(0.05, 0.5))


register(Exercise(
    "optim.sgd", "sgd(w, dw, lr) -> new w", sgd,
    lambda r, h: _cases(r, h, (), lambda r, i: {"lr": _lr(r)}), outputs=(Output("w"),), blocked=_BLOCKED,
    mistakes=(_uphill(sgd),
              KnownMistake("returned_step", "you returned the step (−lr·dw) instead of the new parameters w − lr·dw.",
                           lambda w, dw, lr: -lr * dw)),
))
_STALE = "the parameter update used the old state: update the state first, then use the new one in the step."
register(Exercise(
    "optim.momentum", "momentum(w, dw, v, lr, mu) -> (w, v)", momentum,
    lambda r, h: _cases(r, h, ("v_momentum",), lambda r, i: {"lr": _lr(r), "mu": float(r.uniform(0.5, 0.95))}),
    outputs=(Output("w"), Output("v")), blocked=_BLOCKED,
    mistakes=(
        _uphill(momentum),
        KnownMistake("stale_state", _STALE, lambda w, dw, v, lr, mu: (w - lr * v, mu * v + dw)),
        KnownMistake("convention", "this is the other momentum convention (v ← μv − lr·dw; w ← w + v); "
                     "here v accumulates gradients, v ← μv + dw, and w ← w − lr·v (PyTorch's).",
                     lambda w, dw, v, lr, mu: (w + (mu * v - lr * dw), mu * v - lr * dw)),
        KnownMistake("dampening", "an extra (1 − μ) on the gradient: v ← μ·v + dw.",
                     lambda w, dw, v, lr, mu: (w - lr * (mu * v + (1 - mu) * dw), mu * v + (1 - mu) * dw)),
    ),
))
register(Exercise(
    "optim.nesterov", "nesterov(w, dw, v, lr, mu) -> (w, v)", nesterov,
    lambda r, h: _cases(r, h, ("v_momentum",), lambda r, i: {"lr": _lr(r), "mu": float(r.uniform(0.5, 0.95))}),
    outputs=(Output("w"), Output("v")), blocked=_BLOCKED,
    mistakes=(
        _uphill(nesterov),
        KnownMistake("not_nesterov", "this is plain momentum (w − lr·v); Nesterov steps with the look-ahead "
                     "dw + μ·v.", lambda w, dw, v, lr, mu: (w - lr * (mu * v + dw), mu * v + dw)),
        KnownMistake("convention", "this is the other Nesterov convention (v ← μv − lr·dw; w ← w − μ·v_old "
                     "+ (1 + μ)·v); here v accumulates gradients, v ← μ·v + dw, and w ← w − lr·(dw + μ·v) "
                     "(PyTorch's).", lambda w, dw, v, lr, mu: (w - mu * v + (1 + mu) * (mu * v - lr * dw), mu * v - lr * dw)),
    ),
))
_EPS = "eps goes outside the square root: dw / (sqrt(s) + eps)."
_SQRT = "the square root is missing: divide by sqrt(s) + eps."
register(Exercise(
    "optim.adagrad", "adagrad(w, dw, s, lr, eps) -> (w, s)", adagrad,
    lambda r, h: _cases(r, h, ("s",), lambda r, i: {"lr": _lr(r), "eps": 0.05}),
    outputs=(Output("w"), Output("s")), blocked=_BLOCKED,
    mistakes=(
        _uphill(adagrad),
        KnownMistake("eps_placement", _EPS, lambda w, dw, s, lr, eps: (w - lr * dw / np.sqrt(s + dw * dw + eps), s + dw * dw)),
        KnownMistake("missing_sqrt", _SQRT, lambda w, dw, s, lr, eps: (w - lr * dw / (s + dw * dw + eps), s + dw * dw)),
        KnownMistake("stale_state", _STALE, lambda w, dw, s, lr, eps: (w - lr * dw / (np.sqrt(s) + eps), s + dw * dw)),
    ),
))
register(Exercise(
    "optim.rmsprop", "rmsprop(w, dw, s, lr, alpha, eps) -> (w, s)", rmsprop,
    lambda r, h: _cases(r, h, ("s",), lambda r, i: {"lr": _lr(r), "alpha": float(r.uniform(0.8, 0.99)), "eps": 0.05}),
    outputs=(Output("w"), Output("s")), blocked=_BLOCKED,
    mistakes=(
        _uphill(rmsprop),
        KnownMistake("swapped_decay", "α and 1 − α are swapped: s ← α·s + (1 − α)·dw² keeps most of the old average.",
                     lambda w, dw, s, lr, a, eps: (
                         w - lr * dw / (np.sqrt((1 - a) * s + a * dw * dw) + eps), (1 - a) * s + a * dw * dw)),
        KnownMistake("eps_placement", _EPS, lambda w, dw, s, lr, a, eps: (
            w - lr * dw / np.sqrt(a * s + (1 - a) * dw * dw + eps), a * s + (1 - a) * dw * dw)),
        KnownMistake("missing_sqrt", _SQRT, lambda w, dw, s, lr, a, eps: (
            w - lr * dw / (a * s + (1 - a) * dw * dw + eps), a * s + (1 - a) * dw * dw)),
        KnownMistake("stale_state", _STALE, lambda w, dw, s, lr, a, eps: (
            w - lr * dw / (np.sqrt(s) + eps), a * s + (1 - a) * dw * dw)),
        KnownMistake("missing_square", "the running average is of dw², not of dw.", lambda w, dw, s, lr, a, eps: (
            w - lr * dw / (np.sqrt(a * s + (1 - a) * dw) + eps), a * s + (1 - a) * dw)),
    ),
))


def _adam_hyper(rng, i):
    return {"t": [3, 1, 7, 2][i % 4], "lr": _lr(rng), "beta1": 0.9, "beta2": 0.99, "eps": 0.05}


def _adam_variant(bc_t=None, eps_inside=False, square=True, bias_correct=True, correct_m=True, correct_v=True):
    def step(w, dw, m, v, t, lr, beta1, beta2, eps):
        m = beta1 * m + (1 - beta1) * dw
        v = beta2 * v + (1 - beta2) * (dw * dw if square else dw)
        tt = t if bc_t is None else bc_t(t)
        mhat = m / (1 - beta1 ** tt) if bias_correct and correct_m else m
        vhat = v / (1 - beta2 ** tt) if bias_correct and correct_v else v
        den = np.sqrt(vhat + eps) if eps_inside else np.sqrt(vhat) + eps
        return w - lr * mhat / den, m, v
    return step


register(Exercise(
    "optim.adam", "adam(w, dw, m, v, t, lr, beta1, beta2, eps) -> (w, m, v)", adam,
    lambda r, h: _cases(r, h, ("m", "v"), _adam_hyper),
    outputs=(Output("w"), Output("m"), Output("v")), blocked=_BLOCKED,
    mistakes=(
        _uphill(adam),
        KnownMistake("bias_correction", "the bias correction is missing: divide m by (1 − β1ᵗ) and v by "
                     "(1 − β2ᵗ) before the step (both start at zero, so early steps are too small).",
                     _adam_variant(bias_correct=False)),
        KnownMistake("bias_correction", "only the first moment is bias-corrected: divide v by (1 − β2ᵗ) too.",
                     _adam_variant(correct_v=False)),
        KnownMistake("bias_correction", "only the second moment is bias-corrected: divide m by (1 − β1ᵗ) too.",
                     _adam_variant(correct_m=False)),
        KnownMistake("off_by_one", "the bias correction uses the wrong step number: t is this step's "
                     "1-based count, use β1**t (not t − 1 or t + 1).", _adam_variant(bc_t=lambda t: t + 1)),
        KnownMistake("off_by_one", "the bias correction uses the wrong step number: t is this step's "
                     "1-based count, use β1**t (not t − 1 or t + 1).", _adam_variant(bc_t=lambda t: t - 1)),
        KnownMistake("eps_placement", _EPS, _adam_variant(eps_inside=True)),
        KnownMistake("missing_square", "the second moment averages dw², not dw.", _adam_variant(square=False)),
    ),
))
