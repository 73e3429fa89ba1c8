"""``DataLoader``: batches of a dataset, every sample exactly once per epoch, shuffled reproducibly."""
from __future__ import annotations

import math
from typing import Any, Iterator

import numpy as np

from .. import backend
from ..autograd.tensor import Tensor
from .collate import default_collate
from .dataset import Dataset


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size``, as ``torch.utils.data.DataLoader`` does.

    An epoch is one pass over the dataset; each batch gives one iteration (one optimizer step).
    ``shuffle=True`` draws a new order every epoch from a generator seeded with ``seed`` (or from
    dlkit's global generator, reset by ``dlkit.manual_seed``, when ``seed`` is None), so runs repeat.
    ``drop_last=True`` skips a last batch smaller than ``batch_size``. ``device`` places every
    batch on that device (e.g. ``"cuda"``) as it is handed out.
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
        device: Any = None,
    ) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(f"DataLoader: dataset must support len() and indexing, got {type(dataset).__name__}")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.seed = seed
        self._rng = np.random.default_rng(seed) if seed is not None else None
        self.device = None if device is None else backend.device(device)

    def __len__(self) -> int:
        """The number of batches per epoch."""
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _order(self) -> np.ndarray | None:
        """This epoch's sample order (None: in order, batches are slices)."""
        if not self.shuffle:
            return None
        rng = self._rng if self._rng is not None else backend.random.generator()
        return rng.permutation(len(self.dataset))

    def __iter__(self) -> Iterator[Any]:
        order = self._order()
        fetch = getattr(self.dataset, "batch", None)
        fetch = fetch if callable(fetch) else None
        for b in range(len(self)):
            start, stop = b * self.batch_size, min((b + 1) * self.batch_size, len(self.dataset))
            if order is None:
                indices: Any = slice(start, stop) if fetch is not None else range(start, stop)
            else:
                indices = order[start:stop]
            if fetch is not None:
                batch = fetch(indices)
            else:
                batch = default_collate([self.dataset[int(i)] for i in indices])
            yield batch if self.device is None else _to_device(batch, self.device)


def _to_device(batch: Any, device: Any) -> Any:
    """Every tensor of a batch (tensors, tuples, lists, dicts of them) moved to ``device``."""
    if isinstance(batch, Tensor):
        return batch.to(device)
    if isinstance(batch, (tuple, list)):
        return type(batch)(_to_device(b, device) for b in batch)
    if isinstance(batch, dict):
        return {k: _to_device(v, device) for k, v in batch.items()}
    return batch
