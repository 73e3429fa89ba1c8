"""Optimizer update rules (PyTorch conventions), pure functions returning new arrays."""
import numpy as np

from ._catalogue import correct, wrong


@correct("optim.sgd")
def sgd(w, dw, lr):
    return w - lr * dw


@wrong("optim.sgd", "mutated_input")
def sgd_inplace(w, dw, lr):
    w -= lr * dw
    return w


@wrong("optim.sgd", "sign")
def sgd_ascent(w, dw, lr):
    return w + lr * dw


@wrong("optim.sgd", "no_lr")
def sgd_no_lr(w, dw, lr):
    return w - dw


@wrong("optim.sgd", "returned_step")
def sgd_step_only(w, dw, lr):
    return -lr * dw


@wrong("optim.sgd", "ignores_input")
def sgd_global_lr(w, dw, lr):
    """Uses a notebook-level learning rate."""
    return w - 0.1 * dw


@correct("optim.momentum")
def momentum(w, dw, v, lr, mu):
    v = mu * v + dw
    return w - lr * v, v


@wrong("optim.momentum", "stale_state")
def momentum_old_velocity(w, dw, v, lr, mu):
    w_new = w - lr * v
    return w_new, mu * v + dw


@wrong("optim.momentum", "convention")
def momentum_cs231n(w, dw, v, lr, mu):
    v = mu * v - lr * dw
    return w + v, v


@wrong("optim.momentum", "dampening")
def momentum_ema(w, dw, v, lr, mu):
    v = mu * v + (1 - mu) * dw
    return w - lr * v, v


@wrong("optim.momentum", "mutated_input")
def momentum_inplace(w, dw, v, lr, mu):
    v *= mu
    v += dw
    return w - lr * v, v


@wrong("optim.momentum", "ignores_input")
def momentum_no_mu(w, dw, v, lr, mu):
    v = v + dw
    return w - lr * v, v


@wrong("optim.momentum", "wrong_type")
def momentum_only_w(w, dw, v, lr, mu):
    """Forgets to return the new velocity."""
    return w - lr * (mu * v + dw)


@correct("optim.nesterov")
def nesterov(w, dw, v, lr, mu):
    v = mu * v + dw
    return w - lr * (dw + mu * v), v


@wrong("optim.nesterov", "not_nesterov")
def nesterov_plain(w, dw, v, lr, mu):
    v = mu * v + dw
    return w - lr * v, v


@wrong("optim.nesterov", "not_nesterov")
def nesterov_old_v(w, dw, v, lr, mu):
    """Looks ahead with the old velocity, which is plain momentum in disguise."""
    w_new = w - lr * (dw + mu * v)
    return w_new, mu * v + dw


@wrong("optim.nesterov", "convention")
def nesterov_cs231n(w, dw, v, lr, mu):
    v_prev = v
    v = mu * v - lr * dw
    return w - mu * v_prev + (1 + mu) * v, v


@wrong("optim.nesterov", "sign")
def nesterov_ascent(w, dw, v, lr, mu):
    v = mu * v + dw
    return w + lr * (dw + mu * v), v


@wrong("optim.nesterov", "mutated_input")
def nesterov_inplace(w, dw, v, lr, mu):
    v[...] = mu * v + dw
    return w - lr * (dw + mu * v), v


@wrong("optim.nesterov", "ignores_input")
def nesterov_fixed_mu(w, dw, v, lr, mu):
    """Hard-codes mu = 0.9."""
    v = 0.9 * v + dw
    return w - lr * (dw + 0.9 * v), v


@correct("optim.adagrad")
def adagrad(w, dw, s, lr, eps):
    s = s + dw ** 2
    return w - lr * dw / (np.sqrt(s) + eps), s


@wrong("optim.adagrad", "eps_placement")
def adagrad_eps_inside(w, dw, s, lr, eps):
    s = s + dw ** 2
    return w - lr * dw / np.sqrt(s + eps), s


@wrong("optim.adagrad", "missing_sqrt")
def adagrad_no_sqrt(w, dw, s, lr, eps):
    s = s + dw ** 2
    return w - lr * dw / (s + eps), s


@wrong("optim.adagrad", "stale_state")
def adagrad_old_s(w, dw, s, lr, eps):
    return w - lr * dw / (np.sqrt(s) + eps), s + dw ** 2


@wrong("optim.adagrad", "no_accumulation")
def adagrad_no_accumulation(w, dw, s, lr, eps):
    """Squares only the current gradient: s is never used."""
    s = dw ** 2
    return w - lr * dw / (np.sqrt(s) + eps), s


@wrong("optim.adagrad", "mutated_input")
def adagrad_inplace(w, dw, s, lr, eps):
    s += dw ** 2
    return w - lr * dw / (np.sqrt(s) + eps), s


@correct("optim.rmsprop")
def rmsprop(w, dw, s, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * dw ** 2
    return w - lr * dw / (np.sqrt(s) + eps), s


@wrong("optim.rmsprop", "swapped_decay")
def rmsprop_swapped(w, dw, s, lr, alpha, eps):
    s = (1 - alpha) * s + alpha * dw ** 2
    return w - lr * dw / (np.sqrt(s) + eps), s


@wrong("optim.rmsprop", "eps_placement")
def rmsprop_eps_inside(w, dw, s, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * dw ** 2
    return w - lr * dw / np.sqrt(s + eps), s


@wrong("optim.rmsprop", "missing_square")
def rmsprop_no_square(w, dw, s, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * dw
    return w - lr * dw / (np.sqrt(np.abs(s)) + eps), s


@wrong("optim.rmsprop", "stale_state")
def rmsprop_old_s(w, dw, s, lr, alpha, eps):
    s_new = alpha * s + (1 - alpha) * dw ** 2
    return w - lr * dw / (np.sqrt(s) + eps), s_new


@wrong("optim.rmsprop", "mutated_input")
def rmsprop_inplace(w, dw, s, lr, alpha, eps):
    s *= alpha
    s += (1 - alpha) * dw ** 2
    return w - lr * dw / (np.sqrt(s) + eps), s


@wrong("optim.rmsprop", "missing_sqrt")
def rmsprop_no_sqrt(w, dw, s, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * dw ** 2
    return w - lr * dw / (s + eps), s


@correct("optim.adam")
def adam(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _adam(w, dw, m, v, t, lr, beta1, beta2, eps, *, t_bc=None, correct_bias=True, eps_in=False, sq=True):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * (dw ** 2 if sq else dw)
    tb = t if t_bc is None else t_bc
    m_hat = m / (1 - beta1 ** tb) if correct_bias else m
    v_hat = v / (1 - beta2 ** tb) if correct_bias else v
    den = np.sqrt(v_hat + eps) if eps_in else np.sqrt(v_hat) + eps
    return w - lr * m_hat / den, m, v


@wrong("optim.adam", "bias_correction")
def adam_no_bias_correction(w, dw, m, v, t, lr, beta1, beta2, eps):
    return _adam(w, dw, m, v, t, lr, beta1, beta2, eps, correct_bias=False)


@wrong("optim.adam", "off_by_one")
def adam_t_plus_one(w, dw, m, v, t, lr, beta1, beta2, eps):
    """Increments t before using it, although t already counts this step."""
    t += 1
    return _adam(w, dw, m, v, t, lr, beta1, beta2, eps)


@wrong("optim.adam", "eps_placement")
def adam_eps_inside(w, dw, m, v, t, lr, beta1, beta2, eps):
    return _adam(w, dw, m, v, t, lr, beta1, beta2, eps, eps_in=True)


@wrong("optim.adam", "missing_square")
def adam_v_not_squared(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw
    return w - lr * (m / (1 - beta1 ** t)) / (np.sqrt(np.abs(v / (1 - beta2 ** t))) + eps), m, v


@wrong("optim.adam", "mutated_input")
def adam_inplace(w, dw, m, v, t, lr, beta1, beta2, eps):
    m *= beta1
    m += (1 - beta1) * dw
    v *= beta2
    v += (1 - beta2) * dw ** 2
    return w - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps), m, v


@wrong("optim.adam", "betas_swapped")
def adam_swapped_betas(w, dw, m, v, t, lr, beta1, beta2, eps):
    return _adam(w, dw, m, v, t, lr, beta2, beta1, eps)


from . import optim_more  # noqa: F401,E402  (one entry per catalogued mistake added with issue #20)
