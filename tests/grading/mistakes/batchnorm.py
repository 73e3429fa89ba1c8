"""Batch norm forward and backward in training mode (lesson 07), written the ways learners write them."""
import numpy as np

from ._catalogue import correct, wrong


@correct("regularization.batchnorm_forward")
def batchnorm_forward(x, gamma, beta, eps):
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


@wrong("regularization.batchnorm_forward", "unbiased_variance")
def batchnorm_forward_ddof(x, gamma, beta, eps):
    return gamma * (x - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + eps) + beta


@wrong("regularization.batchnorm_forward", "per_example")
def batchnorm_forward_per_example(x, gamma, beta, eps):
    """Layer norm by mistake: statistics over the features of each example."""
    mu = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


@wrong("regularization.batchnorm_forward", "eps_outside_sqrt")
def batchnorm_forward_eps_outside(x, gamma, beta, eps):
    return gamma * (x - x.mean(0)) / (x.std(0) + eps) + beta


@wrong("regularization.batchnorm_forward", "missing_sqrt")
def batchnorm_forward_var(x, gamma, beta, eps):
    return gamma * (x - x.mean(0)) / (x.var(0) + eps) + beta


@wrong("regularization.batchnorm_forward", "beta_missing")
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


@wrong("regularization.batchnorm_backward", "missing_both_paths")
def batchnorm_backward_direct_only(dout, x, gamma, eps):
    """Treats mean and variance as constants."""
    xhat, std = _bn(x, eps)
    return dout * gamma / std, (dout * xhat).sum(0), dout.sum(0)


@wrong("regularization.batchnorm_backward", "missing_variance_path")
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


@wrong("regularization.batchnorm_backward", "gamma_not_in_dx")
def batchnorm_backward_no_gamma(dout, x, gamma, eps):
    """Forgets that the upstream gradient passes through gamma."""
    xhat, std = _bn(x, eps)
    dx = (dout - dout.mean(0) - xhat * (dout * xhat).mean(0)) / std
    return dx, (dout * xhat).sum(0), dout.sum(0)


@wrong("regularization.batchnorm_backward", "sum_not_mean")
def batchnorm_backward_sum_not_mean(dout, x, gamma, eps):
    """Uses sums where the compact formula has means (an N missing in two places)."""
    xhat, std = _bn(x, eps)
    dxhat = dout * gamma
    dx = (dxhat - dxhat.sum(0) - xhat * (dxhat * xhat).sum(0)) / std
    return dx, (dout * xhat).sum(0), dout.sum(0)


@correct("regularization.batchnorm_forward")
def batchnorm_forward_loop(x, gamma, beta, eps):
    """Column by column, with the variance computed by hand."""
    out = np.empty_like(x, dtype=float)
    for j in range(x.shape[1]):
        col = x[:, j]
        mu = col.sum() / len(col)
        var = ((col - mu) ** 2).sum() / len(col)
        out[:, j] = gamma[j] * (col - mu) / (var + eps) ** 0.5 + beta[j]
    return out


@wrong("regularization.batchnorm_forward", "eps_missing")
def batchnorm_forward_no_eps(x, gamma, beta, eps):
    return gamma * (x - x.mean(axis=0)) / x.std(axis=0) + beta


@wrong("regularization.batchnorm_forward", "std_as_variance")
def batchnorm_forward_sqrt_std(x, gamma, beta, eps):
    return gamma * (x - x.mean(axis=0)) / np.sqrt(x.std(axis=0) + eps) + beta


@wrong("regularization.batchnorm_forward", "uncentered_variance")
def batchnorm_forward_mean_square(x, gamma, beta, eps):
    mu = x.mean(axis=0)
    var = (x ** 2).mean(axis=0)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


@wrong("regularization.batchnorm_forward", "not_centred")
def batchnorm_forward_no_centring(x, gamma, beta, eps):
    return gamma * x / np.sqrt(x.var(axis=0) + eps) + beta


@wrong("regularization.batchnorm_forward", "gamma_missing")
def batchnorm_forward_no_gamma(x, gamma, beta, eps):
    return (x - x.mean(0)) / np.sqrt(x.var(0) + eps) + beta


@wrong("regularization.batchnorm_forward", "affine_missing")
def batchnorm_forward_xhat(x, gamma, beta, eps):
    xhat = (x - x.mean(0)) / np.sqrt(x.var(0) + eps)
    return xhat


@wrong("regularization.batchnorm_forward", "gamma_beta_swapped")
def batchnorm_forward_swapped(x, gamma, beta, eps):
    xhat = (x - x.mean(0)) / np.sqrt(x.var(0) + eps)
    return beta * xhat + gamma


@wrong("regularization.batchnorm_forward", "shift_inside")
def batchnorm_forward_shift_first(x, gamma, beta, eps):
    xhat = (x - x.mean(0)) / np.sqrt(x.var(0) + eps)
    return gamma * (xhat + beta)


@wrong("regularization.batchnorm_forward", "whole_array")
def batchnorm_forward_whole(x, gamma, beta, eps):
    return gamma * (x - np.mean(x)) / np.sqrt(np.var(x) + eps) + beta


@correct("regularization.batchnorm_backward")
def batchnorm_backward_via_forward(dout, x, gamma, eps):
    """x̂ taken from batchnorm_forward with gamma 1 and beta 0."""
    xhat = batchnorm_forward(x, 1.0, 0.0, eps)
    std = np.sqrt(x.var(axis=0) + eps)
    dxhat = dout * gamma
    dx = (dxhat - dxhat.mean(0) - xhat * (dxhat * xhat).mean(0)) / std
    return dx, (dout * xhat).sum(0), dout.sum(0)


def _dx(dout, x, gamma, eps, rule):
    xhat, std = _bn(x, eps)
    dxhat = dout * gamma
    return rule(dxhat, xhat, std), (dout * xhat).sum(0), dout.sum(0)


@wrong("regularization.batchnorm_backward", "missing_mean_path")
def batchnorm_backward_no_mean_path(dout, x, gamma, eps):
    return _dx(dout, x, gamma, eps, lambda d, h, s: (d - h * (d * h).mean(0)) / s)


@wrong("regularization.batchnorm_backward", "variance_path_sign")
def batchnorm_backward_plus(dout, x, gamma, eps):
    return _dx(dout, x, gamma, eps, lambda d, h, s: (d - d.mean(0) + h * (d * h).mean(0)) / s)


@wrong("regularization.batchnorm_backward", "dvar_missing_half")
def batchnorm_backward_staged_no_half(dout, x, gamma, eps):
    """The staged derivation with d(var^-1/2)/dvar written as var^-3/2 (the -1/2 lost)."""
    n = x.shape[0]
    xc = x - x.mean(0)
    std = np.sqrt((xc ** 2).mean(0) + eps)
    dxhat = dout * gamma
    dvar = (dxhat * xc).sum(0) * std ** -3
    dmu = -(dxhat / std).sum(0)
    dx = dxhat / std + dvar * 2 * xc / n + dmu / n
    return dx, (dout * xc / std).sum(0), dout.sum(0)


@wrong("regularization.batchnorm_backward", "inv_std_missing")
def batchnorm_backward_no_std(dout, x, gamma, eps):
    return _dx(dout, x, gamma, eps, lambda d, h, s: d - d.mean(0) - h * (d * h).mean(0))


@wrong("regularization.batchnorm_backward", "unbiased_variance")
def batchnorm_backward_ddof(dout, x, gamma, eps):
    std = np.sqrt(x.var(0, ddof=1) + eps)
    xhat = (x - x.mean(0)) / std
    dxhat = dout * gamma
    dx = (dxhat - dxhat.mean(0) - xhat * (dxhat * xhat).mean(0)) / std
    return dx, (dout * xhat).sum(0), dout.sum(0)


@wrong("regularization.batchnorm_backward", "eps_outside_sqrt")
def batchnorm_backward_eps_outside(dout, x, gamma, eps):
    std = x.std(0) + eps
    xhat = (x - x.mean(0)) / std
    dxhat = dout * gamma
    dx = (dxhat - dxhat.mean(0) - xhat * (dxhat * xhat).mean(0)) / std
    return dx, (dout * xhat).sum(0), dout.sum(0)


@wrong("regularization.batchnorm_backward", "dgamma_uses_x")
def batchnorm_backward_dgamma_x(dout, x, gamma, eps):
    dx = _dx(dout, x, gamma, eps, lambda d, h, s: (d - d.mean(0) - h * (d * h).mean(0)) / s)[0]
    return dx, (dout * x).sum(0), dout.sum(0)


@wrong("regularization.batchnorm_backward", "dgamma_not_normalised")
def batchnorm_backward_dgamma_centred(dout, x, gamma, eps):
    dx = _dx(dout, x, gamma, eps, lambda d, h, s: (d - d.mean(0) - h * (d * h).mean(0)) / s)[0]
    mu = x.mean(0)
    return dx, (dout * (x - mu)).sum(0), dout.sum(0)


@wrong("regularization.batchnorm_backward", "params_not_summed")
def batchnorm_backward_per_example_params(dout, x, gamma, eps):
    xhat, _ = _bn(x, eps)
    dx = _dx(dout, x, gamma, eps, lambda d, h, s: (d - d.mean(0) - h * (d * h).mean(0)) / s)[0]
    return dx, dout * xhat, dout


@wrong("regularization.batchnorm_backward", "params_mean")
def batchnorm_backward_params_mean(dout, x, gamma, eps):
    xhat, _ = _bn(x, eps)
    dx = _dx(dout, x, gamma, eps, lambda d, h, s: (d - d.mean(0) - h * (d * h).mean(0)) / s)[0]
    return dx, (dout * xhat).mean(0), dout.mean(0)
