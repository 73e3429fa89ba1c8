"""Lesson 06 (autodiff): the backward passes of add, mul and matmul.

Add and mul include inputs broadcast along each axis on its own (missing leading axes, a size-1 axis in the
middle, a 0-d operand, both operands stretched), so their gradients must be summed back to each input's shape;
their ``unbroadcast`` is the grader's while they are checked (graded in its own exercise). Matmul varies N, D
and M on their own (1 on each, a square case where a transpose keeps the shape). Known mistakes: the gate rules
of lesson 04 (add distributes, multiply swaps), cs231n's matmul transposes, and broadcasting forgotten.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ...registry import Case
from .._common import away_from_zero, make_case
from .._draw import drawn
from .ops import mistake, register_op, unbroadcast as U

_UNB = {"unbroadcast": "ex:engine.unbroadcast"}


def _add_saving(ctx, a, b):
    ctx.save_for_backward(a, b)
    ctx.a_shape, ctx.b_shape = a.shape, b.shape
    return a + b


def _add(code: str, message: str, backward: Callable, look_for: str, **kw) -> object:
    return mistake("add", code, message, backward, look_for, **kw)


ADD = (
    _add("no_unbroadcast", "an input was broadcast in forward, so its gradient must be summed back to its shape: "
         "unbroadcast(grad, ctx.a_shape) and unbroadcast(grad, ctx.b_shape).", lambda ctx, g: (g, g),
         r"return\s+grad\s*,\s*grad"),
    _add("like_mul", "you used the multiply rule: the local derivative of a + b is 1 for both inputs, so each gets "
         "`grad` itself (summed down to its shape).",
         lambda ctx, g: (U(g * ctx.saved_tensors[1], ctx.a_shape), U(g * ctx.saved_tensors[0], ctx.b_shape)),
         r"grad\s*\*\s*[ab]\b", forward=_add_saving),
    _add("local_only", "you returned only the local derivative (ones): multiply it by the upstream gradient "
         "`grad` (chain rule).", lambda ctx, g: (np.ones(ctx.a_shape), np.ones(ctx.b_shape)), r"ones"),
    _add("halved", "you split the gradient between the inputs: add distributes, each input receives the whole "
         "upstream gradient (nudging either input by ε moves the sum by ε).",
         lambda ctx, g: (U(g / 2, ctx.a_shape), U(g / 2, ctx.b_shape)), r"/\s*2|0?\.5\s*\*"),
    _add("one_gradient", "Add has two inputs, so backward returns two gradients: (grad_a, grad_b).",
         lambda ctx, g: U(g, ctx.a_shape), r"return\s+unbroadcast\([^,]*,\s*ctx\.a_shape\s*\)\s*$"),
    _add("sign", "wrong sign: add passes the gradient on as it is (its local derivatives are +1).",
         lambda ctx, g: (-U(g, ctx.a_shape), -U(g, ctx.b_shape)), r"-\s*unbroadcast|-\s*grad"),
    _add("only_a_unbroadcast", "b was broadcast too: sum its gradient back to ctx.b_shape as well, "
         "unbroadcast(grad, ctx.b_shape).", lambda ctx, g: (U(g, ctx.a_shape), g), r",\s*grad\s*$"),
    _add("swapped_shapes", "each gradient was summed to the OTHER input's shape: grad_a goes to ctx.a_shape, "
         "grad_b to ctx.b_shape.", lambda ctx, g: (U(g, ctx.b_shape), U(g, ctx.a_shape)),
         r"unbroadcast\([^)]*ctx\.b_shape\)\s*,"),
    _add("copy_paste", "both gradients were summed to a's shape (the first line copied): grad_b is "
         "unbroadcast(grad, ctx.b_shape).", lambda ctx, g: (U(g, ctx.a_shape), U(g, ctx.a_shape)),
         r"ctx\.a_shape\).*ctx\.a_shape"),
    _add("sub_rule", "that is subtraction's rule (−grad for b); add gives +grad to both inputs.",
         lambda ctx, g: (U(g, ctx.a_shape), -U(g, ctx.b_shape)), r",\s*-"),
    _add("summed_everything", "grad.sum() adds up every element into one number; each input gets a gradient of "
         "its own shape, summed only over the axes broadcasting stretched.", lambda ctx, g: (g.sum(), g.sum()),
         r"\.sum\(\s*\)"),
    _add("inline_axis0", "grad.sum(axis=0) fits only a bias added to a matrix: a broadcast can stretch any axis, "
         "so use unbroadcast(grad, shape) for both inputs.", lambda ctx, g: (g, g.sum(axis=0)),
         r"sum\(\s*axis\s*=\s*0"),
)


def _mul(code: str, message: str, grads: Callable, look_for: str) -> object:
    """A mul mistake from ``grads(a, b, g) -> (grad_a, grad_b)``."""
    return mistake("mul", code, message, lambda ctx, g: grads(*ctx.saved_tensors, g), look_for)


def _full(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.broadcast_to(x, np.broadcast_shapes(a.shape, b.shape))


MUL = (
    _mul("not_swapped", "each input got its own value times grad: the local derivative of a·b with respect to a "
         "is b (multiply swaps).", lambda a, b, g: (U(g * a, a.shape), U(g * b, b.shape)), r"grad\s*\*\s*a\b.*a\.shape"),
    _mul("no_unbroadcast", "an input was broadcast in forward, so its gradient must be summed back to its shape: "
         "unbroadcast(grad * b, a.shape) and unbroadcast(grad * a, b.shape).", lambda a, b, g: (g * b, g * a),
         r"return\s+grad\s*\*\s*b\s*,\s*grad\s*\*\s*a\s*$"),
    _mul("local_only", "you returned only the local derivative: multiply it by the upstream gradient `grad` "
         "(chain rule: dL/da = dL/dout · dout/da).",
         lambda a, b, g: (U(_full(b, a, b), a.shape), U(_full(a, a, b), b.shape)), r"unbroadcast\(\s*b\b"),
    _mul("output_value", "you multiplied by the output a·b instead of the upstream gradient grad.",
         lambda a, b, g: (U(a * b * b, a.shape), U(a * b * a, b.shape)), r"a\s*\*\s*b\s*\*"),
    _mul("like_add", "you used the add rule: for a·b the local derivative with respect to a is b, so multiply "
         "grad by the other input's value.", lambda a, b, g: (U(g, a.shape), U(g, b.shape)),
         r"unbroadcast\(\s*grad\s*,"),
    _mul("sign", "wrong sign: grad_a = grad · b, with no minus.", lambda a, b, g: (-U(g * b, a.shape), -U(g * a, b.shape)),
         r"-\s*unbroadcast|-\s*grad"),
    _mul("copy_paste", "b got grad · b (the first line copied without swapping): grad_b = unbroadcast(grad * a, "
         "b.shape).", lambda a, b, g: (U(g * b, a.shape), U(g * b, b.shape)), r"grad\s*\*\s*b\b.*b\.shape"),
    _mul("wrong_order", "the two gradients came back in each other's place: return (grad_a, grad_b), grad_a "
         "summed to a's shape first.", lambda a, b, g: (U(g * a, b.shape), U(g * b, a.shape)),
         r"grad\s*\*\s*a\s*,\s*b\.shape"),
    _mul("times_output", "the local derivative of a·b with respect to a is b, not the product a·b.",
         lambda a, b, g: (U(g * a * b, a.shape), U(g * a * b, b.shape)), r"grad\s*\*\s*a\s*\*\s*b"),
    _mul("inline_axis0", "grad.sum(axis=0) fits only one operand shape: a broadcast can stretch any axis, so use "
         "unbroadcast(..., shape) for both inputs.", lambda a, b, g: (g * b, (g * a).sum(axis=0)),
         r"sum\(\s*axis\s*=\s*0"),
    _mul("one_gradient", "Mul has two inputs, so backward returns two gradients: (grad_a, grad_b).",
         lambda a, b, g: U(g * b, a.shape), r"return\s+unbroadcast\([^,]*,\s*a\.shape\s*\)\s*$"),
    _mul("only_a_unbroadcast", "b was broadcast too: sum its gradient back to its shape as well, "
         "unbroadcast(grad * a, b.shape).", lambda a, b, g: (U(g * b, a.shape), g * a), r",\s*grad\s*\*\s*a\s*$"),
)


def _mm(code: str, message: str, grads: Callable, look_for: str) -> object:
    """A matmul mistake from ``grads(a, b, g) -> (grad_a, grad_b)``."""
    return mistake("matmul", code, message, lambda ctx, g: grads(*ctx.saved_tensors, g), look_for)


_SHAPES = "check each product's shape against its input's: grad_a = grad @ b.T is (N, D), grad_b = a.T @ grad " \
    "is (D, M)."
MATMUL = (
    _mm("not_transposed", "the other factor must be transposed: " + _SHAPES, lambda a, b, g: (g @ b, a @ g),
        r"grad\s*@\s*b\b(?!\.T)"),
    _mm("a_not_transposed", "grad_a = grad @ b.T: b must be transposed; " + _SHAPES, lambda a, b, g: (g @ b, a.T @ g),
        r"grad\s*@\s*b\b(?!\.T)"),
    _mm("b_not_transposed", "grad_b = a.T @ grad: a must be transposed; " + _SHAPES, lambda a, b, g: (g @ b.T, a @ g),
        r"\ba\s*@\s*grad"),
    _mm("grad_b_transposed", "grad.T @ a is grad_b transposed, (M, D): grad_b = a.T @ grad has b's shape (D, M).",
        lambda a, b, g: (g @ b.T, g.T @ a), r"grad\.T\s*@\s*a"),
    _mm("swapped_sides", "grad sits on the other side of each product: grad_a = grad @ b.T and grad_b = a.T @ grad.",
        lambda a, b, g: (b.T @ g, g @ a.T), r"b\.T\s*@\s*grad"),
    _mm("elementwise", "`*` multiplies element by element: a matmul's gradients are matrix products, grad @ b.T "
        "and a.T @ grad.", lambda a, b, g: (g * b, g * a), r"grad\s*\*\s*[ab]\b"),
    _mm("local_only", "you returned only the local derivative: multiply by the upstream gradient grad, not by ones "
        "(grad_a = grad @ b.T).", lambda a, b, g: (np.ones_like(g) @ b.T, a.T @ np.ones_like(g)), r"ones"),
    _mm("sign", "wrong sign: grad_a = grad @ b.T and grad_b = a.T @ grad, with no minus.",
        lambda a, b, g: (-(g @ b.T), -(a.T @ g)), r"-\s*\(?\s*(?:grad|a\.T)"),
    _mm("wrong_order", "the two gradients came back in each other's place: return (grad_a, grad_b) = (grad @ b.T, "
        "a.T @ grad).", lambda a, b, g: (a.T @ g, g @ b.T), r"return\s+a\.T\s*@"),
    _mm("dB_over_N", "grad_b was divided by N: grad already carries the loss's 1/N, so grad_b = a.T @ grad.",
        lambda a, b, g: (g @ b.T, a.T @ g / a.shape[0]), r"/\s*(?:N|n|len|a\.shape)"),
    _mm("output_value", "you multiplied by the output a @ b instead of the upstream gradient grad.",
        lambda a, b, g: ((a @ b) @ b.T, a.T @ (a @ b)), r"\(\s*a\s*@\s*b\s*\)"),
    _mm("dA_transposed", "b @ grad.T is grad_a transposed, (D, N): grad_a = grad @ b.T has a's shape (N, D).",
        lambda a, b, g: (b @ g.T, a.T @ g), r"b\s*@\s*grad\.T"),
)


def _cases(op: str, visible: list, hidden: list) -> Callable[[np.random.Generator, bool], list[Case]]:
    def cases(rng: np.random.Generator, is_hidden: bool) -> list[Case]:
        shapes = list(hidden) if is_hidden else list(visible)
        if is_hidden and op == "matmul":
            shapes += [((n, d), (d, m)) for n, d, m in drawn(rng, 2, [(1, 7), (1, 6), (1, 6)])]
        out = []
        for i, (sa, sb, *kind) in enumerate(shapes):
            a = away_from_zero(rng, sa)
            b = a.copy() if kind == ["twin"] else away_from_zero(rng, sb)
            oshape = (np.zeros(sa) @ np.zeros(sb)).shape if op == "matmul" else np.broadcast_shapes(sa, sb)
            args = {"a": a, "b": b, "grad": rng.normal(size=oshape)}
            notes = (["b broadcast" if sb != oshape else "", "a broadcast" if sa != oshape else ""]
                     if op != "matmul" else [])
            if kind == ["twin"]:
                notes.append("b equal to a, another array")
            if i == 1:  # the learner's code must work for float32 arrays too
                args = {k: v.astype(np.float32) for k, v in args.items()}
                notes.append("float32")
            out.append(make_case(args, note=", ".join(n for n in notes if n)))
        return out
    return cases


_ELEMENTWISE = (
    [((4, 3), (3,)), ((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 1, 4), (2, 3, 4)), ((1, 3), ()), ((2, 3), (2, 3), "twin"),
     ((1, 3), (4, 3))],
    [((5, 2), (5, 1)), ((6,), (6,)), ((2, 1, 3), (4, 1)), ((), (2, 3)), ((1, 5), (4, 5)), ((3, 2, 2), (2,)),
     ((2, 2), (2, 2), "twin"), ((2, 3, 1), (2, 1, 4))],
)
_MATMUL = (
    [((4, 3), (3, 2)), ((1, 5), (5, 3)), ((3, 3), (3, 3)), ((6, 2), (2, 1)), ((2, 4), (4, 5))],
    [((5, 4), (4, 3)), ((1, 2), (2, 6)), ((7, 1), (1, 2)), ((2, 6), (6, 1)), ((4, 4), (4, 4))],
)

register_op("add", _cases("add", *_ELEMENTWISE), ADD, frozenset(), oracles=_UNB)
register_op("mul", _cases("mul", *_ELEMENTWISE), MUL, frozenset(), oracles=_UNB)
register_op("matmul", _cases("matmul", *_MATMUL), MATMUL, frozenset({"matmul"}))
