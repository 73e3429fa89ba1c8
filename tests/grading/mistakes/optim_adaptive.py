"""Lesson 03, more learner-like mistakes of adagrad, rmsprop and adam, one per catalogued mistake."""
import numpy as np

from ._catalogue import correct, wrong

# ---------------------------------------------------------------------------------------- adagrad


@wrong("optim.adagrad", "sign")
def adagrad_plus(w, dw, s, lr, eps):
    s = s + dw ** 2
    return w + lr * dw / (np.sqrt(s) + eps), s


@wrong("optim.adagrad", "missing_square")
def adagrad_sum_dw(w, dw, s, lr, eps):
    s = s + dw
    return w - lr * dw / (np.sqrt(s) + eps), s


@wrong("optim.adagrad", "shared_accumulator")
def adagrad_global(w, dw, s, lr, eps):
    s = s + np.sum(dw ** 2)
    return w - lr * dw / (np.sqrt(s) + eps), s


@wrong("optim.adagrad", "eps_missing")
def adagrad_no_eps(w, dw, s, lr, eps):
    s = s + dw * dw
    return w - lr * dw / np.sqrt(s), s


@wrong("optim.adagrad", "precedence")
def adagrad_brackets(w, dw, s, lr, eps):
    s = s + dw * dw
    return w - lr * dw / np.sqrt(s) + eps, s


@wrong("optim.adagrad", "multiplied_not_divided")
def adagrad_times(w, dw, s, lr, eps):
    s = s + dw * dw
    return w - lr * dw * (np.sqrt(s) + eps), s


@wrong("optim.adagrad", "gradient_squared_in_step")
def adagrad_dw2_step(w, dw, s, lr, eps):
    g2 = dw ** 2
    s = s + g2
    return w - lr * g2 / (np.sqrt(s) + eps), s


@wrong("optim.adagrad", "state_not_returned")
def adagrad_old_s(w, dw, s, lr, eps):
    s_new = s + dw * dw
    return w - lr * dw / (np.sqrt(s_new) + eps), s


@wrong("optim.adagrad", "swapped_outputs")
def adagrad_s_first(w, dw, s, lr, eps):
    s = s + dw * dw
    return s, w - lr * dw / (np.sqrt(s) + eps)


# ---------------------------------------------------------------------------------------- rmsprop


@correct("optim.rmsprop")
def rmsprop_lerp(w, dw, s, lr, alpha, eps):
    """s moved towards dw² by the fraction 1 − α (the same average, written as a lerp)."""
    s = s + (1 - alpha) * (dw * dw - s)
    return w - lr * dw / (np.sqrt(s) + eps), s


def _rms(w, dw, s, lr, eps):
    return w - lr * dw / (np.sqrt(s) + eps)


@wrong("optim.rmsprop", "sign")
def rmsprop_plus(w, dw, s, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * dw ** 2
    return w + lr * dw / (np.sqrt(s) + eps), s


@wrong("optim.rmsprop", "no_dampening")
def rmsprop_no_one_minus(w, dw, s, lr, alpha, eps):
    s = alpha * s + dw ** 2
    return _rms(w, dw, s, lr, eps), s


@wrong("optim.rmsprop", "no_decay")
def rmsprop_adagrad(w, dw, s, lr, alpha, eps):
    s = s + dw ** 2
    return _rms(w, dw, s, lr, eps), s


@wrong("optim.rmsprop", "old_average_not_decayed")
def rmsprop_no_alpha(w, dw, s, lr, alpha, eps):
    s = s + (1 - alpha) * dw ** 2
    return _rms(w, dw, s, lr, eps), s


@wrong("optim.rmsprop", "lr_alpha_swapped")
def rmsprop_arguments(w, dw, s, alpha, lr, eps):
    s = alpha * s + (1 - alpha) * dw ** 2
    return _rms(w, dw, s, lr, eps), s


@wrong("optim.rmsprop", "eps_missing")
def rmsprop_no_eps(w, dw, s, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * dw ** 2
    return w - lr * dw / np.sqrt(s), s


@wrong("optim.rmsprop", "precedence")
def rmsprop_brackets(w, dw, s, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * dw ** 2
    return w - lr * dw / np.sqrt(s) + eps, s


@wrong("optim.rmsprop", "multiplied_not_divided")
def rmsprop_times(w, dw, s, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * dw ** 2
    return w - lr * dw * (np.sqrt(s) + eps), s


@wrong("optim.rmsprop", "gradient_squared_in_step")
def rmsprop_dw2_step(w, dw, s, lr, alpha, eps):
    g2 = dw * dw
    s = alpha * s + (1 - alpha) * g2
    return w - lr * g2 / (np.sqrt(s) + eps), s


@wrong("optim.rmsprop", "state_not_returned")
def rmsprop_old_s(w, dw, s, lr, alpha, eps):
    s_new = alpha * s + (1 - alpha) * dw ** 2
    return _rms(w, dw, s_new, lr, eps), s


@wrong("optim.rmsprop", "swapped_outputs")
def rmsprop_s_first(w, dw, s, lr, alpha, eps):
    s = alpha * s + (1 - alpha) * dw ** 2
    return s, _rms(w, dw, s, lr, eps)


# ---------------------------------------------------------------------------------------- adam


@correct("optim.adam")
def adam_torch_form(w, dw, m, v, t, lr, beta1, beta2, eps):
    """PyTorch's arrangement: the corrections folded into the step size and the denominator."""
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw * dw
    step = lr / (1 - beta1 ** t)
    denom = np.sqrt(v) / np.sqrt(1 - beta2 ** t) + eps
    return w - step * m / denom, m, v


def _moments(dw, m, v, beta1, beta2):
    return beta1 * m + (1 - beta1) * dw, beta2 * v + (1 - beta2) * dw ** 2


@wrong("optim.adam", "sign")
def adam_plus(w, dw, m, v, t, lr, beta1, beta2, eps):
    m, v = _moments(dw, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w + lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@wrong("optim.adam", "correction_multiplied")
def adam_convnetjs(w, dw, m, v, t, lr, beta1, beta2, eps):
    """convnetjs' old bug: the corrections multiply."""
    m, v = _moments(dw, m, v, beta1, beta2)
    m_hat, v_hat = m * (1 - beta1 ** t), v * (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@wrong("optim.adam", "correction_without_power")
def adam_no_power(w, dw, m, v, t, lr, beta1, beta2, eps):
    m, v = _moments(dw, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1), v / (1 - beta2)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@wrong("optim.adam", "power_two")
def adam_squared_beta(w, dw, m, v, t, lr, beta1, beta2, eps):
    m, v = _moments(dw, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1 ** 2), v / (1 - beta2 ** 2)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@wrong("optim.adam", "corrected_state_returned")
def adam_corrected_in_place(w, dw, m, v, t, lr, beta1, beta2, eps):
    m, v = _moments(dw, m, v, beta1, beta2)
    m = m / (1 - beta1 ** t)
    v = v / (1 - beta2 ** t)
    return w - lr * m / (np.sqrt(v) + eps), m, v


@wrong("optim.adam", "eps_bias_corrected")
def adam_old_torch(w, dw, m, v, t, lr, beta1, beta2, eps):
    """eps added before the correction of the denominator."""
    m, v = _moments(dw, m, v, beta1, beta2)
    denom = (np.sqrt(v) + eps) / np.sqrt(1 - beta2 ** t)
    return w - lr * (m / (1 - beta1 ** t)) / denom, m, v


@wrong("optim.adam", "eps_missing")
def adam_no_eps(w, dw, m, v, t, lr, beta1, beta2, eps):
    m, v = _moments(dw, m, v, beta1, beta2)
    return w - lr * (m / (1 - beta1 ** t)) / np.sqrt(v / (1 - beta2 ** t)), m, v


@wrong("optim.adam", "precedence")
def adam_brackets(w, dw, m, v, t, lr, beta1, beta2, eps):
    m, v = _moments(dw, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - lr * m_hat / np.sqrt(v_hat) + eps, m, v


@wrong("optim.adam", "missing_sqrt")
def adam_no_root(w, dw, m, v, t, lr, beta1, beta2, eps):
    m, v = _moments(dw, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - lr * m_hat / (v_hat + eps), m, v


@wrong("optim.adam", "stale_state")
def adam_old_moments(w, dw, m, v, t, lr, beta1, beta2, eps):
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    m, v = _moments(dw, m, v, beta1, beta2)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@wrong("optim.adam", "swapped_decay")
def adam_swapped_m(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = (1 - beta1) * m + beta1 * dw
    v = beta2 * v + (1 - beta2) * dw ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@wrong("optim.adam", "state_not_returned")
def adam_old_state(w, dw, m, v, t, lr, beta1, beta2, eps):
    m2, v2 = _moments(dw, m, v, beta1, beta2)
    m_hat, v_hat = m2 / (1 - beta1 ** t), v2 / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@wrong("optim.adam", "swapped_outputs")
def adam_v_before_m(w, dw, m, v, t, lr, beta1, beta2, eps):
    m, v = _moments(dw, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), v, m
