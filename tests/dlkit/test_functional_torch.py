"""Parity with PyTorch for every layer op: values and gradients of each input, float64 and float32."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

import dlkit
import dlkit.nn  # noqa: F401  (cases reach F as lib.nn.functional)

from .layer_cases import LAYER_CASES
from .op_cases import Case
from .test_ops_torch import compare_with_torch  # the foundation's parity check

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install -e .[reference])")

TOL = {"float64": dict(rtol=1e-10, atol=1e-12), "float32": dict(rtol=1e-5, atol=1e-5)}


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", LAYER_CASES, ids=repr)
@given(data=st.data())
def test_layer_values_and_gradients_match_torch(case: Case, dtype: str, data: st.DataObject) -> None:
    compare_with_torch(case, dtype, data, TOL)
