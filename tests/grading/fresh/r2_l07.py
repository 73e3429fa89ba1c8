"""Round-2 fresh entries for lesson 07 (making it work: init, penalties, dropout, batch norm)."""
import numpy as np

from ._fresh import correct, wrong

# ---------------------------------------------------------------- initializers


@wrong("init_reg.glorot_uniform", "07", ["sqrt(6", "6 /", "bound", "a^2/3", "too narrow"],
       "uses the variance 2 / (fan_in + fan_out) under the root as the uniform bound instead of 6 / (fan_in + fan_out)")
def glorot_uniform(fan_in, fan_out, rng):
    a = np.sqrt(2 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out))


@wrong("init_reg.he_normal", "07", ["standard deviation", "variance", "sqrt", "std"],
       "passes the variance 2 / fan_in to rng.normal, which wants the standard deviation")
def he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, 2 / fan_in, size=(fan_in, fan_out))


@wrong("init_reg.he_normal", "07", ["fan_in", "fan_out", "n_in"],
       "scales by sqrt(2 / fan_out) instead of sqrt(2 / fan_in)")
def he_normal(fan_in, fan_out, rng):  # noqa: F811
    return rng.normal(0.0, np.sqrt(2 / fan_out), size=(fan_in, fan_out))


@correct("init_reg.he_normal", "07", "draws N(0, 1) with rng.normal and multiplies by the standard deviation afterwards")
def he_normal(fan_in, fan_out, rng):  # noqa: F811
    std = (2.0 / fan_in) ** 0.5
    return std * rng.normal(0.0, 1.0, size=(fan_in, fan_out))


# ---------------------------------------------------------------- penalties


@wrong("init_reg.l2_penalty", "07", ["1/2", "half", "lam / 2", "λ/2", "factor"],
       "returns lam * sum(W**2) as the penalty (no 1/2) while the gradient is lam * W")
def l2_penalty(W, lam):
    return lam * np.sum(W ** 2), lam * W


@wrong("init_reg.l1_penalty", "07", ["nan", "np.sign", "w == 0", "at zero", "0/0"],
       "computes the subgradient as W / |W|, which is nan (0/0) where W == 0")
def l1_penalty(W, lam):
    return lam * np.sum(np.abs(W)), lam * W / np.abs(W)


@correct("init_reg.l1_penalty", "07", "subgradient with nested np.where, 0 where W == 0")
def l1_penalty(W, lam):  # noqa: F811
    W = np.asarray(W, dtype=float)
    dW = np.where(W > 0, lam, np.where(W < 0, -lam, 0.0))
    return float(lam * np.abs(W).sum()), dW


# ---------------------------------------------------------------- dropout


@wrong("regularization.dropout_forward", "07", ["1 / (1 - p)", "1/(1-p)", "divide", "invert", "scale"],
       "multiplies the kept units by (1 - p), the original paper's test-time scaling, instead of dividing")
def dropout_forward(x, mask, p):
    return x * mask * (1 - p)


@wrong("regularization.dropout_backward", "07", ["scale", "1 / (1 - p)", "1/(1-p)", "divide"],
       "masks the gradient but forgets the 1 / (1 - p) scale")
def dropout_backward(dout, mask, p):
    return dout * mask


# ---------------------------------------------------------------- batch norm


@wrong("regularization.batchnorm_forward", "07", ["ddof", "biased", "n - 1", "n-1", "unbiased"],
       "uses the unbiased variance x.var(axis=0, ddof=1) instead of dividing by N")
def batchnorm_forward(x, gamma, beta, eps):
    mu = x.mean(axis=0)
    var = x.var(axis=0, ddof=1)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


@wrong("regularization.batchnorm_backward", "07", ["path", "three", "batch statistic", "depend on x", "through the mean"],
       "keeps only the direct path, dx = dout * gamma / std, ignoring that the mean and variance depend on x")
def batchnorm_backward(dout, x, gamma, eps):
    std = np.sqrt(x.var(axis=0) + eps)
    xhat = (x - x.mean(axis=0)) / std
    return dout * gamma / std, (dout * xhat).sum(axis=0), dout.sum(axis=0)


@wrong("regularization.batchnorm_backward", "07", ["gamma", "γ", "dxhat"],
       "takes dxhat = dout, forgetting to multiply by gamma")
def batchnorm_backward(dout, x, gamma, eps):  # noqa: F811
    std = np.sqrt(x.var(axis=0) + eps)
    xhat = (x - x.mean(axis=0)) / std
    dxhat = dout
    dx = (dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0)) / std
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


@correct("regularization.batchnorm_backward", "07", "the staged computational-graph version (dvar, then dmu), cs231n style")
def batchnorm_backward(dout, x, gamma, eps):  # noqa: F811
    n = x.shape[0]
    mu = x.mean(axis=0)
    xc = x - mu
    var = (xc ** 2).sum(axis=0) / n
    inv = 1.0 / np.sqrt(var + eps)
    xhat = xc * inv
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    dvar = np.sum(dxhat * xc, axis=0) * -0.5 * inv ** 3
    dmu = -np.sum(dxhat * inv, axis=0) + dvar * np.mean(-2.0 * xc, axis=0)
    dx = dxhat * inv + dvar * 2.0 * xc / n + dmu / n
    return dx, dgamma, dbeta
