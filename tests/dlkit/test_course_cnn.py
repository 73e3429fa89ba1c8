"""The course CNN, built in dlkit and in torch with the same weights: the same logits, loss and gradients,
in evaluation mode and in training mode with dropout's masks shared.

Conv2d(1,16,3)+ReLU → Conv2d(16,32,3)+ReLU → MaxPool2d(2) → Dropout(0.25) → Flatten →
Linear(4608,128)+ReLU → Dropout(0.5) → Linear(128,10).
"""
from __future__ import annotations

import numpy as np
import pytest

import dlkit
import dlkit.nn as nn
import dlkit.nn.functional as F
from dlkit.backend import random as dlkit_random

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install -e .[reference])")
pytestmark = pytest.mark.torch

TOL = {"float64": dict(rtol=1e-9, atol=1e-11), "float32": dict(rtol=2e-4, atol=2e-5)}


def course_cnn(m, dropout=None):
    drop = dropout or m.Dropout
    return m.Sequential(
        m.Conv2d(1, 16, 3), m.ReLU(),
        m.Conv2d(16, 32, 3), m.ReLU(),
        m.MaxPool2d(2), drop(0.25), m.Flatten(),
        m.Linear(4608, 128), m.ReLU(), drop(0.5),
        m.Linear(128, 10),
    )


class SharedMaskDropout(torch.nn.Module):
    """torch's dropout with the masks dlkit drew, in the order dlkit drew them."""

    masks: list = []

    def __init__(self, p: float) -> None:
        super().__init__()
        self.p = p

    def forward(self, x):
        mask = torch.from_numpy(SharedMaskDropout.masks.pop(0))
        return x * mask / (1 - self.p)


def _models(dtype: str, dropout=None):
    torch.manual_seed(0)
    theirs = course_cnn(torch.nn, dropout).to(getattr(torch, dtype))
    ours = course_cnn(nn)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    ours.to(dtype)
    return ours, theirs


def _batch(dtype: str):
    rng = np.random.default_rng(0)
    return rng.standard_normal((3, 1, 28, 28)).astype(dtype), rng.integers(0, 10, size=3)


def _check(ours, theirs, x, y, dtype):
    logits = ours(dlkit.tensor(x))
    loss = F.cross_entropy(logits, dlkit.tensor(y))
    loss.backward()
    ref_logits = theirs(torch.from_numpy(x))
    ref_loss = torch.nn.functional.cross_entropy(ref_logits, torch.from_numpy(y))
    ref_loss.backward()
    assert logits.dtype_name == dtype and logits.shape == (3, 10)
    np.testing.assert_allclose(logits.detach().numpy(), ref_logits.detach().numpy(), **TOL[dtype])
    np.testing.assert_allclose(loss.item(), ref_loss.item(), **TOL[dtype])
    grads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        ref = grads[name].grad.numpy()
        # Gradients are compared relative to their own scale (float32 sums over thousands of terms).
        np.testing.assert_allclose(p.grad.numpy(), ref, rtol=TOL[dtype]["rtol"], atol=TOL[dtype]["rtol"] * np.abs(ref).max(), err_msg=name)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_course_cnn_matches_torch_in_eval_mode(dtype) -> None:
    ours, theirs = _models(dtype)
    ours.eval(), theirs.eval()
    _check(ours, theirs, *_batch(dtype), dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_course_cnn_matches_torch_in_train_mode_with_shared_dropout_masks(dtype, monkeypatch) -> None:
    ours, theirs = _models(dtype, dropout=SharedMaskDropout)
    ours.train(), theirs.train()
    bernoulli = dlkit_random.bernoulli
    drawn = []

    def recording(shape, p, xp=None, **kwargs):
        mask = bernoulli(shape, p, xp=xp, **kwargs)
        drawn.append(tuple(mask.shape))
        SharedMaskDropout.masks.append(np.asarray(mask).copy())  # torch's forward (run second) uses them
        return mask

    SharedMaskDropout.masks = []
    monkeypatch.setattr(dlkit_random, "bernoulli", recording)
    _check(ours, theirs, *_batch(dtype), dtype)
    assert drawn == [(3, 32, 12, 12), (3, 128)] and SharedMaskDropout.masks == []
