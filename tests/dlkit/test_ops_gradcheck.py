"""Finite-difference checks of every op's backward, in float64, over drawn shapes (broadcasting, size-1 axes)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import dlkit
from dlkit.gradcheck import GradcheckError, gradcheck

from .op_cases import ALL_CASES, Case
from .strategies import values


def _inputs(case: Case, data: st.DataObject) -> list[dlkit.Tensor]:
    shapes = data.draw(case.shapes, label="shapes")
    seed = data.draw(st.integers(0, 2**16), label="seed")
    domains = case.domains(len(shapes))
    return [dlkit.tensor(values(s, d, seed + i), requires_grad=True) for i, (s, d) in enumerate(zip(shapes, domains))]


@pytest.mark.parametrize("case", ALL_CASES, ids=repr)
@given(data=st.data())
def test_backward_matches_finite_differences(case: Case, data: st.DataObject) -> None:
    inputs = _inputs(case, data)
    assert gradcheck(lambda *xs: case.fn(dlkit, *xs), inputs, eps=1e-6, atol=1e-6, rtol=1e-4)


def test_gradcheck_catches_a_wrong_backward() -> None:
    class WrongSquare(dlkit.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            return grad * a  # forgot the factor 2

    x = dlkit.tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)
    with pytest.raises(GradcheckError, match=r"input 0 \(shape \(2, 3\)\).*worst element at index"):
        gradcheck(WrongSquare.apply, [x])
    assert gradcheck(WrongSquare.apply, [x], raise_exception=False) is False


def test_numerical_grad_of_a_known_function() -> None:
    x = dlkit.tensor([1.0, -2.0, 3.0], dtype="float64")
    (g,) = dlkit.gradcheck.numerical_grad(lambda t: (t ** 3).sum(), [x])
    np.testing.assert_allclose(g, 3 * np.array([1.0, 4.0, 9.0]), rtol=1e-7)
