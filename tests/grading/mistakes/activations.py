"""ReLU, sigmoid and tanh, forward and backward (dout, x)."""
import numpy as np

from . import activations_tanh  # noqa: F401  (the tanh entries, registered after these)
from ._catalogue import correct, wrong


@correct("activations.relu_forward")
def relu_forward(x):
    return np.maximum(x, 0)


@correct("activations.relu_forward")
def relu_forward_mask(x):
    return x * (x > 0)


@correct("activations.relu_forward")
def relu_forward_abs(x):
    """(x + |x|) / 2."""
    return (x + np.abs(x)) / 2


@wrong("activations.relu_forward", "mutated_input")
def relu_forward_inplace(x):
    x[x < 0] = 0
    return x


@wrong("activations.relu_forward", "np_max")
def relu_forward_np_max(x):
    """np.max(x, 0) reduces over axis 0 instead of comparing with 0."""
    return np.max(x, 0)


@wrong("activations.relu_forward", "min_not_max")
def relu_forward_min(x):
    return np.minimum(x, 0)


@wrong("activations.relu_forward", "abs")
def relu_forward_abs_only(x):
    return np.abs(x)


@wrong("activations.relu_forward", "wrong_type")
def relu_forward_list(x):
    return [max(v, 0.0) for v in x.ravel()]


@wrong("activations.relu_forward", "doubled")
def relu_forward_no_half(x):
    return x + np.abs(x)


@wrong("activations.relu_forward", "leaky")
def relu_forward_leaky(x):
    return np.where(x > 0, x, 0.01 * x)


@wrong("activations.relu_forward", "returns_mask")
def relu_forward_mask_only(x):
    return (x > 0).astype(float)


@wrong("activations.relu_forward", "int_buffer")
def relu_forward_int_buffer(x):
    out = np.zeros(x.shape, dtype=int)
    out[...] = np.maximum(x, 0)
    return out


@wrong("activations.relu_forward", "clipped")
def relu_forward_clip(x):
    return np.clip(x, 0, 1)


@wrong("activations.relu_forward", "python_max")
def relu_forward_builtin(x):
    return max(0, x)


@wrong("activations.relu_forward", "identity")
def relu_forward_identity(x):
    return x


@wrong("activations.relu_forward", "boolean_index")
def relu_forward_index(x):
    return x[x > 0]


@wrong("activations.relu_forward", "negated")
def relu_forward_neg(x):
    return np.maximum(-x, 0)


@correct("activations.relu_backward")
def relu_backward(dout, x):
    return dout * (x > 0)


@correct("activations.relu_backward")
def relu_backward_copy(dout, x):
    dx = dout.copy()
    dx[x <= 0] = 0
    return dx


@wrong("activations.relu_backward", "no_mask")
def relu_backward_passthrough(dout, x):
    """No mask at all."""
    return dout


@wrong("activations.relu_backward", "local_only")
def relu_backward_mask_only(dout, x):
    """Returns the local derivative, forgetting the upstream gradient."""
    return (x > 0).astype(float)


@wrong("activations.relu_backward", "times_relu")
def relu_backward_times_relu(dout, x):
    return dout * np.maximum(x, 0)


@wrong("activations.relu_backward", "inverted")
def relu_backward_inverted(dout, x):
    return dout * (x <= 0)


@wrong("activations.relu_backward", "mutated_input")
def relu_backward_inplace(dout, x):
    dout[x <= 0] = 0
    return dout


@wrong("activations.relu_backward", "relu_of_grad")
def relu_backward_relu_dout(dout, x):
    return np.maximum(dout, 0)


@wrong("activations.relu_backward", "times_input")
def relu_backward_times_x(dout, x):
    return dout * x


@wrong("activations.relu_backward", "boolean_index")
def relu_backward_index(dout, x):
    return dout[x > 0]


@wrong("activations.relu_backward", "relu_of_grad_and_mask")
def relu_backward_both(dout, x):
    return np.maximum(dout, 0) * (x > 0)


@wrong("activations.relu_backward", "sign_mask")
def relu_backward_sign(dout, x):
    return dout * np.sign(x)


@wrong("activations.relu_backward", "else_x")
def relu_backward_where_x(dout, x):
    return np.where(x > 0, dout, x)


@wrong("activations.relu_backward", "summed_batch")
def relu_backward_summed(dout, x):
    return np.sum(dout * (x > 0), axis=0)


@wrong("activations.relu_backward", "int_buffer")
def relu_backward_int(dout, x):
    dx = np.zeros_like(x, dtype=int)
    dx[x > 0] = dout[x > 0]
    return dx


@wrong("activations.relu_backward", "mask_at_zero")
def relu_backward_geq(dout, x):
    return dout * (x >= 0)


@wrong("activations.relu_backward", "mask_at_zero")
def relu_backward_negatives_only(dout, x):
    dx = dout.copy()
    dx[x < 0] = 0
    return dx


@correct("activations.sigmoid_forward")
def sigmoid_forward(x):
    return np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))


@wrong("activations.sigmoid_forward", "unstable")
def sigmoid_forward_naive(x):
    """Overflows in exp for very negative x: 1/(1+inf) = 0 is still right, but the lesson asks for no overflow."""
    return 1 / (1 + np.exp(-x))


@wrong("activations.sigmoid_forward", "sign_in_exp")
def sigmoid_forward_sign(x):
    """exp(x) instead of exp(-x): this is sigmoid(-x)."""
    return 1 / (1 + np.exp(x))


@wrong("activations.sigmoid_forward", "unstable_ratio")
def sigmoid_forward_ratio(x):
    """exp(x) / (1 + exp(x)): inf / inf = nan for large x."""
    return np.exp(x) / (1 + np.exp(x))


@wrong("activations.sigmoid_forward", "tanh")
def sigmoid_forward_tanh(x):
    return np.tanh(x)


@wrong("activations.sigmoid_forward", "offset")
def sigmoid_forward_missing_one(x):
    """Adds 0.5, mixing sigmoid up with a centred version of it."""
    return 1 / (1 + np.exp(-x)) + 0.5


@wrong("activations.sigmoid_forward", "scale")
def sigmoid_forward_half(x):
    return 0.5 / (1 + np.exp(-x))


def _s(x):
    """The sigmoid as learners first write it (it overflows at x = -900: the wrong entries fail on values)."""
    return 1 / (1 + np.exp(-x))


@correct("activations.sigmoid_backward")
def sigmoid_backward(dout, x):
    s = np.exp(-np.logaddexp(0.0, -x))
    return dout * s * (1 - s)


@wrong("activations.sigmoid_backward", "unstable")
def sigmoid_backward_naive(dout, x):
    """exp(-x) overflows at x = -900, which the lesson says the check includes."""
    s = 1 / (1 + np.exp(-x))
    return dout * s * (1 - s)


@wrong("activations.sigmoid_backward", "missing_factor")
def sigmoid_backward_no_one_minus(dout, x):
    s = _s(x)
    return dout * s


@wrong("activations.sigmoid_backward", "missing_factor")
def sigmoid_backward_no_s(dout, x):
    s = _s(x)
    return dout * (1 - s)


@wrong("activations.sigmoid_backward", "input_not_output")
def sigmoid_backward_uses_x(dout, x):
    return dout * x * (1 - x)


@wrong("activations.sigmoid_backward", "local_only")
def sigmoid_backward_no_dout(dout, x):
    s = _s(x)
    return s * (1 - s)


@wrong("activations.sigmoid_backward", "sign")
def sigmoid_backward_sign(dout, x):
    s = _s(x)
    return dout * s * (s - 1)


@wrong("activations.sigmoid_backward", "exp_form")
def sigmoid_backward_exp_form(dout, x):
    """exp(-x) / (1 + exp(-x))**2: inf / inf for very negative x."""
    return dout * np.exp(-x) / (1 + np.exp(-x)) ** 2


@wrong("activations.sigmoid_backward", "unstable_ratio")
def sigmoid_backward_ratio(dout, x):
    s = np.exp(x) / (1 + np.exp(x))
    return dout * s * (1 - s)


@wrong("activations.sigmoid_backward", "tanh_rule")
def sigmoid_backward_tanh_rule(dout, x):
    s = _s(x)
    return dout * (1 - s ** 2)


@wrong("activations.sigmoid_backward", "precedence")
def sigmoid_backward_brackets(dout, x):
    s = _s(x)
    return dout * s * 1 - s


@wrong("activations.sigmoid_backward", "tanh_derivative")
def sigmoid_backward_tanh(dout, x):
    t = np.tanh(x)
    return dout * (1 - t ** 2)


@wrong("activations.sigmoid_backward", "times_input")
def sigmoid_backward_times_x(dout, x):
    s = _s(x)
    return dout * s * (1 - s) * x


@wrong("activations.sigmoid_backward", "sigmoid_of_dout")
def sigmoid_backward_of_dout(dout, x):
    s = _s(dout)
    return dout * s * (1 - s)
