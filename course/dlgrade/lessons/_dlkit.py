"""References computed by dlkit on float64 tensors (lessons 00–03): a learner is checked against the library
they keep. dlkit is imported on first use, so importing the exercise registry stays cheap."""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np


def tensor64(a: Any, requires_grad: bool = False) -> Any:
    """A float64 dlkit tensor holding a copy of ``a`` (float32 inputs are compared in float64)."""
    import dlkit

    return dlkit.tensor(np.array(a, dtype=np.float64), requires_grad=requires_grad)


def labels(y: Any) -> Any:
    """Integer class labels as an int64 dlkit tensor."""
    import dlkit

    return dlkit.tensor(np.asarray(y).astype(np.int64))


def numpy(t: Any) -> np.ndarray:
    """A tensor's values as a numpy array."""
    return np.asarray(t.data)


def scalar(t: Any) -> float:
    """A one-element tensor as a Python float."""
    return float(np.asarray(t.data).reshape(()))


def optimizer_step(optimizer: str, w: Any, dw: Any, state: Mapping[str, Any], **hyper: Any
                   ) -> tuple[np.ndarray, dict[str, Any]]:
    """One ``dlkit.optim.<optimizer>`` step from the given state (loaded as torch's state_dict names it):
    the new parameter and the new state, as numpy arrays (counters stay numbers)."""
    from dlkit import optim

    p = tensor64(w, requires_grad=True)
    p.grad = tensor64(dw)
    opt = getattr(optim, optimizer)([p], **hyper)
    saved = opt.state_dict()
    saved["state"] = {0: {k: (v if isinstance(v, (int, np.integer)) else np.array(v, dtype=np.float64))
                          for k, v in state.items()}}
    opt.load_state_dict(saved)
    opt.step()
    after = opt.state[p]
    return numpy(p), {k: (numpy(v) if hasattr(v, "data") else v) for k, v in after.items()}
