"""tanh forward and backward (dout, x), with inputs near ±900 among the cases."""
import numpy as np

from ._catalogue import correct, wrong


@correct("activations.tanh_forward")
def tanh_forward(x):
    return np.tanh(x)


@correct("activations.tanh_forward")
def tanh_forward_sigmoid(x):
    """2 sigmoid(2x) - 1, written so that exp never sees a large positive number."""
    e = np.exp(-2 * np.abs(x))
    return np.sign(x) * (1 - e) / (1 + e)


@wrong("activations.tanh_forward", "halved")
def tanh_forward_sigmoid_no_scale(x):
    """Divides by 2 once too often while converting from sigmoid."""
    return np.tanh(x) / 2


@wrong("activations.tanh_forward", "typo_denominator")
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


@wrong("activations.tanh_forward", "sigmoid")
def tanh_forward_sigmoid_only(x):
    return 1 / (1 + np.exp(-x))


@wrong("activations.tanh_forward", "sigmoid_2x")
def tanh_forward_sigmoid_2x(x):
    return 1 / (1 + np.exp(-2 * x))


@wrong("activations.tanh_forward", "half_argument")
def tanh_forward_sigmoid_x(x):
    return 2 / (1 + np.exp(-x)) - 1


@wrong("activations.tanh_forward", "overflow")
def tanh_forward_exp(x):
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


@wrong("activations.tanh_forward", "overflow")
def tanh_forward_sinh_cosh(x):
    return np.sinh(x) / np.cosh(x)


@wrong("activations.tanh_forward", "derivative")
def tanh_forward_derivative(x):
    return 1 - np.tanh(x) ** 2


@wrong("activations.tanh_forward", "abs")
def tanh_forward_abs(x):
    return np.tanh(np.abs(x))


@wrong("activations.tanh_forward", "tan")
def tanh_forward_tan(x):
    return np.tan(x)


@wrong("activations.tanh_forward", "clipped")
def tanh_forward_hard(x):
    return np.clip(x, -1, 1)


@wrong("activations.tanh_forward", "identity")
def tanh_forward_identity(x):
    return x


@correct("activations.tanh_backward")
def tanh_backward(dout, x):
    return dout * (1 - np.tanh(x) ** 2)


@wrong("activations.tanh_backward", "input_not_output")
def tanh_backward_uses_x(dout, x):
    return dout * (1 - x ** 2)


@wrong("activations.tanh_backward", "missing_square")
def tanh_backward_no_square(dout, x):
    t = np.tanh(x)
    return dout * (1 - t)


@wrong("activations.tanh_backward", "local_only")
def tanh_backward_no_dout(dout, x):
    return 1 - np.tanh(x) ** 2


@wrong("activations.tanh_backward", "sign")
def tanh_backward_sign(dout, x):
    return dout * (np.tanh(x) ** 2 - 1)


@wrong("activations.tanh_backward", "doubled")
def tanh_backward_double(dout, x):
    """Applied the chain rule twice (a 2 from 'derivative of the square')."""
    return 2 * dout * (1 - np.tanh(x) ** 2)


@wrong("activations.tanh_backward", "sigmoid_rule")
def tanh_backward_sigmoid_rule(dout, x):
    t = np.tanh(x)
    return dout * t * (1 - t)


@wrong("activations.tanh_backward", "precedence")
def tanh_backward_brackets(dout, x):
    t = np.tanh(x)
    return dout * 1 - t ** 2


@wrong("activations.tanh_backward", "times_input")
def tanh_backward_times_x(dout, x):
    return dout * x * (1 - np.tanh(x) ** 2)


@wrong("activations.tanh_backward", "times_output")
def tanh_backward_times_t(dout, x):
    t = np.tanh(x)
    return dout * t


@wrong("activations.tanh_backward", "plus_square")
def tanh_backward_plus(dout, x):
    return dout * (1 + np.tanh(x) ** 2)


@wrong("activations.tanh_backward", "square_outside")
def tanh_backward_square_outside(dout, x):
    return dout * (1 - np.tanh(x)) ** 2


@wrong("activations.tanh_backward", "overflow")
def tanh_backward_exp(dout, x):
    t = (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
    return dout * (1 - t ** 2)
