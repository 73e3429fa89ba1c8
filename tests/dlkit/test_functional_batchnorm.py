"""batch_norm beyond the case table: running statistics like torch over several steps, errors."""
from __future__ import annotations

import numpy as np
import pytest

import dlkit
import dlkit.functional as F

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install -e .[reference])")


@pytest.mark.torch
@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5), (4, 3, 3, 2)])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_running_statistics_follow_torch_over_steps(shape, dtype) -> None:
    rng = np.random.default_rng(0)
    tdtype = getattr(torch, dtype)
    rm, rv = dlkit.zeros(3, dtype=dtype), dlkit.ones(3, dtype=dtype)
    trm, trv = torch.zeros(3, dtype=tdtype), torch.ones(3, dtype=tdtype)
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    for step in range(3):
        x = rng.standard_normal(shape) * (step + 1) + step
        out = F.batch_norm(dlkit.tensor(x, dtype=dtype), rm, rv, dlkit.tensor(w, dtype=dtype), dlkit.tensor(b, dtype=dtype), True, 0.1)
        ref = torch.nn.functional.batch_norm(
            torch.tensor(x, dtype=tdtype), trm, trv, torch.tensor(w, dtype=tdtype), torch.tensor(b, dtype=tdtype), True, 0.1
        )
        tol = dict(rtol=1e-10, atol=1e-12) if dtype == "float64" else dict(rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(out.numpy(), ref.numpy(), **tol)
        np.testing.assert_allclose(rm.numpy(), trm.numpy(), **tol)
        np.testing.assert_allclose(rv.numpy(), trv.numpy(), **tol)
        assert rm.dtype_name == rv.dtype_name == dtype
    x = rng.standard_normal(shape)
    ours = F.batch_norm(dlkit.tensor(x, dtype=dtype), rm, rv, training=False).numpy()
    theirs = torch.nn.functional.batch_norm(torch.tensor(x, dtype=tdtype), trm, trv, training=False).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)


def test_batch_norm_errors() -> None:
    with pytest.raises(ValueError, match="more than 1 value per channel when training"):
        F.batch_norm(dlkit.randn(1, 3), None, None, training=True)
    with pytest.raises(ValueError, match=r"running_mean must have shape \(3,\)"):
        F.batch_norm(dlkit.randn(4, 3), dlkit.zeros(2), dlkit.ones(3), training=True)
    with pytest.raises(ValueError, match="needed when training=False"):
        F.batch_norm(dlkit.randn(4, 3), None, None, training=False)


def test_batch_norm_training_output_has_zero_mean_unit_variance_per_channel() -> None:
    x = dlkit.randn(64, 4, 3, 3) * 5 + 2
    out = F.batch_norm(x, None, None, training=True).numpy()
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(out.var(axis=(0, 2, 3)), 1, atol=1e-3)
