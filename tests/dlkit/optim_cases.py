"""Shared pieces of the optimizer tests: a small random problem and the hyperparameter cases."""
from __future__ import annotations

from typing import Any

import numpy as np

import dlkit
import dlkit.optim

# (optimizer name, keyword arguments): every option whose update rule differs gets a case.
CASES: list[tuple[str, dict[str, Any]]] = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.5, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.2)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, centered=True, momentum=0.5, eps=1e-6)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.95, weight_decay=0.1)),
    ("Adam", dict(lr=0.02)),
    ("Adam", dict(lr=0.02, amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.02, betas=(0.8, 0.99), weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.02)),
    ("AdamW", dict(lr=0.02, weight_decay=0.1, amsgrad=True, maximize=True)),
    # lesson 10's decoupled decay: large λ (the decay is lr·λ per step), other betas and eps
    ("AdamW", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=1.0)),
    ("AdamW", dict(lr=0.05, weight_decay=0.0)),
    ("Adamax", dict(lr=0.02)),
    ("Adamax", dict(lr=0.02, betas=(0.8, 0.9), weight_decay=0.1)),
    ("NAdam", dict(lr=0.02)),
    ("NAdam", dict(lr=0.02, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.02, weight_decay=0.1, decoupled_weight_decay=True)),
]

SHAPES = [(4, 3), (3,)]


def case_id(case: tuple[str, dict[str, Any]]) -> str:
    name, kwargs = case
    return name + "(" + ",".join(f"{k}={v}" for k, v in kwargs.items()) + ")"


def start(seed: int = 0) -> list[np.ndarray]:
    """Starting values of the parameters (float64 numpy)."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in SHAPES]


def gradient(values: list[np.ndarray], step: int) -> list[np.ndarray]:
    """A nonlinear, step-dependent gradient field with coordinates of very different scales."""
    scales = [np.array([[0.1], [1.0], [5.0], [0.5]]), np.array([2.0, 0.2, 1.0])]
    return [s * (v - 0.3) + 0.5 * np.sin(3 * v + step) for s, v in zip(scales, values)]


def run_dlkit(name: str, kwargs: dict[str, Any], dtype: str, steps: int = 30, xp: Any = None) -> list[np.ndarray]:
    """Parameters after ``steps`` steps of a dlkit optimizer (gradients set by hand)."""
    arrays = [v.astype(dtype) for v in start()]
    if xp is not None:  # another array namespace, e.g. array_api_strict
        arrays = [xp.asarray(a) for a in arrays]
    params = [dlkit.Tensor(a, requires_grad=True) for a in arrays]
    opt = getattr(dlkit.optim, name)(params, **kwargs)
    for step in range(steps):
        values = [np.asarray(dlkit.backend.to_numpy(p.data), dtype=np.float64) for p in params]
        for p, g in zip(params, gradient(values, step)):
            data = g.astype(dtype)
            p.grad = dlkit.Tensor(data if xp is None else xp.asarray(data))
        opt.step()
    return [np.asarray(dlkit.backend.to_numpy(p.data)) for p in params]
