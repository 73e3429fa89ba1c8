"""The layer ops on every backend (array_api_strict's stand-in device, cupy where there is a GPU) give
numpy's values and gradients, and keep results and gradients on the inputs' device."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import dlkit
import dlkit.nn  # noqa: F401  (cases reach F as lib.nn.functional)
from dlkit import backend as B

from .backends import DEVICE_BACKENDS
from .layer_cases import LAYER_CASES
from .op_cases import Case
from .strategies import values
from .test_backends import _run  # runs a case on a device, checking results and grads stay there

TOL = {"float64": dict(rtol=1e-11, atol=1e-12), "float32": dict(rtol=1e-5, atol=1e-5)}
FEW = settings(max_examples=2)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", LAYER_CASES, ids=repr)
@pytest.mark.parametrize("where", DEVICE_BACKENDS)
@FEW
@given(data=st.data())
def test_layer_op_matches_numpy_on_every_backend(where: str, case: Case, dtype: str, data: st.DataObject) -> None:
    shapes = data.draw(case.shapes, label="shapes")
    seed = data.draw(st.integers(0, 2**16), label="seed")
    arrays = [values(s, d, seed + i) for i, (s, d) in enumerate(zip(shapes, case.domains(len(shapes))))]
    ours, our_grads = _run(case, arrays, dtype, B.device(where))
    ref, ref_grads = _run(case, arrays, dtype, B.device("cpu"))
    np.testing.assert_allclose(ours, ref, **TOL[dtype], err_msg=f"{case.name} value on {where}")
    for i, (g, h) in enumerate(zip(our_grads, ref_grads)):
        assert (g is None) == (h is None), f"{case.name}: grad {i} is missing on one device"
        if g is not None:
            np.testing.assert_allclose(g, h, **TOL[dtype], err_msg=f"{case.name} grad of input {i} on {where}")
