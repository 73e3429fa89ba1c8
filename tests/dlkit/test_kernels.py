"""The kernel registry: every fast path gives what the portable fallback gives, on every backend.

Each registered kernel needs sample arguments: registered next to the kernel with
``@kernels.example(name)``, or, until then, listed in ``FALLBACK_EXAMPLES`` below. A kernel with
neither fails ``test_every_kernel_has_an_example``, so a new kernel cannot skip this check.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import dlkit
from dlkit import backend as B
from dlkit.backend import kernels

from .backends import CUDA_SKIP, STRICT, host


def _rng() -> np.random.Generator:
    return np.random.default_rng(11)


def _pad(xp: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    x = xp.asarray(_rng().standard_normal((2, 3, 4, 2)).astype(np.float32))
    return (x, ((0, 0), (1, 2), (2, 1), (0, 0)), -1.5, xp), {}


def _add_into(xp: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    buffer = xp.asarray(np.arange(2 * 5 * 6, dtype=np.float32).reshape(2, 5, 6))
    part = xp.asarray(_rng().standard_normal((2, 2, 3)).astype(np.float32))
    return (buffer, (slice(None), slice(1, 5, 2), slice(0, 6, 2)), part, xp), {}


def _im2col(xp: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    x = xp.asarray(_rng().standard_normal((2, 7, 6, 3)).astype(np.float32))  # N, H, W, C
    return (x, (3, 2), (2, 2), (3, 3), xp), {}


def _col2im(xp: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    rows = xp.asarray(_rng().standard_normal((2 * 3 * 3, 4)).astype(np.float32))  # (N·Ho·Wo, O)
    w_mat = xp.asarray(_rng().standard_normal((4, 3 * 2 * 3)).astype(np.float32))  # (O, kh·kw·C)
    return (rows, w_mat, (2, 7, 6, 3), (3, 2), (2, 2), (3, 3), xp), {}


FALLBACK_EXAMPLES: dict[str, Callable[[Any], tuple[tuple[Any, ...], dict[str, Any]]]] = {
    "pad": _pad, "add_into": _add_into, "im2col": _im2col, "col2im": _col2im,
}


def _arguments(name: str, xp: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    found = kernels.example_arguments(name, xp)
    if found is None:
        found = FALLBACK_EXAMPLES[name](xp)
    return found


def _run(name: str, library: str, xp: Any) -> list[np.ndarray]:
    """Kernel ``name``'s ``library`` implementation on sample arguments in ``xp``: its result(s), as numpy."""
    args, kwargs = _arguments(name, xp)
    out = kernels.get(name, xp, library=library)(*args, **kwargs)
    if out is None:  # an in-place kernel: its result is its first argument
        out = args[0]
    results = list(out) if isinstance(out, tuple) else [out]  # some kernels return several arrays
    for result in results:
        assert B.device_of(result) == B.device_of_namespace(xp), f"{name}[{library}] left the device of its inputs"
    return [host(result) for result in results]


def _runs() -> list[Any]:
    """(kernel, library, device) for every implementation and every device it can run on."""
    runs = []
    for name in kernels.names():
        for library in kernels.libraries(name):
            if library == "portable":
                runs += [pytest.param(name, library, "cpu", id=f"{name}-portable-numpy"),
                         pytest.param(name, library, STRICT, id=f"{name}-portable-array_api_strict")]
            elif library == "numpy":
                runs.append(pytest.param(name, library, "cpu", id=f"{name}-numpy"))
            else:
                runs.append(pytest.param(name, library, "cuda", id=f"{name}-{library}",
                                         marks=pytest.mark.skipif(CUDA_SKIP is not None, reason=CUDA_SKIP or "")))
    return runs


def test_every_kernel_has_an_example() -> None:
    missing = [n for n in kernels.names() if kernels.example_arguments(n, B.device("cpu").namespace) is None
               and n not in FALLBACK_EXAMPLES]
    assert not missing, (
        f"kernels {missing} have no sample arguments: register `@kernels.example(name)` beside them so their "
        "fast paths are checked against the portable fallback"
    )


def test_every_kernel_has_a_portable_fallback() -> None:
    missing = [n for n in kernels.names() if "portable" not in kernels.libraries(n)]
    assert not missing, f"kernels {missing} have no portable implementation (needed on array_api_strict and unknown libraries)"


@pytest.mark.parametrize("name, library, where", _runs())
def test_fast_paths_equal_the_portable_fallback(name: str, library: str, where: str) -> None:
    if name not in FALLBACK_EXAMPLES and kernels.example_arguments(name, B.device("cpu").namespace) is None:
        pytest.skip("no example (reported by test_every_kernel_has_an_example)")
    reference = _run(name, "portable", B.device("cpu").namespace)
    got = _run(name, library, B.device(where).namespace)
    assert len(got) == len(reference), f"{name}[{library}] returned {len(got)} arrays, the fallback {len(reference)}"
    for g, r in zip(got, reference):
        assert g.shape == r.shape and g.dtype == r.dtype
        np.testing.assert_allclose(g, r, rtol=1e-5, atol=1e-5, err_msg=f"{name}[{library}] on {where}")


def test_get_picks_the_fast_path_and_falls_back() -> None:
    numpy_xp, strict_xp = B.device("cpu").namespace, B.device(STRICT).namespace
    assert kernels.library_of(numpy_xp) == "numpy" and kernels.library_of(strict_xp) == "portable"
    assert kernels.get("index_add", numpy_xp) is kernels.get("index_add", None, library="numpy")
    assert kernels.get("index_add", strict_xp) is kernels.get("index_add", None, library="portable")
    with pytest.raises(KeyError, match="not registered"):
        kernels.get("no_such_kernel", numpy_xp)
    with pytest.raises(ValueError, match="library"):
        kernels.register("x", "tpu")


def test_scatter_add_key_sums_repeats_for_masks_and_int_arrays() -> None:
    xp = B.device(STRICT).namespace
    fn = kernels.get("scatter_add_key", xp)
    mask = xp.asarray(np.array([[True, False], [False, True]]))
    out = fn((2, 2), mask, xp.asarray(np.array([1.0, 2.0])), xp)
    np.testing.assert_array_equal(host(out), [[1.0, 0.0], [0.0, 2.0]])
    out = fn((3,), xp.asarray(np.array([2, 2, -1])), xp.asarray(np.array([1.0, 2.0, 4.0])), xp)
    np.testing.assert_array_equal(host(out), [0.0, 0.0, 7.0])


def test_a_model_sized_index_backward_on_the_strict_device() -> None:
    logits = dlkit.randn(8, 5, device=STRICT, requires_grad=True)
    labels = dlkit.tensor([0, 4, 4, 1, 2, 3, 0, 0], device=STRICT)
    picked = logits[dlkit.arange(8, device=STRICT), labels]
    picked.sum().backward()
    expected = np.zeros((8, 5))
    expected[np.arange(8), host(labels)] = 1
    np.testing.assert_array_equal(host(logits.grad), expected)
