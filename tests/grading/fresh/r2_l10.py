"""Round-2 fresh entries for lesson 10 (training in practice)."""
import numpy as np

import dlkit
import dlkit.functional as F
from dlkit import nn, optim

from ._fresh import correct, wrong


def _make_mlp(params):
    layers = []
    for w, b in zip(params[::2], params[1::2]):
        linear = nn.Linear(w.shape[1], w.shape[0], dtype=w.dtype)
        linear.load_state_dict({"weight": w, "bias": b})
        layers += [linear, nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def _numerical_gradient(f, x, h=1e-5):
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


# ---------------------------------------------------------------- initial_loss


@wrong("sanity.initial_loss", "10", ["log c", "classes", "number of classes", "shape[1]", "columns"],
       "returns log N (the number of examples, len(y)) as the expected loss instead of log C")
def initial_loss(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    return np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y]), np.log(len(y))


# ---------------------------------------------------------------- gradient_check


@wrong("sanity.gradient_check", "10", ["copy", "in place", "itself", "same array", "never sees"],
       "hands numerical_gradient a copy of p, so the nudges never reach params and the numerical gradient is 0")
def gradient_check(f, params, grads, h=1e-5):
    errors = []
    for p, g in zip(params, grads):
        num = _numerical_gradient(lambda _: f(params), p.copy(), h)
        errors.append(np.linalg.norm(g - num) / (np.linalg.norm(g) + np.linalg.norm(num)))
    return np.array(errors)


# ---------------------------------------------------------------- overfit / update_ratios


@wrong("sanity.overfit", "10", ["before", "after the update", "after the step", "order", "recomput"],
       "records the loss recomputed after each step's update instead of the loss before it")
def overfit(params, x, y, lr, steps):
    model = _make_mlp(params)
    opt = optim.Adam(model.parameters(), lr=lr)
    xt, yt = dlkit.tensor(x), dlkit.tensor(y)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        with dlkit.no_grad():
            losses.append(F.cross_entropy(model(xt), yt).item())
    return np.array(losses)


@wrong("sanity.update_ratios", "10", ["before", "denominator", "w_before", "new weights", "norm of after"],
       "divides by the norm of the new weights instead of the weights before the step")
def update_ratios(before, after):
    return np.array([np.linalg.norm(a - b) / np.linalg.norm(a) for b, a in zip(before, after)])


# ---------------------------------------------------------------- adamw_step


@wrong("adamw.step", "10", ["l2", "decoupl", "penalty", "adam + l2", "into the gradient"],
       "adds weight_decay * w to the gradient (Adam with an L2 penalty) instead of decaying the weights directly")
def adamw_step(w, dw, m, v, t, lr, beta1, beta2, eps, weight_decay):
    g = dw + weight_decay * w
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@wrong("adamw.step", "10", ["decay first", "old weights", "before the adam", "already-updated", "updated weights"],
       "takes the Adam step first and decays the already-updated weights afterwards")
def adamw_step(w, dw, m, v, t, lr, beta1, beta2, eps, weight_decay):  # noqa: F811
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return w * (1 - lr * weight_decay), m, v


# ---------------------------------------------------------------- augmentation


@wrong("augment.shift", "10", ["roll", "wrap", "zero", "edge", "pad"],
       "shifts with np.roll, which wraps the pixels that leave one edge around to the other")
def shift_images(images, dy, dx):
    return np.stack([np.roll(img, (int(a), int(b)), axis=(0, 1)) for img, a, b in zip(images, dy, dx)])


@correct("augment.shift", "10", "copies the overlapping block into a zero array, no padding")
def shift_images(images, dy, dx):  # noqa: F811
    n, H, W = images.shape
    out = np.zeros_like(images)
    for k in range(n):
        a, b = int(dy[k]), int(dx[k])
        if abs(a) >= H or abs(b) >= W:
            continue
        src_r = slice(max(0, -a), H - max(0, a))
        dst_r = slice(max(0, a), H - max(0, -a))
        src_c = slice(max(0, -b), W - max(0, b))
        dst_c = slice(max(0, b), W - max(0, -b))
        out[k, dst_r, dst_c] = images[k, src_r, src_c]
    return out


@wrong("augment.rotate", "10", ["radian", "deg2rad", "degree"],
       "feeds the angles in degrees straight to np.cos and np.sin")
def rotate_images(images, angles):
    n, H, W = images.shape
    t = np.asarray(angles, dtype=float)[:, None, None]
    i, j = np.indices((H, W)) - np.array([(H - 1) / 2, (W - 1) / 2])[:, None, None]
    r = np.rint((H - 1) / 2 + i * np.cos(t) + j * np.sin(t)).astype(int)
    c = np.rint((W - 1) / 2 - i * np.sin(t) + j * np.cos(t)).astype(int)
    inside = (r >= 0) & (r < H) & (c >= 0) & (c < W)
    return np.where(inside, images[np.arange(n)[:, None, None], r.clip(0, H - 1), c.clip(0, W - 1)], 0)


@correct("augment.rotate", "10", "one image at a time, with boolean-mask assignment into a zero array")
def rotate_images(images, angles):  # noqa: F811
    n, H, W = images.shape
    out = np.zeros_like(images)
    ci, cj = (H - 1) / 2, (W - 1) / 2
    ii, jj = np.indices((H, W))
    i, j = ii - ci, jj - cj
    for k in range(n):
        t = np.deg2rad(float(angles[k]))
        r = np.rint(ci + i * np.cos(t) + j * np.sin(t)).astype(int)
        c = np.rint(cj - i * np.sin(t) + j * np.cos(t)).astype(int)
        ok = (r >= 0) & (r < H) & (c >= 0) & (c < W)
        out[k][ok] = images[k][r[ok], c[ok]]
    return out


# ---------------------------------------------------------------- layer norm


@wrong("layernorm.forward", "10", ["axis", "row", "each example", "batch norm", "over the features"],
       "takes the mean and variance over the batch axis (axis 0), i.e. batch norm")
def layernorm_forward(x, gamma, beta, eps):
    xhat = (x - x.mean(axis=0, keepdims=True)) / np.sqrt(x.var(axis=0, keepdims=True) + eps)
    return gamma * xhat + beta


@wrong("layernorm.backward", "10", ["keepdims", "broadcast", "(n, 1)", "column"],
       "takes the row means in dx without keepdims, so the (N,) means broadcast along the wrong axis")
def layernorm_backward(dout, x, gamma, eps):
    std = np.sqrt(x.var(axis=1, keepdims=True) + eps)
    xhat = (x - x.mean(axis=1, keepdims=True)) / std
    g = dout * gamma
    dx = (g - g.mean(axis=1) - xhat * (g * xhat).mean(axis=1)) / std
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


@correct("layernorm.backward", "10", "transposes and reuses batch norm's dx formula (columns = examples)")
def layernorm_backward(dout, x, gamma, eps):  # noqa: F811
    xt = x.T
    std = np.sqrt(xt.var(axis=0) + eps)
    xhat_t = (xt - xt.mean(axis=0)) / std
    g_t = (dout * gamma).T
    dx_t = (g_t - g_t.mean(axis=0) - xhat_t * (g_t * xhat_t).mean(axis=0)) / std
    return dx_t.T, (dout * xhat_t.T).sum(axis=0), dout.sum(axis=0)
