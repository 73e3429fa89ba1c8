"""The backward pass: walk the recorded graph from the output in reverse topological order.

The order comes from an iterative depth-first search (no recursion limit on deep chains). Each
node's gradient is complete before its backward runs because every path into it was processed
first; gradients arriving along several paths are summed (the multivariate chain rule). Nodes
that do not lead to the output are never visited.
"""
from __future__ import annotations

from typing import Any

from ..backend import ops as B
from .broadcast import unbroadcast


def topological_order(root: Any) -> list[Any]:
    """Non-leaf tensors that ``root`` depends on, each after all of its inputs (root last)."""
    order: list[Any] = []
    if root._ctx is None:
        return order
    visited = {id(root)}
    # Depth-first, post-order: a node is appended once every parent it leads to has been.
    stack = [(root, iter(root._ctx.inputs))]
    push, pop, append, seen, mark = stack.append, stack.pop, order.append, visited.__contains__, visited.add
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent is not None:
                ctx = parent._ctx
                if ctx is not None and not seen(id(parent)):
                    mark(id(parent))
                    push((parent, iter(ctx.inputs)))
                    break
        else:
            pop()
            append(node)
    return order


def _seed_gradient(root: Any, gradient: Any) -> Any:
    xp = root._xp
    if gradient is None:
        if root.data.ndim and root.numel() != 1:
            raise RuntimeError(
                f"backward: grad can be implicitly created only for scalar outputs; this output has shape "
                f"{root.shape}. Reduce it first (e.g. loss.sum() or loss.mean()) or pass backward(gradient=...)"
            )
        return B.ones_like(root.data)
    data = gradient.data if hasattr(gradient, "_ctx") else xp.asarray(gradient)
    if tuple(data.shape) != root.shape:
        raise RuntimeError(f"backward: gradient has shape {tuple(data.shape)} but the output has shape {root.shape}")
    if data.dtype != root.data.dtype:
        data = xp.astype(data, root.data.dtype)
    return data


def _accumulate(tensor: Any, grad: Any, copy: bool) -> None:
    """Add ``grad`` into ``tensor.grad`` (a history-free tensor of the same shape and dtype)."""
    xp = tensor._xp
    if tensor.grad is None:
        # A fresh array unless the caller knows ``grad`` is private: several leaves may have been
        # handed the very same array, or a view of one another's.
        data = xp.asarray(grad, copy=True) if copy or grad.ndim == 0 else grad
        tensor.grad = type(tensor)._make(data, xp, None)
    else:
        tensor.grad = type(tensor)._make(tensor.grad.data + grad, xp, None)


def _private(g: Any, grad: Any, ctx: Any, handed: set[int]) -> bool:
    """Whether ``g``, returned by ``ctx``'s backward, is a new array that nothing else holds, so a leaf
    may keep it as its ``.grad`` without a copy (saving a pass over every weight gradient).

    Not private: a view (``.base`` set; libraries without ``.base`` always copy), the incoming
    gradient passed through, an array another leaf already kept, or one the context holds (a saved
    array, an attribute, an input's data). An array that is also some node's pending gradient may
    be shared: backward functions never write into their incoming gradient.
    """
    if getattr(g, "base", g) is not None or g is grad or id(g) in handed:
        return False
    # Plain loops, not any(<generator>): this runs once per weight gradient of every step.
    for h in ctx._saved:
        if h is g:
            return False
    for h in ctx.__dict__.values():
        if h is g:
            return False
    for t in ctx.inputs:
        if t is not None and t.data is g:
            return False
    return True


def _fit(grad: Any, tensor: Any, ctx: Any, position: int) -> Any:
    """Bring an input gradient to its tensor's shape and dtype, or say which backward got it wrong."""
    shape = tensor.data.shape
    if tuple(grad.shape) != tuple(shape):
        try:
            grad = unbroadcast(grad, tuple(shape), tensor._xp)
        except ValueError:
            raise RuntimeError(
                f"{ctx.fn.__name__}.backward returned a gradient of shape {tuple(grad.shape)} for input "
                f"{position}, which has shape {tuple(shape)}"
            ) from None
    if grad.dtype != tensor.data.dtype:
        grad = tensor._xp.astype(grad, tensor.data.dtype)
    return grad


def backward(root: Any, gradient: Any = None, retain_graph: bool = False) -> None:
    """Run backpropagation from ``root`` and accumulate gradients into the leaves' ``.grad``."""
    if not root._requires_grad:
        raise RuntimeError(
            "backward: this tensor does not require grad and has no grad_fn; set requires_grad=True on "
            "the inputs you want gradients for (and do not compute it under no_grad)"
        )
    seed = _seed_gradient(root, gradient)
    if root._ctx is None:
        _accumulate(root, seed, copy=True)
        return
    grads: dict[int, Any] = {id(root): seed}
    # ids of the arrays leaves kept without a copy (alive as their .grad, so no id is reused while
    # it matters; an id freed by a later accumulation only costs a needless copy)
    handed: set[int] = set()
    pop = grads.pop
    # This loop runs once per op of every training step, so it avoids calls it can do without.
    for node in reversed(topological_order(root)):
        grad = pop(id(node), None)
        if grad is None:
            continue
        if node._retains_grad:
            _accumulate(node, grad, copy=True)
        ctx = node._ctx
        inputs = ctx.inputs
        in_grads = ctx.fn.backward(ctx, grad)
        if not isinstance(in_grads, tuple):
            in_grads = (in_grads,)
        if len(in_grads) < len(inputs):
            raise RuntimeError(
                f"{ctx.fn.__name__}.backward returned {len(in_grads)} gradient(s) for {len(inputs)} input(s)"
            )
        for position, (parent, g) in enumerate(zip(inputs, in_grads)):
            if g is None or parent is None or not parent._requires_grad:
                continue
            data = parent.data
            try:
                shape = g.shape
            except AttributeError:  # a Python number
                g = parent._xp.asarray(g, dtype=data.dtype)
                shape = g.shape
            dtype = g.dtype
            if shape != data.shape or (dtype is not data.dtype and dtype != data.dtype):
                g = _fit(g, parent, ctx, position)
            if parent._ctx is None:
                if parent.grad is None and g.ndim and _private(g, grad, ctx, handed):
                    # the common case, inline: a leaf's first gradient, kept without a copy
                    parent.grad = type(parent)._make(g, parent._xp, None)
                    handed.add(id(g))
                else:
                    _accumulate(parent, g, copy=True)
            else:
                key = id(parent)
                previous = grads.get(key)
                grads[key] = g if previous is None else previous + g
        if not retain_graph:
            ctx.release()
