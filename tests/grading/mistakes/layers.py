"""Linear layer forward and backward, x (N, D) @ W (D, M) + b."""
import numpy as np

from ._catalogue import correct, wrong


@correct("layers.linear_forward")
def linear_forward(x, W, b):
    return x @ W + b


@correct("layers.linear_forward")
def linear_forward_dot(x, W, b):
    return np.dot(x, W) + b[None, :]


@wrong("layers.linear_forward", "ignores_input")
def linear_forward_no_bias(x, W, b):
    return x @ W


@wrong("layers.linear_forward", "exception")
def linear_forward_wrong_order(x, W, b):
    """W @ x: the (out, in) habit from math notation."""
    return (W @ x.T).T + b


@wrong("layers.linear_forward", "exception")
def linear_forward_torch_layout(x, W, b):
    """x @ W.T, as if W were nn.Linear's (M, D) weight."""
    return x @ W.T + b


@wrong("layers.linear_forward", "hardcoded_shape")
def linear_forward_reshape(x, W, b):
    """Reshapes with the batch size of the first example it saw."""
    return (x.reshape(4, -1) @ W) + b


@wrong("layers.linear_forward", "offset")
def linear_forward_bias_twice(x, W, b):
    out = x @ W + b
    return out + b


@wrong("layers.linear_forward", "wrong_type")
def linear_forward_cache(x, W, b):
    """Returns (out, cache) as in some course templates."""
    return x @ W + b, (x, W, b)


@correct("layers.linear_backward")
def linear_backward(dout, x, W, b):
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


@wrong("layers.linear_backward", "transposed")
def linear_backward_dW_transposed(dout, x, W, b):
    return dout @ W.T, dout.T @ x, dout.sum(axis=0)


@wrong("layers.linear_backward", "batch_not_reduced")
def linear_backward_db_not_summed(dout, x, W, b):
    return dout @ W.T, x.T @ dout, dout


@wrong("layers.linear_backward", "scale")
def linear_backward_db_mean(dout, x, W, b):
    """Averages db over the batch."""
    return dout @ W.T, x.T @ dout, dout.mean(axis=0)


@wrong("layers.linear_backward", "scale")
def linear_backward_dW_over_n(dout, x, W, b):
    """Divides dW by N: the loss's mean is already in dout."""
    return dout @ W.T, x.T @ dout / x.shape[0], dout.sum(axis=0)


@wrong("layers.linear_backward", "transposed")
def linear_backward_dx_transposed(dout, x, W, b):
    return W @ dout.T, x.T @ dout, dout.sum(axis=0)


@wrong("layers.linear_backward", "wrong_type")
def linear_backward_two(dout, x, W, b):
    """Forgot db."""
    return dout @ W.T, x.T @ dout


@wrong("layers.linear_backward", "sign")
def linear_backward_negated(dout, x, W, b):
    """Negates the gradients, mixing up gradient and descent direction."""
    return -(dout @ W.T), -(x.T @ dout), -dout.sum(axis=0)
