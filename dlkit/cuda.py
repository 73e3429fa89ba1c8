"""GPU queries, like ``torch.cuda``: is there a GPU dlkit can use (through cupy), and how many.

Nothing here imports cupy unless asked; on a machine without cupy or a GPU every query answers
"no" instead of failing, so lessons can write::

    dlkit.set_default_device("cuda" if dlkit.cuda.is_available() else "cpu")
"""
from __future__ import annotations

from .backend import devices as _device


def is_available() -> bool:
    """Whether cupy is installed and sees at least one NVIDIA GPU."""
    return _device.cuda_available()


def device_count() -> int:
    """The number of GPUs cupy sees (0 without cupy or a GPU)."""
    return _device.cuda_device_count()


def current_device() -> int:
    """The index of the GPU new cuda tensors go to by default."""
    if not is_available():
        raise RuntimeError("cuda.current_device: no GPU is available (dlkit.cuda.is_available() is False)")
    return _device.import_cupy().cuda.Device().id


def synchronize() -> None:
    """Wait for every queued GPU kernel to finish (time GPU code only after this); no-op without a GPU."""
    _device.cuda_synchronize()
