"""The Optimizer base: groups, zero_grad, state_dict round trips, errors, and other array namespaces."""
from __future__ import annotations


import numpy as np
import pytest

import dlkit
import dlkit.optim as optim

from .backends import same_place
from .optim_cases import CASES, case_id, gradient, run_dlkit, start


def _params(dtype: str = "float64") -> list[dlkit.Tensor]:
    return [dlkit.tensor(v, dtype=dtype, requires_grad=True) for v in start()]


def _steps(opt: optim.Optimizer, params: list[dlkit.Tensor], steps: range) -> None:
    for step in steps:
        values = [p.detach().numpy().astype(np.float64) for p in params]
        for p, g in zip(params, gradient(values, step)):
            p.grad = dlkit.tensor(g, dtype=p.dtype_name)
        opt.step()


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_state_dict_round_trip_continues_the_same_trajectory(case) -> None:
    name, kwargs = case
    a = _params()
    opt_a = getattr(optim, name)(a, **kwargs)
    _steps(opt_a, a, range(10))
    saved = opt_a.state_dict()
    b = [dlkit.tensor(p.detach().numpy(), requires_grad=True) for p in a]
    opt_b = getattr(optim, name)(b, lr=123.0)  # the saved lr must win
    opt_b.load_state_dict(saved)
    _steps(opt_a, a, range(10, 20))
    _steps(opt_b, b, range(10, 20))
    for p, q in zip(a, b):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


def test_loaded_state_is_a_copy_and_keeps_the_parameter_dtype() -> None:
    a = _params("float32")
    opt = optim.Adam(a)
    _steps(opt, a, range(3))
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"} and sd["param_groups"][0]["params"] == [0, 1]
    assert sd["state"][0]["step"] == 3 and sd["state"][0]["exp_avg"].shape == (4, 3)
    b = [dlkit.tensor(p.detach().numpy(), dtype="float32", requires_grad=True) for p in a]
    opt_b = optim.Adam(b)
    opt_b.load_state_dict(sd)
    _steps(opt, a, range(3, 4))  # moving the original must not move the copy
    assert opt_b.state[b[0]]["step"] == 3
    assert opt_b.state[b[0]]["exp_avg"].dtype_name == "float32"
    assert not np.shares_memory(opt_b.state[b[0]]["exp_avg"].data, opt.state[a[0]]["exp_avg"].data)


def test_zero_grad_sets_to_none_or_zeros() -> None:
    p = dlkit.ones(3, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad.numpy(), np.zeros(3, np.float32))
    opt.zero_grad()
    assert p.grad is None


def test_parameters_without_grad_are_skipped_and_groups_take_defaults() -> None:
    a, b = dlkit.ones(2, requires_grad=True), dlkit.ones(2, requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 1.0}], lr=0.5, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.5, 1.0] and opt.param_groups[1]["momentum"] == 0.9
    a.grad = dlkit.ones(2)
    opt.step()
    np.testing.assert_allclose(a.detach().numpy(), [0.5, 0.5])
    np.testing.assert_allclose(b.detach().numpy(), [1.0, 1.0])
    assert b not in opt.state


def test_numpy_scalar_hyperparameters_do_not_promote_float32() -> None:
    p = dlkit.ones(2, requires_grad=True)
    opt = optim.Adam([p], lr=np.float64(0.1), betas=(np.float64(0.9), 0.99))
    opt.param_groups[0]["lr"] = np.float64(0.01)
    p.grad = dlkit.ones(2)
    opt.step()
    assert p.dtype_name == "float32" and opt.state[p]["exp_avg"].dtype_name == "float32"


def test_closure_is_evaluated_and_its_loss_returned() -> None:
    p = dlkit.tensor([2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    assert float(opt.step(closure)) == pytest.approx(4.0)
    assert float(p.detach()[0]) == pytest.approx(1.0)


def test_named_parameters_and_repr() -> None:
    p = dlkit.ones(2, requires_grad=True)
    opt = optim.RMSprop([("w", p)], lr=0.1)
    assert opt.param_groups[0]["params"] == [p]
    assert "RMSprop (" in repr(opt) and "lr: 0.1" in repr(opt)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda p: optim.SGD([p], lr=-1), "SGD: lr must be >= 0"),
        (lambda p: optim.SGD([p], lr=0.1, nesterov=True), "nesterov=True needs momentum > 0"),
        (lambda p: optim.Adam([p], betas=(0.9, 1.0)), "betas must be two numbers"),
        (lambda p: optim.Adam([]), "empty"),
        (lambda p: optim.SGD([p, p], lr=0.1), "more than one group"),
        (lambda p: optim.SGD([p * 2], lr=0.1), "non-leaf"),
    ],
)
def test_bad_arguments_are_named(make, match) -> None:
    with pytest.raises(ValueError, match=match):
        make(dlkit.ones(2, requires_grad=True))


def test_single_tensor_is_rejected_with_a_hint() -> None:
    with pytest.raises(TypeError, match=r"pass \[tensor\]"):
        optim.SGD(dlkit.ones(2, requires_grad=True), lr=0.1)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_array_api_strict_parameters_give_the_numpy_trajectory(case) -> None:
    """State lives beside its parameter, in its namespace: nothing falls back to numpy."""
    xp = pytest.importorskip("array_api_strict")
    name, kwargs = case
    strict = run_dlkit(name, kwargs, "float64", steps=5, xp=xp)
    plain = run_dlkit(name, kwargs, "float64", steps=5)
    for a, b in zip(strict, plain):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_ema_is_the_moving_average() -> None:
    avg = np.array([1.0, 2.0])
    optim.ema_(avg, np.array([3.0, 0.0]), 0.75)
    np.testing.assert_allclose(avg, [1.5, 1.5])


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_optimizers_run_on_every_device(backend, case) -> None:
    """Gradients from the device's own backward; state created on the parameter's device; numpy's numbers."""
    name, kwargs = case

    def run(on_device: bool) -> tuple[dlkit.Tensor, optim.Optimizer]:
        values = start()[0]
        p = dlkit.tensor(values.tolist(), dtype="float64", requires_grad=True) if on_device else \
            dlkit.Tensor(values, requires_grad=True)
        opt = getattr(optim, name)([p], **kwargs)
        for _ in range(3):
            opt.zero_grad()
            (p * p * p - p).sum().backward()
            opt.step()
        return p, opt

    p, opt = run(True)
    reference, _ = run(False)
    for key, value in opt.state[p].items():
        if isinstance(value, dlkit.Tensor):
            assert same_place(value.data, p), f"{name}: state {key!r} is not on the parameter's device"
            assert value.dtype_name == "float64"
    np.testing.assert_allclose(dlkit.backend.to_numpy(p.data), reference.detach().numpy(), rtol=1e-12)
