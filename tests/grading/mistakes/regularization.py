"""Dropout with a given keep-mask, batch norm forward/backward (training mode)."""
import numpy as np

from ._catalogue import correct, wrong


@correct("regularization.dropout_forward")
def dropout_forward(x, mask, p):
    return x * mask / (1 - p)


@wrong("regularization.dropout_forward", "missing_rescale")
def dropout_forward_no_scale(x, mask, p):
    return x * mask


@wrong("regularization.dropout_forward", "wrong_keep_prob")
def dropout_forward_divide_p(x, mask, p):
    return x * mask / p


@wrong("regularization.dropout_forward", "missing_rescale")
def dropout_forward_times_keep(x, mask, p):
    """Scales by (1 - p), the test-time convention of non-inverted dropout."""
    return x * mask * (1 - p)


@wrong("regularization.dropout_forward", "inverted_mask")
def dropout_forward_inverted(x, mask, p):
    return np.where(mask, 0.0, x) / (1 - p)


@wrong("regularization.dropout_forward", "nondeterministic")
def dropout_forward_own_mask(x, mask, p):
    """Draws its own random mask instead of using the one given."""
    return x * (np.random.rand(*x.shape) >= p) / (1 - p)


@wrong("regularization.dropout_forward", "mutated_input")
def dropout_forward_inplace(x, mask, p):
    x[~mask] = 0
    x /= 1 - p
    return x


@correct("regularization.dropout_backward")
def dropout_backward(dout, mask, p):
    return np.where(mask, dout / (1 - p), 0.0)


@wrong("regularization.dropout_backward", "missing_rescale")
def dropout_backward_no_scale(dout, mask, p):
    return dout * mask


@wrong("regularization.dropout_backward", "ignores_input")
def dropout_backward_passthrough(dout, mask, p):
    """Forgets that dropped units get no gradient."""
    return dout / (1 - p)


@wrong("regularization.dropout_backward", "wrong_keep_prob")
def dropout_backward_over_p(dout, mask, p):
    return dout * mask / p


@wrong("regularization.dropout_backward", "inverted_mask")
def dropout_backward_inverted(dout, mask, p):
    return dout * (1 - mask) / (1 - p)


@wrong("regularization.dropout_backward", "mutated_input")
def dropout_backward_inplace(dout, mask, p):
    dout *= mask / (1 - p)
    return dout


@correct("regularization.batchnorm_forward")
def batchnorm_forward(x, gamma, beta, eps):
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


@wrong("regularization.batchnorm_forward", "unbiased_variance")
def batchnorm_forward_ddof(x, gamma, beta, eps):
    return gamma * (x - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + eps) + beta


@wrong("regularization.batchnorm_forward", "wrong_axis")
def batchnorm_forward_per_example(x, gamma, beta, eps):
    """Layer norm by mistake: statistics over the features of each example."""
    mu = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


@wrong("regularization.batchnorm_forward", "eps_placement")
def batchnorm_forward_eps_outside(x, gamma, beta, eps):
    return gamma * (x - x.mean(0)) / (x.std(0) + eps) + beta


@wrong("regularization.batchnorm_forward", "missing_sqrt")
def batchnorm_forward_var(x, gamma, beta, eps):
    return gamma * (x - x.mean(0)) / (x.var(0) + eps) + beta


@wrong("regularization.batchnorm_forward", "ignores_input")
def batchnorm_forward_no_affine(x, gamma, beta, eps):
    """Forgets beta."""
    return gamma * (x - x.mean(0)) / np.sqrt(x.var(0) + eps)


@wrong("regularization.batchnorm_forward", "mutated_input")
def batchnorm_forward_inplace(x, gamma, beta, eps):
    mu, var = x.mean(0), x.var(0)
    x -= mu
    x /= np.sqrt(var + eps)
    return gamma * x + beta


@correct("regularization.batchnorm_backward")
def batchnorm_backward(dout, x, gamma, eps):
    """The staged computational-graph derivation."""
    n = x.shape[0]
    mu = x.mean(0)
    xc = x - mu
    var = (xc ** 2).mean(0)
    std = np.sqrt(var + eps)
    xhat = xc / std
    dbeta = dout.sum(0)
    dgamma = (dout * xhat).sum(0)
    dxhat = dout * gamma
    dvar = (dxhat * xc).sum(0) * -0.5 * std ** -3
    dmu = -(dxhat / std).sum(0) + dvar * -2 * xc.mean(0)
    dx = dxhat / std + dvar * 2 * xc / n + dmu / n
    return dx, dgamma, dbeta


def _bn(x, eps):
    mu = x.mean(0)
    std = np.sqrt(x.var(0) + eps)
    return (x - mu) / std, std


@wrong("regularization.batchnorm_backward", "missing_term")
def batchnorm_backward_direct_only(dout, x, gamma, eps):
    """Treats mean and variance as constants."""
    xhat, std = _bn(x, eps)
    return dout * gamma / std, (dout * xhat).sum(0), dout.sum(0)


@wrong("regularization.batchnorm_backward", "missing_term")
def batchnorm_backward_no_var_path(dout, x, gamma, eps):
    xhat, std = _bn(x, eps)
    dxhat = dout * gamma
    return (dxhat - dxhat.mean(0)) / std, (dout * xhat).sum(0), dout.sum(0)


@wrong("regularization.batchnorm_backward", "batch_not_reduced")
def batchnorm_backward_dgamma_not_summed(dout, x, gamma, eps):
    xhat, std = _bn(x, eps)
    dxhat = dout * gamma
    dx = (dxhat - dxhat.mean(0) - xhat * (dxhat * xhat).mean(0)) / std
    return dx, dout * xhat, dout.sum(0)


@wrong("regularization.batchnorm_backward", "swapped")
def batchnorm_backward_swapped(dout, x, gamma, eps):
    xhat, std = _bn(x, eps)
    dxhat = dout * gamma
    dx = (dxhat - dxhat.mean(0) - xhat * (dxhat * xhat).mean(0)) / std
    return dx, dout.sum(0), (dout * xhat).sum(0)


@wrong("regularization.batchnorm_backward", "ignores_input")
def batchnorm_backward_no_gamma(dout, x, gamma, eps):
    """Forgets that the upstream gradient passes through gamma."""
    xhat, std = _bn(x, eps)
    dx = (dout - dout.mean(0) - xhat * (dout * xhat).mean(0)) / std
    return dx, (dout * xhat).sum(0), dout.sum(0)


@wrong("regularization.batchnorm_backward", "values")
def batchnorm_backward_sum_not_mean(dout, x, gamma, eps):
    """Uses sums where the compact formula has means (an N missing in two places)."""
    xhat, std = _bn(x, eps)
    dxhat = dout * gamma
    dx = (dxhat - dxhat.sum(0) - xhat * (dxhat * xhat).sum(0)) / std
    return dx, (dout * xhat).sum(0), dout.sum(0)
