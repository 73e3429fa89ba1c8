"""Lesson 07 · Making it work: glorot_uniform, he_normal, l2_penalty, l1_penalty, dropout, batch norm."""
import numpy as np

from ._fresh import correct, wrong

L = "07"

# ---- init_reg.glorot_uniform(fan_in, fan_out, rng) ---------------------------------------------------


@wrong("init_reg.glorot_uniform", L, ["fan_out", "fan_in + fan_out", "bound", "range"], "bound sqrt(6 / fan_in)")
def glorot_uniform(fan_in, fan_out, rng):
    a = np.sqrt(6 / fan_in)
    return rng.uniform(-a, a, size=(fan_in, fan_out))


@wrong("init_reg.glorot_uniform", L, ["sqrt(6", "bound", "range", "variance", "standard deviation", "std"],
       "uses the variance formula sqrt(2 / (fan_in + fan_out)) as the bound")
def glorot_uniform(fan_in, fan_out, rng):  # noqa: F811
    a = np.sqrt(2 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out))


@wrong("init_reg.glorot_uniform", L, ["uniform", "distribution", "flat", "bell", "normal"], "draws from a normal with that bound as std")
def glorot_uniform(fan_in, fan_out, rng):  # noqa: F811
    a = np.sqrt(6 / (fan_in + fan_out))
    return rng.normal(0, a, size=(fan_in, fan_out))


@wrong("init_reg.glorot_uniform", L, ["transpos", "shape", "(fan_in, fan_out)"], "shape (fan_out, fan_in)")
def glorot_uniform(fan_in, fan_out, rng):  # noqa: F811
    a = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_out, fan_in))


@wrong("init_reg.glorot_uniform", L, ["rng", "global", "generator"], "np.random.uniform: the global generator, not rng")
def glorot_uniform(fan_in, fan_out, rng):  # noqa: F811
    a = np.sqrt(6 / (fan_in + fan_out))
    return np.random.uniform(-a, a, size=(fan_in, fan_out))


@wrong("init_reg.glorot_uniform", L, ["mean", "symmetric", "-a", "range", "centred", "centered", "negative"], "U(0, a)")
def glorot_uniform(fan_in, fan_out, rng):  # noqa: F811
    a = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(0, a, size=(fan_in, fan_out))


@correct("init_reg.glorot_uniform", L, "rng.random scaled to [-a, a)")
def glorot_uniform(fan_in, fan_out, rng):  # noqa: F811
    a = (6.0 / (fan_in + fan_out)) ** 0.5
    return (2.0 * rng.random((fan_in, fan_out)) - 1.0) * a


# ---- init_reg.he_normal(fan_in, fan_out, rng) ------------------------------------------------------------


@wrong("init_reg.he_normal", L, ["standard deviation", "variance", "sqrt", "square root"], "passes the variance 2 / fan_in as the std")
def he_normal(fan_in, fan_out, rng):
    return rng.normal(0, 2 / fan_in, size=(fan_in, fan_out))


@wrong("init_reg.he_normal", L, ["fan_in", "fan_out"], "uses fan_out")
def he_normal(fan_in, fan_out, rng):  # noqa: F811
    return rng.normal(0, np.sqrt(2 / fan_out), size=(fan_in, fan_out))


@wrong("init_reg.he_normal", L, ["normal", "distribution", "bell", "flat", "uniform"], "a uniform with the right std")
def he_normal(fan_in, fan_out, rng):  # noqa: F811
    a = np.sqrt(3) * np.sqrt(2 / fan_in)
    return rng.uniform(-a, a, size=(fan_in, fan_out))


@wrong("init_reg.he_normal", L, ["gain", "standard deviation", "2 / fan_in", "2/fan_in", "std", "factor"],
       "LeCun's sqrt(1 / fan_in): the ReLU gain of 2 forgotten")
def he_normal(fan_in, fan_out, rng):  # noqa: F811
    return rng.normal(0, np.sqrt(1 / fan_in), size=(fan_in, fan_out))


@wrong("init_reg.he_normal", L, ["transpos", "shape", "(fan_in, fan_out)"], "shape (fan_out, fan_in)")
def he_normal(fan_in, fan_out, rng):  # noqa: F811
    return rng.normal(0, np.sqrt(2 / fan_in), size=(fan_out, fan_in))


@correct("init_reg.he_normal", L, "standard normal draws times the std")
def he_normal(fan_in, fan_out, rng):  # noqa: F811
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)


# ---- init_reg.l2_penalty(W, lam), l1_penalty(W, lam) -----------------------------------------------------------


@wrong("init_reg.l2_penalty", L, ["1/2", "half", "factor 2", "factor of 2", "twice", "0.5"], "lam * sum(W^2): forgets the 1/2")
def l2_penalty(W, lam):
    return float(lam * np.sum(W ** 2)), lam * W


@wrong("init_reg.l2_penalty", L, ["factor 2", "factor of 2", "half", "twice", "1/2"], "dW = lam / 2 * W")
def l2_penalty(W, lam):  # noqa: F811
    return float(lam / 2 * np.sum(W ** 2)), lam / 2 * W


@wrong("init_reg.l2_penalty", L, ["sum", "mean"], "lam / 2 * mean(W^2)")
def l2_penalty(W, lam):  # noqa: F811
    return float(lam / 2 * np.mean(W ** 2)), lam * W / W.size


@wrong("init_reg.l2_penalty", L, ["sum", "scalar", "number", "single"], "returns the elementwise penalty array, not its sum")
def l2_penalty(W, lam):  # noqa: F811
    return lam / 2 * W ** 2, lam * W


@wrong("init_reg.l2_penalty", L, ["square", "norm", "squared"], "lam / 2 * ||W|| (the norm, not its square)")
def l2_penalty(W, lam):  # noqa: F811
    n = np.linalg.norm(W)
    return float(lam / 2 * n), lam / 2 * W / n


@correct("init_reg.l2_penalty", L, "vdot of W with itself")
def l2_penalty(W, lam):  # noqa: F811
    W = np.asarray(W, dtype=float)
    return 0.5 * lam * float(np.vdot(W, W)), lam * W


@wrong("init_reg.l1_penalty", L, ["zero", "sign(0)", "w == 0", "subgradient"], "subgradient +lam at W == 0 (np.where(W >= 0, ...))")
def l1_penalty(W, lam):
    return float(lam * np.sum(np.abs(W))), np.where(W >= 0, lam, -lam)


@wrong("init_reg.l1_penalty", L, ["sign"], "dW = lam * W (the L2 gradient)")
def l1_penalty(W, lam):  # noqa: F811
    return float(lam * np.sum(np.abs(W))), lam * W


@wrong("init_reg.l1_penalty", L, ["abs", "absolute"], "lam * sum(W) without the absolute value")
def l1_penalty(W, lam):  # noqa: F811
    return float(lam * np.sum(W)), lam * np.sign(W)


@wrong("init_reg.l1_penalty", L, ["λ", "lambda", "lam *", "times lam", "factor"], "dW = sign(W): forgets lam")
def l1_penalty(W, lam):  # noqa: F811
    return float(lam * np.sum(np.abs(W))), np.sign(W)


@correct("init_reg.l1_penalty", L, "the subgradient as (W > 0) - (W < 0)")
def l1_penalty(W, lam):  # noqa: F811
    return lam * float(np.abs(W).sum()), lam * ((W > 0).astype(float) - (W < 0).astype(float))


# ---- regularization.dropout_forward(x, mask, p), dropout_backward(dout, mask, p) ---------------------------------


@wrong("regularization.dropout_forward", L, ["1 / (1 - p)", "1/(1-p)", "scale", "inverted"], "forgets the 1 / (1 - p)")
def dropout_forward(x, mask, p):
    return x * mask


@wrong("regularization.dropout_forward", L, ["1 - p", "1-p", "keep probability", "p instead"], "divides by p")
def dropout_forward(x, mask, p):  # noqa: F811
    return x * mask / p


@wrong("regularization.dropout_forward", L, ["mask", "invert", "kept", "~", "true where"], "keeps the units where mask is False")
def dropout_forward(x, mask, p):  # noqa: F811
    return x * ~mask / (1 - p)


@wrong("regularization.dropout_forward", L, ["1 / (1 - p)", "1/(1-p)", "inverted", "divide"], "multiplies by (1 - p) (test-time scaling)")
def dropout_forward(x, mask, p):  # noqa: F811
    return x * mask * (1 - p)


@wrong("regularization.dropout_forward", L, ["in place", "in-place", "modif", "changed"], "x[~mask] = 0; x /= (1 - p); return x")
def dropout_forward(x, mask, p):  # noqa: F811
    x[~mask] = 0
    x /= (1 - p)
    return x


@correct("regularization.dropout_forward", L, "np.where(mask, x / (1 - p), 0)")
def dropout_forward(x, mask, p):  # noqa: F811
    return np.where(mask, x / (1.0 - p), 0.0)


@wrong("regularization.dropout_backward", L, ["scale", "1 / (1 - p)", "1/(1-p)"], "no scaling")
def dropout_backward(dout, mask, p):
    return dout * mask


@wrong("regularization.dropout_backward", L, ["1 / (1 - p)", "divide", "scale"], "multiplies by (1 - p)")
def dropout_backward(dout, mask, p):  # noqa: F811
    return dout * mask * (1 - p)


@wrong("regularization.dropout_backward", L, ["mask"], "ignores the mask: dout / (1 - p)")
def dropout_backward(dout, mask, p):  # noqa: F811
    return dout / (1 - p)


@correct("regularization.dropout_backward", L, "mask cast to float, multiplied by the keep-scale")
def dropout_backward(dout, mask, p):  # noqa: F811
    return dout * (mask.astype(dout.dtype) * (1.0 / (1.0 - p)))


# ---- regularization.batchnorm_forward(x, gamma, beta, eps) -------------------------------------------------------


@wrong("regularization.batchnorm_forward", L, ["eps", "ε", "inside", "outside"], "eps outside the square root")
def batchnorm_forward(x, gamma, beta, eps):
    return gamma * (x - x.mean(axis=0)) / (np.sqrt(x.var(axis=0)) + eps) + beta


@wrong("regularization.batchnorm_forward", L, ["biased", "n - 1", "n-1", "ddof", "unbiased"], "unbiased variance (ddof=1)")
def batchnorm_forward(x, gamma, beta, eps):  # noqa: F811
    return gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0, ddof=1) + eps) + beta


@wrong("regularization.batchnorm_forward", L, ["axis"], "statistics over axis 1")
def batchnorm_forward(x, gamma, beta, eps):  # noqa: F811
    mu = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


@wrong("regularization.batchnorm_forward", L, ["gamma", "beta", "scale", "shift", "γ", "β"], "returns x_hat: forgets gamma and beta")
def batchnorm_forward(x, gamma, beta, eps):  # noqa: F811
    return (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)


@wrong("regularization.batchnorm_forward", L, ["square root", "sqrt", "variance"], "divides by var + eps, not its root")
def batchnorm_forward(x, gamma, beta, eps):  # noqa: F811
    return gamma * (x - x.mean(axis=0)) / (x.var(axis=0) + eps) + beta


@wrong("regularization.batchnorm_forward", L, ["swap", "gamma", "beta", "γ", "β"], "beta * x_hat + gamma")
def batchnorm_forward(x, gamma, beta, eps):  # noqa: F811
    return beta * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + gamma


@correct("regularization.batchnorm_forward", L, "mean and variance written out, reciprocal std multiplied in")
def batchnorm_forward(x, gamma, beta, eps):  # noqa: F811
    n = x.shape[0]
    mu = x.sum(axis=0) / n
    xc = x - mu
    inv = 1.0 / np.sqrt((xc * xc).sum(axis=0) / n + eps)
    return xc * (gamma * inv) + beta


# ---- regularization.batchnorm_backward(dout, x, gamma, eps) -------------------------------------------------------


def _bn_parts(x, eps):
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    inv = 1 / np.sqrt(var + eps)
    return (x - mu) * inv, inv


@wrong("regularization.batchnorm_backward", L, ["mean", "variance path", "mean path", "three", "paths", "batch statistics"],
       "dx = dout * gamma / std: only the direct path")
def batchnorm_backward(dout, x, gamma, eps):
    xhat, inv = _bn_parts(x, eps)
    return dout * gamma * inv, (dout * xhat).sum(axis=0), dout.sum(axis=0)


@wrong("regularization.batchnorm_backward", L, ["x_hat", "xhat", "normalized", "normalised", "x̂", "standardized"],
       "dgamma = sum(dout * x) with the raw x")
def batchnorm_backward(dout, x, gamma, eps):  # noqa: F811
    xhat, inv = _bn_parts(x, eps)
    dxhat = dout * gamma
    dx = inv * (dxhat - dxhat.mean(0) - xhat * (dxhat * xhat).mean(0))
    return dx, (dout * x).sum(axis=0), dout.sum(axis=0)


@wrong("regularization.batchnorm_backward", L, ["sum", "mean"], "dbeta = dout.mean(axis=0)")
def batchnorm_backward(dout, x, gamma, eps):  # noqa: F811
    xhat, inv = _bn_parts(x, eps)
    dxhat = dout * gamma
    dx = inv * (dxhat - dxhat.mean(0) - xhat * (dxhat * xhat).mean(0))
    return dx, (dout * xhat).sum(axis=0), dout.mean(axis=0)


@wrong("regularization.batchnorm_backward", L, ["gamma", "γ"], "dx_hat = dout: forgets gamma")
def batchnorm_backward(dout, x, gamma, eps):  # noqa: F811
    xhat, inv = _bn_parts(x, eps)
    dxhat = dout
    dx = inv * (dxhat - dxhat.mean(0) - xhat * (dxhat * xhat).mean(0))
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


@wrong("regularization.batchnorm_backward", L, ["axis"], "dgamma and dbeta summed over axis 1")
def batchnorm_backward(dout, x, gamma, eps):  # noqa: F811
    xhat, inv = _bn_parts(x, eps)
    dxhat = dout * gamma
    dx = inv * (dxhat - dxhat.mean(0) - xhat * (dxhat * xhat).mean(0))
    return dx, (dout * xhat).sum(axis=1), dout.sum(axis=1)


@wrong("regularization.batchnorm_backward", L, ["order", "swap"], "returns (dgamma, dbeta, dx)")
def batchnorm_backward(dout, x, gamma, eps):  # noqa: F811
    xhat, inv = _bn_parts(x, eps)
    dxhat = dout * gamma
    dx = inv * (dxhat - dxhat.mean(0) - xhat * (dxhat * xhat).mean(0))
    return (dout * xhat).sum(axis=0), dout.sum(axis=0), dx


@wrong("regularization.batchnorm_backward", L, ["biased", "n - 1", "ddof", "n-1", "unbiased"], "recomputes with ddof=1")
def batchnorm_backward(dout, x, gamma, eps):  # noqa: F811
    mu = x.mean(axis=0)
    inv = 1 / np.sqrt(x.var(axis=0, ddof=1) + eps)
    xhat = (x - mu) * inv
    dxhat = dout * gamma
    dx = inv * (dxhat - dxhat.mean(0) - xhat * (dxhat * xhat).mean(0))
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


@correct("regularization.batchnorm_backward", L, "the staged computation graph, one node at a time (cs231n style)")
def batchnorm_backward(dout, x, gamma, eps):  # noqa: F811
    N = x.shape[0]
    mu = x.mean(axis=0)
    xc = x - mu
    var = (xc ** 2).sum(axis=0) / N
    std = np.sqrt(var + eps)
    istd = 1.0 / std
    xhat = xc * istd
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    dxc = dxhat * istd
    distd = (dxhat * xc).sum(axis=0)
    dstd = -distd / std ** 2
    dvar = 0.5 * dstd / std
    dxc += 2.0 * xc * dvar / N
    dmu = -dxc.sum(axis=0)
    dx = dxc + dmu / N
    return dx, dgamma, dbeta
