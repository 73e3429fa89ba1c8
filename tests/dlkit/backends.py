"""The devices the dlkit suite runs on: numpy always, array_api_strict always, cupy where a GPU exists.

``array_api_strict`` runs on its ``device1`` stand-in: it rejects numpy-only calls, implicit
conversions and arrays from its other devices, which are exactly the bugs that would break on a GPU.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import dlkit
import dlkit.cuda
from dlkit import backend


CUDA_SKIP = None
try:
    import cupy as _cupy  # noqa: F401
except ImportError:
    CUDA_SKIP = "cupy is not installed (pip install -e .[gpu] on a machine with an NVIDIA GPU)"
else:
    if not dlkit.cuda.is_available():
        CUDA_SKIP = "cupy.cuda.is_available() is False: no GPU on this machine"

STRICT = "array_api_strict:device1"

BACKENDS = [
    pytest.param("cpu", id="numpy"),
    pytest.param(STRICT, id="array_api_strict"),
    pytest.param("cuda", id="cupy", marks=pytest.mark.skipif(CUDA_SKIP is not None, reason=CUDA_SKIP or "")),
]
DEVICE_BACKENDS = BACKENDS[1:]  # the ones that are not the numpy reference


def same_place(array: Any, reference: dlkit.Tensor) -> bool:
    """Whether ``array`` lives where ``reference``'s data does: same array type and device (numpy
    scalars, which numpy returns for 0-d results, count as numpy arrays)."""
    if isinstance(reference.data, (np.ndarray, np.generic)):
        return isinstance(array, (np.ndarray, np.generic))
    return type(array) is type(reference.data) and backend.device_of(array) == reference.device


def run_case(case: Any, arrays: list[np.ndarray], dtype: str, where: Any) -> tuple[np.ndarray, list[Any]]:
    """Run an op case (``op_cases.Case``) on device ``where``, backward along a fixed direction.

    Returns the value and the input gradients as numpy, after checking that the result and every
    gradient stayed in the inputs' namespace and device, with the requested dtype.
    """
    with backend.device(where):
        ts = [dlkit.tensor(a, dtype=dtype, requires_grad=True) for a in arrays]
        out = case.fn(dlkit, *ts)
        out.backward(dlkit.tensor(np.random.default_rng(7).standard_normal(out.shape), dtype=dtype))
    assert same_place(out.data, ts[0]), f"{case.name}: result {type(out.data)} on {out.device}, inputs on {ts[0].device}"
    assert out._xp is ts[0]._xp, f"{case.name}: the result's namespace differs from its inputs'"
    assert out.dtype == dtype, f"{case.name}: result dtype {out.dtype}, expected {dtype}"
    grads = []
    for i, t in enumerate(ts):
        if t.grad is not None:
            assert same_place(t.grad.data, t), f"{case.name}: grad {i} on {t.grad.device}, input on {t.device}"
            assert t.grad.dtype == dtype, f"{case.name}: grad {i} dtype {t.grad.dtype}"
        grads.append(None if t.grad is None else host(t.grad))
    return host(out), grads


def host(t: Any) -> np.ndarray:
    """A tensor's (or array's) values as a numpy array, copied explicitly from any device."""
    if isinstance(t, dlkit.Tensor):
        return t.detach().numpy()
    return backend.to_numpy(t)
