"""Losses and softmax beyond the case table: stability, reductions, ignored samples, clear errors."""
from __future__ import annotations

import numpy as np
import pytest

import dlkit
import dlkit.functional as F

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install -e .[reference])")
TF = torch.nn.functional


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softmax_and_cross_entropy_do_not_overflow_at_large_logits(dtype) -> None:
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [5e3, 5e3, -1e4]])
    x = dlkit.tensor(logits, dtype=dtype, requires_grad=True)
    target = dlkit.tensor([0, 2, 1])
    for out in (F.softmax(x, 1), F.log_softmax(x, 1), F.cross_entropy(x, target)):
        assert np.all(np.isfinite(out.detach().numpy()))
    loss = F.cross_entropy(x, target)
    loss.backward()
    assert np.all(np.isfinite(x.grad.numpy()))
    ref = TF.cross_entropy(torch.tensor(logits, dtype=getattr(torch, dtype)), torch.tensor([0, 2, 1]))
    np.testing.assert_allclose(loss.item(), ref.item(), rtol=1e-6)
    np.testing.assert_allclose(F.softmax(x, 1).detach().numpy(), TF.softmax(torch.tensor(logits), 1).numpy(), atol=1e-7)


def test_sigmoid_losses_are_stable_and_bce_clamps_its_logs_like_torch() -> None:
    x = np.array([-1e4, -30.0, 0.0, 30.0, 1e4])
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    ours = F.binary_cross_entropy_with_logits(dlkit.tensor(x), dlkit.tensor(y), reduction="none").numpy()
    theirs = TF.binary_cross_entropy_with_logits(torch.tensor(x), torch.tensor(y), reduction="none").numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    p = np.array([0.0, 1.0, 0.5])
    t = np.array([1.0, 0.0, 1.0])
    np.testing.assert_allclose(
        F.binary_cross_entropy(dlkit.tensor(p), dlkit.tensor(t), reduction="none").numpy(),
        TF.binary_cross_entropy(torch.tensor(p), torch.tensor(t), reduction="none").numpy(),
    )


def test_binary_cross_entropy_rejects_logits_with_a_hint() -> None:
    with pytest.raises(ValueError, match="probabilities in \\[0, 1\\].*binary_cross_entropy_with_logits"):
        F.binary_cross_entropy(dlkit.tensor([2.0, -1.0]), dlkit.tensor([1.0, 0.0]))
    with pytest.raises(ValueError, match="target must have the same shape as input"):
        F.binary_cross_entropy(dlkit.tensor([0.2, 0.5]), dlkit.tensor([1.0]))


def test_cross_entropy_errors_name_the_problem() -> None:
    x = dlkit.randn(3, 4)
    with pytest.raises(ValueError, match=r"one class index per sample, shape \(3,\)"):
        F.cross_entropy(x, dlkit.tensor([1, 2]))
    with pytest.raises(TypeError, match="integer class indices"):
        F.cross_entropy(x, dlkit.tensor([1.0, 2.0, 0.0]))
    with pytest.raises(IndexError, match=r"must be in \[0, 4\)"):
        F.cross_entropy(x, dlkit.tensor([1, 4, 0]))
    with pytest.raises(ValueError, match="reduction must be 'mean', 'sum' or 'none'"):
        F.cross_entropy(x, dlkit.tensor([1, 2, 0]), reduction="avg")


def test_cross_entropy_gradient_is_softmax_minus_one_hot_over_n() -> None:
    logits = np.random.default_rng(0).standard_normal((4, 3))
    x = dlkit.tensor(logits, dtype="float64", requires_grad=True)
    F.cross_entropy(x, dlkit.tensor([0, 2, 1, 2])).backward()
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    p[np.arange(4), [0, 2, 1, 2]] -= 1
    np.testing.assert_allclose(x.grad.numpy(), p / 4, rtol=1e-12)


def test_losses_keep_float32_with_python_and_float64_targets() -> None:
    x = dlkit.randn(3, 2, requires_grad=True)
    for loss in (
        F.mse_loss(x, [[0.0, 1.0]] * 3),
        F.l1_loss(x, np.zeros((3, 2))),
        F.binary_cross_entropy_with_logits(x, np.ones((3, 2))),
        F.cross_entropy(x, dlkit.tensor([0, 1, 1]), weight=dlkit.tensor([1.0, 2.0], dtype="float64")),
    ):
        assert loss.dtype_name == "float32" and loss.shape == ()


def test_all_samples_ignored_gives_nan_like_torch() -> None:
    with np.errstate(invalid="ignore", divide="ignore"):
        ours = F.cross_entropy(dlkit.randn(2, 3), dlkit.tensor([-100, -100])).item()
    assert np.isnan(ours) and np.isnan(TF.cross_entropy(torch.randn(2, 3), torch.tensor([-100, -100])).item())


def test_penalties() -> None:
    a = dlkit.tensor([[1.0, -2.0]], requires_grad=True)
    b = dlkit.tensor([3.0], requires_grad=True)
    assert F.l1_penalty([a, b]).item() == 6.0
    total = F.l2_penalty([a, b])
    assert total.item() == 14.0
    total.backward()
    np.testing.assert_allclose(a.grad.numpy(), [[2.0, -4.0]])
    assert F.l2_penalty(b).item() == 9.0
    with pytest.raises(ValueError, match="got no parameters"):
        F.l1_penalty([])
