"""Lesson 06 (autodiff), the Linear module: ``linear_module(Linear)(in_features, out_features, seed, x, weight,
bias, grad_out)`` builds the learner's layer, records its initial parameters, loads ``weight`` and ``bias``
into it, runs it on ``x`` and backpropagates ``grad_out`` through the learner's own ops."""
from __future__ import annotations

from typing import Callable

import numpy as np

from ...harness.guard import reference
from ...registry import Case, Exercise, KnownMistake, Output, register
from .._common import pick


def _linear_init(in_features: int, out_features: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    k = 1.0 / np.sqrt(in_features)
    return rng.uniform(-k, k, size=(in_features, out_features)), np.zeros(out_features)


@reference("engine.linear reference")
def linear_reference(in_features, out_features, seed, x, weight, bias, grad_out):
    """Initial parameters by the lesson's rule; output and gradients by dlkit's autograd."""
    W0, b0 = _linear_init(in_features, out_features, seed)
    out, gx, gW, gb = _linear_dlkit(x, weight, bias, grad_out)
    return W0, b0, out, gx, gW, gb


def _linear_dlkit(x, weight, bias, grad_out):
    import dlkit
    import dlkit.functional as F
    xt, Wt, bt = (dlkit.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in (x, weight, bias))
    out = F.linear(xt, Wt.T, bt)   # dlkit stores (out, in): x @ W.T + b with W.T = our weight
    out.backward(dlkit.tensor(np.array(grad_out, dtype=np.float64)))
    return out.detach().numpy(), xt.grad.numpy(), Wt.grad.numpy(), bt.grad.numpy()


def _linear_mistake(init: Callable[[int, int, np.random.Generator], tuple]) -> Callable[..., tuple]:
    def compute(in_features, out_features, seed, x, weight, bias, grad_out):
        W0, b0 = init(in_features, out_features, np.random.default_rng(seed))
        return (W0, b0) + _linear_dlkit(x, weight, bias, grad_out)
    return compute


def _glorot(i, o, rng):
    k = np.sqrt(6.0 / (i + o))
    return rng.uniform(-k, k, size=(i, o)), np.zeros(o)


def _normal(i, o, rng):
    return rng.normal(size=(i, o)) / np.sqrt(i), np.zeros(o)


def _unit_uniform(i, o, rng):
    return rng.uniform(-1, 1, size=(i, o)), np.zeros(o)


def _random_bias(i, o, rng):
    k = 1.0 / np.sqrt(i)
    return rng.uniform(-k, k, size=(i, o)), rng.uniform(-k, k, size=o)


_INIT_MESSAGE = ("draw the initial weight with one call rng.uniform(-k, k, size=(in_features, out_features)), "
                 "k = 1 / sqrt(in_features), and start the bias at zeros(out_features).")


def _linear_cases(rng: np.random.Generator, hidden: bool) -> list[Case]:
    visible = [(3, 2, 4), (5, 3, 1), (2, 4, 6)]
    hidden_s = [(4, 3, 5), (1, 2, 3), (6, 1, 2), (3, 3, 1)]
    out = []
    for d, m, n in pick(visible, hidden_s, hidden):
        args = {"in_features": d, "out_features": m, "seed": int(rng.integers(0, 1000)),
                "x": rng.normal(size=(n, d)), "weight": rng.normal(size=(d, m)), "bias": rng.normal(size=m),
                "grad_out": rng.normal(size=(n, m))}
        out.append(Case(args=args, label=f"Linear({d}, {m}) on x ({n}, {d})", factors={"N": n, "D": d, "M": m}))
    return out


register(Exercise(
    "engine.linear", "linear_module(Linear)(in_features, out_features, seed, x, weight, bias, grad_out) "
    "-> (initial weight, initial bias, out, x.grad, weight.grad, bias.grad)",
    linear_reference, _linear_cases,
    outputs=(Output("initial weight"), Output("initial bias"), Output("output"), Output("x.grad"),
             Output("weight.grad"), Output("bias.grad")),
    blocked=("linear",),
    mistakes=(
        KnownMistake("init", "the initial weight does not follow the rule (Glorot's bound is for later "
                     "lessons): " + _INIT_MESSAGE, _linear_mistake(_glorot)),
        KnownMistake("init", "the initial weight is drawn from a normal distribution: " + _INIT_MESSAGE,
                     _linear_mistake(_normal)),
        KnownMistake("init", "the initial weight is not scaled by k = 1 / sqrt(in_features): " + _INIT_MESSAGE,
                     _linear_mistake(_unit_uniform)),
        KnownMistake("init", "the bias should start at zero: " + _INIT_MESSAGE, _linear_mistake(_random_bias)),
    ),
))
