"""``Tensor``: an array that remembers how it was made, so gradients can flow back through it.

Its operators and methods (``x + y``, ``x.sum()``, ``x.relu()``) call the ops of ``dlkit.functional``.
That package sits above autograd and is built from it, so autograd never imports it: the ops are
handed to this module by ``dlkit.functional`` itself (``use_ops``), before any tensor exists.
"""
from __future__ import annotations

from types import ModuleType
from typing import Any, Iterator

from .. import backend
from . import engine
from .grad_mode import STATE

_F: Any = None  # dlkit.functional, once it has called use_ops


def use_ops(ops: ModuleType) -> None:
    """Make ``ops`` (the module ``dlkit.functional``) what Tensor's operators and methods call."""
    global _F
    _F = ops


class Tensor:
    """An n-dimensional array with an optional gradient, following torch's ``Tensor``.

    ``data`` is the raw array (numpy by default); ``grad`` is a Tensor without history, ``None``
    until a backward pass reaches this tensor. Operations on tensors that require grad record a
    graph, which ``backward()`` walks in reverse.
    """

    __slots__ = ("data", "grad", "_requires_grad", "_ctx", "_xp", "_retains_grad", "__weakref__")
    # numpy must hand `array * tensor` back to Tensor.__rmul__ instead of looping over elements.
    __array_ufunc__ = None

    def __init__(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> None:
        if isinstance(data, Tensor):
            data = data.data
        array = backend.asarray(data, dtype=dtype)
        self.data = array
        self.grad: Tensor | None = None
        self._xp = backend.namespace_of(array)
        self._ctx = None
        self._retains_grad = False
        self._requires_grad = False
        if requires_grad:
            self.requires_grad = True

    @classmethod
    def _make(cls, data: Any, xp: Any, ctx: Any) -> "Tensor":
        """Fast constructor for op results: no conversion, no checks."""
        t = object.__new__(cls)
        t.data = data
        t.grad = None
        t._xp = xp if xp is not None else backend.namespace_of(data)
        t._ctx = ctx
        t._requires_grad = ctx is not None
        t._retains_grad = False
        return t

    # ----- autograd state -------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        """Whether gradients are computed for this tensor."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value and not backend.is_floating(self.data.dtype, self._xp):
            raise RuntimeError(
                f"requires_grad: only floating-point tensors can require gradients, this one is "
                f"{self.dtype_name}; convert it first with .float()"
            )
        if not value and self._ctx is not None:
            raise RuntimeError(
                "requires_grad: cannot turn gradients off for a non-leaf tensor; use .detach() instead"
            )
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Set ``requires_grad`` in place and return self."""
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        """True for tensors not made by a recorded op (their ``.grad`` is filled by backward)."""
        return self._ctx is None

    @property
    def grad_fn(self) -> Any:
        """The recorded op that made this tensor (None for leaves)."""
        return self._ctx

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward (to look at intermediate gradients)."""
        if not self._requires_grad:
            raise RuntimeError("retain_grad: the tensor does not require grad")
        self._retains_grad = True

    def detach(self) -> "Tensor":
        """The same values, cut from the graph (shares memory, like torch)."""
        return Tensor._make(self.data, self._xp, None)

    def backward(self, gradient: Any = None, retain_graph: bool = False) -> None:
        """Compute d(self)/d(leaf) for every leaf that requires grad and add it into ``leaf.grad``."""
        engine.backward(self, gradient, retain_graph)

    def zero_grad(self) -> None:
        """Forget this tensor's gradient (``.grad = None``)."""
        self.grad = None

    # ----- description ----------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """The size of each axis."""
        return tuple(self.data.shape)

    def size(self, dim: int | None = None) -> Any:
        """The shape, or the size of axis ``dim``."""
        shape = tuple(self.data.shape)
        return shape if dim is None else shape[dim]

    @property
    def dtype(self) -> Any:
        """The element type, e.g. ``dlkit.float32`` (equal to the array library's own dtype object)."""
        return backend.as_dtype(backend.dtype_name(self.data.dtype, self._xp))

    @property
    def device(self) -> Any:
        """Where the values live: ``device(type='cpu')``, ``device(type='cuda', index=0)``, ..."""
        return backend.device_of(self.data)

    @property
    def is_cuda(self) -> bool:
        """Whether the tensor lives on a GPU."""
        return self.device.type == "cuda"

    @property
    def dtype_name(self) -> str:
        """The element type's name, e.g. ``"float32"``."""
        return backend.dtype_name(self.data.dtype, self._xp)

    @property
    def ndim(self) -> int:
        """The number of axes."""
        return self.data.ndim

    def dim(self) -> int:
        """The number of axes."""
        return self.data.ndim

    def numel(self) -> int:
        """The number of elements."""
        n = 1
        for s in self.data.shape:
            n *= s
        return n

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self.numel() != 1:
            raise ValueError(f"item: only one-element tensors can be converted, this one has shape {self.shape}")
        return backend.to_numpy(self.data).item()

    def numpy(self) -> Any:
        """The values as a numpy array (shares memory on the CPU; an explicit copy from other devices)."""
        if self._requires_grad:
            raise RuntimeError("numpy: can't call numpy() on a tensor that requires grad; use tensor.detach().numpy()")
        return backend.to_numpy(self.data)

    def cpu(self) -> "Tensor":
        """This tensor on the CPU (itself when it is already there)."""
        return self.to("cpu")

    def cuda(self, device: Any = None) -> "Tensor":
        """This tensor on a GPU (``device``: an index or ``"cuda:N"``; the current GPU when None)."""
        return self.to(backend.device("cuda") if device is None else backend.device(device))

    def tolist(self) -> Any:
        """The values as (nested) Python lists."""
        return backend.to_numpy(self.data).tolist()

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        if self._xp is not _HOST_XP and self.device.type != "cpu":
            # No silent transfers: numpy functions on a device tensor would copy it to the host.
            raise TypeError(
                f"can't convert a tensor on {self.device} to a numpy array implicitly; "
                "call .numpy() (an explicit copy) or .cpu() first"
            )
        values = self.numpy()
        return values if dtype is None else values.astype(dtype)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self.numel() != 1:
            raise RuntimeError(
                f"bool: the truth value of a tensor with {self.numel()} elements is ambiguous; use .any() or .all()"
            )
        return bool(self.item())

    def __iter__(self) -> Iterator["Tensor"]:
        for i in range(len(self)):
            yield self[i]

    __hash__ = object.__hash__

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickling and ``copy.deepcopy``: values, gradient and flags (the namespace is found again)."""
        if self._ctx is not None:
            raise RuntimeError(
                "pickle/deepcopy: only leaf tensors (made by you, not by an op) can be copied this way; "
                "use .detach() first"
            )
        return (_rebuild, (type(self), self.data, self.grad, self._requires_grad))

    def __repr__(self) -> str:
        body = backend.format_array(self.data, indent=7)
        extras = []
        if self.dtype_name not in ("float32", "int64", "bool"):
            extras.append(f"dtype={self.dtype_name}")
        if self.device.type != "cpu":
            extras.append(f"device='{self.device}'")
        if self._ctx is not None:
            extras.append(f"grad_fn={self._ctx!r}")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    # ----- conversion -----------------------------------------------------------------------
    def to(self, *args: Any, dtype: Any = None, device: Any = None, copy: bool = False, non_blocking: bool = False) -> "Tensor":
        """This tensor on another device and/or with another dtype, like torch's ``Tensor.to``.

        ``t.to("cuda")``, ``t.to(dlkit.float64)``, ``t.to("cpu", dlkit.float64)``, ``t.to(other)``
        (other's device and dtype). Returns ``self`` when nothing changes (unless ``copy``). The
        move is an explicit copy, and gradients flow back to the original device.
        """
        for arg in args:
            if isinstance(arg, Tensor):
                device, dtype = arg.device, arg.dtype
            elif backend.is_device_like(arg) or (isinstance(arg, int) and not isinstance(arg, bool)):
                device = arg
            else:
                dtype = arg
        out = self
        if device is not None:
            out = _F.to_device(out, device)
        if dtype is not None:
            out = _F.astype(out, dtype)
        return _F.clone(out) if copy and out is self else out

    def to_device_(self, device: Any) -> "Tensor":
        """Move this leaf tensor's values (and its ``.grad``) to ``device`` in place; ``Module.to`` uses it.

        The tensor stays the same object, so optimizers and modules holding it see the move.
        """
        if self._ctx is not None:
            raise RuntimeError("to_device_: only leaf tensors can move in place; use .to(device) for a result")
        data = backend.to_device(self.data, device)
        self.data, self._xp = data, backend.namespace_of(data)
        if self.grad is not None:
            self.grad = self.grad.to(device)
        return self

    def astype(self, dtype: Any) -> "Tensor":
        """A copy with another dtype (differentiable between floating dtypes)."""
        return _F.astype(self, dtype)

    def float(self) -> "Tensor":
        """Convert to float32."""
        return _F.astype(self, "float32")

    def double(self) -> "Tensor":
        """Convert to float64."""
        return _F.astype(self, "float64")

    def long(self) -> "Tensor":
        """Convert to int64."""
        return _F.astype(self, "int64")

    def int(self) -> "Tensor":
        """Convert to int32."""
        return _F.astype(self, "int32")

    def bool(self) -> "Tensor":
        """Convert to bool."""
        return _F.astype(self, "bool")

    def clone(self) -> "Tensor":
        """A copy that stays in the graph (gradients flow back to self)."""
        return _F.clone(self)

    # ----- arithmetic -----------------------------------------------------------------------
    def __add__(self, other: Any) -> "Tensor":
        return _F.add(self, other)

    def __radd__(self, other: Any) -> "Tensor":
        return _F.add(other, self)

    def __sub__(self, other: Any) -> "Tensor":
        return _F.sub(self, other)

    def __rsub__(self, other: Any) -> "Tensor":
        return _F.sub(other, self)

    def __mul__(self, other: Any) -> "Tensor":
        return _F.mul(self, other)

    def __rmul__(self, other: Any) -> "Tensor":
        return _F.mul(other, self)

    def __truediv__(self, other: Any) -> "Tensor":
        return _F.div(self, other)

    def __rtruediv__(self, other: Any) -> "Tensor":
        return _F.div(other, self)

    def __pow__(self, other: Any) -> "Tensor":
        return _F.pow(self, other)

    def __rpow__(self, other: Any) -> "Tensor":
        return _F.pow(other, self)

    def __matmul__(self, other: Any) -> "Tensor":
        return _F.matmul(self, other)

    def __rmatmul__(self, other: Any) -> "Tensor":
        return _F.matmul(other, self)

    def __neg__(self) -> "Tensor":
        return _F.neg(self)

    def __pos__(self) -> "Tensor":
        return self

    def __abs__(self) -> "Tensor":
        return _F.abs(self)

    def __eq__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return _F.eq(self, other)

    def __ne__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return _F.ne(self, other)

    def __lt__(self, other: Any) -> "Tensor":
        return _F.lt(self, other)

    def __le__(self, other: Any) -> "Tensor":
        return _F.le(self, other)

    def __gt__(self, other: Any) -> "Tensor":
        return _F.gt(self, other)

    def __ge__(self, other: Any) -> "Tensor":
        return _F.ge(self, other)

    def __getitem__(self, key: Any) -> "Tensor":
        return _F.index(self, key)

    def __setitem__(self, key: Any, value: Any) -> None:
        if STATE.enabled and (self._requires_grad or (isinstance(value, Tensor) and value._requires_grad)):
            raise RuntimeError(
                "setitem: in-place assignment into a tensor that takes part in autograd is not supported; "
                "build a new tensor (e.g. with dlkit.where or dlkit.cat), or assign under dlkit.no_grad()"
            )
        self.data[_F.plain_key(key, self._xp)] = value.data if isinstance(value, Tensor) else value

    def add(self, other: Any) -> "Tensor":
        """self + other."""
        return _F.add(self, other)

    def sub(self, other: Any) -> "Tensor":
        """self - other."""
        return _F.sub(self, other)

    def mul(self, other: Any) -> "Tensor":
        """self * other."""
        return _F.mul(self, other)

    def div(self, other: Any) -> "Tensor":
        """self / other."""
        return _F.div(self, other)

    def pow(self, exponent: Any) -> "Tensor":
        """self ** exponent."""
        return _F.pow(self, exponent)

    def matmul(self, other: Any) -> "Tensor":
        """Matrix product self @ other."""
        return _F.matmul(self, other)

    def neg(self) -> "Tensor":
        """-self."""
        return _F.neg(self)

    # ----- elementwise functions ------------------------------------------------------------
    def exp(self) -> "Tensor":
        """e ** self."""
        return _F.exp(self)

    def log(self) -> "Tensor":
        """Natural logarithm."""
        return _F.log(self)

    def sqrt(self) -> "Tensor":
        """Square root."""
        return _F.sqrt(self)

    def abs(self) -> "Tensor":
        """Absolute value."""
        return _F.abs(self)

    def sin(self) -> "Tensor":
        """Sine."""
        return _F.sin(self)

    def cos(self) -> "Tensor":
        """Cosine."""
        return _F.cos(self)

    def tanh(self) -> "Tensor":
        """Hyperbolic tangent."""
        return _F.tanh(self)

    def sigmoid(self) -> "Tensor":
        """Logistic sigmoid 1 / (1 + e^-x), computed without overflow."""
        return _F.sigmoid(self)

    def relu(self) -> "Tensor":
        """max(self, 0)."""
        return _F.relu(self)

    def clamp(self, min: Any = None, max: Any = None) -> "Tensor":
        """Limit values to [min, max]."""
        return _F.clamp(self, min, max)

    clip = clamp

    def maximum(self, other: Any) -> "Tensor":
        """Elementwise maximum."""
        return _F.maximum(self, other)

    def minimum(self, other: Any) -> "Tensor":
        """Elementwise minimum."""
        return _F.minimum(self, other)

    # ----- reductions -----------------------------------------------------------------------
    def sum(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None) -> "Tensor":
        """Sum over ``dim`` (all axes when None)."""
        return _F.sum(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def mean(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None) -> "Tensor":
        """Mean over ``dim`` (all axes when None)."""
        return _F.mean(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def max(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None) -> Any:
        """The largest value; with ``dim``, a (values, indices) pair like torch."""
        return _F.max(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def min(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None) -> Any:
        """The smallest value; with ``dim``, a (values, indices) pair like torch."""
        return _F.min(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amax(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        """The largest values over ``dim`` (gradient shared evenly between ties)."""
        return _F.amax(self, dim, keepdim)

    def amin(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        """The smallest values over ``dim`` (gradient shared evenly between ties)."""
        return _F.amin(self, dim, keepdim)

    def argmax(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        """Index of the largest value (over the flattened tensor when ``dim`` is None)."""
        return _F.argmax(self, dim, keepdim)

    def argmin(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        """Index of the smallest value (over the flattened tensor when ``dim`` is None)."""
        return _F.argmin(self, dim, keepdim)

    def var(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *, correction: int | None = None) -> "Tensor":
        """Variance over ``dim``; unbiased (divides by n - 1) by default, like torch."""
        return _F.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *, correction: int | None = None) -> "Tensor":
        """Standard deviation over ``dim``; unbiased by default, like torch."""
        return _F.std(self, dim, unbiased, keepdim, correction=correction)

    def logsumexp(self, dim: Any, keepdim: bool = False) -> "Tensor":
        """log(sum(exp(self))) over ``dim``, computed without overflow."""
        return _F.logsumexp(self, dim, keepdim)

    def all(self) -> "Tensor":
        """Whether every element is true (no gradient)."""
        return _F.all(self)

    def any(self) -> "Tensor":
        """Whether some element is true (no gradient)."""
        return _F.any(self)

    # ----- shape ----------------------------------------------------------------------------
    def reshape(self, *shape: Any) -> "Tensor":
        """The same values in a new shape (one axis may be -1)."""
        return _F.reshape(self, *shape)

    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> "Tensor":
        """Merge axes ``start_dim``..``end_dim`` into one."""
        return _F.flatten(self, start_dim, end_dim)

    def transpose(self, dim0: int, dim1: int) -> "Tensor":
        """Swap two axes."""
        return _F.transpose(self, dim0, dim1)

    def permute(self, *dims: Any) -> "Tensor":
        """Reorder the axes."""
        return _F.permute(self, *dims)

    @property
    def T(self) -> "Tensor":
        """All axes reversed (the matrix transpose for 2-D tensors)."""
        return _F.permute(self, *range(self.data.ndim - 1, -1, -1))

    @property
    def mT(self) -> "Tensor":
        """The last two axes swapped (a batch of matrix transposes)."""
        return _F.transpose(self, -2, -1)

    def squeeze(self, dim: Any = None) -> "Tensor":
        """Remove axes of size 1 (only ``dim`` when given)."""
        return _F.squeeze(self, dim)

    def unsqueeze(self, dim: int) -> "Tensor":
        """Insert an axis of size 1 at ``dim``."""
        return _F.unsqueeze(self, dim)

    def expand(self, *sizes: Any) -> "Tensor":
        """Broadcast to a larger shape (-1 keeps an axis)."""
        return _F.expand(self, *sizes)

    def expand_as(self, other: "Tensor") -> "Tensor":
        """Broadcast to ``other``'s shape."""
        return _F.expand(self, *other.shape)


_HOST_XP = backend.namespace_for(backend.device("cpu"))


def _rebuild(cls: type, data: Any, grad: Any, requires_grad: bool) -> Tensor:
    """The inverse of ``Tensor.__reduce__``."""
    t = Tensor._make(data, None, None)
    t.__class__ = cls  # subclasses such as nn.Parameter add no slots, so the layout is the same
    t._requires_grad = requires_grad
    t.grad = grad
    return t
