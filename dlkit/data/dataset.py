"""``Dataset`` and ``TensorDataset``: indexable collections of samples, as in ``torch.utils.data``."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import backend
from ..autograd.tensor import Tensor
from .collate import default_collate


class Dataset:
    """A collection of samples: ``len(ds)`` and ``ds[i]`` (a sample, usually an ``(input, target)`` pair).

    Subclasses write ``__getitem__`` and ``__len__``. ``batch(indices)`` gathers several samples into
    one batch; the default stacks them one by one, and datasets that hold whole tensors override it
    with a single vectorized gather.
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} does not define __len__")

    def batch(self, indices: Sequence[int]) -> Any:
        """The samples at ``indices`` collated into one batch (tensors stacked along a new first axis)."""
        if isinstance(indices, slice):
            indices = range(*indices.indices(len(self)))
        return default_collate([self[int(i)] for i in indices])


class TensorDataset(Dataset):
    """Samples are rows of tensors that share their first dimension: ``ds[i] == (x[i], y[i])``."""

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset: give at least one tensor")
        self.tensors = tuple(t if isinstance(t, Tensor) else Tensor(t) for t in tensors)
        sizes = [t.shape[0] if t.ndim else None for t in self.tensors]
        if None in sizes or len(set(sizes)) != 1:
            shapes = ", ".join(str(t.shape) for t in self.tensors)
            raise ValueError(f"TensorDataset: all tensors must have the same size in dim 0, got shapes {shapes}")

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(Tensor._make(t.data[index, ...], t._xp, None) for t in self.tensors)

    def batch(self, indices: Any) -> tuple[Tensor, ...]:
        """Rows ``indices`` of every tensor: a slice gives views, an index array one gather per tensor."""
        if isinstance(indices, slice):
            return tuple(Tensor._make(t.data[indices, ...], t._xp, None) for t in self.tensors)
        rows = np.asarray(indices, dtype=np.int64)
        out = []
        for t in self.tensors:
            xp = t._xp
            idx = rows if backend.namespace_of(rows) is xp else xp.asarray(rows)  # indices go to the data's device
            out.append(Tensor._make(xp.take(t.data, idx, axis=0), xp, None))
        return tuple(out)
