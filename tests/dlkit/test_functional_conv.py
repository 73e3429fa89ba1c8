"""conv2d/conv1d beyond the case table: drawn geometries against torch, skipped input gradients, errors."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import dlkit
import dlkit.functional as F
from dlkit import ShapeError
from dlkit.autograd.function import Function

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install -e .[reference])")


@st.composite
def geometries(draw):
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h = draw(st.integers(max(1, kh - 2 * ph), 7))
    w = draw(st.integers(max(1, kw - 2 * pw), 7))
    n, c, o = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return (n, c, h, w), (o, c, kh, kw), (sh, sw), (ph, pw), draw(st.booleans())


@pytest.mark.torch
@settings(max_examples=30)
@given(geometry=geometries(), seed=st.integers(0, 2**16))
def test_conv2d_matches_torch_for_drawn_geometries(geometry, seed) -> None:
    xs, ws, stride, padding, with_bias = geometry
    rng = np.random.default_rng(seed)
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    ours = [dlkit.tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    out = F.conv2d(ours[0], ours[1], ours[2] if with_bias else None, stride, padding)
    ref = torch.nn.functional.conv2d(theirs[0], theirs[1], theirs[2] if with_bias else None, stride, padding)
    direction = rng.standard_normal(tuple(ref.shape))
    out.backward(dlkit.tensor(direction))
    ref.backward(torch.tensor(direction))
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    for mine, yours in zip(ours if with_bias else ours[:2], theirs):
        np.testing.assert_allclose(mine.grad.numpy(), yours.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_conv2d_skips_the_input_gradient_when_the_input_needs_none(monkeypatch) -> None:
    calls = []
    from dlkit.backend import ops

    original = ops.col2im

    def spy(*args):
        calls.append("col2im")
        return original(*args)

    monkeypatch.setattr(ops, "col2im", spy)
    x = dlkit.randn(2, 3, 6, 6)  # data: no gradient wanted
    w = dlkit.randn(4, 3, 3, 3, requires_grad=True)
    F.conv2d(x, w).sum().backward()
    assert "col2im" not in calls and w.grad.shape == (4, 3, 3, 3)
    x.requires_grad = True
    F.conv2d(x, w).sum().backward()
    assert "col2im" in calls and x.grad.shape == x.shape


def test_conv2d_keeps_float32_and_graph_holds_no_output() -> None:
    x = dlkit.randn(2, 1, 5, 5, requires_grad=True)
    w = dlkit.randn(2, 1, 3, 3, requires_grad=True)
    out = F.conv2d(x, w, padding=1)
    assert out.dtype_name == "float32" and out.shape == (2, 2, 5, 5)
    saved = out.grad_fn.saved_tensors
    assert all(s is None or s is not out.data for s in saved)


def test_conv2d_same_padding_keeps_the_size_and_rejects_strides() -> None:
    x = dlkit.randn(1, 2, 7, 6)
    assert F.conv2d(x, dlkit.randn(3, 2, 5, 3), padding="same").shape == (1, 3, 7, 6)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        F.conv2d(x, dlkit.randn(3, 2, 3, 3), padding="same", stride=2)


@pytest.mark.parametrize(
    "x, w, b, match",
    [
        ((2, 3, 5, 5), (4, 2, 3, 3), None, r"conv2d: input has 3 channels \(input.shape\[1\]\) but weight expects 2"),
        ((3, 5, 5), (4, 3, 3, 3), None, r"conv2d: input must be 4-D \(N, C, H, W\), got shape \(3, 5, 5\)"),
        ((2, 3, 5, 5), (4, 3, 3, 3), (3,), r"conv2d: bias must have shape \(4,\)"),
        ((1, 1, 2, 2), (1, 1, 3, 3), None, r"conv2d: the kernel \(3\) is larger than the padded input along height"),
    ],
)
def test_conv2d_shape_errors_name_the_argument(x, w, b, match) -> None:
    with pytest.raises((ShapeError, ValueError), match=match):
        F.conv2d(dlkit.randn(*x), dlkit.randn(*w), None if b is None else dlkit.randn(*b))


def test_conv2d_rejects_bad_geometry_arguments() -> None:
    x, w = dlkit.randn(1, 1, 4, 4), dlkit.randn(1, 1, 2, 2)
    with pytest.raises(ValueError, match="stride must be an int or a pair of ints"):
        F.conv2d(x, w, stride=0)
    with pytest.raises(ValueError, match="padding must be an int or a pair"):
        F.conv2d(x, w, padding=(1, 2, 3))
    with pytest.raises(NotImplementedError, match="dilation and groups"):
        F.conv2d(x, w, dilation=2)


def test_conv_is_a_function_with_an_analytic_backward() -> None:
    assert issubclass(F.Conv2d, Function) and F.Conv2d.backward is not Function.backward


@pytest.mark.torch
def test_conv1d_matches_torch_with_tuple_arguments() -> None:
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((2, 3, 9)), rng.standard_normal((2, 3, 4))
    ours = F.conv1d(dlkit.tensor(x), dlkit.tensor(w), stride=(2,), padding=(1,))
    ref = torch.nn.functional.conv1d(torch.tensor(x), torch.tensor(w), stride=(2,), padding=(1,))
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-12)
