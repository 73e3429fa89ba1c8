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
    ("LinearLR", dict()),
    ("LinearLR", dict(start_factor=0.01, total_iters=7)),
    ("LinearLR", dict(start_factor=1.0, end_factor=0.2, total_iters=10)),
]


def _warmup_cosine(lib: Any, opt: Any) -> Any:
    """The lesson-10 schedule: 4 epochs of linear warm-up from 1% of the base lr, then a cosine over 15."""
    s = lib.optim.lr_scheduler
    return s.SequentialLR(opt, [s.LinearLR(opt, start_factor=0.01, total_iters=4), s.CosineAnnealingLR(opt, T_max=15)],
                          milestones=[4])


def _three_phases(lib: Any, opt: Any) -> Any:
    """Warm-up, a constant stretch (a LambdaLR of 1), then exponential decay: every restart at a milestone."""
    s = lib.optim.lr_scheduler
    return s.SequentialLR(opt, [s.LinearLR(opt, start_factor=0.1, total_iters=3), s.LambdaLR(opt, lambda e: 1.0),
                                s.ExponentialLR(opt, gamma=0.8)], milestones=[3, 8])


def _step_then_cosine(lib: Any, opt: Any) -> Any:
    s = lib.optim.lr_scheduler
    return s.SequentialLR(opt, [s.StepLR(opt, step_size=2, gamma=0.5), s.CosineAnnealingLR(opt, T_max=6, eta_min=0.01)],
                          milestones=[5])


SEQUENCES = [_warmup_cosine, _three_phases, _step_then_cosine]


def _sequence(lib: Any, name: str | Callable[[Any, Any], Any], kwargs: dict[str, Any], epochs: int = 25
              ) -> list[list[float]]:
    make: Callable[..., Any] = (lambda: torch.zeros(2, requires_grad=True)) if lib is torch else (
        lambda: dlkit.zeros(2, requires_grad=True))
    opt_cls = torch.optim.SGD if lib is torch else optim.SGD
    opt = opt_cls([{"params": [make()]}, {"params": [make()], "lr": 0.3}], lr=0.1, momentum=0.9)
    sched = name(lib, opt) if callable(name) else getattr(lib.optim.lr_scheduler, name)(opt, **kwargs)
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


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore::UserWarning")  # torch's notes on calling step() with an epoch inside SequentialLR
@pytest.mark.parametrize("build", SEQUENCES, ids=lambda f: f.__name__.strip("_"))
def test_sequential_schedules_match_torch(build: Callable[[Any, Any], Any]) -> None:
    ours, theirs = _sequence(dlkit, build, {}), _sequence(torch, build, {})
    for epoch, (a, b) in enumerate(zip(ours, theirs)):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-15), f"{build.__name__} epoch {epoch}"


def test_sequential_state_dict_round_trip() -> None:
    def fresh() -> tuple[Any, Any]:
        opt = optim.SGD([dlkit.zeros(2, requires_grad=True)], lr=1.0)
        return opt, _warmup_cosine(dlkit, opt)

    opt, sched = fresh()
    for _ in range(6):
        sched.step()
    saved = sched.state_dict()
    other_opt, other = fresh()
    other.load_state_dict(saved)
    other_opt.param_groups[0]["lr"] = opt.param_groups[0]["lr"]
    for _ in range(5):
        sched.step(), other.step()
        assert other.get_last_lr() == pytest.approx(sched.get_last_lr(), rel=1e-15)


def test_sequential_checks_its_arguments() -> None:
    opt = optim.SGD([dlkit.zeros(1, requires_grad=True)], lr=1.0)
    other = optim.SGD([dlkit.zeros(1, requires_grad=True)], lr=1.0)
    s = optim.lr_scheduler
    with pytest.raises(ValueError, match="expected 1 milestones"):
        s.SequentialLR(opt, [s.LinearLR(opt), s.LinearLR(opt)], milestones=[2, 4])
    with pytest.raises(ValueError, match="belongs to another optimizer"):
        s.SequentialLR(opt, [s.LinearLR(opt), s.LinearLR(other)], milestones=[2])
    with pytest.raises(ValueError, match="start_factor must be in"):
        s.LinearLR(opt, start_factor=0.0)


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
