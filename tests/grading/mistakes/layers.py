"""Linear layer forward and backward, x (N, D) @ W (D, M) + b."""
import numpy as np

from ._catalogue import correct, wrong


@correct("layers.linear_forward")
def linear_forward(x, W, b):
    return x @ W + b


@correct("layers.linear_forward")
def linear_forward_dot(x, W, b):
    return np.dot(x, W) + b[None, :]


@correct("layers.linear_forward")
def linear_forward_einsum(x, W, b):
    return np.einsum("nd,dm->nm", x, W) + b


@wrong("layers.linear_forward", "no_bias")
def linear_forward_no_bias(x, W, b):
    return x @ W


@wrong("layers.linear_forward", "math_order")
def linear_forward_wrong_order(x, W, b):
    """W @ x: the (out, in) habit from math notation."""
    return (W @ x.T).T + b


@wrong("layers.linear_forward", "transposed")
def linear_forward_torch_layout(x, W, b):
    """x @ W.T, as if W were nn.Linear's (M, D) weight."""
    return x @ W.T + b


@wrong("layers.linear_forward", "hardcoded_shape")
def linear_forward_reshape(x, W, b):
    """Reshapes with the batch size of the first example it saw."""
    return (x.reshape(4, -1) @ W) + b


@wrong("layers.linear_forward", "bias_twice")
def linear_forward_bias_twice(x, W, b):
    out = x @ W + b
    return out + b


@wrong("layers.linear_forward", "wrong_type")
def linear_forward_cache(x, W, b):
    """Returns (out, cache) as in some course templates."""
    return x @ W + b, (x, W, b)


@wrong("layers.linear_forward", "elementwise")
def linear_forward_star(x, W, b):
    return x * W + b


@wrong("layers.linear_forward", "bias_column")
def linear_forward_bias_column(x, W, b):
    return x @ W + b.reshape(-1, 1)


@wrong("layers.linear_forward", "bias_subtracted")
def linear_forward_minus_b(x, W, b):
    return x @ W - b


@wrong("layers.linear_forward", "transposed_x")
def linear_forward_xt(x, W, b):
    return x.T @ W + b


@wrong("layers.linear_forward", "summed_batch")
def linear_forward_summed(x, W, b):
    return np.sum(x @ W, axis=0) + b


@wrong("layers.linear_forward", "activation_inside")
def linear_forward_relu(x, W, b):
    """A neuron, not a layer: the ReLU came along."""
    return np.maximum(0, x @ W + b)


@wrong("layers.linear_forward", "bias_multiplied")
def linear_forward_times_b(x, W, b):
    return (x @ W) * b


@wrong("layers.linear_forward", "bias_before")
def linear_forward_bias_first(x, W, b):
    return (x + b) @ W


@wrong("layers.linear_forward", "bias_into_W")
def linear_forward_brackets(x, W, b):
    return x @ (W + b)


@correct("layers.linear_backward")
def linear_backward(dout, x, W, b):
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


@correct("layers.linear_backward")
def linear_backward_loops(dout, x, W, b):
    """One outer product per example, summed: the batch written out."""
    dW = np.zeros_like(W, dtype=np.result_type(x, dout))
    for n in range(x.shape[0]):
        dW += np.outer(x[n], dout[n])
    return dout @ W.T, dW, dout.sum(axis=0)


@wrong("layers.linear_backward", "transposed_dW")
def linear_backward_dW_transposed(dout, x, W, b):
    return dout @ W.T, dout.T @ x, dout.sum(axis=0)


@wrong("layers.linear_backward", "db_not_summed")
def linear_backward_db_not_summed(dout, x, W, b):
    db = dout
    return dout @ W.T, x.T @ dout, db


@wrong("layers.linear_backward", "db_mean")
def linear_backward_db_mean(dout, x, W, b):
    """Averages db over the batch."""
    return dout @ W.T, x.T @ dout, dout.mean(axis=0)


@wrong("layers.linear_backward", "dW_over_n")
def linear_backward_dW_over_n(dout, x, W, b):
    """Divides dW by N: the loss's mean is already in dout."""
    return dout @ W.T, x.T @ dout / x.shape[0], dout.sum(axis=0)


@wrong("layers.linear_backward", "dx_transposed_result")
def linear_backward_dx_transposed(dout, x, W, b):
    return W @ dout.T, x.T @ dout, dout.sum(axis=0)


@wrong("layers.linear_backward", "transposed_dx")
def linear_backward_dx_no_transpose(dout, x, W, b):
    return dout @ W, x.T @ dout, dout.sum(axis=0)


@wrong("layers.linear_backward", "wrong_type")
def linear_backward_two(dout, x, W, b):
    """Forgot db."""
    return dout @ W.T, x.T @ dout


@wrong("layers.linear_backward", "negated")
def linear_backward_negated(dout, x, W, b):
    """Negates the gradients, mixing up gradient and descent direction."""
    return -(dout @ W.T), -(x.T @ dout), -dout.sum(axis=0)


@wrong("layers.linear_backward", "db_total")
def linear_backward_db_everything(dout, x, W, b):
    return dout @ W.T, x.T @ dout, np.sum(dout)


@wrong("layers.linear_backward", "all_over_n")
def linear_backward_all_mean(dout, x, W, b):
    n = x.shape[0]
    return dout @ W.T / n, x.T @ dout / n, dout.sum(axis=0) / n


@wrong("layers.linear_backward", "outer_of_sums")
def linear_backward_outer(dout, x, W, b):
    """The one-example formula W∇ = x k∇ᵀ applied to the summed rows."""
    return dout @ W.T, np.outer(x.sum(axis=0), dout.sum(axis=0)), dout.sum(axis=0)


@wrong("layers.linear_backward", "dW_uses_output")
def linear_backward_out_for_dout(dout, x, W, b):
    return dout @ W.T, x.T @ (x @ W + b), dout.sum(axis=0)
