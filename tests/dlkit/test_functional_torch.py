"""Parity with PyTorch for every layer op: values and gradients of each input, float64 and float32."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import dlkit
import dlkit.nn  # noqa: F401  (cases reach F as lib.nn.functional)

from .layer_cases import LAYER_CASES
from .op_cases import Case
from .strategies import values
from .test_ops_torch import _run as run  # the same runner as the foundation's parity test

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install -e .[reference])")

TOL = {"float64": dict(rtol=1e-10, atol=1e-12), "float32": dict(rtol=1e-5, atol=1e-5)}


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", LAYER_CASES, ids=repr)
@given(data=st.data())
def test_layer_values_and_gradients_match_torch(case: Case, dtype: str, data: st.DataObject) -> None:
    shapes = data.draw(case.shapes, label="shapes")
    seed = data.draw(st.integers(0, 2**16), label="seed")
    arrays = [values(s, d, seed + i) for i, (s, d) in enumerate(zip(shapes, case.domains(len(shapes))))]
    ours, our_grads, out = run(dlkit, case, arrays, dtype)
    theirs, their_grads, _ = run(torch, case, arrays, dtype)
    assert ours.shape == theirs.shape, f"{case.name}: shape {ours.shape} vs torch {theirs.shape}"
    assert out.dtype_name == dtype, f"{case.name}: result dtype {out.dtype_name}, expected {dtype}"
    np.testing.assert_allclose(ours, theirs, **TOL[dtype], err_msg=f"{case.name} value")
    for i, (g, h) in enumerate(zip(our_grads, their_grads)):
        assert g.dtype == np.dtype(dtype), f"{case.name}: grad {i} dtype {g.dtype}"
        np.testing.assert_allclose(g, h, **TOL[dtype], err_msg=f"{case.name} grad of input {i}")
