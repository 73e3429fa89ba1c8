"""Devices: naming them, making tensors on them, moving between them explicitly, and refusing to mix them."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import dlkit
import dlkit.cuda
from dlkit import backend as B
from dlkit.backend import dtypes

from .backends import CUDA_SKIP, DEVICE_BACKENDS, STRICT, host


# ----- naming devices ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "spec, kind, index, text",
    [
        ("cpu", "cpu", None, "cpu"),
        ("cuda", "cuda", None, "cuda"),
        ("cuda:1", "cuda", 1, "cuda:1"),
        (2, "cuda", 2, "cuda:2"),
        ("array_api_strict", "array_api_strict", None, "array_api_strict"),
        ("array_api_strict:device1", "array_api_strict", 1, "array_api_strict:device1"),
        ("array_api_strict:1", "array_api_strict", 1, "array_api_strict:device1"),
    ],
)
def test_device_names(spec, kind: str, index, text: str) -> None:
    dev = dlkit.backend.device(spec)
    assert (dev.type, dev.index, str(dev)) == (kind, index, text)
    assert dev == text and dev == B.device(text) and hash(dev) == hash(B.device(text))
    assert repr(dev).startswith("device(type=")


@pytest.mark.parametrize("spec", ["gpu", "cuda:x", "array_api_strict:device7", "cpu:1", -1])
def test_bad_device_names_are_rejected(spec) -> None:
    with pytest.raises(ValueError, match="device"):
        B.device(spec)


def test_cuda_queries_answer_without_a_gpu() -> None:
    assert isinstance(dlkit.cuda.is_available(), bool)
    assert dlkit.cuda.device_count() == (dlkit.cuda.device_count() if dlkit.cuda.is_available() else 0)
    dlkit.cuda.synchronize()  # a no-op without a GPU


@pytest.mark.skipif(CUDA_SKIP is None, reason="a GPU is available")
def test_cuda_tensors_without_cupy_or_a_gpu_say_what_to_install() -> None:
    with pytest.raises(RuntimeError, match=r"cupy|GPU|gpu"):
        dlkit.zeros(2, device="cuda")


def test_import_dlkit_imports_neither_cupy_nor_the_strict_stand_in() -> None:
    code = "import sys, dlkit; bad = {'cupy', 'array_api_strict'} & set(sys.modules); assert not bad, bad"
    subprocess.run([sys.executable, "-c", code], check=True)


# ----- dtypes ------------------------------------------------------------------------------------
def test_dtype_compares_equal_on_every_device(backend: B.Device) -> None:
    t = dlkit.ones(2)
    assert t.dtype == dtypes.float32 and t.dtype == "float32" and t.dtype == np.float32
    assert t.dtype != dtypes.float64 and t.double().dtype == dtypes.float64
    assert dlkit.arange(3).dtype == dtypes.int64 and (t > 0).dtype == dtypes.bool_
    assert t.dtype == t.data.dtype  # the library's own dtype object
    assert repr(t.dtype) == "dlkit.float32" and t.dtype.is_floating_point and t.dtype.itemsize == 4
    assert np.zeros(2, dtype=dtypes.float32).dtype == np.float32  # still usable as a numpy dtype


# ----- making tensors on a device ----------------------------------------------------------------
CREATORS = {
    "tensor": lambda d: dlkit.tensor([[1.0, 2.0]], device=d),
    "tensor_from_numpy_array": lambda d: dlkit.tensor(np.ones((2, 2)), device=d),
    "as_tensor": lambda d: dlkit.as_tensor([1, 2], device=d),
    "zeros": lambda d: dlkit.zeros(2, 3, device=d),
    "ones": lambda d: dlkit.ones((2,), device=d),
    "full": lambda d: dlkit.full((2, 2), 7, device=d),
    "arange": lambda d: dlkit.arange(5, device=d),
    "linspace": lambda d: dlkit.linspace(0, 1, 5, device=d),
    "eye": lambda d: dlkit.eye(3, device=d),
    "rand": lambda d: dlkit.rand(2, 3, device=d),
    "randn": lambda d: dlkit.randn(2, 3, device=d),
    "randint": lambda d: dlkit.randint(0, 5, (4,), device=d),
}


@pytest.mark.parametrize("make", CREATORS.values(), ids=CREATORS.keys())
def test_creation_functions_take_device(backend: B.Device, make) -> None:
    on_cpu = make("cpu")
    assert on_cpu.device == "cpu"
    t = make(backend)
    assert t.device == backend and t.dtype == on_cpu.dtype and t.shape == on_cpu.shape


@pytest.mark.parametrize("make", CREATORS.values(), ids=CREATORS.keys())
def test_creation_functions_follow_the_default_device(make) -> None:
    with B.device(STRICT):
        assert make(None).device == STRICT
    assert make(None).device == "cpu"
    B.set_default_device(STRICT)
    try:
        assert make(None).device == STRICT
    finally:
        B.set_default_device("cpu")


def test_like_functions_follow_their_argument(backend: B.Device) -> None:
    base = dlkit.zeros(2, 3, dtype="float64")
    for t in (dlkit.zeros_like(base), dlkit.ones_like(base), dlkit.full_like(base, 2.0),
              dlkit.rand_like(base), dlkit.randn_like(base)):
        assert t.device == backend and t.dtype == dtypes.float64 and t.shape == (2, 3)
    assert dlkit.zeros_like(base, device="cpu").device == "cpu"


def test_arrays_keep_their_device_and_from_numpy_stays_on_the_cpu() -> None:
    strict = B.device(STRICT).namespace
    array = strict.ones((2,))
    assert dlkit.Tensor(array).device == STRICT and dlkit.tensor(array).device == STRICT
    with B.device("array_api_strict"):
        assert dlkit.tensor(array).device == STRICT  # device arrays never move silently
        assert dlkit.from_numpy(np.ones(2)).device == "cpu"


# ----- moving between devices --------------------------------------------------------------------
def test_to_round_trips(backend: B.Device) -> None:
    x = dlkit.randn(3, 4, device="cpu", dtype="float64")
    y = x.to(backend)
    assert y.device == backend and y.dtype == dtypes.float64 and y.data is not x.data or backend == "cpu"
    back = y.to("cpu")
    assert back.device == "cpu" and isinstance(back.data, np.ndarray)
    np.testing.assert_array_equal(back.numpy(), x.numpy())
    np.testing.assert_array_equal(y.cpu().numpy(), x.numpy())
    assert y.to(backend) is y  # already there: no copy
    z = x.to(backend, dlkit.backend.dtypes.float32)
    assert z.device == backend and z.dtype == dtypes.float32
    w = x.to(device=backend, dtype="float32")
    assert w.device == backend and w.dtype == dtypes.float32
    like = x.to(z)  # another tensor's device and dtype
    assert like.device == backend and like.dtype == dtypes.float32
    assert x.to("float32").dtype == dtypes.float32 and x.to("float32").device == "cpu"  # .to(dtype) still works
    assert x.to(backend, copy=True) is not x


def test_to_is_differentiable_and_gradients_come_home(backend: B.Device) -> None:
    x = dlkit.tensor([1.0, -2.0, 3.0], device="cpu", requires_grad=True)
    y = x.to(backend)
    assert y.grad_fn is not None or backend == "cpu"
    (y * y).sum().backward()
    assert x.grad.device == "cpu"
    np.testing.assert_allclose(x.grad.numpy(), [2.0, -4.0, 6.0])


def test_to_device_in_place_moves_values_and_grad(backend: B.Device) -> None:
    p = dlkit.tensor([1.0, 2.0], device="cpu", requires_grad=True)
    (p * 3).sum().backward()
    assert p.to_device_(backend) is p
    assert p.device == backend and p.grad.device == backend and p.requires_grad
    (p * p).sum().backward()
    np.testing.assert_allclose(host(p.grad), [5.0, 7.0])
    with pytest.raises(RuntimeError, match="leaf"):
        (p * 2).to_device_("cpu")


@pytest.mark.parametrize("where", DEVICE_BACKENDS)
def test_numpy_copies_explicitly_and_never_implicitly(where) -> None:
    t = dlkit.arange(4, device=where)
    assert isinstance(t.numpy(), np.ndarray) and t.numpy().tolist() == [0, 1, 2, 3]
    assert t.tolist() == [0, 1, 2, 3] and t[1].item() == 1 and int(t[2]) == 2
    with pytest.raises(TypeError, match=r"\.numpy\(\).*\.cpu\(\)"):
        np.asarray(t)
    np.testing.assert_array_equal(np.asarray(t.cpu()), [0, 1, 2, 3])


def test_repr_works_on_every_device(backend: B.Device) -> None:
    t = dlkit.tensor([[1.5, 2.0]], requires_grad=True)
    text = repr(t * 2)
    assert text.startswith("tensor([[3., 4.]]") and "grad_fn=<MulBackward>" in text
    if backend != "cpu":
        assert f"device='{backend}'" in text
    else:
        assert "device" not in text
    assert repr(dlkit.arange(2, dtype="int32")) .count("dtype=int32") == 1


# ----- refusing to mix devices -------------------------------------------------------------------
MIXES = {
    "add": lambda a, b: a + b,
    "mul_reflected": lambda a, b: b * a,
    "matmul": lambda a, b: a @ b.T,
    "maximum": lambda a, b: dlkit.maximum(a, b),
    "where": lambda a, b: dlkit.where(a > 0, a, b),
    "cat": lambda a, b: dlkit.cat([a, b]),
    "compare": lambda a, b: a < b,
}


@pytest.mark.parametrize("mix", MIXES.values(), ids=MIXES.keys())
@pytest.mark.parametrize("pair", [("cpu", STRICT), ("array_api_strict", STRICT), (STRICT, "cpu")], ids=str)
def test_mixing_devices_raises_naming_both(pair, mix) -> None:
    a = dlkit.ones(2, 3, device=pair[0], requires_grad=True)
    b = dlkit.ones(2, 3, device=pair[1])
    with pytest.raises(ValueError) as info:
        mix(a, b)
    message = str(info.value)
    assert str(B.device(pair[0])) in message and str(B.device(pair[1])) in message and ".to(" in message


def test_indexing_with_an_index_on_another_device_raises_naming_both() -> None:
    x = dlkit.ones(4, device=STRICT)
    with pytest.raises(IndexError, match=r"index tensor is on cpu.*array_api_strict:device1"):
        x[dlkit.tensor([0, 1], device="cpu")]


# ----- random numbers per device -----------------------------------------------------------------
def test_random_numbers_repeat_per_device_after_manual_seed(backend: B.Device) -> None:
    draw = lambda: [host(dlkit.randn(3)), host(dlkit.rand(2)), host(dlkit.randint(0, 9, (4,)))]  # noqa: E731
    dlkit.manual_seed(123)
    first = draw()
    dlkit.manual_seed(123)
    dlkit.randn(5, device="cpu") if backend != "cpu" else None  # another device's stream is separate
    second = draw()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    dlkit.manual_seed(124)
    assert not np.array_equal(host(dlkit.randn(3)), first[0])


def test_the_strict_device_draws_the_same_numbers_as_the_cpu() -> None:
    dlkit.manual_seed(5)
    a = dlkit.randn(4, device="cpu").numpy()
    dlkit.manual_seed(5)
    b = dlkit.randn(4, device=STRICT).numpy()
    np.testing.assert_array_equal(a, b)


def test_dropout_masks_come_from_the_device_generator(backend: B.Device) -> None:
    x = dlkit.ones(64)
    dlkit.manual_seed(3)
    a = host(dlkit.functional.dropout(x, 0.5, training=True))
    dlkit.manual_seed(3)
    b = host(dlkit.functional.dropout(x, 0.5, training=True))
    np.testing.assert_array_equal(a, b)
    assert dlkit.functional.dropout(x, 0.5, training=True).device == backend
