"""Pooling beyond the case table: ties routed like torch, drawn geometries, errors."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import dlkit
import dlkit.functional as F

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install -e .[reference])")


def _both(fn_ours, fn_theirs, x: np.ndarray, seed: int = 0):
    ours, theirs = dlkit.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref = fn_ours(ours), fn_theirs(theirs)
    direction = np.random.default_rng(seed).standard_normal(tuple(ref.shape))
    out.backward(dlkit.tensor(direction))
    ref.backward(torch.tensor(direction))
    return out.detach().numpy(), ref.detach().numpy(), ours.grad.numpy(), theirs.grad.numpy()


@pytest.mark.torch
@pytest.mark.parametrize("kernel, stride, padding", [(2, None, 0), (3, 1, 1), (2, 1, 0), (3, 2, 1)])
def test_max_pool_routes_ties_to_one_element_like_torch(kernel, stride, padding) -> None:
    x = np.random.default_rng(1).integers(-1, 2, size=(2, 3, 6, 5)).astype(np.float64)  # many ties
    out, ref, g, h = _both(
        lambda t: F.max_pool2d(t, kernel, stride, padding),
        lambda t: torch.nn.functional.max_pool2d(t, kernel, stride, padding),
        x,
    )
    np.testing.assert_array_equal(out, ref)
    np.testing.assert_allclose(g, h, rtol=1e-12, atol=1e-12)


def test_max_pool_gives_each_window_gradient_once() -> None:
    x = dlkit.zeros(1, 1, 4, 4, requires_grad=True)  # every element ties
    F.max_pool2d(x, 2).sum().backward()
    assert x.grad.numpy().sum() == 4 and x.grad.numpy()[0, 0, ::2, ::2].tolist() == [[1, 1], [1, 1]]


@st.composite
def pool_geometry(draw):
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    p = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(k[0], 7)), draw(st.integers(k[1], 7)))
    return shape, k, s, p


@pytest.mark.torch
@settings(max_examples=25)
@given(geometry=pool_geometry(), seed=st.integers(0, 2**16), kind=st.sampled_from(["max", "avg"]))
def test_pooling_matches_torch_for_drawn_geometries(geometry, seed, kind) -> None:
    shape, k, s, p = geometry
    x = np.random.default_rng(seed).standard_normal(shape)
    ours = getattr(F, f"{kind}_pool2d")
    theirs = getattr(torch.nn.functional, f"{kind}_pool2d")
    out, ref, g, h = _both(lambda t: ours(t, k, s, p), lambda t: theirs(t, k, s, p), x, seed)
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g, h, rtol=1e-12, atol=1e-12)


def test_pooling_errors() -> None:
    x = dlkit.randn(1, 1, 4, 4)
    with pytest.raises(ValueError, match="padding should be at most half of kernel_size"):
        F.max_pool2d(x, 2, padding=2)
    with pytest.raises(ValueError, match=r"input must be 4-D \(N, C, H, W\)"):
        F.max_pool2d(dlkit.randn(4, 4), 2)
    with pytest.raises(ValueError, match="kernel .* is larger than the padded input"):
        F.avg_pool2d(x, 5)
    with pytest.raises(NotImplementedError, match="ceil_mode"):
        F.max_pool2d(x, 2, ceil_mode=True)
