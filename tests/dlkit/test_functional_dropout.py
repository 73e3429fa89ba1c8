"""Inverted dropout: scaling, evaluation identity, seeding, the mask in the backward, parity with torch."""
from __future__ import annotations

import numpy as np
import pytest

import dlkit
import dlkit.functional as F
from dlkit.gradcheck import gradcheck


def test_dropout_keeps_the_expected_value_and_drops_about_p() -> None:
    dlkit.manual_seed(0)
    x = dlkit.ones(200, 500)
    out = F.dropout(x, 0.3, training=True).numpy()
    kept = out != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)
    assert abs(out.mean() - 1.0) < 0.02 and out.dtype == np.float32


def test_dropout_is_the_identity_in_eval_and_for_p_zero_and_zero_for_p_one() -> None:
    x = dlkit.randn(3, 4, requires_grad=True)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    out = F.dropout(x, 1.0)
    assert np.all(out.detach().numpy() == 0)
    with pytest.raises(ValueError, match=r"p must be a probability in \[0, 1\]"):
        F.dropout(x, 1.5)


def test_dropout_is_seeded_by_manual_seed() -> None:
    x = dlkit.ones(10, 10)
    dlkit.manual_seed(42)
    a = F.dropout(x, 0.5).numpy()
    dlkit.manual_seed(42)
    b = F.dropout(x, 0.5).numpy()
    np.testing.assert_array_equal(a, b)


def test_dropout_backward_uses_the_forward_mask() -> None:
    dlkit.manual_seed(3)
    x = dlkit.randn(4, 6, dtype="float64", requires_grad=True)
    out = F.dropout(x, 0.4)
    (out * out).sum().backward()
    mask = out.detach().numpy() != 0
    np.testing.assert_allclose(x.grad.numpy(), np.where(mask, 2 * x.detach().numpy() / 0.6 ** 2, 0.0), rtol=1e-12)
    mask_array = dlkit.tensor(mask)
    assert gradcheck(lambda t: F.Dropout.apply(t, mask=mask_array.data, scale=1 / 0.6), [x])


def test_dropout_matches_torch_given_the_same_mask() -> None:
    torch = pytest.importorskip("torch")
    dlkit.manual_seed(5)
    x = np.random.default_rng(0).standard_normal((3, 5))
    ours = dlkit.tensor(x, requires_grad=True)
    out = F.dropout(ours, 0.25)
    out.sum().backward()
    mask = torch.tensor(out.detach().numpy() != 0)
    theirs = torch.tensor(x, requires_grad=True)
    ref = theirs * mask / 0.75
    ref.sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)
