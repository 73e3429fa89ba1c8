"""Finite-difference checks (float64) of every layer op's analytic backward: activations, linear, conv,
pooling, losses and batch norm (the cases in ``layer_cases.py``)."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

import dlkit
import dlkit.nn  # noqa: F401  (cases reach F as lib.nn.functional)
from dlkit.gradcheck import gradcheck

from .layer_cases import LAYER_CASES
from .op_cases import Case
from .strategies import values


@pytest.mark.parametrize("case", LAYER_CASES, ids=repr)
@given(data=st.data())
def test_layer_backward_matches_finite_differences(case: Case, data: st.DataObject) -> None:
    shapes = data.draw(case.shapes, label="shapes")
    seed = data.draw(st.integers(0, 2**16), label="seed")
    inputs = [
        dlkit.tensor(values(s, d, seed + i), dtype="float64", requires_grad=True)
        for i, (s, d) in enumerate(zip(shapes, case.domains(len(shapes))))
    ]
    assert gradcheck(lambda *xs: case.fn(dlkit, *xs), inputs, eps=1e-6, atol=1e-6, rtol=1e-4)
