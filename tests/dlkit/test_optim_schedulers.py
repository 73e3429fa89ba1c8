"""Learning-rate schedules give torch's sequence of learning rates."""
from __future__ import annotations

from typing import Any, Callable

import pytest

import dlkit
import dlkit.optim as optim

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install -e .[reference])")

SCHEDULES: list[tuple[str, dict[str, Any]]] = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=10)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.01)),
    ("LambdaLR", dict(lr_lambda=lambda epoch: 1 / (1 + epoch))),
]


def _sequence(lib: Any, name: str, kwargs: dict[str, Any], epochs: int = 25) -> list[list[float]]:
    make: Callable[..., Any] = (lambda: torch.zeros(2, requires_grad=True)) if lib is torch else (
        lambda: dlkit.zeros(2, requires_grad=True))
    opt_cls = torch.optim.SGD if lib is torch else optim.SGD
    opt = opt_cls([{"params": [make()]}, {"params": [make()], "lr": 0.3}], lr=0.1, momentum=0.9)
    sched = getattr(lib.optim.lr_scheduler, name)(opt, **kwargs)
    lrs = [sched.get_last_lr()]
    for _ in range(epochs):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr())
        assert lrs[-1] == [g["lr"] for g in opt.param_groups]
    return lrs


@pytest.mark.torch
@pytest.mark.parametrize("name, kwargs", SCHEDULES, ids=lambda v: v if isinstance(v, str) else None)
def test_learning_rates_match_torch(name: str, kwargs: dict[str, Any]) -> None:
    ours, theirs = _sequence(dlkit, name, kwargs), _sequence(torch, name, kwargs)
    assert len(ours) == len(theirs)
    for epoch, (a, b) in enumerate(zip(ours, theirs)):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-15), f"{name} epoch {epoch}"


def test_scheduler_state_dict_round_trip() -> None:
    p = dlkit.zeros(2, requires_grad=True)
    opt = optim.SGD([p], lr=1.0)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
    for _ in range(3):
        sched.step()
    saved = sched.state_dict()
    assert saved["last_epoch"] == 3 and "optimizer" not in saved
    other = optim.lr_scheduler.StepLR(optim.SGD([p], lr=1.0), step_size=5)
    other.load_state_dict(saved)
    assert other.last_epoch == 3 and other.step_size == 2


def test_lambda_lr_wants_one_function_per_group() -> None:
    opt = optim.SGD([{"params": [dlkit.zeros(1, requires_grad=True)]}, {"params": [dlkit.zeros(1, requires_grad=True)]}], lr=1)
    with pytest.raises(ValueError, match="expected 2 lr_lambdas"):
        optim.lr_scheduler.LambdaLR(opt, [lambda e: 1.0])
