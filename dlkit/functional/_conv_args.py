"""Normalizing the geometry arguments of convolution and pooling (torch's int-or-tuple conventions)."""
from __future__ import annotations

from typing import Any


def pair(value: Any, name: str, op: str, minimum: int = 1) -> tuple[int, int]:
    """An int or a 2-tuple of ints, each ≥ ``minimum``, as a 2-tuple."""
    items = (value, value) if isinstance(value, int) and not isinstance(value, bool) else value
    try:
        items = tuple(items)
    except TypeError:
        items = ()
    if len(items) != 2 or any(not isinstance(v, int) or isinstance(v, bool) or v < minimum for v in items):
        raise ValueError(f"{op}: {name} must be an int or a pair of ints ≥ {minimum}, got {value!r}")
    return items  # type: ignore[return-value]


def out_size(size: int, kernel: int, stride: int, pad: int, op: str, axis: str) -> int:
    """(size + pad − kernel) // stride + 1, or a clear error when the kernel does not fit."""
    if size + pad < kernel:
        raise ValueError(
            f"{op}: the kernel ({kernel}) is larger than the padded input along {axis} ({size + pad}); "
            "use a smaller kernel, more padding, or a larger input"
        )
    return (size + pad - kernel) // stride + 1


def conv_padding(padding: Any, kernel: tuple[int, int], stride: tuple[int, int], op: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """((top, bottom), (left, right)) from an int, a pair, "valid", or "same" (stride 1 only, like torch)."""
    if padding == "valid":
        return (0, 0), (0, 0)
    if padding == "same":
        if stride != (1, 1):
            raise ValueError(f"{op}: padding='same' is not supported for strided convolutions (stride={stride})")
        # An even kernel needs one more row/column after than before, as in torch.
        (kh, kw) = kernel
        return ((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2)
    ph, pw = pair(padding, "padding", op, minimum=0)
    return (ph, ph), (pw, pw)
