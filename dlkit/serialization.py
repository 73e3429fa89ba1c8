"""``save(obj, path)`` / ``load(path)``: state dicts (and nested dicts/lists of tensors, arrays and plain
values) in one ``.npz`` file, with no pickle — loading a file can never run code.

Layout: every tensor or array is stored as its own npz entry ("0", "1", ...); the entry
``__dlkit__`` holds a JSON description of the nesting, the keys (any strings, dots included), which
entries were tensors, and the plain values (numbers, strings, booleans, None).
"""
from __future__ import annotations

import json
import os
from typing import Any, BinaryIO

import numpy as np

from . import backend
from .autograd.tensor import Tensor

_META = "__dlkit__"
_FORMAT = "dlkit-npz"
_VERSION = 1


def _encode(obj: Any, arrays: dict[str, np.ndarray], where: str) -> Any:
    """The JSON description of ``obj``; tensors and arrays go into ``arrays``."""
    if isinstance(obj, Tensor):
        key = str(len(arrays))
        arrays[key] = backend.to_numpy(obj.data)
        return {"tensor": key}
    if backend.is_array(obj) or isinstance(obj, np.generic):
        key = str(len(arrays))
        arrays[key] = backend.to_numpy(obj) if not isinstance(obj, np.generic) else np.asarray(obj)
        return {"array": key}
    if isinstance(obj, dict):
        for k in obj:
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                raise TypeError(f"save: dict keys must be strings or ints, got {k!r} at {where or 'the top level'}")
        return {"dict": [[k, _encode(v, arrays, f"{where}[{k!r}]")] for k, v in obj.items()]}
    if isinstance(obj, (list, tuple)):
        kind = "list" if isinstance(obj, list) else "tuple"
        return {kind: [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(obj)]}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return {"value": obj}
    raise TypeError(
        f"save: cannot store a {type(obj).__name__} at {where or 'the top level'}; dlkit.save takes tensors, "
        "arrays, numbers, strings and dicts/lists of them (e.g. model.state_dict())"
    )


def _decode(node: Any, files: Any) -> Any:
    (kind, body), = node.items()
    if kind == "tensor":
        return Tensor(np.array(files[body]))
    if kind == "array":
        return np.array(files[body])
    if kind == "dict":
        return {k: _decode(v, files) for k, v in body}
    if kind == "list":
        return [_decode(v, files) for v in body]
    if kind == "tuple":
        return tuple(_decode(v, files) for v in body)
    if kind == "value":
        return body
    raise ValueError(f"load: unknown entry kind {kind!r} in the file's description")


def save(obj: Any, f: str | os.PathLike[str] | BinaryIO) -> None:
    """Write ``obj`` (e.g. ``model.state_dict()``) to ``f``, a path or a binary file, as ``.npz`` without pickle.

    The path is used as given (no ``.npz`` is appended), so ``save(sd, "model.pt")`` then
    ``load("model.pt")`` works as in torch.
    """
    arrays: dict[str, np.ndarray] = {}
    tree = _encode(obj, arrays, "")
    meta = json.dumps({"format": _FORMAT, "version": _VERSION, "tree": tree})
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as handle:
            np.savez(handle, **arrays, **{_META: np.array(meta)})
    else:
        np.savez(f, **arrays, **{_META: np.array(meta)})


def load(f: str | os.PathLike[str] | BinaryIO) -> Any:
    """Read what ``save`` wrote: tensors come back as tensors (same dtype and shape), arrays as numpy arrays."""
    with np.load(f, allow_pickle=False) as files:
        if _META not in files.files:
            raise ValueError(f"load: {f!r} is not a file written by dlkit.save (no {_META!r} entry)")
        meta = json.loads(str(files[_META]))
        if meta.get("format") != _FORMAT or meta.get("version", 0) > _VERSION:
            raise ValueError(f"load: unsupported file format {meta.get('format')!r} version {meta.get('version')!r}")
        return _decode(meta["tree"], files)
