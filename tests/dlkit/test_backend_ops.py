"""The backend's operations: every fast path gives what the portable version gives, on every backend.

Each operation (``dlkit.backend.ops``, defined with ``@op``) needs sample arguments in ``EXAMPLES``
below; an operation without them fails ``test_every_operation_has_an_example``, so a new one cannot
skip this check. The portable version runs on numpy and on array_api_strict; each fast path runs on
its own library (numpy here, cupy where a GPU exists).
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import dlkit
from dlkit import backend
from dlkit.backend import ops as B

from .backends import CUDA_SKIP, STRICT, host

Example = Callable[[Any], tuple[Any, ...]]


def _rng() -> np.random.Generator:
    return np.random.default_rng(11)


def _f32(xp: Any, array: np.ndarray) -> Any:
    return xp.asarray(array.astype(np.float32))


def _i64(xp: Any, values: Any) -> Any:
    return xp.asarray(np.array(values, dtype=np.int64))


def _masked(xp: Any) -> tuple[Any, ...]:
    rng = np.random.default_rng(5)
    values = rng.standard_normal((3, 1, 4, 5)).astype(np.float32)
    values[0, 0, 0, :2] = (np.inf, np.nan)  # exactly 0 where masked out, not nan
    mask = rng.random((3, 2, 4, 5)) < 0.5
    mask[0, :, 0, :2] = False
    return xp.asarray(mask), xp.asarray(values)


def _log_softmax(xp: Any) -> tuple[Any, ...]:
    x = np.random.default_rng(3).standard_normal((5, 4)).astype(np.float32) * 4
    x[2, 1] = -np.inf  # a class ruled out
    x[3] += 80.0  # large scores: the shift keeps exp finite
    return xp.asarray(x), 1


def _log_probs(xp: Any, seed: int) -> Any:
    return _f32(xp, np.log(np.random.default_rng(seed).dirichlet(np.ones(4), size=5)))


def _add_scaled(xp: Any) -> tuple[Any, ...]:
    rng = np.random.default_rng(8)
    param = np.asfortranarray(rng.standard_normal((128, 96)).astype(np.float32))  # large enough for BLAS
    grad = np.asfortranarray(rng.standard_normal((128, 96)).astype(np.float32))
    return xp.asarray(param), -0.05, xp.asarray(grad)


def _linear_weight_grad(xp: Any) -> tuple[Any, ...]:
    rng = np.random.default_rng(5)
    weight = B.new_parameter_storage((3, 4), device=backend.device_of_namespace(xp), for_transposed_matmul=True)
    return _f32(xp, rng.standard_normal((6, 3))), _f32(xp, rng.standard_normal((6, 4))), weight


# name -> make(xp) -> positional arguments, in the namespace xp
EXAMPLES: dict[str, Example] = {
    "ones_like": lambda xp: (_f32(xp, np.zeros((2, 3))),),
    "sum_rows": lambda xp: (_f32(xp, np.random.default_rng(7).standard_normal((5000, 3))),),
    "linear_weight_grad": _linear_weight_grad,
    "pad": lambda xp: (_f32(xp, _rng().standard_normal((2, 3, 4, 2))), ((0, 0), (1, 2), (2, 1), (0, 0)), -1.5),
    "add_into_": lambda xp: (_f32(xp, np.arange(60.0).reshape(2, 5, 6)), (slice(None), slice(1, 5, 2), slice(0, 6, 2)),
                             _f32(xp, _rng().standard_normal((2, 2, 3)))),
    "channels_last": lambda xp: (_f32(xp, _rng().standard_normal((2, 3, 4, 5))),),  # NCHW in memory
    "im2col": lambda xp: (_f32(xp, _rng().standard_normal((2, 7, 6, 3))), (3, 2), (2, 2), (3, 3), True),  # N, H, W, C; ones
    "col2im": lambda xp: (_f32(xp, _rng().standard_normal((50, 4))), _f32(xp, _rng().standard_normal((4, 18))),
                          (2, 7, 6, 3), (3, 2), (1, 1), (5, 5)),  # rows (N·Ho·Wo, O), weight (O, kh·kw·C)
    "masked": _masked,
    "gather": lambda xp: (_f32(xp, np.arange(24.0).reshape(2, 3, 4)), (_i64(xp, [[1, 0], [1, 1]]), _i64(xp, [2, -1]))),
    "scatter_add": lambda xp: ((3, 2), (_i64(xp, [0, 2, 2, 1]), _i64(xp, [1, 1, 1, 0])), _f32(xp, np.arange(1.0, 5.0))),
    "log_softmax": _log_softmax,
    "softmax_cross_entropy_grad": lambda xp: (_log_probs(xp, 4), _i64(xp, [0, 3, 2, 1, 3]),
                                              _f32(xp, np.linspace(0.5, 2.0, 5).reshape(5, 1))),
    "nll_of_classes": lambda xp: (_log_probs(xp, 6), _i64(xp, [0, 3, 2, 1, 3]), "mean"),
    "classes_out_of_range": lambda xp: (xp.asarray(np.array([0, 3, -1, 4, 2, -100, 9], dtype=np.int32)), 4),
    "add_scaled_": _add_scaled,
}


def _run(name: str, library: str, where: str) -> list[np.ndarray]:
    """Operation ``name``'s ``library`` version on its example in ``where``'s namespace: its result(s), as numpy."""
    xp = backend.device(where).namespace
    args = EXAMPLES[name](xp)
    out = B.implementations(name)[library](*args)
    if out is None:  # an in-place operation: its result is its first argument
        out = args[0]
    results = list(out) if isinstance(out, tuple) else [out]
    for result in results:
        assert backend.device_of(result) == backend.device_of_namespace(xp), f"{name}[{library}] left the device of its inputs"
    return [host(result) for result in results]


def _runs() -> list[Any]:
    """(operation, library, device) for every version and every device it can run on."""
    runs = []
    for name in B.names():
        for library in B.implementations(name):
            if library == "portable":
                runs += [pytest.param(name, library, "cpu", id=f"{name}-portable-numpy"),
                         pytest.param(name, library, STRICT, id=f"{name}-portable-array_api_strict")]
            elif library == "numpy":
                runs.append(pytest.param(name, library, "cpu", id=f"{name}-numpy"))
            else:
                runs.append(pytest.param(name, library, "cuda", id=f"{name}-{library}",
                                         marks=pytest.mark.skipif(CUDA_SKIP is not None, reason=CUDA_SKIP or "")))
    return runs


def test_every_operation_has_an_example() -> None:
    missing = [n for n in B.names() if n not in EXAMPLES]
    assert not missing, f"backend operations {missing} have no example in EXAMPLES: add one so their fast paths are checked"


def test_the_seam_lists_every_operation() -> None:
    assert set(B.names()) <= set(B.__all__), f"not exported by dlkit.backend.ops: {sorted(set(B.names()) - set(B.__all__))}"
    assert len(B.names()) >= 15


@pytest.mark.parametrize("name, library, where", _runs())
def test_fast_paths_equal_the_portable_version(name: str, library: str, where: str) -> None:
    if name not in EXAMPLES:
        pytest.skip("no example (reported by test_every_operation_has_an_example)")
    reference = _run(name, "portable", "cpu")
    got = _run(name, library, where)
    assert len(got) == len(reference), f"{name}[{library}] returned {len(got)} arrays, the portable version {len(reference)}"
    for g, r in zip(got, reference):
        assert g.shape == r.shape and g.dtype == r.dtype
        np.testing.assert_allclose(g, r, rtol=1e-5, atol=1e-5, err_msg=f"{name}[{library}] on {where}")


@pytest.mark.parametrize("where", ["cpu", STRICT])
def test_each_call_runs_the_version_of_its_inputs_library(where: str, monkeypatch) -> None:
    """The public function picks the fast path from the array it is given: nothing else is passed."""
    xp = backend.device(where).namespace
    args = EXAMPLES["masked"](xp)
    expected = "numpy" if where == "cpu" else "portable"
    assert B.library_of(args[1]) == expected
    np.testing.assert_array_equal(host(B.masked(*args)), host(B.implementations("masked")[expected](*args)))
    with pytest.raises(KeyError, match="no backend operation"):
        B.implementations("no_such_op")


def test_scatter_add_sums_repeats_for_masks_and_int_arrays() -> None:
    xp = backend.device(STRICT).namespace
    mask = xp.asarray(np.array([[True, False], [False, True]]))
    out = B.scatter_add((2, 2), mask, xp.asarray(np.array([1.0, 2.0])))
    np.testing.assert_array_equal(host(out), [[1.0, 0.0], [0.0, 2.0]])
    out = B.scatter_add((3,), xp.asarray(np.array([2, 2, -1])), xp.asarray(np.array([1.0, 2.0, 4.0])))
    np.testing.assert_array_equal(host(out), [0.0, 0.0, 7.0])
    rows = xp.asarray(np.array([0, 4, 4, -1, 2, 0]))  # one index on the leading axis, repeats and a negative one
    values = np.random.default_rng(0).standard_normal((6, 2, 3)).astype(np.float32)
    expected = np.zeros((5, 2, 3), np.float32)
    np.add.at(expected, np.array([0, 4, 4, -1, 2, 0]), values)
    np.testing.assert_allclose(host(B.scatter_add((5, 2, 3), rows, xp.asarray(values))), expected, rtol=1e-6)


def test_a_model_sized_index_backward_on_the_strict_device() -> None:
    logits = dlkit.randn(8, 5, device=STRICT, requires_grad=True)
    labels = dlkit.tensor([0, 4, 4, 1, 2, 3, 0, 0], device=STRICT)
    picked = logits[dlkit.arange(8, device=STRICT), labels]
    picked.sum().backward()
    expected = np.zeros((8, 5))
    expected[np.arange(8), host(labels)] = 1
    np.testing.assert_array_equal(host(logits.grad), expected)


def test_fused_update_reads_as_the_rule_and_matches_the_plain_expression() -> None:
    """``p -= lr * g`` on fusable arrays is the plain update, on every layout and size (BLAS or not)."""
    rng = np.random.default_rng(1)
    for shape, order in [((128, 96), "F"), ((128, 96), "C"), ((3, 4), "C"), ((200, 50), "K")]:
        param = np.asarray(rng.standard_normal(shape).astype(np.float32), order=order)
        grad = np.asarray(rng.standard_normal(shape).astype(np.float32), order="C")
        expected = param - np.float32(0.1) * grad
        p, g = B.fusable(param), B.fusable(grad)
        p -= 0.1 * g
        np.testing.assert_allclose(param, expected, rtol=1e-6, atol=1e-7)
        p += g * 0.1
        p -= g
        np.testing.assert_allclose(param, expected - grad + 0.1 * grad, rtol=1e-5, atol=1e-6)
    with pytest.raises(TypeError, match="number \\* fusable"):
        p -= grad


@pytest.mark.parametrize("stride, dtype", [((1, 1), np.float32), ((1, 1), np.float64), ((2, 2), np.float32), ((2, 1), np.float64)])
def test_col2im_numpy_path_equals_the_portable_one_on_every_stride_and_dtype(stride, dtype) -> None:
    """Stride 1 runs as accumulating GEMMs over a zero grid (rows wrap around edges into zeros); other
    strides take the block-per-offset version: both give the portable result."""
    rng = np.random.default_rng(4)
    n, hp, wp, c, o, (kh, kw) = 3, 8, 7, 2, 5, (3, 2)
    out = ((hp - kh) // stride[0] + 1, (wp - kw) // stride[1] + 1)
    rows = rng.standard_normal((n * out[0] * out[1], o)).astype(dtype)
    w_mat = rng.standard_normal((o, kh * kw * c)).astype(dtype)
    args = (rows, w_mat, (n, hp, wp, c), (kh, kw), stride, out)
    fast = B.implementations("col2im")["numpy"](*args)
    assert fast.dtype == dtype and fast.shape == (n, hp, wp, c)
    np.testing.assert_allclose(fast, B.implementations("col2im")["portable"](*args), rtol=1e-5, atol=1e-5)
