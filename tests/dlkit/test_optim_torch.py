"""Parity with torch.optim: the same hyperparameters and gradients give the same trajectory over 30 steps."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import dlkit
import dlkit.optim

from .optim_cases import CASES, case_id, gradient, run_dlkit, start

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install -e .[reference])")

TOL = {"float64": dict(rtol=1e-10, atol=1e-12), "float32": dict(rtol=1e-5, atol=1e-6)}


def run_torch(name: str, kwargs: dict[str, Any], dtype: str, steps: int = 30) -> list[np.ndarray]:
    # torch keeps scalar state (NAdam's running product of momenta) in the default dtype: make it match
    default = torch.get_default_dtype()
    torch.set_default_dtype(getattr(torch, dtype))
    try:
        params = [torch.tensor(v, dtype=getattr(torch, dtype), requires_grad=True) for v in start()]
        opt = getattr(torch.optim, name)(params, **kwargs)
        for step in range(steps):
            values = [p.detach().numpy().astype(np.float64) for p in params]
            for p, g in zip(params, gradient(values, step)):
                p.grad = torch.from_numpy(g.astype(dtype))
            opt.step()
    finally:
        torch.set_default_dtype(default)
    return [p.detach().numpy() for p in params]


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_trajectory_matches_torch(case: tuple[str, dict[str, Any]], dtype: str) -> None:
    name, kwargs = case
    ours, theirs = run_dlkit(name, kwargs, dtype), run_torch(name, kwargs, dtype)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert a.dtype == np.dtype(dtype), f"{name}: parameter {i} became {a.dtype}"
        np.testing.assert_allclose(a, b, **TOL[dtype], err_msg=f"{case_id(case)} parameter {i}")
    assert not np.allclose(ours[0], start()[0].astype(dtype)), "the parameters did not move"


@pytest.mark.torch
@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam"])
def test_defaults_match_torch(name: str) -> None:
    p = dlkit.zeros(2, requires_grad=True)
    ours = getattr(dlkit.optim, name)([p]).defaults
    theirs = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)]).defaults
    for key, value in ours.items():
        assert key in theirs, f"{name}: torch has no hyperparameter {key!r}"
        assert theirs[key] == value, f"{name}: default {key}={value!r}, torch has {theirs[key]!r}"


@pytest.mark.torch
def test_param_groups_with_their_own_lr_match_torch() -> None:
    def run(lib: Any, opt_cls: Any) -> list[np.ndarray]:
        params = [lib.tensor(v, requires_grad=True) if lib is torch else dlkit.tensor(v, dtype="float64", requires_grad=True)
                  for v in start()]
        opt = opt_cls([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.1, "momentum": 0.5}], lr=0.01)
        for step in range(10):
            values = [np.asarray(p.detach().numpy(), dtype=np.float64) for p in params]
            for p, g in zip(params, gradient(values, step)):
                p.grad = torch.from_numpy(g) if lib is torch else dlkit.tensor(g, dtype="float64")
            opt.step()
        return [p.detach().numpy() for p in params]

    for a, b in zip(run(dlkit, dlkit.optim.SGD), run(torch, torch.optim.SGD)):
        np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.torch
def test_training_through_autograd_matches_torch() -> None:
    """The full loop: dlkit's backward fills .grad, Adam steps, 30 times, as torch does."""
    rng = np.random.default_rng(3)
    x, y, w0 = rng.standard_normal((16, 3)), rng.standard_normal((16, 1)), rng.standard_normal((3, 1))

    def run(lib: Any, opt_cls: Any) -> np.ndarray:
        make = (lambda a: torch.tensor(a)) if lib is torch else (lambda a: dlkit.tensor(a, dtype="float64"))
        w, xs, ys = make(w0).requires_grad_(), make(x), make(y)
        opt = opt_cls([w], lr=0.05, weight_decay=0.01)
        for _ in range(30):
            opt.zero_grad()
            ((lib.tanh(xs @ w) - ys) ** 2).mean().backward()
            opt.step()
        return w.detach().numpy()

    np.testing.assert_allclose(run(dlkit, dlkit.optim.Adam), run(torch, torch.optim.Adam), rtol=1e-9)


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore::UserWarning")  # torch's notes on step() with an epoch inside SequentialLR
@pytest.mark.parametrize("name", ["AdamW", "Adam"])
def test_decay_under_a_warmup_cosine_schedule_matches_torch(name: str) -> None:
    """Lesson 10's run: weights decayed (AdamW) or penalized (Adam + L2) with their own group, biases not, the
    learning rate warmed up then annealed per step; AdamW's decay p·(1 − lr·λ) follows the scheduled lr."""
    def run(lib: Any) -> list[np.ndarray]:
        make = (lambda a: torch.tensor(a, requires_grad=True)) if lib is torch else (
            lambda a: dlkit.tensor(a, dtype="float64", requires_grad=True))
        params = [make(v) for v in start()]
        opt = getattr(lib.optim, name)([{"params": [params[0]], "weight_decay": 0.5},
                                        {"params": [params[1]], "weight_decay": 0.0}], lr=0.05)
        s = lib.optim.lr_scheduler
        sched = s.SequentialLR(opt, [s.LinearLR(opt, start_factor=0.1, total_iters=5),
                                     s.CosineAnnealingLR(opt, T_max=25)], milestones=[5])
        for step in range(30):
            values = [np.asarray(p.detach().numpy(), dtype=np.float64) for p in params]
            for p, g in zip(params, gradient(values, step)):
                p.grad = torch.from_numpy(g) if lib is torch else dlkit.tensor(g, dtype="float64")
            opt.step()
            sched.step()
        return [p.detach().numpy() for p in params]

    for i, (a, b) in enumerate(zip(run(dlkit), run(torch))):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"{name} parameter {i}")


@pytest.mark.torch
@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type: float, max_norm: float) -> None:
    grads = [np.random.default_rng(i).standard_normal(s) for i, s in enumerate([(3, 4), (5,)])]
    ours = [dlkit.zeros(*g.shape, dtype="float64", requires_grad=True) for g in grads]
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for a, b, g in zip(ours, theirs, grads):
        a.grad, b.grad = dlkit.tensor(g, dtype="float64"), torch.tensor(g)
    n1 = dlkit.optim.clip_grad_norm_(ours, max_norm, norm_type)
    n2 = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert float(n1) == pytest.approx(float(n2), rel=1e-12)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12)
