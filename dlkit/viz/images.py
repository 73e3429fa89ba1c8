"""A grid of small images: digits, convolution filters, feature maps."""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ._common import figure, to_numpy


def _as_images(images: Any) -> np.ndarray:
    """(N, H, W) grey or (N, H, W, 3) colour images from the layouts the lessons use."""
    a = to_numpy(images).astype(np.float64)
    if a.ndim == 2:  # one image
        return a[None]
    if a.ndim == 3:  # (N, H, W), or the feature maps (C, H, W) of one image
        return a
    if a.ndim == 4 and a.shape[1] == 3:  # (N, 3, H, W) colour
        return a.transpose(0, 2, 3, 1)
    if a.ndim == 4:  # (N, 1, H, W) images, or conv weights (out, in, kh, kw): first input channel
        return a[:, 0]
    raise ValueError(f"show_images: expected (N, H, W), (N, C, H, W) or (H, W) values, got shape {a.shape}")


def show_images(
    images: Any,
    labels: Sequence[Any] | Any = None,
    ncols: int = 8,
    cmap: str = "gray",
    normalize: bool = True,
    size: float = 1.2,
) -> Any:
    """Images side by side in a grid, with ``labels`` as titles; returns the Figure.

    Takes digits (N, 1, H, W) or (N, H, W), colour images (N, 3, H, W), conv filters (out, in, kh, kw)
    (first input channel), or one image's feature maps (C, H, W). ``normalize`` stretches each image to
    its own value range, so filters with small weights are visible.
    """
    imgs = _as_images(images)
    n = imgs.shape[0]
    if labels is not None:
        labels = list(to_numpy(labels).reshape(-1)) if not isinstance(labels, (list, tuple)) else list(labels)
        if len(labels) != n:
            raise ValueError(f"show_images: {len(labels)} labels for {n} images")
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, grid = figure(nrows, ncols, (size * ncols, size * nrows + (0.25 * nrows if labels is not None else 0)))
    for i, ax in enumerate(grid.ravel()):
        ax.axis("off")
        if i >= n:
            continue
        img = imgs[i]
        if normalize:
            lo, hi = img.min(), img.max()
            img = (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)
        ax.imshow(img, cmap=None if img.ndim == 3 else cmap, vmin=0 if normalize else None,
                  vmax=1 if normalize else None, interpolation="nearest")
        if labels is not None:
            ax.set_title(str(labels[i]), fontsize=9)
    return fig
