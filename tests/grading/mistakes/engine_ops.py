"""Lesson 06: the backwards of add, mul, matmul and sum, written wrong the way learners do (each a learner's
``backward(ctx, grad)`` run as ``one_op`` of a class named like the notebook's)."""
import numpy as np

from .engine import op_entry, unbroadcast


def _add_saving(ctx, a, b):
    ctx.save_for_backward(a, b)
    ctx.a_shape, ctx.b_shape = a.shape, b.shape
    return a + b


@op_entry("add", "no_unbroadcast")
def add_no_unbroadcast(ctx, grad):
    """Returns grad for both inputs without summing it back to their shapes."""
    return grad, grad


@op_entry("add", "like_mul", forward=_add_saving)
def add_like_mul(ctx, grad):
    """Uses the multiply rule in add (forward saved the inputs too)."""
    a, b = ctx.saved_tensors
    return unbroadcast(grad * b, a.shape), unbroadcast(grad * a, b.shape)


@op_entry("add", "halved")
def add_halved(ctx, grad):
    return unbroadcast(grad / 2, ctx.a_shape), unbroadcast(grad / 2, ctx.b_shape)


@op_entry("add", "local_only")
def add_local_only(ctx, grad):
    return np.ones(ctx.a_shape), np.ones(ctx.b_shape)


@op_entry("add", "one_gradient")
def add_one_gradient(ctx, grad):
    return unbroadcast(grad, ctx.a_shape)


@op_entry("add", "sign")
def add_negated(ctx, grad):
    return -unbroadcast(grad, ctx.a_shape), -unbroadcast(grad, ctx.b_shape)


@op_entry("add", "only_a_unbroadcast")
def add_only_a(ctx, grad):
    return unbroadcast(grad, ctx.a_shape), grad


@op_entry("add", "swapped_shapes")
def add_swapped_shapes(ctx, grad):
    return unbroadcast(grad, ctx.b_shape), unbroadcast(grad, ctx.a_shape)


@op_entry("add", "copy_paste")
def add_copy_paste(ctx, grad):
    return unbroadcast(grad, ctx.a_shape), unbroadcast(grad, ctx.a_shape)


@op_entry("add", "sub_rule")
def add_sub_rule(ctx, grad):
    """Copied from a Sub op."""
    return unbroadcast(grad, ctx.a_shape), -unbroadcast(grad, ctx.b_shape)


@op_entry("add", "summed_everything")
def add_sum_all(ctx, grad):
    return grad.sum(), grad.sum()


@op_entry("add", "inline_axis0")
def add_bias_rule(ctx, grad):
    """cs231n's db = dout.sum(axis=0), written in place of unbroadcast."""
    return grad, grad.sum(axis=0)


# ----------------------------------------------------------------------------- mul

@op_entry("mul", "not_swapped")
def mul_not_swapped(ctx, grad):
    a, b = ctx.saved_tensors
    return unbroadcast(grad * a, a.shape), unbroadcast(grad * b, b.shape)


@op_entry("mul", "no_unbroadcast")
def mul_no_unbroadcast(ctx, grad):
    a, b = ctx.saved_tensors
    return grad * b, grad * a


@op_entry("mul", "local_only")
def mul_local_only(ctx, grad):
    a, b = ctx.saved_tensors
    full = np.broadcast_shapes(a.shape, b.shape)
    return unbroadcast(np.broadcast_to(b, full), a.shape), unbroadcast(np.broadcast_to(a, full), b.shape)


@op_entry("mul", "output_value")
def mul_output_value(ctx, grad):
    a, b = ctx.saved_tensors
    out = a * b
    return unbroadcast(out * b, a.shape), unbroadcast(out * a, b.shape)


@op_entry("mul", "like_add")
def mul_like_add(ctx, grad):
    a, b = ctx.saved_tensors
    return unbroadcast(grad, a.shape), unbroadcast(grad, b.shape)


@op_entry("mul", "sign")
def mul_negated(ctx, grad):
    a, b = ctx.saved_tensors
    return -unbroadcast(grad * b, a.shape), -unbroadcast(grad * a, b.shape)


@op_entry("mul", "copy_paste")
def mul_copy_paste(ctx, grad):
    a, b = ctx.saved_tensors
    return unbroadcast(grad * b, a.shape), unbroadcast(grad * b, b.shape)


@op_entry("mul", "wrong_order")
def mul_wrong_order(ctx, grad):
    a, b = ctx.saved_tensors
    return unbroadcast(grad * a, b.shape), unbroadcast(grad * b, a.shape)


@op_entry("mul", "times_output")
def mul_times_output(ctx, grad):
    a, b = ctx.saved_tensors
    return unbroadcast(grad * a * b, a.shape), unbroadcast(grad * a * b, b.shape)


@op_entry("mul", "inline_axis0")
def mul_bias_rule(ctx, grad):
    a, b = ctx.saved_tensors
    return grad * b, (grad * a).sum(axis=0)


@op_entry("mul", "one_gradient")
def mul_one_gradient(ctx, grad):
    a, b = ctx.saved_tensors
    return unbroadcast(grad * b, a.shape)


@op_entry("mul", "only_a_unbroadcast")
def mul_only_a(ctx, grad):
    a, b = ctx.saved_tensors
    return unbroadcast(grad * b, a.shape), grad * a


# ----------------------------------------------------------------------------- matmul

@op_entry("matmul", "not_transposed")
def matmul_not_transposed(ctx, grad):
    a, b = ctx.saved_tensors
    return grad @ b, a @ grad


@op_entry("matmul", "a_not_transposed")
def matmul_a_not_transposed(ctx, grad):
    a, b = ctx.saved_tensors
    return grad @ b, a.T @ grad


@op_entry("matmul", "b_not_transposed")
def matmul_b_not_transposed(ctx, grad):
    a, b = ctx.saved_tensors
    return grad @ b.T, a @ grad


@op_entry("matmul", "grad_b_transposed")
def matmul_grad_b_transposed(ctx, grad):
    a, b = ctx.saved_tensors
    return grad @ b.T, grad.T @ a


@op_entry("matmul", "swapped_sides")
def matmul_swapped(ctx, grad):
    """Puts grad on the wrong side: b.T @ grad and grad @ a.T."""
    a, b = ctx.saved_tensors
    return b.T @ grad, grad @ a.T


@op_entry("matmul", "elementwise")
def matmul_elementwise(ctx, grad):
    a, b = ctx.saved_tensors
    return grad * b, grad * a


@op_entry("matmul", "local_only")
def matmul_local_only(ctx, grad):
    a, b = ctx.saved_tensors
    ones = np.ones_like(grad)
    return ones @ b.T, a.T @ ones


@op_entry("matmul", "sign")
def matmul_negated(ctx, grad):
    a, b = ctx.saved_tensors
    return -(grad @ b.T), -(a.T @ grad)


@op_entry("matmul", "wrong_order")
def matmul_wrong_order(ctx, grad):
    a, b = ctx.saved_tensors
    return a.T @ grad, grad @ b.T


@op_entry("matmul", "dB_over_N")
def matmul_mean(ctx, grad):
    a, b = ctx.saved_tensors
    return grad @ b.T, a.T @ grad / a.shape[0]


@op_entry("matmul", "output_value")
def matmul_output(ctx, grad):
    a, b = ctx.saved_tensors
    out = a @ b
    return out @ b.T, a.T @ out


@op_entry("matmul", "dA_transposed")
def matmul_da_transposed(ctx, grad):
    a, b = ctx.saved_tensors
    return b @ grad.T, a.T @ grad


# ----------------------------------------------------------------------------- sum

@op_entry("sum", None)
def sum_reshape_first(ctx, grad):
    """Puts the summed axes back by reshaping to keepdims' shape: also right."""
    axes = range(len(ctx.shape)) if ctx.axis is None else np.atleast_1d(ctx.axis) % len(ctx.shape)
    kept = tuple(1 if i in set(axes) else n for i, n in enumerate(ctx.shape))
    return np.broadcast_to(np.reshape(grad, kept), ctx.shape).copy()


@op_entry("sum", "no_expand")
def sum_no_expand(ctx, grad):
    """Broadcasts grad to the input's shape without putting the summed axis back."""
    return np.broadcast_to(grad, ctx.shape).copy()


@op_entry("sum", "no_expand")
def sum_times_ones(ctx, grad):
    return np.ones(ctx.shape) * grad


@op_entry("sum", "local_only")
def sum_ones(ctx, grad):
    return np.ones(ctx.shape)


@op_entry("sum", "mean")
def sum_mean(ctx, grad):
    """Divides by the number of summed elements, as if it were a mean."""
    n = np.prod(ctx.shape) if ctx.axis is None else np.prod(np.array(ctx.shape)[list(np.atleast_1d(ctx.axis))])
    if ctx.axis is not None and not ctx.keepdims:
        grad = np.expand_dims(grad, ctx.axis)
    return np.broadcast_to(grad, ctx.shape) / n


@op_entry("sum", "returned_grad")
def sum_returns_grad(ctx, grad):
    """Returns the upstream gradient as it is (shape of the output)."""
    return grad


@op_entry("sum", "zeros")
def sum_zeros(ctx, grad):
    """Thinks the sum has no gradient."""
    return np.zeros(ctx.shape)


@op_entry("sum", "expand_with_keepdims")
def sum_expand_always(ctx, grad):
    if ctx.axis is not None:
        grad = np.expand_dims(grad, ctx.axis)
    return np.broadcast_to(grad, ctx.shape).copy()


@op_entry("sum", "expand_at_0")
def sum_expand_first(ctx, grad):
    if ctx.axis is not None and not ctx.keepdims:
        grad = grad[None]
    return np.broadcast_to(grad, ctx.shape).copy()


@op_entry("sum", "expand_at_end")
def sum_expand_last(ctx, grad):
    if ctx.axis is not None and not ctx.keepdims:
        grad = grad[..., None]
    return np.broadcast_to(grad, ctx.shape).copy()


@op_entry("sum", "summed_grad")
def sum_of_grad(ctx, grad):
    return np.full(ctx.shape, grad.sum())


@op_entry("sum", "keepdims_inverted")
def sum_inverted(ctx, grad):
    if ctx.axis is not None and ctx.keepdims:
        grad = np.expand_dims(grad, ctx.axis)
    return np.broadcast_to(grad, ctx.shape).copy()


@op_entry("sum", "reshaped")
def sum_reshaped(ctx, grad):
    return grad.reshape(ctx.shape)


@op_entry("sum", "read_only")
def sum_view(ctx, grad):
    """Returns np.broadcast_to's read-only view: the values are right, but the driver cannot add into it."""
    if ctx.axis is not None and not ctx.keepdims:
        grad = np.expand_dims(grad, ctx.axis)
    return np.broadcast_to(grad, ctx.shape)
