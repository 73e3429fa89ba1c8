"""Arrays on the wire (``dtype:shape:order:base64``): every allowed array comes back as np.save/np.load gave it
(dtype, byte order, shape, values, C or Fortran order, writable), and anything else a learner's kernel could
send is a WireError with a reason."""
from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dlgrade.harness import wire
from dlgrade.harness.wire import Opaque, WireError


def round_trip(value):
    return wire.loads(wire.dumps(value))


def assert_same_array(got, sent) -> None:
    """``got`` is what np.save then np.load would give for ``sent``, as a fresh writable array."""
    sent = np.asarray(sent)
    assert type(got) is np.ndarray
    assert got.dtype == sent.dtype and got.dtype.str == sent.dtype.str  # byte order too
    assert got.shape == sent.shape
    assert np.array_equal(got, sent, equal_nan=sent.dtype.kind in "fc")
    fortran = sent.flags.f_contiguous and not sent.flags.c_contiguous  # np.save's fortran_order
    assert got.flags.f_contiguous if fortran else got.flags.c_contiguous
    assert got.flags.writeable and not np.shares_memory(got, sent)


BASE = np.random.default_rng(0).normal(size=(4, 5, 6))
ARRAYS = {
    "bool": np.array([[True, False, True]]),
    "int8": np.arange(-6, 6, dtype=np.int8).reshape(3, 4),
    "int64": np.arange(7, dtype=np.int64) * 2**40,
    "uint8": np.arange(250, 256, dtype=np.uint8),
    "float16": BASE.astype(np.float16),
    "float32": BASE.astype(np.float32),
    "float64": BASE,
    "complex128": BASE * (1 + 2j),
    "U7": np.array(["", "a", "bcdefgh"], dtype="<U7"),
    "big-endian f8": BASE.astype(">f8"),
    "big-endian i4": np.arange(5, dtype=">i4"),
    "0-d": np.array(2.5),
    "0-d bool": np.array(False),
    "empty (0, 3)": np.empty((0, 3)),
    "empty F (3, 0)": np.empty((3, 0), order="F"),
    "F-ordered": np.asfortranarray(BASE),
    "transposed": BASE.T,
    "strided view": BASE[:, ::2, 1:],
    "reversed view": BASE[::-1],
    "F-ordered slice": np.asfortranarray(BASE)[1:],
    "broadcast (no own data)": np.broadcast_to(np.arange(3.0), (4, 3)),
    "nan and inf": np.array([np.nan, np.inf, -np.inf, -0.0]),
}


@pytest.mark.parametrize("name", list(ARRAYS))
def test_arrays_round_trip_as_np_load_gave_them(name):
    sent = ARRAYS[name]
    got = round_trip({"a": sent, "in": (sent, [sent])})
    for value in (got["a"], got["in"][0], got["in"][1][0]):
        assert_same_array(value, sent)


@given(hnp.arrays(dtype=st.sampled_from(["|b1", "|i1", "<i8", ">i2", "|u1", "<u4", "<f2", "<f4", "<f8", ">f8",
                                         "<c16", ">c8", "<U7", ">U3"]),
                  shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)),
       st.sampled_from(["C", "F", "view"]))
def test_any_allowed_array_round_trips(sent, layout):
    if layout == "F":
        sent = np.asfortranarray(sent)
    elif layout == "view" and sent.ndim:
        sent = sent[..., ::-1].T
    assert_same_array(round_trip(sent), sent)


@pytest.mark.parametrize("scalar", [np.float64(1.5), np.float32(-2), np.float16(0.5), np.int8(-3), np.int64(2**50),
                                    np.uint8(255), np.bool_(True), np.complex128(1 - 2j), np.longdouble(3)])
def test_numpy_scalars_keep_their_type(scalar):
    got = round_trip(scalar)
    assert type(got) is type(scalar) and got == scalar and got.dtype == scalar.dtype


def test_tensor_data_keeps_its_order():
    class Tensor:  # what _tensor_like takes for a dlkit tensor
        def __init__(self, a):
            self.a, self.shape = a, a.shape

        def backward(self):
            pass

        def numpy(self):
            return self.a
    Tensor.__module__ = "dlkit.tensor"
    sent = np.asfortranarray(BASE[0])
    got = round_trip(Tensor(sent))
    assert isinstance(got, Opaque) and got.is_tensor() and got.shape == sent.shape
    assert_same_array(got.data, sent)


def test_the_text_is_dtype_shape_order_base64():
    text = json.loads(wire.dumps(np.asfortranarray(np.arange(6, dtype="<i2").reshape(2, 3))))["__ndarray__"]
    dtype, shape, order, data = text.split(":")
    assert (dtype, shape, order) == ("<i2", "2,3", "F")
    assert base64.b64decode(data) == np.arange(6, dtype="<i2").reshape(2, 3).tobytes(order="F")
    assert json.loads(wire.dumps(np.array(True)))["__ndarray__"].startswith("|b1::C:")


# ------------------------------------------------------------------------------------------------ rejection

def decode(text, tag="__ndarray__"):
    return wire.loads(json.dumps({tag: text}))


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


EIGHT = b64(bytes(8))


@pytest.mark.parametrize("text, reason", [
    (f"|O8::C:{EIGHT}", "dtype"),                          # object: pickles, pointers
    ("|O::C:", "dtype"),
    (f"|V8::C:{EIGHT}", "dtype"),                          # void
    (f"[('a', '<f8')]::C:{EIGHT}", "dtype"),               # structured, as text
    (f"<f8,<f8::C:{EIGHT}", "dtype"),
    (f"<f8,<i4:1:C:{b64(bytes(12))}", "dtype"),
    (f"|S8::C:{EIGHT}", "dtype"),                          # bytes: not a kind an exercise returns
    (f"<M8::C:{EIGHT}", "dtype"),                          # datetime
    (f"<U0:{2**62}:C:", "dtype"),                          # size 0: any shape for no data (the .npy bomb)
    (f"|f8::C:{EIGHT}", "dtype"),                          # not how numpy writes it
    (f"<f3::C:{EIGHT}", "dtype"),
    (f"=f8::C:{EIGHT}", "dtype"),
    (f"<f8:-1:C:{EIGHT}", "non-negative"),                 # negative shape
    (f"<f8:1.0:C:{EIGHT}", "non-negative"),
    (f"<f8:1,:C:{EIGHT}", "non-negative"),
    (f"<f8: 1:C:{EIGHT}", "non-negative"),
    (f"<f8:2:C:{EIGHT}", "bytes of data"),                 # shape and bytes disagree
    (f"<f8::C:{b64(bytes(9))}", "bytes of data"),
    (f"<f8:0:C:{EIGHT}", "bytes of data"),
    (f"<f8:{2**30}:C:", "bytes of data"),                  # more than MAX_BYTES
    (f"<f8:{'1,' * 64}1:C:{EIGHT}", "dimensions"),         # too many dims
    ("<f8::C:AAAA*AAAAAA", "base64"),                      # bad base64
    ("<f8::C:AAAAAAAAAAA", "base64"),
    (f"<f8::C:{EIGHT}\n", "base64"),
    ("<f8::C:ÄAAAAAAAAAA=", "base64"),
    (f"<f8::X:{EIGHT}", "order"),
    (f"<f8::{EIGHT}", "dtype:shape:order:base64"),        # a part missing
    (b64(b"\x93NUMPY\x01\x00"), "dtype:shape:order:base64"),  # the old .npy form
    (f"<f8:0,{2**62},{2**62}:C:", "too big"),              # no data, but numpy cannot make it
    (f"<f8:0,{10**19 - 1}:C:", "shape"),
    (12, "expected"),
    (None, "expected"),
])
def test_malformed_arrays_are_refused_with_a_reason(text, reason):
    for tag in ("__ndarray__", "__npscalar__"):
        with pytest.raises(WireError, match="array|scalar") as exc:
            decode(text, tag)
        assert reason in str(exc.value) and "\n" not in str(exc.value)


def test_malformed_tensor_data_is_refused():
    with pytest.raises(WireError, match="tensor data: dtype"):
        wire.loads(json.dumps({"__object__": "Tensor", "module": "dlkit", "repr": "", "shape": [1],
                               "data": f"|O8:1:C:{EIGHT}"}))


def test_a_numpy_scalar_must_be_0_d():
    with pytest.raises(WireError, match="not 0-dimensional"):
        decode(f"<f8:1:C:{EIGHT}", "__npscalar__")


def test_the_largest_allowed_dimension_count_is_numpys():
    sent = np.zeros((1,) * wire.MAX_NDIM)
    assert_same_array(round_trip(sent), sent)
