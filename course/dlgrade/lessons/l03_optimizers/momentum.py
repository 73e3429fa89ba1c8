"""Lesson 03, plain and momentum steps as pure functions on arrays: dlkit.optim.SGD (PyTorch's rules) on
float64 tensors. Each returns new arrays (parameters first, then the new state); inputs stay unchanged.

- sgd:      w − lr·dw
- momentum: v ← μ·v + dw;  w ← w − lr·v                       (SGD(momentum=μ), dampening 0)
- nesterov: v ← μ·v + dw;  w ← w − lr·(dw + μ·v)               (SGD(momentum=μ, nesterov=True))
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .. import _dlkit
from .._draw import F32_ATOL, F32_RTOL
from .cases import BLOCKED, lr, state_not_returned, step_cases, swapped_outputs, uphill


def _sgd(w, dw, v, lr, mu, nesterov=False):
    """dlkit.optim.SGD's step from the momentum buffer v (none for plain SGD)."""
    if v is None:
        return _dlkit.optimizer_step("SGD", w, dw, {}, lr=lr)[0]
    new_w, state = _dlkit.optimizer_step("SGD", w, dw, {"momentum_buffer": v}, lr=lr, momentum=mu,
                                         nesterov=nesterov)
    return new_w, state["momentum_buffer"]


@reference("optim.sgd reference")
def sgd(w: np.ndarray, dw: np.ndarray, lr: float) -> np.ndarray:
    """w − lr·dw: dlkit.optim.SGD."""
    return _sgd(w, dw, None, lr, 0.0)


@reference("optim.momentum reference")
def momentum(w: np.ndarray, dw: np.ndarray, v: np.ndarray, lr: float, mu: float) -> tuple[np.ndarray, np.ndarray]:
    """(w − lr·v', v') with v' = μ·v + dw: dlkit.optim.SGD(momentum=mu)."""
    return _sgd(w, dw, v, lr, mu)


@reference("optim.nesterov reference")
def nesterov(w: np.ndarray, dw: np.ndarray, v: np.ndarray, lr: float, mu: float) -> tuple[np.ndarray, np.ndarray]:
    """(w − lr·(dw + μ·v'), v') with v' = μ·v + dw: dlkit.optim.SGD(momentum=mu, nesterov=True)."""
    return _sgd(w, dw, v, lr, mu, nesterov=True)


def _momentum_cases(rng, hidden):
    return step_cases(rng, hidden, ("v_momentum",), lambda r, i: {"lr": lr(r), "mu": float(r.uniform(0.5, 0.95))})


_W, _V = "the line that updates w", "the line that updates v"


def _rule(velocity, step):
    """A momentum rule from v' = velocity(dw, v, lr, mu) and w' = w − step(dw, v, v', lr, mu)."""
    def rule(w, dw, v, lr, mu):
        new_v = velocity(dw, v, lr, mu)
        return w - step(dw, v, new_v, lr, mu), new_v
    return rule


def _plain(dw, v, lr, mu):
    return mu * v + dw


register(Exercise(
    "optim.sgd", "sgd(w, dw, lr) -> new w", sgd,
    lambda r, h: step_cases(r, h, (), lambda r, i: {"lr": lr(r)}), outputs=(Output("w"),), blocked=BLOCKED,
    rtol=F32_RTOL, atol=F32_ATOL,
    mistakes=(
        uphill(sgd),
        KnownMistake("returned_step", "you returned the step (−lr·dw) instead of the new parameters w − lr·dw.",
                     lambda w, dw, lr: -lr * dw, "the return line", r"return"),
        KnownMistake("returned_gradient", "you returned the gradient dw: return the new parameters w − lr·dw.",
                     lambda w, dw, lr: dw, "the return line", r"return"),
        KnownMistake("not_updated", "w came back unchanged: return w − lr·dw.", lambda w, dw, lr: w,
                     "the return line", r"return"),
        KnownMistake("no_lr", "the whole gradient was subtracted: multiply it by the learning rate, w − lr·dw.",
                     lambda w, dw, lr: w - dw, _W, r"-\s*dw"),
        KnownMistake("lr_divides", "the gradient was divided by the learning rate: multiply, w − lr·dw.",
                     lambda w, dw, lr: w - dw / lr, _W, r"/\s*lr"),
    ),
    hints=frozenset({"update"}),
))

_MOMENTUM_MISTAKES = (
    uphill(momentum),
    KnownMistake("stale_state", "the step used the OLD velocity: update v first (v ← μ·v + dw), then step with "
                 "the new one, w ← w − lr·v.", _rule(_plain, lambda dw, v, nv, lr, mu: lr * v), _W, r"lr\s*\*\s*v"),
    state_not_returned(momentum, "v", 2),
    KnownMistake("step_ignores_velocity", "w stepped along the gradient, not the velocity: w ← w − lr·v with the "
                 "new v.", _rule(_plain, lambda dw, v, nv, lr, mu: lr * dw), _W, r"lr\s*\*\s*dw"),
    KnownMistake("convention", "this is the other momentum convention (v ← μv − lr·dw; w ← w + v); here v "
                 "accumulates gradients, v ← μv + dw, and w ← w − lr·v (PyTorch's).",
                 lambda w, dw, v, lr, mu: (w + (mu * v - lr * dw), mu * v - lr * dw), _V, r"-\s*lr"),
    KnownMistake("lr_in_velocity", "the learning rate went into the velocity (v ← μv + lr·dw, w ← w − v): in "
                 "PyTorch's form v ← μv + dw holds gradients and the step is w − lr·v.",
                 lambda w, dw, v, lr, mu: (w - (mu * v + lr * dw), mu * v + lr * dw), _V, r"lr\s*\*\s*dw"),
    KnownMistake("lr_twice", "the learning rate is applied twice, in v (μv + lr·dw) and in the step (w − lr·v): "
                 "v ← μv + dw.", _rule(lambda dw, v, lr, mu: mu * v + lr * dw, lambda dw, v, nv, lr, mu: lr * nv),
                 _V, r"lr\s*\*\s*dw"),
    KnownMistake("negative_velocity", "v ← μv − dw with w ← w + lr·v mixes the two conventions: the velocity here "
                 "accumulates +dw, v ← μv + dw, and the step is w − lr·v.",
                 lambda w, dw, v, lr, mu: (w + lr * (mu * v - dw), mu * v - dw), _V, r"-\s*dw"),
    KnownMistake("dampening", "an extra (1 − μ) on the gradient (an EMA): PyTorch's momentum is v ← μ·v + dw.",
                 _rule(lambda dw, v, lr, mu: mu * v + (1 - mu) * dw, lambda dw, v, nv, lr, mu: lr * nv), _V,
                 r"1\s*-\s*mu"),
    KnownMistake("mu_on_gradient", "μ multiplies the gradient instead of the old velocity: v ← μ·v + dw.",
                 _rule(lambda dw, v, lr, mu: v + mu * dw, lambda dw, v, nv, lr, mu: lr * nv), _V, r"mu\s*\*\s*dw"),
    KnownMistake("mu_on_both", "μ(v + dw) also scales the gradient: only the old velocity decays, v ← μ·v + dw.",
                 _rule(lambda dw, v, lr, mu: mu * (v + dw), lambda dw, v, nv, lr, mu: lr * nv), _V,
                 r"mu\s*\*\s*\("),
    KnownMistake("mu_in_step", "the step has an extra μ: w ← w − lr·v with the new v, no μ.",
                 _rule(_plain, lambda dw, v, nv, lr, mu: lr * mu * nv), _W, r"mu"),
    KnownMistake("nesterov_not_momentum", "this is Nesterov's look-ahead step, w − lr·(dw + μ·v): plain momentum "
                 "steps with the velocity itself, w − lr·v.",
                 _rule(_plain, lambda dw, v, nv, lr, mu: lr * (dw + mu * nv)), _W, r"dw\s*\+\s*mu"),
    KnownMistake("lr_mu_swapped", "lr and mu are used the other way round: μ decays the velocity, lr scales the "
                 "step (check the argument order, momentum(w, dw, v, lr, mu)).",
                 _rule(lambda dw, v, lr, mu: lr * v + dw, lambda dw, v, nv, lr, mu: mu * nv), _V, r"lr\s*\*\s*v"),
    swapped_outputs(momentum),
)

register(Exercise(
    "optim.momentum", "momentum(w, dw, v, lr, mu) -> (w, v)", momentum, _momentum_cases,
    outputs=(Output("w"), Output("v")), blocked=BLOCKED, mistakes=_MOMENTUM_MISTAKES,
    rtol=F32_RTOL, atol=F32_ATOL,
    hints=frozenset({"update"}),
))

_LOOK = "the line that updates w (the look-ahead)"
_NESTEROV_MISTAKES = (
    uphill(nesterov),
    KnownMistake("not_nesterov", "this is plain momentum (w − lr·v); Nesterov steps with the look-ahead "
                 "dw + μ·v.", _rule(_plain, lambda dw, v, nv, lr, mu: lr * nv), _LOOK, r"lr\s*\*\s*v"),
    KnownMistake("convention", "this is the other Nesterov convention (v ← μv − lr·dw; w ← w − μ·v_old + (1 + μ)·v); "
                 "here v accumulates gradients, v ← μ·v + dw, and w ← w − lr·(dw + μ·v) (PyTorch's).",
                 lambda w, dw, v, lr, mu: (w - mu * v + (1 + mu) * (mu * v - lr * dw), mu * v - lr * dw), _V,
                 r"-\s*lr"),
    KnownMistake("lookahead_missing_gradient", "the look-ahead step lost its gradient term: w ← w − lr·(dw + μ·v).",
                 _rule(_plain, lambda dw, v, nv, lr, mu: lr * mu * nv), _LOOK, r"mu\s*\*\s*v"),
    KnownMistake("lookahead_missing_mu", "the look-ahead lost its μ: w ← w − lr·(dw + μ·v).",
                 _rule(_plain, lambda dw, v, nv, lr, mu: lr * (dw + nv)), _LOOK, r"dw\s*\+\s*v"),
    KnownMistake("lookahead_sign", "the look-ahead subtracts μ·v: it is dw + μ·v.",
                 _rule(_plain, lambda dw, v, nv, lr, mu: lr * (dw - mu * nv)), _LOOK, r"dw\s*-\s*mu"),
    KnownMistake("lookahead_swapped", "μ multiplies the gradient in the look-ahead: it is dw + μ·v (the velocity "
                 "carries the μ).", _rule(_plain, lambda dw, v, nv, lr, mu: lr * (mu * dw + nv)), _LOOK,
                 r"mu\s*\*\s*dw"),
    KnownMistake("velocity_twice", "the step adds the velocity twice ((1 + μ)·v): the look-ahead is dw + μ·v.",
                 _rule(_plain, lambda dw, v, nv, lr, mu: lr * (1 + mu) * nv), _LOOK, r"1\s*\+\s*mu"),
    KnownMistake("dampening", "an extra (1 − μ) on the gradient in v: PyTorch's Nesterov keeps v ← μ·v + dw.",
                 _rule(lambda dw, v, lr, mu: mu * v + (1 - mu) * dw,
                       lambda dw, v, nv, lr, mu: lr * (dw + mu * nv)), _V, r"1\s*-\s*mu"),
    KnownMistake("lr_in_velocity", "the learning rate went into the velocity (v ← μv + lr·dw): here v ← μv + dw "
                 "and the step is w − lr·(dw + μ·v).",
                 lambda w, dw, v, lr, mu: (w - lr * dw - mu * (mu * v + lr * dw), mu * v + lr * dw), _V,
                 r"lr\s*\*\s*dw"),
    KnownMistake("lr_mu_swapped", "lr and mu are used the other way round: μ decays the velocity, lr scales the "
                 "step (check the argument order, nesterov(w, dw, v, lr, mu)).",
                 _rule(lambda dw, v, lr, mu: lr * v + dw, lambda dw, v, nv, lr, mu: mu * (dw + lr * nv)), _V,
                 r"lr\s*\*\s*v"),
    state_not_returned(nesterov, "v", 2),
    swapped_outputs(nesterov),
)

register(Exercise(
    "optim.nesterov", "nesterov(w, dw, v, lr, mu) -> (w, v)", nesterov, _momentum_cases,
    outputs=(Output("w"), Output("v")), blocked=BLOCKED, mistakes=_NESTEROV_MISTAKES,
    rtol=F32_RTOL, atol=F32_ATOL,
    hints=frozenset({"update"}),
))
