"""Every op of ``op_cases.py`` on every backend gives numpy's values and gradients, and stays on its device.

The numpy run is the reference; the same case then runs with the device under test as the
default device (so tensors a case makes itself, like index tensors, land there too). Array type in
equals array type out: the result and every gradient live in the inputs' namespace and device.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import dlkit
from dlkit import backend as B

from .backends import BACKENDS, host, run_case
from .op_cases import ALL_CASES, Case
from .strategies import values

TOL = {"float64": dict(rtol=1e-12, atol=1e-12), "float32": dict(rtol=1e-5, atol=1e-6)}
# A third of the profile's examples: each one runs the case on two devices.
_run = run_case  # the name test_functional_backends.py imports; new code: backends.run_case
FEW = settings(max_examples=max(2, settings.default.max_examples // 3))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", ALL_CASES, ids=repr)
@pytest.mark.parametrize("where", BACKENDS)
@FEW
@given(data=st.data())
def test_op_matches_numpy_on_every_backend(where: str, case: Case, dtype: str, data: st.DataObject) -> None:
    backend = B.device(where)
    shapes = data.draw(case.shapes, label="shapes")
    seed = data.draw(st.integers(0, 2**16), label="seed")
    arrays = [values(s, d, seed + i) for i, (s, d) in enumerate(zip(shapes, case.domains(len(shapes))))]
    ours, our_grads = run_case(case, arrays, dtype, backend)
    ref, ref_grads = run_case(case, arrays, dtype, "cpu")
    np.testing.assert_allclose(ours, ref, **TOL[dtype], err_msg=f"{case.name} value on {backend}")
    for i, (g, h) in enumerate(zip(our_grads, ref_grads)):
        assert (g is None) == (h is None), f"{case.name}: grad {i} is missing on one device"
        if g is not None:
            np.testing.assert_allclose(g, h, **TOL[dtype], err_msg=f"{case.name} grad of input {i} on {backend}")


def test_max_with_dim_and_argmax_on_every_backend(backend: B.Device) -> None:
    a = values((3, 4), "spread", 3)
    ours, ref = dlkit.tensor(a).max(dim=1), dlkit.tensor(a, device="cpu").max(dim=1)
    assert ours.indices.device == backend and ours.indices.dtype == dlkit.backend.dtypes.int64
    np.testing.assert_array_equal(host(ours.indices), host(ref.indices))
    np.testing.assert_array_equal(host(dlkit.tensor(a).argmax()), host(dlkit.tensor(a, device="cpu").argmax()))


def test_gradcheck_runs_on_every_backend(backend: B.Device) -> None:
    x = dlkit.tensor(values((2, 3), "positive", 1), dtype="float64", requires_grad=True)
    assert x.device == backend
    assert dlkit.gradcheck.gradcheck(lambda t: (t.log() * t[:, ::-1]).sum(dim=0), [x])


def test_setitem_and_python_operands_stay_on_the_device(backend: B.Device) -> None:
    t = dlkit.zeros(2, 3)
    t[0] = 1.0
    t[:, 1] = dlkit.tensor([5.0, 6.0])
    u = t + [1.0, 2.0, 3.0]
    v = [[1.0], [2.0]] * t
    assert u.device == v.device == backend
    np.testing.assert_allclose(host(u), [[2, 7, 4], [1, 8, 3]])
    np.testing.assert_allclose(host(v), [[1, 5, 1], [0, 12, 0]])
    assert host(t > [0.5, 5.5, 0.5]).tolist() == [[True, False, True], [False, True, False]]
