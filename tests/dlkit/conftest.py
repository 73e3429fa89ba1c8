"""Fixtures for the dlkit suite: ``backend``, a device each test using it runs on (see ``backends.py``).

A test that takes ``backend`` runs once per device: numpy, array_api_strict (its ``device1``
stand-in) and cupy (skipped without a GPU, with the reason). While it runs, that device is the
default device, so every tensor the test makes without ``device=`` lands there.
"""
from __future__ import annotations

from typing import Iterator

import pytest

from dlkit import backend as _backend

from .backends import BACKENDS


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Iterator[_backend.Device]:
    """The device under test, made the default device for the test's duration."""
    dev = _backend.device(request.param)
    previous = _backend.get_default_device()
    _backend.set_default_device(dev)
    try:
        yield dev
    finally:
        _backend.set_default_device(previous)


@pytest.fixture(autouse=True)
def _restore_default_device() -> Iterator[None]:
    """A test that changes the default device (or dies inside ``with dlkit.device(...)``) leaves no trace."""
    previous = _backend.get_default_device()
    yield
    _backend.set_default_device(previous)
