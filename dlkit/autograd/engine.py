"""The backward pass: the driver you write in the autodiff lesson, plus the checks a library needs.

Seed the root with ones; visit the computed tensors in reverse topological order, so that every
user of a tensor has sent its share before the tensor's own backward runs; call each backward and
add what it returns into the inputs' gradients (summing over every path: the multivariate chain
rule). Leaves collect their gradient in ``.grad``, where it accumulates until ``zero_grad()``;
a computed tensor's gradient lives in ``pending`` until its backward has run. Tensors the root
does not depend on are never visited.
"""
from __future__ import annotations

from typing import Any

from ..backend import ops as B
from .broadcast import unbroadcast


def topological_order(root: Any) -> list[Any]:
    """Computed (non-leaf) tensors that ``root`` depends on, each after all of its inputs (root last).

    Iterative depth-first search, post-order: no recursion limit on deep chains.
    """
    order: list[Any] = []
    if root._ctx is None:
        return order
    visited = {id(root)}
    stack = [(root, iter(root._ctx.inputs))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent is not None and parent._ctx is not None and id(parent) not in visited:
                visited.add(id(parent))
                stack.append((parent, iter(parent._ctx.inputs)))
                break
        else:  # every input of node is placed: node goes after them
            stack.pop()
            order.append(node)
    return order


def backward(root: Any, gradient: Any = None, retain_graph: bool = False) -> None:
    """Backpropagate from ``root``: add d(root)/d(leaf) into the ``.grad`` of every leaf that requires grad."""
    seed = seed_gradient(root, gradient)
    if root._ctx is None:  # a leaf: its gradient is the seed itself
        accumulate(root, seed)
        return
    pending = {id(root): seed}  # computed tensors' gradients, complete once all their users have run
    kept: set[int] = set()  # arrays that leaves hold as .grad without a copy (add_to_leaf)
    for node in reversed(topological_order(root)):
        grad = pending.pop(id(node), None)
        if grad is None:  # every path from the root to it carried no gradient
            continue
        if node._retains_grad:
            accumulate(node, grad)
        ctx = node._ctx
        for parent, g in zip(ctx.inputs, input_gradients(ctx, grad)):
            if g is None:  # a constant, or an input that needs no gradient
                continue
            if parent._ctx is None:
                add_to_leaf(parent, g, ctx, grad, kept)
            else:
                pending[id(parent)] = pending[id(parent)] + g if id(parent) in pending else g
        if not retain_graph:
            ctx.release()  # its saved arrays are no longer needed: free them while the pass goes on


def seed_gradient(root: Any, gradient: Any) -> Any:
    """Where backward starts: ones for a one-element root, else ``gradient`` (checked against the root)."""
    if not root._requires_grad:
        raise RuntimeError(
            "backward: this tensor does not require grad and has no grad_fn; set requires_grad=True on "
            "the inputs you want gradients for (and do not compute it under no_grad)"
        )
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


def input_gradients(ctx: Any, grad: Any) -> list[Any]:
    """``ctx``'s backward as one gradient per input, each in its input's shape and dtype (so a backward
    may leave broadcasting to ``unbroadcast``); None for inputs that take none."""
    grads = ctx.fn.backward(ctx, grad)
    if not isinstance(grads, tuple):
        grads = (grads,)
    inputs = ctx.inputs
    if len(grads) < len(inputs):
        raise RuntimeError(f"{ctx.fn.__name__}.backward returned {len(grads)} gradient(s) for {len(inputs)} input(s)")
    fitted = []
    for position, (tensor, g) in enumerate(zip(inputs, grads)):
        if g is None or tensor is None or not tensor._requires_grad:
            fitted.append(None)
            continue
        data = tensor.data
        if not hasattr(g, "shape"):  # a Python number
            g = tensor._xp.asarray(g, dtype=data.dtype)
        if g.shape != data.shape or (g.dtype is not data.dtype and g.dtype != data.dtype):
            g = _fit(g, tensor, ctx, position)
        fitted.append(g)
    return fitted


def _fit(grad: Any, tensor: Any, ctx: Any, position: int) -> Any:
    """Bring an input gradient to its tensor's shape and dtype, or say which backward got it wrong."""
    shape = tuple(tensor.data.shape)
    if tuple(grad.shape) != shape:
        try:
            grad = unbroadcast(grad, shape, tensor._xp)
        except ValueError:
            raise RuntimeError(
                f"{ctx.fn.__name__}.backward returned a gradient of shape {tuple(grad.shape)} for input "
                f"{position}, which has shape {shape}"
            ) from None
    if grad.dtype != tensor.data.dtype:
        grad = tensor._xp.astype(grad, tensor.data.dtype)
    return grad


def accumulate(tensor: Any, grad: Any) -> None:
    """``tensor.grad += grad`` (a copy when it is the first: ``grad`` may be shared with other tensors)."""
    xp = tensor._xp
    data = xp.asarray(grad, copy=True) if tensor.grad is None else tensor.grad.data + grad
    tensor.grad = type(tensor)._make(data, xp, None)


def add_to_leaf(leaf: Any, g: Any, ctx: Any, grad: Any, kept: set[int]) -> None:
    """``leaf.grad += g``, keeping a leaf's first gradient without a copy when nothing else can hold that
    array (saves a pass over every weight gradient of every training step)."""
    if leaf.grad is None and g.ndim and _private(g, grad, ctx, kept):
        leaf.grad = type(leaf)._make(g, leaf._xp, None)
        kept.add(id(g))  # the leaf now holds it alive, so the id cannot be reused during this pass
    else:
        accumulate(leaf, g)


def _private(g: Any, grad: Any, ctx: Any, kept: set[int]) -> bool:
    """Whether ``g``, returned by ``ctx``'s backward, is a new array that nothing else holds.

    Not private: a view (``.base`` set; libraries without ``.base`` always copy), the incoming
    gradient passed through, an array another leaf already kept, or one the context holds (a saved
    array, an attribute, an input's data). An array that is also some node's pending gradient may
    be shared: backward functions never write into their incoming gradient.
    """
    if getattr(g, "base", g) is not None or g is grad or id(g) in kept:
        return False
    # Plain loops, not any(<generator>): this runs once per weight gradient of every step.
    for held in ctx._saved:
        if held is g:
            return False
    for held in ctx.__dict__.values():
        if held is g:
            return False
    for t in ctx.inputs:
        if t is not None and t.data is g:
            return False
    return True
