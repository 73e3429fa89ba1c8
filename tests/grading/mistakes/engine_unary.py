"""Lesson 06: the backwards of exp, log, sigmoid and relu, written wrong the way learners do."""
import numpy as np

from .engine import op_entry


def _exp_keep_input(ctx, a):
    out = np.exp(a)
    ctx.save_for_backward(a, out)
    return out


def _sigmoid_keep_input(ctx, a):
    s = 0.5 * (1 + np.tanh(0.5 * a))
    ctx.save_for_backward(a, s)
    return s


@op_entry("exp", "local_only")
def exp_local_only(ctx, grad):
    return ctx.saved_tensors[0]


@op_entry("exp", "input_not_output", forward=_exp_keep_input)
def exp_times_input(ctx, grad):
    """Saves the input too and multiplies grad by it."""
    a, out = ctx.saved_tensors
    return grad * a


@op_entry("exp", "grad_only")
def exp_grad_only(ctx, grad):
    return grad


@op_entry("exp", "two_gradients")
def exp_two(ctx, grad):
    """Returns the gradient twice."""
    return grad * ctx.saved_tensors[0], grad


@op_entry("exp", "exp_of_grad")
def exp_of_grad(ctx, grad):
    return np.exp(grad)


@op_entry("exp", "exp_of_output")
def exp_of_out(ctx, grad):
    (out,) = ctx.saved_tensors
    return grad * np.exp(out)


@op_entry("exp", "divided")
def exp_divided(ctx, grad):
    (out,) = ctx.saved_tensors
    return grad / out


@op_entry("exp", "sign")
def exp_negated(ctx, grad):
    (out,) = ctx.saved_tensors
    return -grad * out


@op_entry("exp", "squared")
def exp_squared(ctx, grad):
    (out,) = ctx.saved_tensors
    return grad * out * out


@op_entry("exp", "added")
def exp_added(ctx, grad):
    (out,) = ctx.saved_tensors
    return grad + out


@op_entry("exp", "sigmoid_rule")
def exp_sigmoid_rule(ctx, grad):
    (out,) = ctx.saved_tensors
    return grad * out * (1 - out)


@op_entry("exp", "times_input", forward=_exp_keep_input)
def exp_chain_twice(ctx, grad):
    a, out = ctx.saved_tensors
    return grad * out * a


# ----------------------------------------------------------------------------- log

@op_entry("log", "times_not_divided")
def log_times(ctx, grad):
    return grad * ctx.saved_tensors[0]


@op_entry("log", "local_only")
def log_local_only(ctx, grad):
    return 1 / ctx.saved_tensors[0]


@op_entry("log", "by_output")
def log_by_output(ctx, grad):
    return grad / np.log(ctx.saved_tensors[0])


@op_entry("log", "negative_square")
def log_squared(ctx, grad):
    """Uses -1/a² (the derivative of 1/a)."""
    return -grad / ctx.saved_tensors[0] ** 2


@op_entry("log", "sign")
def log_negated(ctx, grad):
    return -grad / ctx.saved_tensors[0]


@op_entry("log", "inverted")
def log_inverted(ctx, grad):
    (a,) = ctx.saved_tensors
    return a / grad


@op_entry("log", "times_output")
def log_times_log(ctx, grad):
    (a,) = ctx.saved_tensors
    return grad * np.log(a)


@op_entry("log", "exp_rule")
def log_exp_rule(ctx, grad):
    (a,) = ctx.saved_tensors
    return grad * np.exp(a)


@op_entry("log", "square_denominator")
def log_over_square(ctx, grad):
    (a,) = ctx.saved_tensors
    return grad / a ** 2


@op_entry("log", "log1p_rule")
def log_one_plus(ctx, grad):
    (a,) = ctx.saved_tensors
    return grad / (1 + a)


@op_entry("log", "grad_only")
def log_grad_only(ctx, grad):
    return grad


@op_entry("log", "two_gradients")
def log_two(ctx, grad):
    (a,) = ctx.saved_tensors
    return grad / a, grad


# ----------------------------------------------------------------------------- sigmoid

@op_entry("sigmoid", "no_one_minus")
def sigmoid_no_one_minus(ctx, grad):
    return grad * ctx.saved_tensors[0]


@op_entry("sigmoid", "uses_input", forward=_sigmoid_keep_input)
def sigmoid_uses_input(ctx, grad):
    """Saves the input and computes a(1 - a)."""
    a, s = ctx.saved_tensors
    return grad * a * (1 - a)


@op_entry("sigmoid", "local_only")
def sigmoid_local_only(ctx, grad):
    (s,) = ctx.saved_tensors
    return s * (1 - s)


@op_entry("sigmoid", "tanh_rule")
def sigmoid_tanh_rule(ctx, grad):
    (s,) = ctx.saved_tensors
    return grad * (1 - s ** 2)


@op_entry("sigmoid", "sign")
def sigmoid_sign(ctx, grad):
    (s,) = ctx.saved_tensors
    return grad * s * (s - 1)


@op_entry("sigmoid", "one_minus_only")
def sigmoid_one_minus(ctx, grad):
    (s,) = ctx.saved_tensors
    return grad * (1 - s)


@op_entry("sigmoid", "precedence")
def sigmoid_brackets(ctx, grad):
    (s,) = ctx.saved_tensors
    return grad * s * 1 - s


@op_entry("sigmoid", "sigmoid_of_output")
def sigmoid_twice(ctx, grad):
    """Applies the sigmoid again to what forward saved."""
    (s,) = ctx.saved_tensors
    t = 0.5 * (1 + np.tanh(0.5 * s))
    return grad * t * (1 - t)


@op_entry("sigmoid", "grad_only")
def sigmoid_grad_only(ctx, grad):
    return grad


@op_entry("sigmoid", "divided")
def sigmoid_divided(ctx, grad):
    (s,) = ctx.saved_tensors
    return grad / (s * (1 - s))


@op_entry("sigmoid", "two_gradients")
def sigmoid_two(ctx, grad):
    (s,) = ctx.saved_tensors
    return grad * s * (1 - s), grad


@op_entry("sigmoid", "squared_output")
def sigmoid_s_squared(ctx, grad):
    (s,) = ctx.saved_tensors
    return grad * s * s


# ----------------------------------------------------------------------------- relu

@op_entry("relu", "relu_of_grad")
def relu_of_grad(ctx, grad):
    return np.maximum(grad, 0)


@op_entry("relu", "local_only")
def relu_local_only(ctx, grad):
    return (ctx.saved_tensors[0] > 0).astype(float)


@op_entry("relu", "times_output")
def relu_times_output(ctx, grad):
    return grad * np.maximum(ctx.saved_tensors[0], 0)


@op_entry("relu", "wrong_mask")
def relu_inverted_mask(ctx, grad):
    return grad * (ctx.saved_tensors[0] < 0)


@op_entry("relu", "grad_only")
def relu_grad_only(ctx, grad):
    return grad


@op_entry("relu", "boolean_index")
def relu_index(ctx, grad):
    (a,) = ctx.saved_tensors
    return grad[a > 0]


@op_entry("relu", "sign_mask")
def relu_sign(ctx, grad):
    (a,) = ctx.saved_tensors
    return grad * np.sign(a)


@op_entry("relu", "else_input")
def relu_where_a(ctx, grad):
    (a,) = ctx.saved_tensors
    return np.where(a > 0, grad, a)


@op_entry("relu", "relu_of_grad_and_mask")
def relu_both(ctx, grad):
    (a,) = ctx.saved_tensors
    return np.maximum(grad, 0) * (a > 0)


@op_entry("relu", "times_input")
def relu_times_a(ctx, grad):
    (a,) = ctx.saved_tensors
    return grad * a


@op_entry("relu", "leaky")
def relu_leaky(ctx, grad):
    (a,) = ctx.saved_tensors
    return np.where(a > 0, grad, 0.01 * grad)


@op_entry("relu", "two_gradients")
def relu_two(ctx, grad):
    (a,) = ctx.saved_tensors
    return grad * (a > 0), grad


@op_entry("relu", None)
def relu_copy_and_zero(ctx, grad):
    """Copies grad, then zeroes where a <= 0: also right (and leaves grad alone)."""
    (a,) = ctx.saved_tensors
    dx = grad.copy()
    dx[a <= 0] = 0
    return dx
