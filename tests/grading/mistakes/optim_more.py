"""Lesson 03, more learner-like mistakes: sgd, momentum, nesterov, newton_step and ema, one per catalogued
mistake, written the way a learner writes them (new arrays returned; inputs left alone)."""
import numpy as np

from ._catalogue import correct, wrong

# ---------------------------------------------------------------------------------------- sgd


@wrong("optim.sgd", "lr_divides")
def sgd_divide(w, dw, lr):
    return w - dw / lr


@wrong("optim.sgd", "not_updated")
def sgd_unchanged(w, dw, lr):
    w_new = w.copy()
    w_new - lr * dw
    return w_new


@wrong("optim.sgd", "returned_gradient")
def sgd_gradient(w, dw, lr):
    return dw


# ---------------------------------------------------------------------------------------- momentum


@correct("optim.momentum")
def momentum_float32_kept(w, dw, v, lr, mu):
    """np.multiply/np.add with the inputs' dtype: float32 in, float32 out."""
    v_new = np.add(np.multiply(mu, v, dtype=v.dtype), dw)
    return np.subtract(w, lr * v_new, dtype=w.dtype), v_new


@wrong("optim.momentum", "sign")
def momentum_plus(w, dw, v, lr, mu):
    v = mu * v + dw
    return w + lr * v, v


@wrong("optim.momentum", "state_not_returned")
def momentum_old_v(w, dw, v, lr, mu):
    v_new = mu * v + dw
    return w - lr * v_new, v


@wrong("optim.momentum", "step_ignores_velocity")
def momentum_gradient_step(w, dw, v, lr, mu):
    v = mu * v + dw
    return w - lr * dw, v


@wrong("optim.momentum", "lr_in_velocity")
def momentum_cs231n_style(w, dw, v, lr, mu):
    v = mu * v + lr * dw
    return w - v, v


@wrong("optim.momentum", "lr_twice")
def momentum_lr_twice(w, dw, v, lr, mu):
    v = mu * v + lr * dw
    return w - lr * v, v


@wrong("optim.momentum", "negative_velocity")
def momentum_mixed(w, dw, v, lr, mu):
    v = mu * v - dw
    return w + lr * v, v


@wrong("optim.momentum", "mu_on_gradient")
def momentum_mu_dw(w, dw, v, lr, mu):
    v = v + mu * dw
    return w - lr * v, v


@wrong("optim.momentum", "mu_on_both")
def momentum_brackets(w, dw, v, lr, mu):
    v = mu * (v + dw)
    return w - lr * v, v


@wrong("optim.momentum", "mu_in_step")
def momentum_mu_step(w, dw, v, lr, mu):
    v = mu * v + dw
    return w - lr * mu * v, v


@wrong("optim.momentum", "nesterov_not_momentum")
def momentum_lookahead(w, dw, v, lr, mu):
    v = mu * v + dw
    return w - lr * (dw + mu * v), v


@wrong("optim.momentum", "lr_mu_swapped")
def momentum_arguments(w, dw, v, mu, lr):
    """The parameters named in the wrong order."""
    v = mu * v + dw
    return w - lr * v, v


@wrong("optim.momentum", "swapped_outputs")
def momentum_v_first(w, dw, v, lr, mu):
    v = mu * v + dw
    return v, w - lr * v


# ---------------------------------------------------------------------------------------- nesterov


@wrong("optim.nesterov", "lookahead_missing_gradient")
def nesterov_only_velocity(w, dw, v, lr, mu):
    v = mu * v + dw
    return w - lr * mu * v, v


@wrong("optim.nesterov", "lookahead_missing_mu")
def nesterov_no_mu(w, dw, v, lr, mu):
    v = mu * v + dw
    return w - lr * (dw + v), v


@wrong("optim.nesterov", "lookahead_sign")
def nesterov_minus(w, dw, v, lr, mu):
    v = mu * v + dw
    return w - lr * (dw - mu * v), v


@wrong("optim.nesterov", "lookahead_swapped")
def nesterov_mu_on_dw(w, dw, v, lr, mu):
    v = mu * v + dw
    return w - lr * (mu * dw + v), v


@wrong("optim.nesterov", "velocity_twice")
def nesterov_one_plus_mu(w, dw, v, lr, mu):
    v = mu * v + dw
    return w - lr * (1 + mu) * v, v


@wrong("optim.nesterov", "dampening")
def nesterov_ema(w, dw, v, lr, mu):
    v = mu * v + (1 - mu) * dw
    return w - lr * (dw + mu * v), v


@wrong("optim.nesterov", "lr_in_velocity")
def nesterov_scaled_velocity(w, dw, v, lr, mu):
    v = mu * v + lr * dw
    return w - lr * dw - mu * v, v


@wrong("optim.nesterov", "lr_mu_swapped")
def nesterov_arguments(w, dw, v, mu, lr):
    v = mu * v + dw
    return w - lr * (dw + mu * v), v


@wrong("optim.nesterov", "state_not_returned")
def nesterov_old_v(w, dw, v, lr, mu):
    v_new = mu * v + dw
    return w - lr * (dw + mu * v_new), v


@wrong("optim.nesterov", "swapped_outputs")
def nesterov_v_first(w, dw, v, lr, mu):
    v = mu * v + dw
    return v, w - lr * (dw + mu * v)


# ---------------------------------------------------------------------------------------- newton_step


@correct("optim.newton_step")
def newton_cholesky(w, grad, hess, lr):
    """Two triangular solves with the Cholesky factor: H is symmetric positive definite here."""
    L = np.linalg.cholesky(hess)
    d = np.linalg.solve(L.T, np.linalg.solve(L, grad))
    return w - lr * d


@wrong("optim.newton_step", "elementwise_inverse")
def newton_reciprocal(w, grad, hess, lr):
    return w - lr * (1 / hess) @ grad


@wrong("optim.newton_step", "lr_divides")
def newton_over_lr(w, grad, hess, lr):
    return w - np.linalg.solve(hess, grad) / lr


@wrong("optim.newton_step", "half_step")
def newton_half(w, grad, hess, lr):
    """The ½ of the quadratic model carried into the step."""
    return w - 0.5 * lr * np.linalg.solve(hess, grad)


@wrong("optim.newton_step", "solved_for_w")
def newton_solve_w(w, grad, hess, lr):
    return w - lr * np.linalg.solve(hess, w)


# ---------------------------------------------------------------------------------------- ema


@correct("optim.ema")
def ema_weights(xs, beta):
    """Closed form: v_t = Σ_k (1 − β)·β^(t−k)·x_k, as one weighted sum per row."""
    T = xs.shape[0]
    t, k = np.arange(T)[:, None], np.arange(T)[None, :]
    weights = np.where(k <= t, (1 - beta) * beta ** np.clip(t - k, 0, None), 0.0)
    return np.tensordot(weights, xs, axes=(1, 0))


@wrong("optim.ema", "aliased_rows")
def ema_in_place(xs, beta):
    v = np.zeros(xs.shape[1:])
    rows = []
    for x in xs:
        v *= beta
        v += (1 - beta) * x
        rows.append(v)
    return np.array(rows)


@wrong("optim.ema", "stored_before_update")
def ema_store_first(xs, beta):
    out = np.zeros_like(xs, dtype=float)
    v = np.zeros(xs.shape[1:])
    for t in range(len(xs)):
        out[t] = v
        v = beta * v + (1 - beta) * xs[t]
    return out


@wrong("optim.ema", "decay_to_power_t")
def ema_power(xs, beta):
    out = np.zeros_like(xs, dtype=float)
    v = np.zeros(xs.shape[1:])
    for t in range(len(xs)):
        v = beta ** (t + 1) * v + (1 - beta ** (t + 1)) * xs[t]
        out[t] = v
    return out


@wrong("optim.ema", "input_index_off_by_one")
def ema_previous_x(xs, beta):
    out = np.zeros_like(xs, dtype=float)
    v = np.zeros(xs.shape[1:])
    for t in range(len(xs)):
        v = beta * v + (1 - beta) * xs[t - 1]
        out[t] = v
    return out


@wrong("optim.ema", "old_average_not_decayed")
def ema_no_decay(xs, beta):
    out = np.zeros_like(xs, dtype=float)
    v = np.zeros(xs.shape[1:])
    for t in range(len(xs)):
        v = v + (1 - beta) * xs[t]
        out[t] = v
    return out


@wrong("optim.ema", "wrong_axis")
def ema_columns(xs, beta):
    """The series read along the last axis."""
    out = np.zeros_like(xs, dtype=float)
    v = np.zeros(xs.shape[:-1])
    for t in range(xs.shape[-1]):
        v = beta * v + (1 - beta) * xs[..., t]
        out[..., t] = v
    return out


from . import optim_adaptive  # noqa: F401,E402  (adagrad, rmsprop, adam)
