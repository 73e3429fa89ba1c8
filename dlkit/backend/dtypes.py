"""dlkit's dtypes: names that compare equal to the matching dtype of every array library.

``dlkit.float32`` is a ``str`` subclass holding ``"float32"``, so it can be passed wherever numpy
takes a dtype, and ``tensor.dtype == dlkit.float32`` holds whether the tensor lives in numpy,
cupy or ``array_api_strict`` (whose dtype objects compare unequal to anything but themselves).
"""
from __future__ import annotations

from typing import Any

_FLOATING = ("float16", "float32", "float64")
_SIZES = {"bool": 1, "int8": 1, "uint8": 1, "int16": 2, "uint16": 2, "float16": 2,
          "int32": 4, "uint32": 4, "float32": 4, "int64": 8, "uint64": 8, "float64": 8}


def name_of(dtype: Any) -> str:
    """The plain name (``"float32"``) of a dtype from any library, or of a name or a type."""
    if isinstance(dtype, str):
        return str.__str__(dtype)
    name = getattr(dtype, "name", None)  # numpy/cupy dtype objects
    if isinstance(name, str):
        return name
    name = getattr(dtype, "__name__", None)  # numpy scalar types such as np.float32
    if isinstance(name, str):
        return "bool" if name == "bool_" else name
    text = str(dtype)  # array_api_strict.float32, torch.float32
    return text.rsplit(".", 1)[-1]


class DType(str):
    """A dtype name that compares equal to the same dtype in any array library."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        try:
            return str.__str__(self) == name_of(other)
        except Exception:
            return False

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = str.__hash__

    def __repr__(self) -> str:
        return f"dlkit.{str.__str__(self)}"

    @property
    def name(self) -> str:
        """The plain name, e.g. ``"float32"``."""
        return str.__str__(self)

    @property
    def is_floating_point(self) -> bool:
        """Whether this is a floating-point dtype (like ``torch.dtype.is_floating_point``)."""
        return str.__str__(self) in _FLOATING

    @property
    def itemsize(self) -> int:
        """Bytes per element."""
        return _SIZES[str.__str__(self)]


float16 = DType("float16")
float32 = DType("float32")
float64 = DType("float64")
int8 = DType("int8")
int16 = DType("int16")
int32 = DType("int32")
int64 = DType("int64")
uint8 = DType("uint8")
bool_ = DType("bool")

_BY_NAME: dict[str, DType] = {}


def as_dtype(dtype: Any) -> DType:
    """dlkit's ``DType`` for a dtype of any library (or a name)."""
    name = name_of(dtype)
    hit = _BY_NAME.get(name)
    if hit is None:
        hit = _BY_NAME[name] = DType(name)
    return hit
