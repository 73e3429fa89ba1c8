"""Layer norm beyond the parity cases: its statistics are per example, its errors name the shapes."""
from __future__ import annotations

import numpy as np
import pytest

import dlkit
import dlkit.functional as F
import dlkit.nn as nn


def test_each_example_is_normalized_on_its_own() -> None:
    x = np.random.default_rng(0).normal(size=(4, 6)) * np.array([[1.0], [10.0], [0.1], [3.0]]) + 5.0
    out = F.layer_norm(dlkit.tensor(x), (6,), eps=0.0).numpy()
    np.testing.assert_allclose(out.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=1), 1.0, rtol=1e-12)
    alone = F.layer_norm(dlkit.tensor(x[1:2]), (6,), eps=0.0).numpy()  # no batch statistics: a batch of one is the same
    np.testing.assert_allclose(alone[0], out[1], rtol=1e-12)


def test_module_defaults_and_modes() -> None:
    layer = nn.LayerNorm(3)
    assert layer.weight.dtype == dlkit.float32 and np.all(layer.weight.detach().numpy() == 1) \
        and np.all(layer.bias.detach().numpy() == 0)
    assert nn.LayerNorm(3, elementwise_affine=False).weight is None and nn.LayerNorm(3, bias=False).bias is None
    x = dlkit.randn(2, 3)
    train = layer(x).detach().numpy()
    layer.eval()
    np.testing.assert_array_equal(layer(x).detach().numpy(), train)
    assert not list(layer.buffers())


@pytest.mark.parametrize("shape, normalized, match", [
    ((2, 3), (4,), r"normalized_shape \[4\] must be the last dimensions of the input, got input of shape \(2, 3\)"),
    ((3,), (2, 3), r"must be the last dimensions"),
    ((2, 3), (), r"must be the last dimensions"),
])
def test_wrong_normalized_shape_is_named(shape: tuple[int, ...], normalized: tuple[int, ...], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        F.layer_norm(dlkit.zeros(*shape), normalized)


def test_wrong_weight_shape_is_named() -> None:
    with pytest.raises(ValueError, match=r"weight must have the normalized shape \(3,\), got \(2,\)"):
        F.layer_norm(dlkit.zeros(2, 3), (3,), dlkit.ones(2))
