"""Hessians by finite differences of gradients, and Newton steps."""
from __future__ import annotations

import numpy as np
import pytest

import dlkit
from dlkit.hessian import gradient, hessian
from dlkit.optim import newton_step

A = np.array([[3.0, 1.0], [1.0, 2.0]])
B = np.array([1.0, -1.0])


def quadratic(x: dlkit.Tensor) -> dlkit.Tensor:
    a, b = dlkit.tensor(A, dtype="float64"), dlkit.tensor(B, dtype="float64")
    return 0.5 * (x * (a @ x)).sum() - (b * x).sum()


def test_hessian_of_a_quadratic_is_its_matrix() -> None:
    h = hessian(quadratic, dlkit.tensor([0.3, -2.0]))
    assert h.dtype_name == "float64" and h.shape == (2, 2)
    np.testing.assert_allclose(h.numpy(), A, atol=1e-8)


def test_one_newton_step_solves_a_quadratic_from_anywhere() -> None:
    x = dlkit.tensor([5.0, -7.0], dtype="float64", requires_grad=True)
    new = newton_step(quadratic, x)
    np.testing.assert_allclose(new.detach().numpy(), np.linalg.solve(A, B), atol=1e-8)
    assert new.requires_grad and new.is_leaf and new is not x
    exact = newton_step(quadratic, x, hessian_fn=lambda _: dlkit.tensor(A, dtype="float64"))
    np.testing.assert_allclose(exact.detach().numpy(), np.linalg.solve(A, B), atol=1e-12)


def test_newton_keeps_the_dtype_and_damping_shortens_the_step() -> None:
    x = dlkit.tensor([5.0, -7.0])
    full, damped = newton_step(quadratic, x), newton_step(quadratic, x, damping=10.0)
    assert full.dtype_name == "float32"
    target = np.linalg.solve(A, B)
    assert np.linalg.norm(damped.numpy() - x.numpy()) < np.linalg.norm(full.numpy() - x.numpy())
    np.testing.assert_allclose(full.numpy(), target, atol=1e-5)


def test_newton_converges_quadratically_on_a_smooth_function() -> None:
    def f(x):
        return (x.exp() - 2.0 * x).sum() + (x * x).sum()  # minimum where e^x + 2x = 2

    x = dlkit.tensor([2.0, -1.0], dtype="float64")
    errors = []
    for _ in range(5):
        x = newton_step(f, x)
        errors.append(float(np.max(np.abs(gradient(f, x).numpy()))))
    assert errors[-1] < 1e-9 and errors[2] < errors[1] ** 1.5


@pytest.mark.torch
def test_hessian_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    v = np.array([[0.3, -0.5], [1.2, 0.1]])

    def f(lib, x):
        return (lib.sin(x) * lib.exp(x[:, :1])).sum() + (x * x * x).sum()

    ours = hessian(lambda x: f(dlkit, x), dlkit.tensor(v, dtype="float64")).numpy()
    theirs = torch.autograd.functional.hessian(lambda x: f(torch, x), torch.tensor(v)).numpy()
    assert ours.shape == (2, 2, 2, 2)
    np.testing.assert_allclose(ours, theirs, atol=1e-8)


def test_gradient_needs_a_scalar_function() -> None:
    with pytest.raises(ValueError, match="scalar"):
        gradient(lambda x: x * 2, dlkit.ones(3))
