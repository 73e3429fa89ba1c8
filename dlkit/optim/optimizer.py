"""``Optimizer``: the agent that applies gradients to parameters, following ``torch.optim.Optimizer``.

An optimizer holds parameter groups (each a dict: ``params`` plus hyperparameters such as ``lr``) and,
per parameter, a small state (moving averages, a step count). ``step()`` reads each parameter's
``.grad`` and updates the parameter's array in place; subclasses only write the update rule for one
parameter, on raw arrays of the parameter's own namespace (numpy, cupy, array_api_strict ...).
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

from .. import backend
from ..backend import ops as B
from ..autograd.grad_mode import enable_grad, no_grad
from ..autograd.tensor import Tensor


# Hyperparameter types that need no conversion; step() checks every value each time, so the
# check for these is one set lookup.
_PLAIN = frozenset({float, int, bool, str, type(None)})


def _python_number(value: Any) -> Any:
    """Hyperparameters as Python floats: a numpy float64 scalar would promote float32 updates to float64."""
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    if isinstance(value, tuple):
        return tuple(_python_number(v) for v in value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def ema_(average: Any, value: Any, beta: float) -> None:
    """In place, average ← β·average + (1 − β)·value: the exponential moving average the optimizers are built from."""
    average *= beta
    average += (1 - beta) * value


def check_adam_args(opt: "Optimizer", lr: float, betas: tuple[float, float], eps: float, weight_decay: float) -> None:
    """The hyperparameter checks shared by the Adam family."""
    opt._check(lr >= 0, f"lr must be >= 0, got {lr}")
    opt._check(eps >= 0, f"eps must be >= 0, got {eps}")
    opt._check(len(betas) == 2 and all(0 <= b < 1 for b in betas), f"betas must be two numbers in [0, 1), got {betas}")
    opt._check(weight_decay >= 0, f"weight_decay must be >= 0, got {weight_decay}")


class Optimizer:
    """Base class: parameter groups, per-parameter state, ``zero_grad``, ``step`` and ``state_dict``.

    Subclasses set their defaults, check them, and implement ``_update(param, grad, state, group, xp)``,
    which changes the raw array ``param`` in place.
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = {k: _python_number(v) for k, v in defaults.items()}
        # keyed by the parameter itself (tensors hash by identity, as in torch)
        self.state: dict[Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError(
                f"{type(self).__name__}: params must be an iterable of tensors or of dicts, got a single "
                "Tensor; pass [tensor] or model.parameters()"
            )
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__}: params is an empty list; the optimizer has nothing to optimize")
        if isinstance(groups[0], tuple):  # model.named_parameters()
            groups = [p for _, p in groups]
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters (missing ones take the defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"add_param_group: param_group must be a dict, got {type(param_group).__name__}")
        params = param_group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"{type(self).__name__}: params must be tensors, got {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError(
                    f"{type(self).__name__}: can't optimize a non-leaf tensor (it was computed from others); "
                    "optimize the leaves it came from, or .detach().requires_grad_() it first"
                )
            if id(p) in seen:
                raise ValueError(f"{type(self).__name__}: a parameter appears in more than one group (or twice)")
            seen.add(id(p))
        group = {k: _python_number(v) for k, v in param_group.items() if k != "params"}
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        group["params"] = params
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient: ``.grad = None`` (or zeros with ``set_to_none=False``)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad = Tensor._make(p._xp.zeros_like(p.grad.data), p._xp, None)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; with ``closure``, re-evaluate the loss first and return it."""
        B.tune_process()  # once, on the first step: the process is training (see backend/tuning.py)
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for key, value in group.items():
                    # a scheduler or a user may have stored a numpy scalar (or a tuple of them)
                    if type(value) not in _PLAIN and key != "params":
                        group[key] = _python_number(value)
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state.get(p)
                    if state is None:
                        state = self.state[p] = self._init_state(p, group)
                    grad = -p.grad.data if group.get("maximize") else p.grad.data
                    self._update(p.data, grad, state, group, p._xp)
        return loss

    # ----- what a subclass writes -----------------------------------------------------------
    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        """The state of a parameter before its first step (moving averages start at zero)."""
        return {}

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any], xp: Any) -> None:
        """Change the raw array ``param`` in place, given its gradient ``grad`` (never modify ``grad``).

        ``xp`` is the parameter's array namespace; state tensors hold arrays of the same namespace and dtype.
        """
        raise NotImplementedError(f"{type(self).__name__} does not define its update rule (_update)")

    @staticmethod
    def _weight_decay(param: Any, grad: Any, group: dict[str, Any]) -> Any:
        """L2 regularization: the gradient of loss + λ/2·‖p‖², i.e. g + λ·p. With ``decoupled_weight_decay``
        (AdamW) p shrinks in place by the factor (1 − lr·λ) instead, and g is left alone."""
        decay = group["weight_decay"]
        if decay == 0:
            return grad
        if group.get("decoupled_weight_decay"):
            param *= 1 - group["lr"] * decay
            return grad
        return grad + decay * param

    def _check(self, ok: bool, message: str) -> None:
        """Raise ValueError naming the optimizer when a hyperparameter is out of range."""
        if not ok:
            raise ValueError(f"{type(self).__name__}: {message}")

    @staticmethod
    def _zeros_like(p: Tensor, fill: float = 0.0) -> Tensor:
        """A state tensor beside ``p``: same shape, namespace and dtype, filled with ``fill``."""
        return Tensor._make(p._xp.full(p.data.shape, fill, dtype=p.data.dtype), p._xp, None)

    @staticmethod
    def _copy(array: Any, xp: Any) -> Tensor:
        """A state tensor holding a copy of ``array``."""
        return Tensor._make(xp.asarray(array, copy=True), xp, None)

    # ----- saving and restoring -------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: {...}}, "param_groups": [...]}`` with parameters replaced by their index, like torch."""
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: dict(s) for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyperparameters and state saved by ``state_dict`` (state is copied to each parameter's dtype)."""
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError(
                f"load_state_dict: the state_dict has {len(groups)} parameter groups, this optimizer has "
                f"{len(self.param_groups)}"
            )
        by_index: dict[int, Tensor] = {}
        for mine, saved in zip(self.param_groups, groups):
            if len(mine["params"]) != len(saved["params"]):
                raise ValueError(
                    f"load_state_dict: a saved group has {len(saved['params'])} parameters, the matching group "
                    f"here has {len(mine['params'])}"
                )
            by_index.update(zip(saved["params"], mine["params"]))
        self.state = {}
        for i, saved_state in state_dict["state"].items():
            p = by_index[int(i)]
            self.state[p] = {k: self._restore(v, p) for k, v in saved_state.items()}
        for mine, saved in zip(self.param_groups, groups):
            mine.update({k: _python_number(v) for k, v in saved.items() if k != "params"})

    @staticmethod
    def _restore(value: Any, p: Tensor) -> Any:
        """A copy of a saved state value, as a tensor beside ``p`` (plain numbers such as ``step`` stay as they are)."""
        if isinstance(value, Tensor):
            value = value.data
        if not hasattr(value, "shape"):
            return value
        xp = p._xp
        if backend.namespace_of(value) is not xp:  # e.g. state saved on the CPU, loaded for a GPU model
            value = backend.to_numpy(value)
        data = xp.asarray(value, copy=True)
        return Tensor._make(xp.astype(data, p.data.dtype, copy=False), xp, None)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join(lines + [")"])
