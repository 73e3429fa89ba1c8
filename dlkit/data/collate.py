"""``default_collate``: a list of samples stacked into one batch, as ``torch.utils.data.default_collate`` does."""
from __future__ import annotations

import numbers
from typing import Any, Sequence

from .. import backend
from ..autograd.tensor import Tensor
from ..creation import tensor
from ..functional import stack


def default_collate(samples: Sequence[Any]) -> Any:
    """Stack a list of samples into a batch: tensors along a new axis 0, numbers into a tensor, tuples field by field."""
    first = samples[0]
    if isinstance(first, Tensor):
        return stack([s.detach() for s in samples])
    if isinstance(first, (tuple, list)):
        return tuple(default_collate([s[i] for s in samples]) for i in range(len(first)))
    if isinstance(first, dict):
        return {k: default_collate([s[k] for s in samples]) for k in first}
    if backend.is_array(first):
        return Tensor(backend.namespace_of(first).stack(list(samples)))
    if isinstance(first, numbers.Number):  # ints become int64, floats float32, bools bool
        return tensor(list(samples))
    raise TypeError(f"default_collate: cannot batch samples of type {type(first).__name__}")
