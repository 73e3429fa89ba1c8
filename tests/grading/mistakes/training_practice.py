"""Lesson 10 (training in practice): sanity checks, AdamW's step, shifts and rotations, layer norm.

Written as learners write them: loops where a loop is natural, the lesson's helpers (numerical_gradient,
make_mlp) called as the notebook provides them, and the mistakes the lesson warns about.
"""
import numpy as np

import dlkit
import dlkit.functional as F
from dlkit import nn, optim

from ._catalogue import correct, wrong


def numerical_gradient(f, x, h=1e-5):
    """The lesson's helper (lesson 02's centered difference), perturbing x in place and restoring it."""
    grad = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def make_mlp(params):
    """The lesson's helper: Linear layers holding copies of params, a ReLU between them."""
    layers = []
    for w, b in zip(params[::2], params[1::2]):
        linear = nn.Linear(w.shape[1], w.shape[0], dtype=w.dtype)
        linear.load_state_dict({"weight": w, "bias": b})
        layers += [linear, nn.ReLU()]
    return nn.Sequential(*layers[:-1])


# ----- sanity.initial_loss ---------------------------------------------------------------------------

@correct("sanity.initial_loss")
def initial_loss(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    loss = np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y])
    return loss, np.log(logits.shape[1])


@correct("sanity.initial_loss")
def initial_loss_log_softmax(logits, y):
    """Through log-softmax, with a loop over the rows."""
    n, c = logits.shape
    total = 0.0
    for i in range(n):
        row = logits[i] - logits[i].max()
        total -= row[y[i]] - np.log(np.sum(np.exp(row)))
    return total / n, float(np.log(c))


@wrong("sanity.initial_loss", "log10")
def initial_loss_log10(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    loss = np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y])
    return loss, np.log10(logits.shape[1])


@wrong("sanity.initial_loss", "probability_not_loss")
def initial_loss_one_over_c(logits, y):
    """'A uniform guess gives every class 1/C'."""
    z = logits - logits.max(axis=1, keepdims=True)
    loss = np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y])
    return loss, 1 / logits.shape[1]


@wrong("sanity.initial_loss", "classes_from_labels")
def initial_loss_classes_from_y(logits, y):
    num_classes = y.max() + 1
    z = logits - logits.max(axis=1, keepdims=True)
    loss = np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y])
    return loss, np.log(num_classes)


@wrong("sanity.initial_loss", "classes_from_batch")
def initial_loss_len_y(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    loss = np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y])
    return loss, np.log(len(y))


@wrong("sanity.initial_loss", "nonfinite")
def initial_loss_no_max(logits, y):
    """Softmax then log, without the max trick: exp(1000) / exp(1000) is inf / inf."""
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return -np.mean(np.log(p[np.arange(len(y)), y])), np.log(logits.shape[1])


@wrong("sanity.initial_loss", "no_max_trick")
def initial_loss_logsumexp_no_max(logits, y):
    lse = np.log(np.sum(np.exp(logits), axis=1))
    return np.mean(lse - logits[np.arange(len(y)), y]), np.log(logits.shape[1])


@wrong("sanity.initial_loss", "sum_not_mean")
def initial_loss_sum(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    return np.sum(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y]), np.log(logits.shape[1])


@wrong("sanity.initial_loss", "wrong_indexing")
def initial_loss_column_pick(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -np.mean(logp[:, y]), np.log(logits.shape[1])


@wrong("sanity.initial_loss", "sign")
def initial_loss_log_of_prob(logits, y):
    """log(1/C) written as the expected loss."""
    z = logits - logits.max(axis=1, keepdims=True)
    loss = np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y])
    return loss, np.log(1 / logits.shape[1])


# ----- sanity.gradient_check -------------------------------------------------------------------------

@correct("sanity.gradient_check")
def gradient_check(f, params, grads, h=1e-5):
    errors = []
    for p, g in zip(params, grads):
        num = numerical_gradient(lambda _: f(params), p, h)
        errors.append(np.linalg.norm(g - num) / (np.linalg.norm(g) + np.linalg.norm(num)))
    return np.array(errors)


@correct("sanity.gradient_check")
def gradient_check_own_loop(f, params, grads, h=1e-5):
    """Its own centered differences on copies of the parameters."""
    params = [p.copy() for p in params]
    out = np.zeros(len(params))
    for k, g in enumerate(grads):
        num = np.zeros_like(g)
        for i in np.ndindex(g.shape):
            keep = params[k][i]
            params[k][i] = keep + h
            up = f(params)
            params[k][i] = keep - h
            down = f(params)
            params[k][i] = keep
            num[i] = (up - down) / (2 * h)
        out[k] = np.linalg.norm(g - num) / (np.linalg.norm(g) + np.linalg.norm(num))
    return out


@wrong("sanity.gradient_check", "perturbed_a_copy")
def gradient_check_copy(f, params, grads, h=1e-5):
    """Hands numerical_gradient a copy 'so the parameters stay untouched'."""
    errors = []
    for p, g in zip(params, grads):
        num = numerical_gradient(lambda _: f(params), p.copy(), h)
        errors.append(np.linalg.norm(g - num) / (np.linalg.norm(g) + np.linalg.norm(num)))
    return np.array(errors)


@wrong("sanity.gradient_check", "elementwise_error")
def gradient_check_lesson02(f, params, grads, h=1e-5):
    """Lesson 02's rel_error, per array."""
    errors = []
    for p, g in zip(params, grads):
        num = numerical_gradient(lambda _: f(params), p, h)
        errors.append(np.max(np.abs(g - num) / np.maximum(1e-8, np.abs(g) + np.abs(num))))
    return np.array(errors)


@wrong("sanity.gradient_check", "mean_elementwise_error")
def gradient_check_mean_entry(f, params, grads, h=1e-5):
    """The average entry's relative error, with a small floor on the denominator."""
    errors = []
    for p, g in zip(params, grads):
        num = numerical_gradient(lambda _: f(params), p, h)
        errors.append((np.abs(g - num) / np.maximum(np.abs(g) + np.abs(num), 1e-8)).mean())
    return np.array(errors)


@wrong("sanity.gradient_check", "absolute_error")
def gradient_check_absolute(f, params, grads, h=1e-5):
    errors = []
    for p, g in zip(params, grads):
        num = numerical_gradient(lambda _: f(params), p, h)
        errors.append(np.linalg.norm(g - num))
    return np.array(errors)


@wrong("sanity.gradient_check", "h_ignored")
def gradient_check_default_h(f, params, grads, h=1e-5):
    errors = []
    for p, g in zip(params, grads):
        num = numerical_gradient(lambda _: f(params), p)
        errors.append(np.linalg.norm(g - num) / (np.linalg.norm(g) + np.linalg.norm(num)))
    return np.array(errors)


@wrong("sanity.gradient_check", "one_number")
def gradient_check_whole_vector(f, params, grads, h=1e-5):
    nums = [numerical_gradient(lambda _: f(params), p, h) for p in params]
    g = np.concatenate([a.ravel() for a in grads])
    n = np.concatenate([a.ravel() for a in nums])
    return np.linalg.norm(g - n) / (np.linalg.norm(g) + np.linalg.norm(n))


@wrong("sanity.gradient_check", "relative_to_analytic")
def gradient_check_over_g(f, params, grads, h=1e-5):
    errors = []
    for p, g in zip(params, grads):
        num = numerical_gradient(lambda _: f(params), p, h)
        errors.append(np.linalg.norm(g - num) / np.linalg.norm(g))
    return np.array(errors)


@wrong("sanity.gradient_check", "forward_difference")
def gradient_check_one_sided(f, params, grads, h=1e-5):
    errors = []
    for p, g in zip(params, grads):
        num = np.zeros_like(p)
        base = f(params)
        for i in np.ndindex(p.shape):
            p[i] += h
            num[i] = (f(params) - base) / h
            p[i] -= h
        errors.append(np.linalg.norm(g - num) / (np.linalg.norm(g) + np.linalg.norm(num)))
    return np.array(errors)


# ----- sanity.overfit --------------------------------------------------------------------------------

@correct("sanity.overfit")
def overfit(params, x, y, lr, steps):
    model = make_mlp(params)
    opt = optim.Adam(model.parameters(), lr=lr)
    x, y = dlkit.tensor(x), dlkit.tensor(y)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return np.array(losses)


@correct("sanity.overfit")
def overfit_loss_module(params, x, y, lr, steps):
    """nn.CrossEntropyLoss, and the list of losses converted at the end."""
    model = make_mlp(params)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=lr)
    history = []
    for step in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(dlkit.tensor(x)), dlkit.tensor(y))
        loss.backward()
        optimizer.step()
        history.append(float(loss.item()))
    return np.asarray(history)


@wrong("sanity.overfit", "no_zero_grad")
def overfit_no_zero_grad(params, x, y, lr, steps):
    model = make_mlp(params)
    opt = optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(dlkit.tensor(x)), dlkit.tensor(y))
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return np.array(losses)


@wrong("sanity.overfit", "sgd")
def overfit_sgd(params, x, y, lr, steps):
    model = make_mlp(params)
    opt = optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(dlkit.tensor(x)), dlkit.tensor(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return np.array(losses)


@wrong("sanity.overfit", "lr_ignored")
def overfit_default_lr(params, x, y, lr, steps):
    model = make_mlp(params)
    opt = optim.Adam(model.parameters())
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(dlkit.tensor(x)), dlkit.tensor(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return np.array(losses)


@wrong("sanity.overfit", "weights_never_move")
def overfit_zero_grad_late(params, x, y, lr, steps):
    model = make_mlp(params)
    opt = optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(dlkit.tensor(x)), dlkit.tensor(y))
        loss.backward()
        opt.zero_grad()
        opt.step()
        losses.append(loss.item())
    return np.array(losses)


@wrong("sanity.overfit", "weights_never_move")
def overfit_model_in_loop(params, x, y, lr, steps):
    losses = []
    for _ in range(steps):
        model = make_mlp(params)
        opt = optim.Adam(model.parameters(), lr=lr)
        loss = F.cross_entropy(model(dlkit.tensor(x)), dlkit.tensor(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return np.array(losses)


@wrong("sanity.overfit", "loss_after_step")
def overfit_records_after(params, x, y, lr, steps):
    model = make_mlp(params)
    opt = optim.Adam(model.parameters(), lr=lr)
    x, y = dlkit.tensor(x), dlkit.tensor(y)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
        losses.append(F.cross_entropy(model(x), y).item())
    return np.array(losses)


@wrong("sanity.overfit", "adamw_default_decay")
def overfit_adamw(params, x, y, lr, steps):
    model = make_mlp(params)
    opt = optim.AdamW(model.parameters(), lr=lr)
    x, y = dlkit.tensor(x), dlkit.tensor(y)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return np.array(losses)


@wrong("sanity.overfit", "last_loss_only")
def overfit_last(params, x, y, lr, steps):
    model = make_mlp(params)
    opt = optim.Adam(model.parameters(), lr=lr)
    x, y = dlkit.tensor(x), dlkit.tensor(y)
    for _ in range(steps):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return loss.item()


# ----- sanity.update_ratios --------------------------------------------------------------------------

@correct("sanity.update_ratios")
def update_ratios(before, after):
    return np.array([np.linalg.norm(a - b) / np.linalg.norm(b) for b, a in zip(before, after)])


@correct("sanity.update_ratios")
def update_ratios_sqrt(before, after):
    """Norms written out."""
    out = []
    for b, a in zip(before, after):
        out.append(np.sqrt(np.sum((a - b) ** 2)) / np.sqrt(np.sum(b ** 2)))
    return np.array(out)


@wrong("sanity.update_ratios", "wrong_type")
def update_ratios_list(before, after):
    """A Python list instead of an array."""
    return [np.linalg.norm(a - b) / np.linalg.norm(b) for b, a in zip(before, after)]


@wrong("sanity.update_ratios", "inverted")
def update_ratios_inverted(before, after):
    return np.array([np.linalg.norm(b) / np.linalg.norm(a - b) for b, a in zip(before, after)])


@wrong("sanity.update_ratios", "difference_of_norms")
def update_ratios_norm_difference(before, after):
    return np.array([abs(np.linalg.norm(a) - np.linalg.norm(b)) / np.linalg.norm(b) for b, a in zip(before, after)])


@wrong("sanity.update_ratios", "spectral_norm")
def update_ratios_ord2(before, after):
    return np.array([np.linalg.norm(a - b, 2) / np.linalg.norm(b, 2) for b, a in zip(before, after)])


@wrong("sanity.update_ratios", "mean_absolute")
def update_ratios_mean_abs(before, after):
    return np.array([np.abs(a - b).mean() / np.abs(b).mean() for b, a in zip(before, after)])


@wrong("sanity.update_ratios", "one_number")
def update_ratios_total(before, after):
    step = sum(np.sum((a - b) ** 2) for b, a in zip(before, after))
    size = sum(np.sum(b ** 2) for b in before)
    return np.sqrt(step / size)


@wrong("sanity.update_ratios", "divided_by_after")
def update_ratios_over_after(before, after):
    return np.array([np.linalg.norm(a - b) / np.linalg.norm(a) for b, a in zip(before, after)])


# ----- adamw.step ------------------------------------------------------------------------------------

@correct("adamw.step")
def adamw_step(w, dw, m, v, t, lr, beta1, beta2, eps, weight_decay):
    w = w * (1 - lr * weight_decay)
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@correct("adamw.step")
def adamw_step_one_line_decay(w, dw, m, v, t, lr, beta1, beta2, eps, weight_decay):
    """The decay written as a subtraction inside the update (the same numbers)."""
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw * dw
    step = (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return w - lr * weight_decay * w - lr * step, m, v


@wrong("adamw.step", "l2_not_decoupled")
def adamw_step_l2(w, dw, m, v, t, lr, beta1, beta2, eps, weight_decay):
    """Adam with weight_decay, as lesson 03's rule plus λw in the gradient."""
    g = dw + weight_decay * w
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@wrong("adamw.step", "decay_after_step")
def adamw_step_decay_last(w, dw, m, v, t, lr, beta1, beta2, eps, weight_decay):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return w * (1 - lr * weight_decay), m, v


@wrong("adamw.step", "decay_without_lr")
def adamw_step_decay_no_lr(w, dw, m, v, t, lr, beta1, beta2, eps, weight_decay):
    w = w * (1 - weight_decay)
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@wrong("adamw.step", "decay_through_adam")
def adamw_step_decay_in_update(w, dw, m, v, t, lr, beta1, beta2, eps, weight_decay):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - lr * (m_hat + weight_decay * w) / (np.sqrt(v_hat) + eps), m, v


@wrong("adamw.step", "bias_correction")
def adamw_step_no_correction(w, dw, m, v, t, lr, beta1, beta2, eps, weight_decay):
    w = w * (1 - lr * weight_decay)
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw ** 2
    return w - lr * m / (np.sqrt(v) + eps), m, v


@wrong("adamw.step", "mutated_input")
def adamw_step_in_place(w, dw, m, v, t, lr, beta1, beta2, eps, weight_decay):
    w *= 1 - lr * weight_decay
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


# ----- augment.shift ---------------------------------------------------------------------------------

@correct("augment.shift")
def shift_images(images, dy, dx):
    n, H, W = images.shape
    padded = np.pad(images, ((0, 0), (H, H), (W, W)))
    return np.stack([padded[k, H - a:2 * H - a, W - b:2 * W - b] for k, (a, b) in enumerate(zip(dy, dx))])


@correct("augment.shift")
def shift_images_slices(images, dy, dx):
    """Slices of the source and the target per image."""
    out = np.zeros_like(images)
    H, W = images.shape[1:]
    for k in range(len(images)):
        a, b = dy[k], dx[k]
        src = images[k, max(0, -a):H - max(0, a), max(0, -b):W - max(0, b)]
        out[k, max(0, a):max(0, a) + src.shape[0], max(0, b):max(0, b) + src.shape[1]] = src
    return out


@wrong("augment.shift", "wrong_dtype")
def shift_images_float64(images, dy, dx):
    """Right values in a float64 buffer: float32 digits come back twice as large in memory."""
    out = np.zeros(images.shape)
    H, W = images.shape[1:]
    for k in range(len(images)):
        a, b = dy[k], dx[k]
        src = images[k, max(0, -a):H - max(0, a), max(0, -b):W - max(0, b)]
        out[k, max(0, a):max(0, a) + src.shape[0], max(0, b):max(0, b) + src.shape[1]] = src
    return out


@wrong("augment.shift", "wrap_around")
def shift_images_roll(images, dy, dx):
    return np.stack([np.roll(img, (a, b), axis=(0, 1)) for img, a, b in zip(images, dy, dx)])


@wrong("augment.shift", "direction")
def shift_images_backwards(images, dy, dx):
    n, H, W = images.shape
    padded = np.pad(images, ((0, 0), (H, H), (W, W)))
    return np.stack([padded[k, H + a:2 * H + a, W + b:2 * W + b] for k, (a, b) in enumerate(zip(dy, dx))])


@wrong("augment.shift", "dy_dx_swapped")
def shift_images_swapped(images, dy, dx):
    n, H, W = images.shape
    padded = np.pad(images, ((0, 0), (H, H), (W, W)))
    return np.stack([padded[k, H - b:2 * H - b, W - a:2 * W - a] for k, (a, b) in enumerate(zip(dy, dx))])


@wrong("augment.shift", "edge_fill")
def shift_images_edge(images, dy, dx):
    n, H, W = images.shape
    padded = np.pad(images, ((0, 0), (H, H), (W, W)), mode="edge")
    return np.stack([padded[k, H - a:2 * H - a, W - b:2 * W - b] for k, (a, b) in enumerate(zip(dy, dx))])


@wrong("augment.shift", "one_shift_for_all")
def shift_images_first_shift(images, dy, dx):
    n, H, W = images.shape
    padded = np.pad(images, ((0, 0), (H, H), (W, W)))
    return padded[:, H - dy[0]:2 * H - dy[0], W - dx[0]:2 * W - dx[0]]


# ----- augment.rotate --------------------------------------------------------------------------------

@correct("augment.rotate")
def rotate_images(images, angles):
    n, H, W = images.shape
    t = np.deg2rad(np.asarray(angles, dtype=float))[:, None, None]
    ci, cj = (H - 1) / 2, (W - 1) / 2
    i, j = np.indices((H, W))
    r = np.rint(ci + (i - ci) * np.cos(t) + (j - cj) * np.sin(t)).astype(int)
    c = np.rint(cj - (i - ci) * np.sin(t) + (j - cj) * np.cos(t)).astype(int)
    inside = (r >= 0) & (r < H) & (c >= 0) & (c < W)
    return np.where(inside, images[np.arange(n)[:, None, None], r.clip(0, H - 1), c.clip(0, W - 1)], 0)


@correct("augment.rotate")
def rotate_images_loops(images, angles):
    """A rotation matrix per image and loops over the output pixels."""
    out = np.zeros_like(images)
    n, H, W = images.shape
    centre = np.array([(H - 1) / 2, (W - 1) / 2])
    for k in range(n):
        a = np.radians(angles[k])
        rot = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])
        for i in range(H):
            for j in range(W):
                r, c = np.rint(centre + rot @ (np.array([i, j]) - centre)).astype(int)
                if 0 <= r < H and 0 <= c < W:
                    out[k, i, j] = images[k, r, c]
    return out


@wrong("augment.rotate", "degrees_as_radians")
def rotate_images_radians(images, angles):
    n, H, W = images.shape
    t = np.asarray(angles, dtype=float)[:, None, None]
    ci, cj = (H - 1) / 2, (W - 1) / 2
    i, j = np.indices((H, W))
    r = np.rint(ci + (i - ci) * np.cos(t) + (j - cj) * np.sin(t)).astype(int)
    c = np.rint(cj - (i - ci) * np.sin(t) + (j - cj) * np.cos(t)).astype(int)
    inside = (r >= 0) & (r < H) & (c >= 0) & (c < W)
    return np.where(inside, images[np.arange(n)[:, None, None], r.clip(0, H - 1), c.clip(0, W - 1)], 0)


@wrong("augment.rotate", "clockwise")
def rotate_images_clockwise(images, angles):
    """The textbook rotation matrix with y pointing up, on rows that point down."""
    n, H, W = images.shape
    t = np.deg2rad(np.asarray(angles, dtype=float))[:, None, None]
    ci, cj = (H - 1) / 2, (W - 1) / 2
    i, j = np.indices((H, W))
    r = np.rint(ci + (i - ci) * np.cos(t) - (j - cj) * np.sin(t)).astype(int)
    c = np.rint(cj + (i - ci) * np.sin(t) + (j - cj) * np.cos(t)).astype(int)
    inside = (r >= 0) & (r < H) & (c >= 0) & (c < W)
    return np.where(inside, images[np.arange(n)[:, None, None], r.clip(0, H - 1), c.clip(0, W - 1)], 0)


@wrong("augment.rotate", "centre_not_middle")
def rotate_images_half_size(images, angles):
    n, H, W = images.shape
    t = np.deg2rad(np.asarray(angles, dtype=float))[:, None, None]
    ci, cj = H / 2, W / 2
    i, j = np.indices((H, W))
    r = np.rint(ci + (i - ci) * np.cos(t) + (j - cj) * np.sin(t)).astype(int)
    c = np.rint(cj - (i - ci) * np.sin(t) + (j - cj) * np.cos(t)).astype(int)
    inside = (r >= 0) & (r < H) & (c >= 0) & (c < W)
    return np.where(inside, images[np.arange(n)[:, None, None], r.clip(0, H - 1), c.clip(0, W - 1)], 0)


@wrong("augment.rotate", "truncated")
def rotate_images_astype(images, angles):
    n, H, W = images.shape
    t = np.deg2rad(np.asarray(angles, dtype=float))[:, None, None]
    ci, cj = (H - 1) / 2, (W - 1) / 2
    i, j = np.indices((H, W))
    r = (ci + (i - ci) * np.cos(t) + (j - cj) * np.sin(t)).astype(int)
    c = (cj - (i - ci) * np.sin(t) + (j - cj) * np.cos(t)).astype(int)
    inside = (r >= 0) & (r < H) & (c >= 0) & (c < W)
    return np.where(inside, images[np.arange(n)[:, None, None], r.clip(0, H - 1), c.clip(0, W - 1)], 0)


@wrong("augment.rotate", "outside_clipped")
def rotate_images_clip_only(images, angles):
    n, H, W = images.shape
    t = np.deg2rad(np.asarray(angles, dtype=float))[:, None, None]
    ci, cj = (H - 1) / 2, (W - 1) / 2
    i, j = np.indices((H, W))
    r = np.rint(ci + (i - ci) * np.cos(t) + (j - cj) * np.sin(t)).astype(int).clip(0, H - 1)
    c = np.rint(cj - (i - ci) * np.sin(t) + (j - cj) * np.cos(t)).astype(int).clip(0, W - 1)
    return images[np.arange(n)[:, None, None], r, c]


@wrong("augment.rotate", "forward_mapping")
def rotate_images_scatter(images, angles):
    """Sends every input pixel to its rotated place."""
    out = np.zeros_like(images)
    n, H, W = images.shape
    ci, cj = (H - 1) / 2, (W - 1) / 2
    i, j = np.indices((H, W))
    for k in range(n):
        t = np.deg2rad(angles[k])
        r = np.rint(ci + (i - ci) * np.cos(t) - (j - cj) * np.sin(t)).astype(int)
        c = np.rint(cj + (i - ci) * np.sin(t) + (j - cj) * np.cos(t)).astype(int)
        ok = (r >= 0) & (r < H) & (c >= 0) & (c < W)
        out[k][r[ok], c[ok]] = images[k][ok]
    return out


# ----- layernorm.forward / layernorm.backward --------------------------------------------------------

@correct("layernorm.forward")
def layernorm_forward(x, gamma, beta, eps):
    xhat = (x - x.mean(axis=1, keepdims=True)) / np.sqrt(x.var(axis=1, keepdims=True) + eps)
    return gamma * xhat + beta


@correct("layernorm.forward")
def layernorm_forward_transposed(x, gamma, beta, eps):
    """Batch norm's code on x.T, transposed back."""
    xt = x.T
    xhat = (xt - xt.mean(axis=0)) / np.sqrt(xt.var(axis=0) + eps)
    return gamma * xhat.T + beta


@wrong("layernorm.forward", "batch_axis")
def layernorm_forward_batchnorm(x, gamma, beta, eps):
    xhat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
    return gamma * xhat + beta


@wrong("layernorm.forward", "unbiased_variance")
def layernorm_forward_ddof(x, gamma, beta, eps):
    mu = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, ddof=1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


@wrong("layernorm.forward", "eps_placement")
def layernorm_forward_std(x, gamma, beta, eps):
    return gamma * (x - x.mean(axis=1, keepdims=True)) / (x.std(axis=1, keepdims=True) + eps) + beta


@wrong("layernorm.forward", "keepdims_missing")
def layernorm_forward_no_keepdims(x, gamma, beta, eps):
    mu = x.mean(axis=1)
    var = x.var(axis=1)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


@wrong("layernorm.forward", "gamma_beta_swapped")
def layernorm_forward_swapped(x, gamma, beta, eps):
    xhat = (x - x.mean(axis=1, keepdims=True)) / np.sqrt(x.var(axis=1, keepdims=True) + eps)
    return beta * xhat + gamma


@correct("layernorm.backward")
def layernorm_backward(dout, x, gamma, eps):
    std = np.sqrt(x.var(axis=1, keepdims=True) + eps)
    xhat = (x - x.mean(axis=1, keepdims=True)) / std
    dxhat = dout * gamma
    dx = (dxhat - dxhat.mean(axis=1, keepdims=True) - xhat * (dxhat * xhat).mean(axis=1, keepdims=True)) / std
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


@correct("layernorm.backward")
def layernorm_backward_chain(dout, x, gamma, eps):
    """Step by step through the variance and the mean, as a computation graph."""
    d = x.shape[1]
    mu = x.mean(axis=1, keepdims=True)
    xc = x - mu
    var = (xc ** 2).mean(axis=1, keepdims=True)
    inv = 1 / np.sqrt(var + eps)
    xhat = xc * inv
    dxhat = dout * gamma
    dinv = (dxhat * xc).sum(axis=1, keepdims=True)
    dvar = dinv * -0.5 * (var + eps) ** -1.5
    dxc = dxhat * inv + dvar * 2 * xc / d
    dx = dxc - dxc.mean(axis=1, keepdims=True)
    return dx, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)


@wrong("layernorm.backward", "missing_term")
def layernorm_backward_no_var(dout, x, gamma, eps):
    std = np.sqrt(x.var(axis=1, keepdims=True) + eps)
    xhat = (x - x.mean(axis=1, keepdims=True)) / std
    dxhat = dout * gamma
    return (dxhat - dxhat.mean(axis=1, keepdims=True)) / std, (dout * xhat).sum(axis=0), dout.sum(axis=0)


@wrong("layernorm.backward", "batch_statistics")
def layernorm_backward_batchnorm_code(dout, x, gamma, eps):
    """Lesson 07's batch-norm backward, unchanged."""
    mu, var = x.mean(axis=0), x.var(axis=0)
    xhat = (x - mu) / np.sqrt(var + eps)
    dxhat = dout * gamma
    dx = (dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0)) / np.sqrt(var + eps)
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


@wrong("layernorm.backward", "batch_axis")
def layernorm_backward_batchnorm(dout, x, gamma, eps):
    std = np.sqrt(x.var(axis=1, keepdims=True) + eps)
    xhat = (x - x.mean(axis=1, keepdims=True)) / std
    dxhat = dout * gamma
    dx = (dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0)) / std
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


@wrong("layernorm.backward", "params_wrong_axis")
def layernorm_backward_params_per_row(dout, x, gamma, eps):
    std = np.sqrt(x.var(axis=1, keepdims=True) + eps)
    xhat = (x - x.mean(axis=1, keepdims=True)) / std
    dxhat = dout * gamma
    dx = (dxhat - dxhat.mean(axis=1, keepdims=True) - xhat * (dxhat * xhat).mean(axis=1, keepdims=True)) / std
    return dx, (dout * xhat).sum(axis=1), dout.sum(axis=1)


@wrong("layernorm.backward", "dgamma_uses_x")
def layernorm_backward_dgamma_x(dout, x, gamma, eps):
    std = np.sqrt(x.var(axis=1, keepdims=True) + eps)
    xhat = (x - x.mean(axis=1, keepdims=True)) / std
    dxhat = dout * gamma
    dx = (dxhat - dxhat.mean(axis=1, keepdims=True) - xhat * (dxhat * xhat).mean(axis=1, keepdims=True)) / std
    return dx, (dout * x).sum(axis=0), dout.sum(axis=0)


@wrong("layernorm.backward", "divided_by_batch")
def layernorm_backward_over_n(dout, x, gamma, eps):
    """Batch norm's backward with the sums moved to axis 1 but still divided by N."""
    n = x.shape[0]
    std = np.sqrt(x.var(axis=1, keepdims=True) + eps)
    xhat = (x - x.mean(axis=1, keepdims=True)) / std
    dxhat = dout * gamma
    dx = (dxhat - dxhat.sum(axis=1, keepdims=True) / n - xhat * (dxhat * xhat).sum(axis=1, keepdims=True) / n) / std
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


@wrong("layernorm.backward", "gamma_missing")
def layernorm_backward_no_gamma(dout, x, gamma, eps):
    std = np.sqrt(x.var(axis=1, keepdims=True) + eps)
    xhat = (x - x.mean(axis=1, keepdims=True)) / std
    dx = (dout - dout.mean(axis=1, keepdims=True) - xhat * (dout * xhat).mean(axis=1, keepdims=True)) / std
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)
