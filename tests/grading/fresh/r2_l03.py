"""Round-2 fresh entries for lesson 03 (optimizers)."""
import numpy as np

from ._fresh import correct, wrong

# ---------------------------------------------------------------- ema


@wrong("optim.ema", "03", ["bias correct", "1 - beta", "1 - β", "1-beta", "divide"],
       "divides every average by 1 - beta**t although the exercise says not to (Adam's bias correction)")
def ema(xs, beta):
    v = np.zeros(xs.shape[1:])
    out = np.zeros(xs.shape)
    for t in range(xs.shape[0]):
        v = beta * v + (1 - beta) * xs[t]
        out[t] = v / (1 - beta ** (t + 1))
    return out


@wrong("optim.ema", "03", ["in place", "in-place", "modif", "mutat", "copy"],
       "uses out = xs and writes the averages into the caller's readings")
def ema(xs, beta):  # noqa: F811
    v = np.zeros(xs.shape[1:])
    out = xs
    for t in range(xs.shape[0]):
        v = beta * v + (1 - beta) * xs[t]
        out[t] = v
    return out


@correct("optim.ema", "03", "no loop: a lower-triangular matrix of weights (1 - beta) beta^(t-k) applied with tensordot")
def ema(xs, beta):  # noqa: F811
    xs = np.asarray(xs, dtype=float)
    T = xs.shape[0]
    t = np.arange(T)
    lag = t[:, None] - t[None, :]
    weights = np.where(lag >= 0, (1 - beta) * float(beta) ** np.maximum(lag, 0), 0.0)
    return np.tensordot(weights, xs, axes=1)


# ---------------------------------------------------------------- momentum / nesterov


@wrong("optim.momentum", "03", ["old velocity", "new velocity", "updated velocity", "update v first", "before updating"],
       "steps with the old velocity and only then updates it")
def sgd_momentum_step(w, dw, v, lr, mu):
    w_new = w - lr * v
    v = mu * v + dw
    return w_new, v


@wrong("optim.nesterov", "03", ["old velocity", "new velocity", "updated", "new v", "old v"],
       "takes the look-ahead term mu * v with the velocity from before this step's update")
def nesterov_step(w, dw, v, lr, mu):
    v_new = mu * v + dw
    return w - lr * (dw + mu * v), v_new


# ---------------------------------------------------------------- adagrad / rmsprop


@wrong("optim.adagrad", "03", ["new s", "old s", "updated s", "before updating", "update s first"],
       "divides by the root of the old sum s and only then adds the new squared gradient")
def adagrad_step(w, dw, s, lr, eps):
    w_new = w - lr * dw / (np.sqrt(s) + eps)
    return w_new, s + dw * dw


@wrong("optim.rmsprop", "03", ["alpha", "swap", "1 - alpha", "weight", "ρ"],
       "weights the old average by 1 - alpha and the new squared gradient by alpha")
def rmsprop_step(w, dw, s, lr, alpha, eps):
    s = (1 - alpha) * s + alpha * dw * dw
    return w - lr * dw / (np.sqrt(s) + eps), s


@wrong("optim.rmsprop", "03", ["square", "dw * dw", "dw**2", "dw ** 2"],
       "averages the raw gradients instead of the squared gradients")
def rmsprop_step(w, dw, s, lr, alpha, eps):  # noqa: F811
    s = alpha * s + (1 - alpha) * dw
    return w - lr * dw / (np.sqrt(s) + eps), s


# ---------------------------------------------------------------- adam


@wrong("optim.adam", "03", ["raw", "uncorrected", "m_hat", "stored", "state"],
       "returns the bias-corrected m_hat and v_hat as the new state instead of the raw averages")
def adam_step(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw * dw
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat


@wrong("optim.adam", "03", ["off by one", "off-by-one", "t - 1", "t-1", "from 1"],
       "counts steps from 0 in the bias correction (beta ** (t - 1))")
def adam_step(w, dw, m, v, t, lr, beta1, beta2, eps):  # noqa: F811
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw * dw
    k = t - 1
    m_hat = m / (1 - beta1 ** k) if k > 0 else m
    v_hat = v / (1 - beta2 ** k) if k > 0 else v
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@correct("optim.adam", "03", "folds both bias corrections into a step size (the 'efficient' form of the Adam paper)")
def adam_step(w, dw, m, v, t, lr, beta1, beta2, eps):  # noqa: F811
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * np.square(dw)
    c2 = np.sqrt(1 - beta2 ** t)
    step = lr * c2 / (1 - beta1 ** t)
    return w - step * m / (np.sqrt(v) + eps * c2), m, v


# ---------------------------------------------------------------- newton


@wrong("optim.newton_step", "03", ["diagonal", "off-diagonal", "full hessian", "solve", "linear system"],
       "divides the gradient by the Hessian's diagonal instead of solving H d = g")
def newton_step(w, grad, hess, lr):
    return w - lr * grad / np.diag(hess)


@correct("optim.newton_step", "03", "solves H d = g by least squares (np.linalg.lstsq)")
def newton_step(w, grad, hess, lr):  # noqa: F811
    d = np.linalg.lstsq(hess, grad, rcond=None)[0]
    return w - lr * d
