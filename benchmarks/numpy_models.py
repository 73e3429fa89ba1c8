"""Hand-written numpy training steps: the floor a numpy autodiff engine can aim for.

Forward and backward are written out by hand, float32 end to end. The CNN works channels-last
(NHWC): im2col is one ``sliding_window_view`` copied once, each conv is one 2-D matmul, col2im is
one small matmul per kernel offset added into a contiguous buffer, max-pool is reshape-max with a
mask, and the first conv computes no input gradient.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _softmax_ce_grad(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    probs = exp / exp.sum(axis=1, keepdims=True)
    n = logits.shape[0]
    loss = float(-np.log(probs[np.arange(n), y]).mean())
    probs[np.arange(n), y] -= 1
    return loss, probs / n


def _init(rng: np.random.Generator, fan_in: int, shape: tuple[int, ...]) -> np.ndarray:
    bound = 1 / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, size=shape).astype(np.float32)


class NumpyMLP:
    """784→256→128→10 ReLU MLP with softmax cross-entropy and plain SGD."""

    def __init__(self, sizes: tuple[int, ...] = (784, 256, 128, 10), lr: float = 0.01, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.W = [_init(rng, a, (a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
        self.b = [_init(rng, a, (b,)) for a, b in zip(sizes[:-1], sizes[1:])]
        self.lr = np.float32(lr)

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        acts = [x]
        h = x
        for i, (W, b) in enumerate(zip(self.W, self.b)):
            h = h @ W + b
            if i < len(self.W) - 1:
                h = np.maximum(h, 0)
            acts.append(h)
        loss, g = _softmax_ce_grad(h, y)
        for i in range(len(self.W) - 1, -1, -1):
            if i < len(self.W) - 1:
                g = g * (acts[i + 1] > 0)
            dW = acts[i].T @ g
            db = g.sum(axis=0)
            if i > 0:
                g = g @ self.W[i].T
            self.W[i] -= self.lr * dW
            self.b[i] -= self.lr * db
        return loss


class _Conv:
    """A channels-last 3×3 (or k×k) valid convolution with its hand-written backward."""

    def __init__(self, rng: np.random.Generator, cin: int, cout: int, k: int, padding: int = 0) -> None:
        self.W = _init(rng, cin * k * k, (k, k, cin, cout))
        self.b = _init(rng, cin * k * k, (cout,))
        self.k, self.padding = k, padding

    def forward(self, x: np.ndarray) -> np.ndarray:
        if self.padding:
            p = self.padding
            x = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))
        n, h, w, c = x.shape
        k = self.k
        ho, wo = h - k + 1, w - k + 1
        windows = sliding_window_view(x, (k, k), axis=(1, 2))  # (n, ho, wo, c, k, k)
        self.cols = np.ascontiguousarray(windows.transpose(0, 1, 2, 4, 5, 3)).reshape(n * ho * wo, k * k * c)
        self.in_shape = x.shape
        out = self.cols @ self.W.reshape(k * k * c, -1) + self.b
        return out.reshape(n, ho, wo, -1)

    def backward(self, dout: np.ndarray, need_input_grad: bool) -> np.ndarray | None:
        n, ho, wo, cout = dout.shape
        k = self.k
        d2 = dout.reshape(-1, cout)
        self.dW = (self.cols.T @ d2).reshape(self.W.shape)
        self.db = d2.sum(axis=0)
        if not need_input_grad:
            return None
        dx = np.zeros(self.in_shape, dtype=dout.dtype)
        for i in range(k):
            for j in range(k):
                dx[:, i:i + ho, j:j + wo, :] += (d2 @ self.W[i, j].T).reshape(n, ho, wo, -1)
        if self.padding:
            p = self.padding
            dx = dx[:, p:-p, p:-p, :]
        return dx


class NumpyConvLayer:
    """One convolution layer's training step (forward, backward with input gradient, SGD)."""

    def __init__(self, cin: int = 32, cout: int = 64, k: int = 3, padding: int = 1, lr: float = 0.01, seed: int = 0) -> None:
        self.conv = _Conv(np.random.default_rng(seed), cin, cout, k, padding)
        self.lr = np.float32(lr)

    def step(self, x: np.ndarray, y: np.ndarray | None = None) -> float:
        out = self.conv.forward(x)
        loss = float((out * out).mean())
        self.conv.backward(out * (2 / out.size), need_input_grad=True)
        self.conv.W -= self.lr * self.conv.dW
        self.conv.b -= self.lr * self.conv.db
        return loss


class NumpyCNN:
    """The course CNN: conv(1→16)+ReLU, conv(16→32)+ReLU, maxpool 2, dropout .25, FC 4608→128+ReLU, dropout .5, FC 128→10."""

    def __init__(self, lr: float = 0.01, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.rng = rng
        self.c1, self.c2 = _Conv(rng, 1, 16, 3), _Conv(rng, 16, 32, 3)
        self.W1, self.b1 = _init(rng, 4608, (4608, 128)), _init(rng, 4608, (128,))
        self.W2, self.b2 = _init(rng, 128, (128, 10)), _init(rng, 128, (10,))
        self.lr = np.float32(lr)

    def _dropout(self, shape: tuple[int, ...], p: float) -> np.ndarray:
        return (self.rng.random(shape, dtype=np.float32) >= p).astype(np.float32) / np.float32(1 - p)

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        a1 = np.maximum(self.c1.forward(x), 0)
        a2 = np.maximum(self.c2.forward(a1), 0)
        n, h, w, c = a2.shape
        blocks = a2.reshape(n, h // 2, 2, w // 2, 2, c)
        pooled = blocks.max(axis=(2, 4))
        mask = blocks == pooled[:, :, None, :, None, :]
        m1 = self._dropout(pooled.shape, 0.25)
        flat = (pooled * m1).reshape(n, -1)
        z1 = flat @ self.W1 + self.b1
        r1 = np.maximum(z1, 0)
        m2 = self._dropout(r1.shape, 0.5)
        d1 = r1 * m2
        logits = d1 @ self.W2 + self.b2
        loss, g = _softmax_ce_grad(logits, y)
        dW2, db2 = d1.T @ g, g.sum(axis=0)
        g = (g @ self.W2.T) * m2 * (z1 > 0)
        dW1, db1 = flat.T @ g, g.sum(axis=0)
        g = (g @ self.W1.T).reshape(pooled.shape) * m1
        g = (mask * g[:, :, None, :, None, :]).reshape(a2.shape) * (a2 > 0)
        g = self.c2.backward(g, need_input_grad=True) * (a1 > 0)
        self.c1.backward(g, need_input_grad=False)
        for p, d in ((self.W1, dW1), (self.b1, db1), (self.W2, dW2), (self.b2, db2),
                     (self.c1.W, self.c1.dW), (self.c1.b, self.c1.db), (self.c2.W, self.c2.dW), (self.c2.b, self.c2.db)):
            p -= self.lr * d
        return loss
