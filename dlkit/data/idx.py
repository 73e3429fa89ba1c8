"""Read MNIST / Fashion-MNIST from the standard IDX files in a directory the user provides.

IDX format: two zero bytes, a type byte, the number of dimensions, one big-endian uint32 size per
dimension, then the values, big-endian, in C order. The files may be gzipped (``.gz``) or raw.
"""
from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from ..autograd.tensor import Tensor
from .datasets import _images

_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_FILES = {True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
          False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def read_idx_array(path: str | Path) -> np.ndarray:
    """The array stored in one IDX file (native byte order), as numpy."""
    path = Path(path)
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _TYPES:
        raise ValueError(f"read_idx: {path} is not an IDX file (bad magic number {raw[:4].hex()})")
    ndim = raw[3]
    shape = tuple(int(s) for s in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = np.dtype(_TYPES[raw[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - 4 - 4 * ndim != expected:
        raise ValueError(f"read_idx: {path} holds {len(raw) - 4 - 4 * ndim} data bytes, its header promises {expected}")
    values = np.frombuffer(raw, dtype=dtype, offset=4 + 4 * ndim).reshape(shape)
    return values.astype(dtype.newbyteorder("="))


def read_idx(path: str | Path) -> Tensor:
    """The array stored in one IDX file as a tensor (uint8 for MNIST images and labels)."""
    return Tensor(read_idx_array(path))


def _find(directory: Path, stem: str) -> Path:
    # the usual names, and the "train-images.idx3-ubyte" spelling some mirrors use
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
        if (directory / name).exists():
            return directory / name
    raise FileNotFoundError(f"load_mnist: no {stem}[.gz] in {directory}; download MNIST or Fashion-MNIST there first")


def load_mnist(directory: str | Path, train: bool = True, flatten: bool = False, normalize: bool = True) -> tuple[Tensor, Tensor]:
    """MNIST or Fashion-MNIST (same file names) from ``directory``: the train (60k) or test (10k) split.

    Returns ``(X, y)`` like ``load_mnist_subset``: X (N, 1, 28, 28) float32 in [0, 1] (or flat / uint8), y int64.
    """
    directory = Path(directory).expanduser()
    images_name, labels_name = _FILES[bool(train)]
    images = read_idx_array(_find(directory, images_name))
    labels = read_idx_array(_find(directory, labels_name))
    if images.ndim != 3 or labels.shape != images.shape[:1]:
        raise ValueError(f"load_mnist: images {images.shape} and labels {labels.shape} do not match")
    return _images(images, labels, flatten, normalize, 255.0)
