"""Small real datasets shipped inside dlkit (nothing is downloaded): the 8×8 digits, an MNIST subset, a tiny table.

Images come back NCHW, as convolution layers want them: ``X`` has shape (N, 1, H, W), or (N, H·W)
with ``flatten=True`` for an MLP; float32 scaled to [0, 1] (``normalize=True``) or the stored uint8
values. Labels are int64 class indices. Sources and licences: README.md beside this file.
"""
from __future__ import annotations

from importlib import resources

import numpy as np

from ..autograd.tensor import Tensor

# A small table in the spirit of the course's "data as a tensor" example: each row an instance,
# each column a feature. Invented, plausible values: height (cm), weight (kg), sex.
HEIGHT_WEIGHT_COLUMNS = ("height_cm", "weight_kg", "sex")
HEIGHT_WEIGHT_ROWS = (
    (183, 79, "male"), (178, 84, "male"), (165, 58, "female"), (171, 66, "female"),
    (156, 52, "female"), (160, 55, "female"), (168, 61, "female"), (175, 72, "male"),
    (181, 88, "male"), (190, 95, "male"), (162, 70, "female"), (173, 64, "male"),
)


def _images(pixels: np.ndarray, labels: np.ndarray, flatten: bool, normalize: bool, scale: float) -> tuple[Tensor, Tensor]:
    """uint8 (N, H, W) arrays to tensors: NCHW or flat, scaled to [0, 1] or raw."""
    n = pixels.shape[0]
    x = pixels.reshape(n, -1) if flatten else pixels.reshape(n, 1, *pixels.shape[1:])
    if normalize:
        x = x.astype(np.float32) / np.float32(scale)
    return Tensor(np.ascontiguousarray(x)), Tensor(labels.astype(np.int64))


def _load(name: str) -> tuple[np.ndarray, np.ndarray]:
    with resources.files(__package__).joinpath(name).open("rb") as f, np.load(f) as archive:
        return archive["images"], archive["labels"]


def load_digits(flatten: bool = False, normalize: bool = True) -> tuple[Tensor, Tensor]:
    """The 1,797 8×8 handwritten digits (UCI, as shipped by scikit-learn): pixel values 0..16, labels 0..9."""
    images, labels = _load("digits.npz")
    return _images(images, labels, flatten, normalize, 16.0)


def load_mnist_subset(flatten: bool = False, normalize: bool = True) -> tuple[Tensor, Tensor]:
    """5,000 28×28 MNIST digits, 500 of each class, in a fixed random order: pixel values 0..255, labels 0..9."""
    images, labels = _load("mnist_5k.npz")
    return _images(images, labels, flatten, normalize, 255.0)


def load_height_weight() -> tuple[Tensor, Tensor]:
    """The small height/weight/sex table as tensors: X float32 (12, 2) [height cm, weight kg], y int64 (1 = female)."""
    x = np.array([row[:2] for row in HEIGHT_WEIGHT_ROWS], dtype=np.float32)
    y = np.array([row[2] == "female" for row in HEIGHT_WEIGHT_ROWS], dtype=np.int64)
    return Tensor(x), Tensor(y)
