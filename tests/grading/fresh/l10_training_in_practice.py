"""Lesson 10 · Training in practice: initial_loss, gradient_check, overfit, update_ratios, adamw_step,
shift_images, rotate_images, layernorm_forward, layernorm_backward.

Written from the student notebook alone. make_mlp and numerical_gradient are copies of the notebook's setup
cell, the globals a learner's answer uses there.
"""
import math

import numpy as np

import dlkit
import dlkit.functional as F
from dlkit import nn, optim

from ._fresh import correct, wrong

L = "10"


# ---- the notebook's setup cell ---------------------------------------------------------------------------


def make_mlp(params):
    """An MLP holding copies of params = [weight1, bias1, weight2, bias2, ...], with ReLUs between the layers."""
    layers = []
    for w, b in zip(params[::2], params[1::2]):
        linear = nn.Linear(w.shape[1], w.shape[0], dtype=w.dtype)
        linear.load_state_dict({"weight": w, "bias": b})
        layers += [linear, nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def numerical_gradient(f, x, h=1e-5):
    """Lesson 02's centered differences of the scalar f(x); x is changed in place one entry at a time, restored."""
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


# ---- sanity.initial_loss(logits, y) -> (loss, log C) -------------------------------------------------------


@wrong("sanity.initial_loss", L, ["max", "overflow", "stabl", "inf", "nan"],
       "no max trick: log(sum(exp(z))) straight, which overflows for large logits")
def initial_loss(logits, y):
    n, c = logits.shape
    lse = np.log(np.sum(np.exp(logits), axis=1))
    return float(np.mean(lse - logits[np.arange(n), y])), float(np.log(c))


@wrong("sanity.initial_loss", L, ["add back", "add the max", "+ m", "max back", "shift"],
       "subtracts the max inside the exp but never adds it back to the log-sum-exp")
def initial_loss(logits, y):  # noqa: F811
    n, c = logits.shape
    m = logits.max(axis=1, keepdims=True)
    lse = np.log(np.sum(np.exp(logits - m), axis=1))
    return float(np.mean(lse - logits[np.arange(n), y])), float(np.log(c))


@wrong("sanity.initial_loss", L, ["log c", "classes", "shape[1]", "number of classes", "expected"],
       "expected = log N: takes logits.shape[0] (examples) instead of the number of classes")
def initial_loss(logits, y):  # noqa: F811
    n, c = logits.shape
    m = logits.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.sum(np.exp(logits - m), axis=1))
    return float(np.mean(lse - logits[np.arange(n), y])), float(np.log(n))


@wrong("sanity.initial_loss", L, ["mean", "average", "sum"], "sums the per-example losses instead of averaging")
def initial_loss(logits, y):  # noqa: F811
    n, c = logits.shape
    m = logits.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.sum(np.exp(logits - m), axis=1))
    return float(np.sum(lse - logits[np.arange(n), y])), float(np.log(c))


@wrong("sanity.initial_loss", L, ["index", "arange", "label", "each example's"],
       "logits[:, y]: picks the labels' columns for every row (an N x N block), then averages it all")
def initial_loss(logits, y):  # noqa: F811
    n, c = logits.shape
    m = logits.max(axis=1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(logits - m), axis=1, keepdims=True))
    return float(np.mean(lse - logits[:, y])), float(np.log(c))


@wrong("sanity.initial_loss", L, ["natural", "log10", "ln", "base"], "expected = log10(C) instead of the natural log")
def initial_loss(logits, y):  # noqa: F811
    n, c = logits.shape
    m = logits.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.sum(np.exp(logits - m), axis=1))
    return float(np.mean(lse - logits[np.arange(n), y])), float(np.log10(c))


@correct("sanity.initial_loss", L, "np.logaddexp.reduce for the log-sum-exp, a Python loop over the rows for the pick")
def initial_loss(logits, y):  # noqa: F811
    z = np.asarray(logits, dtype=np.float64)
    lse = np.logaddexp.reduce(z, axis=1)
    picked = np.array([z[k, int(label)] for k, label in enumerate(y)])
    return float((lse - picked).mean()), math.log(z.shape[1])


@correct("sanity.initial_loss", L, "log-softmax with the max trick, then -mean of one-hot * log p")
def initial_loss(logits, y):  # noqa: F811
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    onehot = np.eye(logits.shape[1])[y]
    return -np.sum(onehot * logp) / len(y), np.log(logits.shape[1])


# ---- sanity.gradient_check(f, params, grads, h=1e-5) -> errors, one per array ------------------------------


@wrong("sanity.gradient_check", L, ["in place", "in-place", "copy", "the array itself", "same array", "zero"],
       "hands numerical_gradient p.copy(): f(params) never sees the change, the numerical gradient is 0")
def gradient_check(f, params, grads, h=1e-5):
    errors = []
    for p, g in zip(params, grads):
        n = numerical_gradient(lambda _: f(params), p.copy(), h)
        errors.append(np.linalg.norm(g - n) / (np.linalg.norm(g) + np.linalg.norm(n)))
    return np.array(errors)


@wrong("sanity.gradient_check", L, ["list", "ignores its argument", "whole list", "f(params)"],
       "hands numerical_gradient f itself: f is called with one array instead of the list")
def gradient_check(f, params, grads, h=1e-5):  # noqa: F811
    errors = []
    for p, g in zip(params, grads):
        n = numerical_gradient(f, p, h)
        errors.append(np.linalg.norm(g - n) / (np.linalg.norm(g) + np.linalg.norm(n)))
    return np.array(errors)


@wrong("sanity.gradient_check", L, ["denominator", "||n||", "both norms", "||g|| + ||n||"],
       "||g - n|| / ||g||: leaves ||n|| out of the denominator")
def gradient_check(f, params, grads, h=1e-5):  # noqa: F811
    errors = []
    for p, g in zip(params, grads):
        n = numerical_gradient(lambda _: f(params), p, h)
        errors.append(np.linalg.norm(g - n) / np.linalg.norm(g))
    return np.array(errors)


@wrong("sanity.gradient_check", L, ["one error per", "per array", "each array", "shape", "length", "scalar"],
       "returns the largest error only, one number for the whole model")
def gradient_check(f, params, grads, h=1e-5):  # noqa: F811
    worst = 0.0
    for p, g in zip(params, grads):
        n = numerical_gradient(lambda _: f(params), p, h)
        worst = max(worst, np.linalg.norm(g - n) / (np.linalg.norm(g) + np.linalg.norm(n)))
    return worst


@wrong("sanity.gradient_check", L, ["norm", "elementwise", "element-wise", "per entry", "vector"],
       "the mean of the entrywise relative errors |g - n| / (|g| + |n|) instead of the norms of the vectors")
def gradient_check(f, params, grads, h=1e-5):  # noqa: F811
    errors = []
    for p, g in zip(params, grads):
        n = numerical_gradient(lambda _: f(params), p, h)
        errors.append(np.mean(np.abs(g - n) / (np.abs(g) + np.abs(n) + 1e-12)))
    return np.array(errors)


@wrong("sanity.gradient_check", L, ["step size", "h=", "h =", "argument h", "given h", "the h "],
       "drops h: numerical_gradient always runs with its default 1e-5")
def gradient_check(f, params, grads, h=1e-5):  # noqa: F811
    errors = []
    for p, g in zip(params, grads):
        n = numerical_gradient(lambda _: f(params), p)
        errors.append(np.linalg.norm(g - n) / (np.linalg.norm(g) + np.linalg.norm(n)))
    return np.array(errors)


@correct("sanity.gradient_check", L, "its own centred differences over the flat view of each array, norms via sqrt(sum)")
def gradient_check(f, params, grads, h=1e-5):  # noqa: F811
    out = np.zeros(len(params))
    for k, (p, g) in enumerate(zip(params, grads)):
        flat = p.reshape(-1)          # a view: writes reach params[k]
        num = np.zeros(flat.size)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + h
            plus = f(params)
            flat[i] = old - h
            minus = f(params)
            flat[i] = old
            num[i] = (plus - minus) / (2 * h)
        gv = np.asarray(g, dtype=np.float64).reshape(-1)
        out[k] = np.sqrt(np.sum((gv - num) ** 2)) / (np.sqrt(np.sum(gv ** 2)) + np.sqrt(np.sum(num ** 2)))
    return out


# ---- sanity.overfit(params, x, y, lr, steps) -> losses -------------------------------------------------------


@wrong("sanity.overfit", L, ["before", "after the update", "after each update", "order", "shift", "first loss"],
       "records the loss after the update (a second forward pass after opt.step())")
def overfit(params, x, y, lr, steps):
    model = make_mlp(params)
    opt = optim.Adam(model.parameters(), lr=lr)
    xt, yt = dlkit.tensor(x), dlkit.tensor(y)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(F.cross_entropy(model(xt), yt).item())
    return np.array(losses)


@wrong("sanity.overfit", L, ["zero_grad", "accumulat"], "forgets opt.zero_grad(): the gradients pile up")
def overfit(params, x, y, lr, steps):  # noqa: F811
    model = make_mlp(params)
    opt = optim.Adam(model.parameters(), lr=lr)
    xt, yt = dlkit.tensor(x), dlkit.tensor(y)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(xt), yt)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return np.array(losses)


@wrong("sanity.overfit", L, ["adam", "sgd", "optimizer"], "uses optim.SGD instead of optim.Adam")
def overfit(params, x, y, lr, steps):  # noqa: F811
    model = make_mlp(params)
    opt = optim.SGD(model.parameters(), lr=lr)
    xt, yt = dlkit.tensor(x), dlkit.tensor(y)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return np.array(losses)


@wrong("sanity.overfit", L, ["lr", "learning rate"], "optim.Adam(model.parameters()): forgets to pass lr, runs at 1e-3")
def overfit(params, x, y, lr, steps):  # noqa: F811
    model = make_mlp(params)
    opt = optim.Adam(model.parameters())
    xt, yt = dlkit.tensor(x), dlkit.tensor(y)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return np.array(losses)


@wrong("sanity.overfit", L, ["steps", "length", "number of", "one loss per", "off by one", "off-by-one", "extra"],
       "records the starting loss, then one more after each of the steps: steps + 1 losses")
def overfit(params, x, y, lr, steps):  # noqa: F811
    model = make_mlp(params)
    opt = optim.Adam(model.parameters(), lr=lr)
    xt, yt = dlkit.tensor(x), dlkit.tensor(y)
    losses = [F.cross_entropy(model(xt), yt).item()]
    for _ in range(steps):
        loss = F.cross_entropy(model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(F.cross_entropy(model(xt), yt).item())
    return np.array(losses)


@correct("sanity.overfit", L, "a preallocated float64 array, the loss read with detach().numpy(), labels cast to int64")
def overfit(params, x, y, lr, steps):  # noqa: F811
    model = make_mlp([np.array(p, copy=True) for p in params])
    opt = optim.Adam(list(model.parameters()), lr=lr)
    xt = dlkit.tensor(np.asarray(x, dtype=np.float32))
    yt = dlkit.tensor(np.asarray(y).astype(np.int64))
    out = np.empty(steps, dtype=np.float64)
    for k in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(xt), yt)
        out[k] = float(loss.detach().numpy())
        loss.backward()
        opt.step()
    return out


# ---- sanity.update_ratios(before, after) -> ratios ------------------------------------------------------------


@wrong("sanity.update_ratios", L, ["denominator", "||w_before||", "||before||", "norm of before", "divide"],
       "divides by ||after|| instead of ||before||")
def update_ratios(before, after):
    return np.array([np.linalg.norm(a - b) / np.linalg.norm(a) for b, a in zip(before, after)])


@wrong("sanity.update_ratios", L, ["difference of the norms", "norm of the difference", "||after - before||",
                                   "difference"],
       "(||after|| - ||before||) / ||before||: the change of the norms, not the norm of the change")
def update_ratios(before, after):  # noqa: F811
    return np.array([(np.linalg.norm(a) - np.linalg.norm(b)) / np.linalg.norm(b) for b, a in zip(before, after)])


@wrong("sanity.update_ratios", L, ["square", "sqrt", "squared"], "squared norms: sum((a - b)^2) / sum(b^2)")
def update_ratios(before, after):  # noqa: F811
    return np.array([np.sum((a - b) ** 2) / np.sum(b ** 2) for b, a in zip(before, after)])


@wrong("sanity.update_ratios", L, ["elementwise", "element-wise", "norm", "per entry"],
       "the mean of the entrywise ratios |a - b| / |b|")
def update_ratios(before, after):  # noqa: F811
    return np.array([np.mean(np.abs(a - b) / (np.abs(b) + 1e-12)) for b, a in zip(before, after)])


@wrong("sanity.update_ratios", L, ["per array", "each pair", "one ratio", "shape", "length", "concaten"],
       "one ratio for all arrays together (concatenated)")
def update_ratios(before, after):  # noqa: F811
    b = np.concatenate([np.ravel(p) for p in before])
    a = np.concatenate([np.ravel(p) for p in after])
    return np.linalg.norm(a - b) / np.linalg.norm(b)


@correct("sanity.update_ratios", L, "np.vdot for the squared norms, a loop filling a preallocated array")
def update_ratios(before, after):  # noqa: F811
    out = np.zeros(len(before))
    for k in range(len(before)):
        d = np.asarray(after[k], dtype=np.float64) - np.asarray(before[k], dtype=np.float64)
        b = np.asarray(before[k], dtype=np.float64)
        out[k] = math.sqrt(np.vdot(d, d).real) / math.sqrt(np.vdot(b, b).real)
    return out


# ---- adamw.step(w, dw, m, v, t, lr, beta1, beta2, eps, weight_decay) -> (w, m, v) --------------------------


@wrong("adamw.step", L, ["l2", "decoupl", "penalty", "into the gradient", "adam with"],
       "Adam with L2: adds weight_decay * w to the gradient instead of decaying the weights")
def adamw_step(w, dw, m, v, t, lr, beta1, beta2, eps, weight_decay):
    g = dw + weight_decay * w
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    mhat, vhat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - lr * mhat / (np.sqrt(vhat) + eps), m, v


@wrong("adamw.step", L, ["order", "old weight", "decay first", "before the adam", "first"],
       "decays the weights after the Adam step instead of before it")
def adamw_step(w, dw, m, v, t, lr, beta1, beta2, eps, weight_decay):  # noqa: F811
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw * dw
    mhat, vhat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    w = w - lr * mhat / (np.sqrt(vhat) + eps)
    return w * (1 - lr * weight_decay), m, v


@wrong("adamw.step", L, ["lr", "learning rate", "eta", "η"], "decays by (1 - weight_decay), forgetting the lr")
def adamw_step(w, dw, m, v, t, lr, beta1, beta2, eps, weight_decay):  # noqa: F811
    w = w * (1 - weight_decay)
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw * dw
    mhat, vhat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - lr * mhat / (np.sqrt(vhat) + eps), m, v


@wrong("adamw.step", L, ["bias correction", "bias-correct", "beta1 ** t", "beta1^t", "1 - beta1"],
       "forgets the bias correction of m and v in the step")
def adamw_step(w, dw, m, v, t, lr, beta1, beta2, eps, weight_decay):  # noqa: F811
    w = w * (1 - lr * weight_decay)
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw * dw
    return w - lr * m / (np.sqrt(v) + eps), m, v


@wrong("adamw.step", L, ["bias-corrected", "bias corrected", "uncorrected", "not bias", "m_hat", "mhat", "m̂"],
       "returns the bias-corrected m_hat and v_hat instead of m and v")
def adamw_step(w, dw, m, v, t, lr, beta1, beta2, eps, weight_decay):  # noqa: F811
    w = w * (1 - lr * weight_decay)
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw * dw
    mhat, vhat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - lr * mhat / (np.sqrt(vhat) + eps), mhat, vhat


@wrong("adamw.step", L, ["eps", "epsilon", "ε", "sqrt"], "eps inside the square root: sqrt(v_hat + eps)")
def adamw_step(w, dw, m, v, t, lr, beta1, beta2, eps, weight_decay):  # noqa: F811
    w = w * (1 - lr * weight_decay)
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw * dw
    mhat, vhat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - lr * mhat / np.sqrt(vhat + eps), m, v


@wrong("adamw.step", L, ["in place", "in-place", "mutat", "modif", "copy", "changed"],
       "updates w, m and v in place (*=, +=), changing the caller's arrays")
def adamw_step(w, dw, m, v, t, lr, beta1, beta2, eps, weight_decay):  # noqa: F811
    w *= 1 - lr * weight_decay
    m *= beta1
    m += (1 - beta1) * dw
    v *= beta2
    v += (1 - beta2) * dw * dw
    w -= lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return w, m, v


@correct("adamw.step", L, "one line: w - lr * (weight_decay * w + m_hat / (sqrt(v_hat) + eps)), the decay expanded")
def adamw_step(w, dw, m, v, t, lr, beta1, beta2, eps, weight_decay):  # noqa: F811
    m_new = beta1 * m + (1 - beta1) * dw
    v_new = beta2 * v + (1 - beta2) * np.square(dw)
    m_hat = m_new / (1 - beta1 ** t)
    v_hat = v_new / (1 - beta2 ** t)
    return w - lr * (weight_decay * w + m_hat / (np.sqrt(v_hat) + eps)), m_new, v_new


# ---- augment.shift(images, dy, dx) -----------------------------------------------------------------------------


@wrong("augment.shift", L, ["roll", "wrap", "zero", "edge"], "np.roll per image: the digit wraps around the edge")
def shift_images(images, dy, dx):
    out = np.empty_like(images)
    for n in range(len(images)):
        out[n] = np.roll(images[n], (int(dy[n]), int(dx[n])), axis=(0, 1))
    return out


@wrong("augment.shift", L, ["sign", "direction", "opposite", "wrong way"],
       "images[n, i + dy, j + dx]: moves the digit up and left instead of down and right")
def shift_images(images, dy, dx):  # noqa: F811
    n_img, h, w = images.shape
    out = np.zeros_like(images)
    i, j = np.indices((h, w))
    for n in range(n_img):
        r, s = i + dy[n], j + dx[n]
        ok = (r >= 0) & (r < h) & (s >= 0) & (s < w)
        out[n][ok] = images[n][r[ok], s[ok]]
    return out


@wrong("augment.shift", L, ["swap", "rows", "columns", "axis", "dx and dy", "dy and dx"],
       "dy shifts the columns and dx the rows (swapped)")
def shift_images(images, dy, dx):  # noqa: F811
    n_img, h, w = images.shape
    p = max(h, w)
    out = np.zeros_like(images)
    for n in range(n_img):
        padded = np.pad(images[n], p)
        out[n] = padded[p - dx[n]:p - dx[n] + h, p - dy[n]:p - dy[n] + w]
    return out


@wrong("augment.shift", L, ["dtype", "float32", "float64"], "np.zeros(images.shape): the result is float64")
def shift_images(images, dy, dx):  # noqa: F811
    n_img, h, w = images.shape
    p = max(h, w)
    out = np.zeros(images.shape)
    for n in range(n_img):
        padded = np.pad(images[n], p)
        out[n] = padded[p - dy[n]:p - dy[n] + h, p - dx[n]:p - dx[n] + w]
    return out


@wrong("augment.shift", L, ["in place", "in-place", "modif", "mutat", "copy", "changed"],
       "writes the shifted images back into images and returns it")
def shift_images(images, dy, dx):  # noqa: F811
    n_img, h, w = images.shape
    p = max(h, w)
    for n in range(n_img):
        padded = np.pad(images[n], p)
        images[n] = padded[p - dy[n]:p - dy[n] + h, p - dx[n]:p - dx[n] + w]
    return images


@wrong("augment.shift", L, ["larger", "large shift", "pad", "bigger", "beyond"],
       "pads by a fixed 2 pixels (augment's max_shift), wrong for larger shifts")
def shift_images(images, dy, dx):  # noqa: F811
    n_img, h, w = images.shape
    out = np.zeros_like(images)
    for n in range(n_img):
        padded = np.pad(images[n], 2)
        out[n] = padded[2 - dy[n]:2 - dy[n] + h, 2 - dx[n]:2 - dx[n] + w]
    return out


@correct("augment.shift", L, "no padding: clipped source and target slices, one per image")
def shift_images(images, dy, dx):  # noqa: F811
    n_img, h, w = images.shape
    out = np.zeros_like(images)
    for n in range(n_img):
        a, b = int(dy[n]), int(dx[n])
        if abs(a) >= h or abs(b) >= w:
            continue
        out[n, max(a, 0):h + min(a, 0), max(b, 0):w + min(b, 0)] = \
            images[n, max(-a, 0):h - max(a, 0), max(-b, 0):w - max(b, 0)]
    return out


@correct("augment.shift", L, "all images at once by fancy indexing with np.indices and a mask")
def shift_images(images, dy, dx):  # noqa: F811
    n_img, h, w = images.shape
    i, j = np.indices((h, w))
    r = i[None] - np.asarray(dy).reshape(-1, 1, 1)
    s = j[None] - np.asarray(dx).reshape(-1, 1, 1)
    ok = (r >= 0) & (r < h) & (s >= 0) & (s < w)
    nn_ = np.broadcast_to(np.arange(n_img)[:, None, None], r.shape)
    vals = images[nn_, np.clip(r, 0, h - 1), np.clip(s, 0, w - 1)]
    return np.where(ok, vals, 0).astype(images.dtype)


# ---- augment.rotate(images, angles) ------------------------------------------------------------------------------


def _rotate_with(images, angles, theta_of, centre, rounding, inside):
    n_img, h, w = images.shape
    ci, cj = centre(h, w)
    i, j = np.indices((h, w))
    out = np.zeros_like(images)
    for n in range(n_img):
        th = theta_of(angles[n])
        r = rounding(ci + (i - ci) * np.cos(th) + (j - cj) * np.sin(th)).astype(int)
        s = rounding(cj - (i - ci) * np.sin(th) + (j - cj) * np.cos(th)).astype(int)
        ok = inside(r, s, h, w)
        out[n][ok] = images[n][r[ok], s[ok]]
    return out


def _centre(h, w):
    return (h - 1) / 2, (w - 1) / 2


def _inside(r, s, h, w):
    return (r >= 0) & (r < h) & (s >= 0) & (s < w)


@wrong("augment.rotate", L, ["degree", "radian", "deg2rad"], "hands the degrees to cos and sin as radians")
def rotate_images(images, angles):
    return _rotate_with(images, angles, lambda a: a, _centre, np.rint, _inside)


@wrong("augment.rotate", L, ["clockwise", "direction", "sign", "counter"],
       "negates the angle (the sines' signs flipped): turns the digit clockwise")
def rotate_images(images, angles):  # noqa: F811
    return _rotate_with(images, angles, lambda a: -np.deg2rad(a), _centre, np.rint, _inside)


@wrong("augment.rotate", L, ["centre", "center", "(h-1)/2", "(h - 1)/2", "h - 1"],
       "centre at (H/2, W/2) instead of ((H-1)/2, (W-1)/2)")
def rotate_images(images, angles):  # noqa: F811
    return _rotate_with(images, angles, np.deg2rad, lambda h, w: (h / 2, w / 2), np.rint, _inside)


@wrong("augment.rotate", L, ["round", "rint", "nearest", "trunc", "floor"],
       ".astype(int) without rounding: truncates towards 0 instead of taking the nearest pixel")
def rotate_images(images, angles):  # noqa: F811
    return _rotate_with(images, angles, np.deg2rad, _centre, lambda a: a, _inside)


@wrong("augment.rotate", L, ["negative", "outside", "wrap", "bound", "< 0", ">= 0"],
       "checks only r < H and s < W: negative indices wrap around to the far edge")
def rotate_images(images, angles):  # noqa: F811
    return _rotate_with(images, angles, np.deg2rad, _centre, np.rint, lambda r, s, h, w: (r < h) & (s < w))


@wrong("augment.rotate", L, ["outside", "zero", "0 outside", "clip", "edge"],
       "np.clip on the source indices: pixels from outside copy the border instead of 0")
def rotate_images(images, angles):  # noqa: F811
    n_img, h, w = images.shape
    ci, cj = _centre(h, w)
    i, j = np.indices((h, w))
    out = np.zeros_like(images)
    for n in range(n_img):
        th = np.deg2rad(angles[n])
        r = np.clip(np.rint(ci + (i - ci) * np.cos(th) + (j - cj) * np.sin(th)).astype(int), 0, h - 1)
        s = np.clip(np.rint(cj - (i - ci) * np.sin(th) + (j - cj) * np.cos(th)).astype(int), 0, w - 1)
        out[n] = images[n][r, s]
    return out


@wrong("augment.rotate", L, ["backward", "output pixel", "hole", "inverse", "comes from"],
       "maps forwards: sends each input pixel to its rotated place (leaves holes)")
def rotate_images(images, angles):  # noqa: F811
    n_img, h, w = images.shape
    ci, cj = _centre(h, w)
    i, j = np.indices((h, w))
    out = np.zeros_like(images)
    for n in range(n_img):
        th = np.deg2rad(angles[n])
        r = np.rint(ci + (i - ci) * np.cos(th) - (j - cj) * np.sin(th)).astype(int)
        s = np.rint(cj + (i - ci) * np.sin(th) + (j - cj) * np.cos(th)).astype(int)
        ok = _inside(r, s, h, w)
        out[n][r[ok], s[ok]] = images[n][ok]
    return out


@correct("augment.rotate", L, "a 2 x 2 rotation matrix per image applied to the offset grid with einsum, all images at once")
def rotate_images(images, angles):  # noqa: F811
    n_img, h, w = images.shape
    ci, cj = (h - 1) / 2, (w - 1) / 2
    th = np.radians(np.asarray(angles, dtype=np.float64))
    c, s = np.cos(th), np.sin(th)
    rot = np.stack([np.stack([c, s], -1), np.stack([-s, c], -1)], -2)          # (N, 2, 2)
    offs = np.stack(np.indices((h, w)), -1).astype(np.float64) - [ci, cj]      # (H, W, 2)
    src = np.rint(np.einsum("nab,hwb->nhwa", rot, offs) + [ci, cj]).astype(np.int64)
    r, q = src[..., 0], src[..., 1]
    ok = (r >= 0) & (r < h) & (q >= 0) & (q < w)
    idx = np.broadcast_to(np.arange(n_img)[:, None, None], r.shape)
    vals = images[idx, np.clip(r, 0, h - 1), np.clip(q, 0, w - 1)]
    return np.where(ok, vals, np.zeros((), images.dtype)).astype(images.dtype)


# ---- layernorm.forward(x, gamma, beta, eps) ------------------------------------------------------------------


@wrong("layernorm.forward", L, ["axis", "row", "batch norm", "each example", "over features", "per example"],
       "mean and var over axis 0 (batch norm's axis)")
def layernorm_forward(x, gamma, beta, eps):
    mu, var = x.mean(axis=0), x.var(axis=0)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


@wrong("layernorm.forward", L, ["eps", "inside", "sqrt"], "(x - mu) / (sqrt(var) + eps)")
def layernorm_forward(x, gamma, beta, eps):  # noqa: F811
    mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    return gamma * (x - mu) / (np.sqrt(var) + eps) + beta


@wrong("layernorm.forward", L, ["ddof", "unbiased", "n-1", "n - 1", "d-1", "d - 1", "1/d", "biased"],
       "the unbiased variance (ddof=1)")
def layernorm_forward(x, gamma, beta, eps):  # noqa: F811
    mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, ddof=1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


@wrong("layernorm.forward", L, ["swap", "exchanged", "the other way"], "beta * x_hat + gamma: gamma and beta swapped")
def layernorm_forward(x, gamma, beta, eps):  # noqa: F811
    mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    return beta * (x - mu) / np.sqrt(var + eps) + gamma


@wrong("layernorm.forward", L, ["keepdims", "broadcast", "shape"], "x - x.mean(axis=1) without keepdims")
def layernorm_forward(x, gamma, beta, eps):  # noqa: F811
    mu, var = x.mean(axis=1), x.var(axis=1)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


@correct("layernorm.forward", L, "centring by a matrix product with I - 1/D, the variance by einsum")
def layernorm_forward(x, gamma, beta, eps):  # noqa: F811
    d = x.shape[1]
    xc = x @ (np.eye(d) - np.full((d, d), 1.0 / d))
    var = np.einsum("nd,nd->n", xc, xc)[:, None] / d
    return xc / np.sqrt(var + eps) * gamma + beta


# ---- layernorm.backward(dout, x, gamma, eps) -> (dx, dgamma, dbeta) --------------------------------------------


def _xhat(x, eps):
    mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    inv = 1.0 / np.sqrt(var + eps)
    return (x - mu) * inv, inv


@wrong("layernorm.backward", L, ["axis", "row", "batch norm", "each example", "per example"],
       "batch norm's backward: the means of g_hat and g_hat * x_hat over axis 0")
def layernorm_backward(dout, x, gamma, eps):
    mu, var = x.mean(axis=0), x.var(axis=0)
    inv = 1.0 / np.sqrt(var + eps)
    xh = (x - mu) * inv
    g = dout * gamma
    dx = (g - g.mean(axis=0) - xh * (g * xh).mean(axis=0)) * inv
    return dx, (dout * xh).sum(axis=0), dout.sum(axis=0)


@wrong("layernorm.backward", L, ["x_hat", "xhat", "x̂", "normalized", "normalised", "standardized"],
       "dgamma = sum(dout * x): the raw input instead of x_hat")
def layernorm_backward(dout, x, gamma, eps):  # noqa: F811
    xh, inv = _xhat(x, eps)
    g = dout * gamma
    dx = (g - g.mean(axis=1, keepdims=True) - xh * (g * xh).mean(axis=1, keepdims=True)) * inv
    return dx, (dout * x).sum(axis=0), dout.sum(axis=0)


@wrong("layernorm.backward", L, ["gamma", "γ"], "g_hat = dout: forgets to multiply by gamma in dx")
def layernorm_backward(dout, x, gamma, eps):  # noqa: F811
    xh, inv = _xhat(x, eps)
    g = dout
    dx = (g - g.mean(axis=1, keepdims=True) - xh * (g * xh).mean(axis=1, keepdims=True)) * inv
    return dx, (dout * xh).sum(axis=0), dout.sum(axis=0)


@wrong("layernorm.backward", L, ["variance", "third term", "xhat * mean", "x_hat * mean", "mean(g"],
       "drops the x_hat * mean(g_hat * x_hat) term (the path through the variance)")
def layernorm_backward(dout, x, gamma, eps):  # noqa: F811
    xh, inv = _xhat(x, eps)
    g = dout * gamma
    dx = (g - g.mean(axis=1, keepdims=True)) * inv
    return dx, (dout * xh).sum(axis=0), dout.sum(axis=0)


@wrong("layernorm.backward", L, ["order", "swap"], "returns (dx, dbeta, dgamma)")
def layernorm_backward(dout, x, gamma, eps):  # noqa: F811
    xh, inv = _xhat(x, eps)
    g = dout * gamma
    dx = (g - g.mean(axis=1, keepdims=True) - xh * (g * xh).mean(axis=1, keepdims=True)) * inv
    return dx, dout.sum(axis=0), (dout * xh).sum(axis=0)


@wrong("layernorm.backward", L, ["axis", "shape", "rows", "sum over"], "dgamma and dbeta summed over axis 1")
def layernorm_backward(dout, x, gamma, eps):  # noqa: F811
    xh, inv = _xhat(x, eps)
    g = dout * gamma
    dx = (g - g.mean(axis=1, keepdims=True) - xh * (g * xh).mean(axis=1, keepdims=True)) * inv
    return dx, (dout * xh).sum(axis=1), dout.sum(axis=1)


@correct("layernorm.backward", L, "the full D x D Jacobian of each row, contracted with einsum")
def layernorm_backward(dout, x, gamma, eps):  # noqa: F811
    n, d = x.shape
    xh, inv = _xhat(x, eps)
    eye = np.eye(d)
    # d xhat_i / d x_j = inv * (delta_ij - 1/d - xhat_i xhat_j / d)
    jac = inv[:, :, None] * (eye[None] - 1.0 / d - xh[:, :, None] * xh[:, None, :] / d)   # (N, D, D)
    dx = np.einsum("ni,nij->nj", dout * gamma, jac)
    return dx, np.einsum("nd,nd->d", dout, xh), np.einsum("nd->d", dout)
