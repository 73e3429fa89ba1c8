"""Parity with PyTorch: the same op on the same inputs gives the same values and gradients."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import dlkit

from .op_cases import ALL_CASES, Case
from .strategies import values

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install -e .[reference])")

TOL = {"float64": dict(rtol=1e-10, atol=1e-12), "float32": dict(rtol=2e-5, atol=2e-6)}


def _run(lib, case: Case, arrays: list[np.ndarray], dtype: str):
    if lib is torch:
        ts = [torch.tensor(a, dtype=getattr(torch, dtype), requires_grad=True) for a in arrays]
    else:
        ts = [dlkit.tensor(a, dtype=dtype, requires_grad=True) for a in arrays]
    out = case.fn(lib, *ts)
    direction = np.random.default_rng(7).standard_normal(tuple(out.shape))
    out.backward(torch.tensor(direction, dtype=out.dtype) if lib is torch else dlkit.tensor(direction, dtype=dtype))
    value = out.detach().numpy()
    grads = [np.zeros(a.shape, dtype=dtype) if t.grad is None else t.grad.numpy() for t, a in zip(ts, arrays)]
    return value, grads, out


def compare_with_torch(case: Case, dtype: str, data: st.DataObject, tol: dict) -> None:
    """Draw inputs for ``case``, run it in dlkit and torch, and compare values, gradients and dtypes."""
    shapes = data.draw(case.shapes, label="shapes")
    seed = data.draw(st.integers(0, 2**16), label="seed")
    arrays = [values(s, d, seed + i) for i, (s, d) in enumerate(zip(shapes, case.domains(len(shapes))))]
    ours, our_grads, out = _run(dlkit, case, arrays, dtype)
    theirs, their_grads, ref = _run(torch, case, arrays, dtype)
    assert ours.shape == theirs.shape, f"{case.name}: shape {ours.shape} vs torch {theirs.shape}"
    assert out.dtype_name == dtype, f"{case.name}: result dtype {out.dtype_name}, expected {dtype}"
    np.testing.assert_allclose(ours, theirs, **tol[dtype], err_msg=f"{case.name} value")
    for i, (g, h) in enumerate(zip(our_grads, their_grads)):
        assert g.dtype == np.dtype(dtype), f"{case.name}: grad {i} dtype {g.dtype}"
        np.testing.assert_allclose(g, h, **tol[dtype], err_msg=f"{case.name} grad of input {i}")


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", ALL_CASES, ids=repr)
@given(data=st.data())
def test_values_and_gradients_match_torch(case: Case, dtype: str, data: st.DataObject) -> None:
    compare_with_torch(case, dtype, data, TOL)


@pytest.mark.torch
def test_max_with_dim_returns_values_and_indices_like_torch() -> None:
    a = values((3, 4), "spread", 3)
    ours = dlkit.tensor(a).max(dim=1)
    theirs = torch.tensor(a).max(dim=1)
    np.testing.assert_allclose(ours.values.numpy(), theirs.values.numpy())
    np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
    np.testing.assert_array_equal(dlkit.tensor(a).argmax().numpy(), torch.tensor(a).argmax().numpy())


@pytest.mark.torch
def test_ties_share_gradient_like_torch() -> None:
    a = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    for fn in (lambda lib, t: lib.amax(t, dim=1).sum(), lambda lib, t: t.max(), lambda lib, t: lib.maximum(t, t.flip(1) if lib is torch else t[:, ::-1]).sum()):
        x, y = dlkit.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        fn(dlkit, x).backward()
        fn(torch, y).backward()
        np.testing.assert_allclose(x.grad.numpy(), y.grad.numpy())
