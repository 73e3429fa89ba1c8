"""Plain data on the wire between the grader and a learner's kernel: JSON, with arrays as text
``dtype:shape:order:base64`` (e.g. ``<f8:2,3:C:AAAA…``: the dtype's ``str``, the shape, C or Fortran order
and the raw bytes in that order).

Only data crosses: numbers, strings, None, lists, tuples, dicts, numpy arrays and scalars, and three
descriptors the grader uses to describe inputs that are not data (a seeded random generator, a named test
function, an opaque object the learner returned). Never pickles, never code. Decoding is strict, because the
grader decodes what a learner's kernel sent: bounded size, depth and length, numeric dtypes only, and any
violation is a :class:`WireError` with a one-line reason.

Types are kept exactly (a tuple stays a tuple, ``np.float32(1)`` stays a float32 scalar, ``1`` stays an int),
so the grader can tell a learner who returned the right number as the wrong type.
"""
from __future__ import annotations

import base64
import binascii
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

MAX_BYTES = 64 * 1024 * 1024  # one message, as JSON text
MAX_DEPTH = 24
MAX_ITEMS = 100_000  # elements of one list, tuple or dict
MAX_STR = 100_000
_ARRAY_KINDS = "biufc"  # bool, int, uint, float, complex: what an exercise can return
MAX_NDIM = 64  # numpy's own limit: every array numpy can make crosses, as with .npy before
REPR_CHARS = 120


class WireError(ValueError):
    """A message that is not plain data within the limits (the reason says which)."""


@dataclass(frozen=True)
class Rng:
    """A ``np.random.Generator`` seeded with ``seed``: each decode makes a fresh one."""

    seed: int

    def make(self) -> np.random.Generator:
        """A new generator in its initial state."""
        return np.random.default_rng(self.seed)


@dataclass(frozen=True)
class TestFunction:
    """A test function handed to a learner's code (e.g. a loss to differentiate): a name and its parameters."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash(self.name)


@dataclass(frozen=True)
class Opaque:
    """Something a learner returned that is not plain data: its type's name and the start of its repr."""

    type_name: str
    module: str
    text: str
    shape: tuple[int, ...] | None = None  # for tensors of dlkit or torch
    data: np.ndarray | None = None

    def is_tensor(self) -> bool:
        """True for a dlkit or torch Tensor."""
        return self.shape is not None


# --------------------------------------------------------------------------------------------- encoding

def _array_text(a: np.ndarray) -> str:
    """``a`` as ``dtype:shape:order:base64``: a compact .npy without the header np.load parses with ast (the grader
    decodes some 150k small arrays per test run)."""
    a = np.asarray(a)
    order = "F" if a.flags.f_contiguous and not a.flags.c_contiguous else "C"  # np.save's choice of fortran_order
    data = base64.b64encode(a.tobytes(order=order)).decode("ascii")
    return f"{a.dtype.str}:{','.join(map(str, a.shape))}:{order}:{data}"


def _safe_repr(value: Any) -> str:
    try:
        text = repr(value)
    except Exception as exc:  # a learner's __repr__ may raise; the type name is enough then
        text = f"<repr failed: {type(exc).__name__}>"
    return text[:REPR_CHARS]


def _tensor_like(value: Any) -> bool:
    mod = type(value).__module__ or ""
    return mod.split(".")[0] in ("dlkit", "torch") and hasattr(value, "shape") and hasattr(value, "backward")


def encode(value: Any, *, _depth: int = 0) -> Any:
    """The JSON-ready form of ``value`` (see the module docstring for what is kept)."""
    if _depth > MAX_DEPTH:
        return {"__object__": "nested too deep", "module": "", "repr": ""}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.generic):  # before int/float: np.float64 is a subclass of float
        if value.dtype.kind not in _ARRAY_KINDS:
            return _opaque(value)
        return {"__npscalar__": _array_text(np.asarray(value))}
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return {"__float__": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in _ARRAY_KINDS + "U":
            return _opaque(value)
        return {"__ndarray__": _array_text(value)}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, _depth=_depth + 1) for v in value[:MAX_ITEMS]]}
    if isinstance(value, list):
        return [encode(v, _depth=_depth + 1) for v in value[:MAX_ITEMS]]
    if isinstance(value, dict):
        return {"__dict__": [[encode(k, _depth=_depth + 1), encode(v, _depth=_depth + 1)]
                             for k, v in list(value.items())[:MAX_ITEMS]]}
    if isinstance(value, Rng):
        return {"__rng__": int(value.seed)}
    if isinstance(value, TestFunction):
        return {"__fn__": value.name, "params": encode(value.params, _depth=_depth + 1)}
    return _opaque(value)


def _opaque(value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"__object__": type(value).__qualname__, "module": type(value).__module__ or "",
                           "repr": _safe_repr(value)}
    if _tensor_like(value):
        try:
            shape = [int(s) for s in value.shape]
            data = np.asarray(value.detach().cpu().numpy() if hasattr(value, "detach") else value.numpy())
            out["shape"] = shape
            if data.dtype.kind in _ARRAY_KINDS and data.size <= 1_000_000:
                out["data"] = _array_text(data)
        except Exception:  # a broken tensor is still reported by type name
            pass
    return out


def dumps(value: Any) -> str:
    """``value`` as one JSON text."""
    return json.dumps(encode(value), separators=(",", ":"), allow_nan=False)


# --------------------------------------------------------------------------------------------- decoding

# A dtype's ``str``: byte order, kind, size (no object, void, structured or sub-array dtypes: np.dtype would parse
# those from other text, which never gets that far).
_DTYPE_TEXT = re.compile(r"[<>|][" + _ARRAY_KINDS + r"U][0-9]{1,9}")
_DIM = re.compile(r"[0-9]{1,19}")


def _dtype(text: str, what: str) -> np.dtype:
    if _DTYPE_TEXT.fullmatch(text) is None:
        raise WireError(f"{what}: dtype {text[:40]!r} is not allowed")
    try:
        dtype = np.dtype(text)
    except (TypeError, ValueError, OverflowError):
        raise WireError(f"{what}: dtype {text!r} is not a numpy dtype") from None
    if dtype.str != text or dtype.kind not in _ARRAY_KINDS + "U" or dtype.itemsize == 0:
        # only what _array_text writes; a size-0 dtype would need no bytes for any number of elements
        raise WireError(f"{what}: dtype {text!r} is not allowed")
    return dtype


def _shape(text: str, what: str) -> tuple[int, ...]:
    if not text:
        return ()
    dims = text.split(",", MAX_NDIM)
    if len(dims) > MAX_NDIM:
        raise WireError(f"{what}: more than {MAX_NDIM} dimensions")
    if not all(_DIM.fullmatch(d) for d in dims):
        raise WireError(f"{what}: shape {text[:60]!r} is not non-negative integers")
    return tuple(map(int, dims))


def _array(text: Any, what: str) -> np.ndarray:
    if not isinstance(text, str):
        raise WireError(f"{what}: expected dtype:shape:order:base64 text")
    parts = text.split(":", 3)
    if len(parts) != 4:
        raise WireError(f"{what}: not dtype:shape:order:base64")
    dtype_text, shape_text, order, data = parts
    dtype, shape = _dtype(dtype_text, what), _shape(shape_text, what)
    if order not in ("C", "F"):
        raise WireError(f"{what}: order {order[:10]!r} is not C or F")
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > MAX_BYTES:
        raise WireError(f"{what}: shape {shape_text[:60]!r} of {dtype.str} needs more than {MAX_BYTES} bytes of data")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise WireError(f"{what}: the data is not base64 ({exc})") from None
    if len(raw) != nbytes:
        raise WireError(f"{what}: {len(raw)} bytes of data for shape {shape} of {dtype.str} ({nbytes} expected)")
    try:  # a copy: frombuffer's view of bytes is read-only, and np.load's arrays are writable
        return np.frombuffer(raw, dtype=dtype).reshape(shape, order=order).copy(order=order)
    except (ValueError, OverflowError) as exc:  # e.g. a size-0 shape whose other dimensions overflow
        raise WireError(f"{what}: shape {shape_text[:60]!r}: {exc}") from None


def _decode(node: Any, depth: int, materialize: Callable[[Any], Any] | None) -> Any:
    if depth > MAX_DEPTH:
        raise WireError(f"nested deeper than {MAX_DEPTH}")
    if node is None or isinstance(node, (bool, int, float)):
        return node
    if isinstance(node, str):
        if len(node) > MAX_STR:
            raise WireError(f"a string of {len(node)} characters (at most {MAX_STR})")
        return node
    if isinstance(node, list):
        if len(node) > MAX_ITEMS:
            raise WireError(f"a list of {len(node)} items (at most {MAX_ITEMS})")
        return [_decode(v, depth + 1, materialize) for v in node]
    if not isinstance(node, dict) or len(node) > 5:
        raise WireError("an object that is not one of the wire's tagged forms")
    if "__ndarray__" in node:
        return _array(node["__ndarray__"], "array")
    if "__npscalar__" in node:
        a = _array(node["__npscalar__"], "numpy scalar")
        if a.ndim != 0:
            raise WireError("numpy scalar: not 0-dimensional")
        return a[()]
    if "__tuple__" in node:
        items = node["__tuple__"]
        if not isinstance(items, list):
            raise WireError("tuple: expected a list")
        return tuple(_decode(items, depth, materialize))
    if "__dict__" in node:
        pairs = node["__dict__"]
        if not isinstance(pairs, list) or len(pairs) > MAX_ITEMS:
            raise WireError("dict: expected a bounded list of pairs")
        out = {}
        for pair in pairs:
            if not isinstance(pair, list) or len(pair) != 2:
                raise WireError("dict: a pair is not [key, value]")
            key = _decode(pair[0], depth + 1, materialize)
            try:
                hash(key)
            except TypeError:
                raise WireError("dict: an unhashable key") from None
            out[key] = _decode(pair[1], depth + 1, materialize)
        return out
    if "__float__" in node:
        text = node["__float__"]
        if text not in ("nan", "inf", "-inf"):
            raise WireError(f"float: {str(text)[:20]!r} is not nan/inf/-inf")
        return float(text)
    if "__rng__" in node:
        seed = node["__rng__"]
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise WireError("rng: the seed must be a non-negative int")
        return materialize(Rng(seed)) if materialize is not None else Rng(seed)
    if "__fn__" in node:
        name, params = node["__fn__"], _decode(node.get("params"), depth + 1, materialize)
        if not isinstance(name, str) or not isinstance(params, dict):
            raise WireError("test function: expected a name and a dict of parameters")
        spec = TestFunction(name, params)
        return materialize(spec) if materialize is not None else spec
    if "__object__" in node:
        shape = node.get("shape")
        data = node.get("data")
        return Opaque(str(node["__object__"])[:200], str(node.get("module", ""))[:200],
                      str(node.get("repr", ""))[:REPR_CHARS],
                      tuple(int(s) for s in shape) if isinstance(shape, list) and len(shape) <= 32
                      and all(isinstance(s, int) for s in shape) else None,
                      _array(data, "tensor data") if data is not None else None)
    raise WireError(f"unknown tag {sorted(node)[:1]}")


def loads(text: str | bytes, *, materialize: Callable[[Any], Any] | None = None) -> Any:
    """Decode one message. ``materialize`` (where the learner's code is called) turns Rng and TestFunction
    descriptors into a generator and a callable; without it they stay descriptors."""
    if len(text) > MAX_BYTES:
        raise WireError(f"a message of {len(text)} bytes (at most {MAX_BYTES})")
    try:
        node = json.loads(text)
    except RecursionError:
        raise WireError("nested too deep to parse") from None
    except ValueError as exc:
        raise WireError(f"not JSON ({exc})") from None
    return _decode(node, 0, materialize)
