"""Seeded random numbers, one generator per device, all reset by ``dlkit.manual_seed``.

The CPU and the array_api_strict devices draw with numpy's ``Generator`` (the strict stand-in has
no random numbers of its own, so they are drawn on the host and copied over); a GPU draws with
cupy's own generator, on the GPU. Each device has its own stream, like torch's CPU and CUDA
generators: after ``manual_seed(s)`` the same calls on one device give the same numbers, whatever
was drawn on another device in between.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .arrays import DEFAULT_FLOAT, dtype_name, resolve_dtype
from .devices import CPU, Device, device, device_of_namespace, get_default_device, namespace_for
from .devices import import_cupy as cupy

_state: dict[str, Any] = {"seed": 0}
_generators: dict[Device, Any] = {}


def manual_seed(seed: int) -> None:
    """Reset every device's generator so every random function in dlkit repeats its numbers."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"manual_seed: seed must be an int, got {type(seed).__name__}")
    _state["seed"] = int(seed)
    _generators.clear()


def generator(on: Any = None) -> Any:
    """The generator of device ``on`` (the CPU's numpy ``Generator`` when None), for raw draws."""
    dev = CPU if on is None else device(on)
    gen = _generators.get(dev)
    if gen is None:
        if dev.type == "cuda":
            with dev.native:
                gen = cupy().random.RandomState(_state["seed"])
        else:
            gen = np.random.default_rng(_state["seed"])
        _generators[dev] = gen
    return gen


def _where(xp: Any, on: Any) -> Device:
    """The device to draw on: ``on`` if given, else ``xp``'s device, else the default device."""
    if on is not None:
        return device(on)
    if xp is not None:
        return device_of_namespace(xp)
    return get_default_device()


def _finish(values: np.ndarray, dev: Device) -> Any:
    """Host draws placed on ``dev``."""
    return values if dev.type == "cpu" else namespace_for(dev).asarray(values)


def _floats(method: str, a: float, b: float, shape: tuple[int, ...], dtype: Any, xp: Any, on: Any) -> Any:
    """Floating-point draws of the generator's ``method`` (uniform or normal) with parameters ``a``, ``b``."""
    dev = _where(xp, on)
    name = dtype_name(resolve_dtype(dtype or DEFAULT_FLOAT, np), np)
    draw = getattr(generator(dev), method)
    if dev.type == "cuda":
        with dev.native:
            return draw(a, b, size=shape, dtype=name)
    return _finish(draw(a, b, size=shape).astype(name, copy=False), dev)


def uniform(shape: tuple[int, ...], low: float = 0.0, high: float = 1.0, dtype: Any = None,
            xp: Any = None, device: Any = None) -> Any:
    """Samples from U[low, high) of the given shape, on ``device`` (or ``xp``'s, or the default one)."""
    return _floats("uniform", low, high, shape, dtype, xp, device)


def normal(shape: tuple[int, ...], mean: float = 0.0, std: float = 1.0, dtype: Any = None,
           xp: Any = None, device: Any = None) -> Any:
    """Samples from N(mean, std²) of the given shape."""
    return _floats("normal", mean, std, shape, dtype, xp, device)


def bernoulli(shape: tuple[int, ...], p: float, xp: Any = None, device: Any = None) -> Any:
    """Booleans that are True with probability ``p`` (dropout masks)."""
    dev = _where(xp, device)
    if dev.type == "cuda":
        with dev.native:
            return generator(dev).random_sample(size=shape, dtype="float32") < p
    # float32 draws: a mask needs no more resolution, and they take ~0.7× the time of float64 ones
    return _finish(generator(dev).random(size=shape, dtype=np.float32) < p, dev)


def integers(shape: tuple[int, ...], low: int, high: int, xp: Any = None, device: Any = None) -> Any:
    """int64 samples from [low, high)."""
    dev = _where(xp, device)
    if dev.type == "cuda":
        with dev.native:
            return generator(dev).randint(low, high, size=shape, dtype="int64")
    return _finish(generator(dev).integers(low, high, size=shape, dtype=np.int64), dev)


def permutation(n: int, xp: Any = None, device: Any = None) -> Any:
    """A random ordering of ``range(n)`` as int64 (shuffling a data set)."""
    dev = _where(xp, device)
    if dev.type == "cuda":
        with dev.native:
            return generator(dev).permutation(n).astype("int64")
    return _finish(generator(dev).permutation(n).astype(np.int64), dev)
