"""Lesson 03: the exponential moving average of a series and one Newton–Raphson step."""
import numpy as np

from ._catalogue import correct, wrong

beta_notebook = 0.9  # a notebook-level beta: using it inside the function is a classic bug


@correct("optim.ema")
def ema(xs, beta):
    v = np.zeros(xs.shape[1:])
    out = []
    for x in xs:
        v = beta * v + (1 - beta) * x
        out.append(v)
    return np.array(out)


@correct("optim.ema")
def ema_closed_form(xs, beta):
    """v_t = Σ_k (1 − β)·β^(t−k)·x_k, written as one weighted sum per step."""
    T = xs.shape[0]
    t = np.arange(T)
    weights = np.where(t[:, None] >= t[None, :], (1 - beta) * beta ** (t[:, None] - t[None, :]), 0.0)
    return np.tensordot(weights, xs, axes=1)


@wrong("optim.ema", "swapped_decay")
def ema_swapped(xs, beta):
    v = np.zeros(xs.shape[1:])
    out = np.zeros(xs.shape)
    for t in range(len(xs)):
        v = (1 - beta) * v + beta * xs[t]
        out[t] = v
    return out


@wrong("optim.ema", "start_at_first")
def ema_start_first(xs, beta):
    """Starts the average at the first value, as PyTorch's momentum buffer does."""
    v = xs[0]
    out = [v]
    for x in xs[1:]:
        v = beta * v + (1 - beta) * x
        out.append(v)
    return np.array(out)


@wrong("optim.ema", "no_dampening")
def ema_momentum_form(xs, beta):
    v = np.zeros(xs.shape[1:])
    out = []
    for x in xs:
        v = beta * v + x
        out.append(v)
    return np.array(out)


@wrong("optim.ema", "bias_corrected")
def ema_debiased(xs, beta):
    v = np.zeros(xs.shape[1:])
    out = []
    for t, x in enumerate(xs, start=1):
        v = beta * v + (1 - beta) * x
        out.append(v / (1 - beta ** t))
    return np.array(out)


@wrong("optim.ema", "running_mean")
def ema_cumulative_mean(xs, beta):
    return np.cumsum(xs, axis=0) / np.arange(1, len(xs) + 1).reshape((-1,) + (1,) * (xs.ndim - 1))


@wrong("optim.ema", "includes_v0")
def ema_with_start(xs, beta):
    out = [np.zeros(xs.shape[1:])]
    for x in xs:
        out.append(beta * out[-1] + (1 - beta) * x)
    return np.array(out)


@wrong("optim.ema", "last_only")
def ema_final(xs, beta):
    v = np.zeros(xs.shape[1:])
    for x in xs:
        v = beta * v + (1 - beta) * x
    return v


@wrong("optim.ema", "mutated_input")
def ema_inplace(xs, beta):
    """Overwrites xs row by row with the averages."""
    xs[0] = (1 - beta) * xs[0]
    for t in range(1, len(xs)):
        xs[t] = beta * xs[t - 1] + (1 - beta) * xs[t]
    return xs


@wrong("optim.ema", "ignores_input")
def ema_global_beta(xs, beta):
    v = np.zeros(xs.shape[1:])
    out = []
    for x in xs:
        v = beta_notebook * v + (1 - beta_notebook) * x
        out.append(v)
    return np.array(out)


@correct("optim.newton_step")
def newton_step(w, grad, hess, lr):
    return w - lr * np.linalg.solve(hess, grad)


@correct("optim.newton_step")
def newton_step_inverse(w, grad, hess, lr):
    """An explicit inverse: slower and less accurate than solve, but right here."""
    return w - lr * np.linalg.inv(hess) @ grad


@wrong("optim.newton_step", "hessian_not_inverted")
def newton_times_hessian(w, grad, hess, lr):
    return w - lr * hess @ grad


@wrong("optim.newton_step", "diagonal_only")
def newton_diagonal(w, grad, hess, lr):
    return w - lr * grad / np.diag(hess)


@wrong("optim.newton_step", "elementwise_divide")
def newton_divide(w, grad, hess, lr):
    return w - lr * grad / hess


@wrong("optim.newton_step", "sign")
def newton_uphill(w, grad, hess, lr):
    return w + lr * np.linalg.solve(hess, grad)


@wrong("optim.newton_step", "returned_step")
def newton_step_only(w, grad, hess, lr):
    return -lr * np.linalg.solve(hess, grad)


@wrong("optim.newton_step", "gradient_step")
def newton_forgot_hessian(w, grad, hess, lr):
    return w - lr * grad


@wrong("optim.newton_step", "lr_ignored")
def newton_full_step(w, grad, hess, lr):
    """Always takes the full step (lr = 1)."""
    return w - np.linalg.solve(hess, grad)


@wrong("optim.newton_step", "mutated_input")
def newton_inplace(w, grad, hess, lr):
    w -= lr * np.linalg.solve(hess, grad)
    return w
