"""Run a learner's dlkit ``Function`` subclass once, forward and backward, as a function of plain arrays.

``function_of_arrays(Conv2dFn, "conv2d")`` is what the notebook hands to ``check``: a plain function
``(x, weight, b, stride, padding, grad) -> (out, dx, dweight, db)``; ``function_of_arrays(MaxPool2dFn,
"max_pool2d")`` gives ``(x, kernel_size, stride, grad) -> (out, dx)``. It calls the class's own static
``forward(ctx, *arrays, **consts)`` and ``backward(ctx, grad)`` exactly as ``Function.apply`` and the backward
pass do (arrays positional, constants as keywords, a fresh ``ctx``), and it holds no reference: the values
are compared elsewhere. Like ``one_op`` of :mod:`dlgrade.harness.adapters` it runs in the learner's kernel
(lesson 08-cnn-training imports it in its setup cell), so it lives in the harness.

Besides the values, it enforces what dlkit's backward pass needs from any Function: one gradient per array
input, each with its input's shape, and arrays of the input's dtype (float32 stays float32).
"""
from __future__ import annotations

import types
from typing import Any, Callable

import numpy as np

from .describe import describe

_OPS = {"conv2d": ("x", "weight", "b"), "max_pool2d": ("x",)}


def _context(cls: type, n_inputs: int) -> Any:
    from dlkit.autograd.function import Context  # dlkit's own ctx: attributes, save_for_backward

    ctx = Context(cls, np)
    ctx.needs_input_grad = (True,) * n_inputs
    return ctx


def _check_array(cls_name: str, what: str, value: Any, like: np.ndarray, shape: tuple | None = None) -> None:
    if not isinstance(value, np.ndarray):
        hint = " Return the numpy array itself (the arrays a Function sees are plain numpy arrays)." \
            if hasattr(value, "backward") else ""
        raise TypeError(f"{cls_name}.{what} is {describe(value)}; it must be a numpy array.{hint}")
    if shape is not None and value.shape != shape:
        raise ValueError(f"{cls_name}.{what} has shape {value.shape}, but its input has shape {shape}: "
                         "a gradient always has the shape of the array it is the gradient of.")
    if value.dtype != like.dtype:
        raise TypeError(f"{cls_name}.{what} is {value.dtype} for {like.dtype} inputs: keep the input's dtype "
                        f"(create buffers with np.zeros(shape, dtype=x.dtype) or np.zeros_like), or every "
                        f"layer after it computes in {value.dtype}.")


def _grads(cls_name: str, grads: Any, names: tuple[str, ...], inputs: tuple[np.ndarray, ...]) -> tuple:
    if isinstance(grads, list):
        grads = tuple(grads)
    if len(names) == 1 and not isinstance(grads, tuple):
        grads = (grads,)
    if not isinstance(grads, tuple) or len(grads) != len(names):
        want = "(" + ", ".join(f"d{n}" for n in names) + ")"
        raise TypeError(f"{cls_name}.backward returned {describe(grads)}; it must return one gradient per "
                        f"array input of forward, in the same order: {want}.")
    for name, g, x in zip(names, grads, inputs):
        _check_array(cls_name, f"backward's gradient for {name}", g, x, x.shape)
    return grads


def function_of_arrays(cls: type, op: str) -> Callable[..., tuple]:
    """A function of plain arrays that runs ``cls.forward`` then ``cls.backward`` once (see the module doc)."""
    if op not in _OPS:
        raise ValueError(f"function_of_arrays: op must be one of {', '.join(_OPS)}; got {op!r}")
    name = getattr(cls, "__name__", "Function")
    forward, backward = getattr(cls, "forward", None), getattr(cls, "backward", None)
    if not callable(forward) or not callable(backward):
        raise TypeError(f"{name} needs a forward and a backward (static methods of a dlkit.Function subclass)")
    names = _OPS[op]

    def _run(arrays: tuple[np.ndarray, ...], consts: dict[str, Any], grad: np.ndarray) -> tuple:
        ctx = _context(cls, len(arrays))
        out = forward(ctx, *arrays, **consts)
        _check_array(name, "forward's output", out, arrays[0])
        if out.shape != grad.shape:
            raise ValueError(f"{name}.forward returned shape {out.shape}; expected {grad.shape} "
                             "(check the output size and the order of the axes: (N, C, H_out, W_out)).")
        return (out, *_grads(name, backward(ctx, grad), names, arrays))

    if op == "conv2d":
        def run(x, weight, b, stride, padding, grad):
            return _run((x, weight, b), {"stride": stride, "padding": padding}, grad)
    else:
        def run(x, kernel_size, stride, grad):
            return _run((x,), {"kernel_size": kernel_size, "stride": stride}, grad)
    # ``run`` uses only its closure, so it can take the globals of the notebook that defined the class: the
    # lock-out then patches the learner's namespace, and oracles rebind the learner's own helper functions
    # (``maxpool_forward`` called from ``MaxPool2dFn.forward``) rather than names of this module.
    notebook = getattr(forward, "__globals__", None)
    if isinstance(notebook, dict):
        run = types.FunctionType(run.__code__, notebook, run.__name__, run.__defaults__, run.__closure__)
    run.__name__ = run.__qualname__ = f"{name}_{op}"
    return run
