"""ReLU, sigmoid and tanh, forward and backward (dout, x)."""
import numpy as np

from ._catalogue import correct, wrong


@correct("activations.relu_forward")
def relu_forward(x):
    return np.maximum(x, 0)


@correct("activations.relu_forward")
def relu_forward_mask(x):
    return x * (x > 0)


@wrong("activations.relu_forward", "mutated_input")
def relu_forward_inplace(x):
    x[x < 0] = 0
    return x


@wrong("activations.relu_forward", "wrong_shape")
def relu_forward_np_max(x):
    """np.max(x, 0) reduces over axis 0 instead of comparing with 0."""
    return np.max(x, 0)


@wrong("activations.relu_forward", "values")
def relu_forward_min(x):
    return np.minimum(x, 0)


@wrong("activations.relu_forward", "wrong_mask")
def relu_forward_abs(x):
    return np.abs(x)


@wrong("activations.relu_forward", "wrong_type")
def relu_forward_list(x):
    return [max(v, 0.0) for v in x.ravel()]


@correct("activations.relu_backward")
def relu_backward(dout, x):
    return dout * (x > 0)


@wrong("activations.relu_backward", "ignores_input")
def relu_backward_passthrough(dout, x):
    """No mask at all."""
    return dout


@wrong("activations.relu_backward", "ignores_input")
def relu_backward_mask_only(dout, x):
    """Returns the local derivative, forgetting the upstream gradient."""
    return (x > 0).astype(float)


@wrong("activations.relu_backward", "wrong_mask")
def relu_backward_times_relu(dout, x):
    return dout * np.maximum(x, 0)


@wrong("activations.relu_backward", "wrong_mask")
def relu_backward_inverted(dout, x):
    return dout * (x <= 0)


@wrong("activations.relu_backward", "mutated_input")
def relu_backward_inplace(dout, x):
    dout[x <= 0] = 0
    return dout


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
    s = 1 / (1 + np.exp(-x))
    return dout * s


@wrong("activations.sigmoid_backward", "input_not_output")
def sigmoid_backward_uses_x(dout, x):
    return dout * x * (1 - x)


@wrong("activations.sigmoid_backward", "ignores_input")
def sigmoid_backward_no_dout(dout, x):
    s = 1 / (1 + np.exp(-x))
    return s * (1 - s)


@wrong("activations.sigmoid_backward", "sign")
def sigmoid_backward_sign(dout, x):
    s = 1 / (1 + np.exp(-x))
    return dout * s * (s - 1)


@wrong("activations.sigmoid_backward", "nonfinite")
def sigmoid_backward_exp_form(dout, x):
    """exp(-x) / (1 + exp(-x))**2: inf / inf for very negative x."""
    return dout * np.exp(-x) / (1 + np.exp(-x)) ** 2


@correct("activations.tanh_forward")
def tanh_forward(x):
    return np.tanh(x)


@correct("activations.tanh_forward")
def tanh_forward_sigmoid(x):
    """2 sigmoid(2x) - 1."""
    return 2 / (1 + np.exp(-2 * x)) - 1


@wrong("activations.tanh_forward", "scale")
def tanh_forward_sigmoid_no_scale(x):
    """Divides by 2 once too often while converting from sigmoid."""
    return (2 / (1 + np.exp(-2 * x)) - 1) / 2


@wrong("activations.tanh_forward", "values")
def tanh_forward_formula(x):
    """(e^x - e^-x) / (e^x + e^x): a typo in the denominator."""
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(x))


@wrong("activations.tanh_forward", "mutated_input")
def tanh_forward_inplace(x):
    np.tanh(x, out=x)
    return x


@wrong("activations.tanh_forward", "sign")
def tanh_forward_sign(x):
    return np.tanh(-x)


@wrong("activations.tanh_forward", "values")
def tanh_forward_sigmoid_only(x):
    return 1 / (1 + np.exp(-x))


@correct("activations.tanh_backward")
def tanh_backward(dout, x):
    return dout * (1 - np.tanh(x) ** 2)


@wrong("activations.tanh_backward", "input_not_output")
def tanh_backward_uses_x(dout, x):
    return dout * (1 - x ** 2)


@wrong("activations.tanh_backward", "missing_square")
def tanh_backward_no_square(dout, x):
    return dout * (1 - np.tanh(x))


@wrong("activations.tanh_backward", "ignores_input")
def tanh_backward_no_dout(dout, x):
    return 1 - np.tanh(x) ** 2


@wrong("activations.tanh_backward", "sign")
def tanh_backward_sign(dout, x):
    return dout * (np.tanh(x) ** 2 - 1)


@wrong("activations.tanh_backward", "scale")
def tanh_backward_double(dout, x):
    """Applied the chain rule twice (a 2 from 'derivative of the square')."""
    return 2 * dout * (1 - np.tanh(x) ** 2)
