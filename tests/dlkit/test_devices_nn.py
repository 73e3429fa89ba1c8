"""Whole models on a device: ``Module.to``, optimizer state beside its parameters, batches placed by
the DataLoader, and the course CNN training a few steps on array_api_strict exactly as on numpy."""
from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest

import dlkit
from dlkit import backend as B

from .backends import DEVICE_BACKENDS, STRICT, host
from .optim_cases import CASES as OPTIMIZER_CASES, case_id, run_dlkit
from .test_train import course_cnn

nn = pytest.importorskip("dlkit.nn")
optim = pytest.importorskip("dlkit.optim")


def _module_to_moves() -> bool:
    try:
        layer = nn.Linear(2, 2).to(STRICT)
    except (TypeError, ValueError):
        return False
    return layer.weight.device == STRICT


needs_module_to = pytest.mark.skipif(not _module_to_moves(), reason="Module.to(device) is not in dlkit.nn yet")


def _batches(n: int, batch: int = 4) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(0)
    return [(rng.standard_normal((batch, 1, 28, 28)).astype(np.float32), rng.integers(0, 10, batch)) for _ in range(n)]


def _train(where: str, make_optimizer: Any, steps: int = 3) -> tuple[list[float], dict[str, np.ndarray], Any]:
    dlkit.manual_seed(0)
    model = course_cnn().to(where)  # the same initial weights everywhere: drawn on the CPU, then moved
    opt = make_optimizer(model.parameters())
    loss_fn = nn.CrossEntropyLoss()
    dlkit.manual_seed(1)  # dropout masks: each device's own stream, seeded alike
    losses = []
    for x, y in _batches(steps):
        opt.zero_grad()
        loss = loss_fn(model(dlkit.tensor(x, device=where)), dlkit.tensor(y, device=where))
        loss.backward()
        opt.step()
        assert loss.device == where
        losses.append(loss.item())
    return losses, {k: host(v) for k, v in model.state_dict().items()}, opt


OPTIMIZERS = {
    "sgd_momentum": lambda params: optim.SGD(params, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-4),
    "adam": lambda params: optim.Adam(params, lr=1e-3),
}


@needs_module_to
@pytest.mark.parametrize("make_optimizer", OPTIMIZERS.values(), ids=OPTIMIZERS.keys())
def test_course_cnn_trains_on_array_api_strict_like_on_numpy(make_optimizer: Any) -> None:
    ref_losses, ref_state, _ = _train("cpu", make_optimizer)
    losses, state, opt = _train(STRICT, make_optimizer)
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-5, atol=1e-6)
    for name, value in ref_state.items():
        np.testing.assert_allclose(state[name], value, rtol=1e-4, atol=1e-5, err_msg=name)
    for p, per_param in opt.state.items():  # optimizer state lives beside its parameter
        for key, value in per_param.items():
            if isinstance(value, dlkit.Tensor):
                assert value.device == p.device == STRICT, f"optimizer state {key!r} on {value.device}"


@needs_module_to
def test_layers_are_made_on_the_default_device(backend: B.Device) -> None:
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(8, 2))
    assert all(t.device == backend for t in list(model.parameters()) + list(model.buffers()))
    assert model(dlkit.randn(3, 1, 4, 4)).device == backend


@needs_module_to
def test_module_to_moves_parameters_buffers_and_grads(backend: B.Device) -> None:
    with B.device("cpu"):
        model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
        model(dlkit.randn(5, 3)).sum().backward()
    assert model.to(backend) is model
    for name, t in list(model.named_parameters()) + list(model.named_buffers()):
        assert t.device == backend, f"{name} on {t.device}"
        if t.grad is not None:
            assert t.grad.device == backend, f"{name}.grad on {t.grad.device}"
    out = model(dlkit.randn(5, 3))
    assert out.device == backend
    assert model.to("cpu", dlkit.backend.dtypes.float64) is model
    assert all(p.device == "cpu" and p.dtype == "float64" for p in model.parameters())
    model.to("float32")  # dtype-only still works
    assert all(p.dtype == "float32" for p in model.parameters())


@needs_module_to
def test_a_model_on_one_device_refuses_inputs_from_another() -> None:
    model = nn.Linear(3, 2).to(STRICT)
    with pytest.raises(ValueError, match=r"cpu.*array_api_strict:device1|array_api_strict:device1.*cpu"):
        model(dlkit.randn(4, 3, device="cpu"))


def _loader_takes_device() -> bool:
    from dlkit import data

    return "device" in inspect.signature(data.DataLoader).parameters


@pytest.mark.skipif(not _loader_takes_device(), reason="DataLoader(device=...) is not in dlkit.data yet")
def test_dataloader_places_batches_on_a_device(backend: B.Device) -> None:
    from dlkit import data

    x, y = np.arange(20, dtype=np.float32).reshape(10, 2), np.arange(10)
    loader = data.DataLoader(data.TensorDataset(dlkit.tensor(x, device="cpu"), dlkit.tensor(y, device="cpu")),
                             batch_size=4, shuffle=True, seed=0, device=backend)
    seen = []
    for xb, yb in loader:
        assert xb.device == yb.device == backend
        seen += host(yb).tolist()
    assert sorted(seen) == list(range(10))


@pytest.mark.parametrize("where", DEVICE_BACKENDS)
@pytest.mark.parametrize("case", OPTIMIZER_CASES, ids=case_id)
def test_every_optimizer_steps_on_the_device_like_on_numpy(where: str, case: Any) -> None:
    name, kwargs = case
    on_device = run_dlkit(name, kwargs, "float64", steps=5, xp=B.device(where).namespace)
    plain = run_dlkit(name, kwargs, "float64", steps=5)
    for a, b in zip(on_device, plain):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
