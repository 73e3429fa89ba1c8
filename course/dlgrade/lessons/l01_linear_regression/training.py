"""Lesson 01, linear regression, continued: one step of gradient descent on the mean squared error.

Kept apart from ``linreg.py`` (whose four exercises other tests depend on); the topic is the same.
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...harness.wire import Rng
from ...registry import Exercise, KnownMistake, Output, register
from .._common import make_case, pick

_SHAPES = ([(6, 3), (1, 3), (5, 1), (4, 7)], [(9, 2), (1, 5), (3, 3), (12, 4), (2, 8)])


def _grads(X, y, w, b):
    r = X @ w + b - y
    n = X.shape[0]
    return 2.0 / n * (X.T @ r), 2.0 / n * float(np.sum(r))


@reference("linreg.gd_step reference")
def gd_step(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, lr: float) -> tuple[np.ndarray, float]:
    """One gradient-descent step on mean((X @ w + b − y)²): (w − lr·dw, b − lr·db), both from the old w, b."""
    dw, db = _grads(X, y, w, b)
    return w - lr * dw, float(b - lr * db)


def _cases(rng: np.random.Generator, hidden: bool):
    return [make_case({"X": rng.normal(size=(n, d)), "y": rng.normal(size=n), "w": rng.normal(size=d),
                       "b": float(rng.normal()), "lr": float(rng.uniform(0.05, 0.3))},
                      factors={"N": n, "D": d})
            for n, d in pick(*_SHAPES, hidden)]


def _ascent(X, y, w, b, lr):
    dw, db = _grads(X, y, w, b)
    return w + lr * dw, b + lr * db


def _no_lr(X, y, w, b, lr):
    dw, db = _grads(X, y, w, b)
    return w - dw, b - db


def _returns_gradient(X, y, w, b, lr):
    return _grads(X, y, w, b)


def _bias_kept(X, y, w, b, lr):
    dw, _ = _grads(X, y, w, b)
    return w - lr * dw, b


def _sequential(X, y, w, b, lr):
    dw, _ = _grads(X, y, w, b)
    w_new = w - lr * dw
    _, db = _grads(X, y, w_new, b)
    return w_new, b - lr * db


def _no_mean(X, y, w, b, lr):
    r = X @ w + b - y
    return w - lr * 2.0 * (X.T @ r), b - lr * 2.0 * float(np.sum(r))


def _no_two(X, y, w, b, lr):
    dw, db = _grads(X, y, w, b)
    return w - lr * dw / 2.0, b - lr * db / 2.0


register(Exercise(
    "linreg.gd_step", "gd_step(X, y, w, b, lr) -> (w_new (D,), b_new float)", gd_step, _cases,
    outputs=(Output("w_new"), Output("b_new", "scalar")), blocked=("mse_loss",),
    oracles={"mse_gradients": "ex:linreg.mse_gradients"},
    mistakes=(
        KnownMistake("ascent", "the step goes UPHILL: subtract the gradient (w - lr * dw), do not add it.",
                     _ascent),
        KnownMistake("no_lr", "the full gradient was subtracted: multiply it by the learning rate `lr` "
                     "first.", _no_lr),
        KnownMistake("returns_gradient", "you returned the gradients (dw, db); return the NEW parameters "
                     "w - lr * dw and b - lr * db.", _returns_gradient),
        KnownMistake("bias_not_updated", "`b_new` equals the old b: the bias needs its own step, "
                     "b - lr * db.", _bias_kept),
        KnownMistake("sequential_update", "b's gradient was computed after w had already moved. Compute "
                     "both gradients from the OLD w and b first, then update both.", _sequential),
        KnownMistake("scale", "the step is N times too large: the gradient of a MEAN has a 1/N "
                     "(dw = 2/N · Xᵀr).", _no_mean),
        KnownMistake("scale", "the step is half as long as it should be: the derivative of a square "
                     "brings a factor 2 (dw = 2/N · Xᵀr).", _no_two),
    ),
))


# ---------------------------------------------------------------------------------------
# a whole training run: minibatch gradient descent, epoch by epoch
#
# The recipe the notebook spells out (so that a run can be compared number for number):
# start at w = 0, b = 0; every epoch draws ``order = rng.permutation(N)`` and takes one gd_step on
# each batch ``order[k:k + B]`` (k = 0, B, 2B, ...; the last batch may be smaller); after the epoch,
# the loss on the WHOLE training set is recorded. Returns (w, b, losses) with losses of shape (epochs,).

def _mse(X, y, w, b):
    return float(np.mean((X @ w + b - y) ** 2))


def _step(X, y, w, b, lr):
    dw, db = _grads(X, y, w, b)
    return w - lr * dw, float(b - lr * db)


def _run(X, y, lr, epochs, batch_size, rng, *, batches=None, record=None, epoch_range=None):
    """The reference run, with hooks that the known mistakes below change one at a time."""
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    losses = []
    for _ in (range(epochs) if epoch_range is None else epoch_range(epochs)):
        before = _mse(X, y, w, b)
        seen = []
        for rows_X, rows_y in (batches or _shuffled_batches)(n, batch_size, rng):
            seen.append(_mse(X[rows_X], y[rows_y], w, b))
            w, b = _step(X[rows_X], y[rows_y], w, b, lr)
        after = _mse(X, y, w, b)
        losses.append(after if record is None else record(before, after, seen))
    return w, b, np.array(losses)


def _shuffled_batches(n, size, rng):
    order = rng.permutation(n)
    return [(order[k:k + size],) * 2 for k in range(0, n, size)]


@reference("linreg.train_linear reference")
def train_linear(X: np.ndarray, y: np.ndarray, lr: float, epochs: int, batch_size: int,
                 rng: np.random.Generator) -> tuple[np.ndarray, float, np.ndarray]:
    """Minibatch gradient descent from zeros; returns (w (D,), b float, losses (epochs,))."""
    return _run(X, y, lr, epochs, batch_size, rng)


def _train_cases(rng: np.random.Generator, hidden: bool):
    # (N, D, batch size, epochs): a batch size that divides N, one that does not, batches of one example,
    # one batch per epoch (B >= N), and a single example.
    shapes = ([(12, 3, 5, 3), (7, 2, 1, 2), (10, 1, 10, 3), (9, 4, 4, 4)],
              [(15, 2, 4, 3), (6, 3, 8, 2), (20, 5, 6, 3), (11, 1, 3, 5), (1, 3, 1, 3), (13, 2, 2, 2)])
    cases = []
    for n, d, bs, ep in pick(*shapes, hidden):
        X = rng.normal(size=(n, d))
        y = X @ rng.normal(size=d) + float(rng.normal()) + 0.3 * rng.normal(size=n)
        seed = int(rng.integers(2**31))
        cases.append(make_case({"X": X, "y": y, "lr": float(rng.uniform(0.02, 0.06)), "epochs": ep,
                                "batch_size": bs, "rng": Rng(seed)},
                               factors={"N": n, "D": d}, note=f"batch_size={bs}, epochs={ep}"))
    return cases


def _ordered(n, size, rng):
    return [(np.arange(k, min(k + size, n)),) * 2 for k in range(0, n, size)]


def _shuffle_once(X, y, lr, epochs, batch_size, rng):
    order = rng.permutation(X.shape[0])
    return _run(X, y, lr, epochs, batch_size, rng, batches=lambda n, s, r: [(order[k:k + s],) * 2
                                                                             for k in range(0, n, s)])


def _two_permutations(n, size, rng):
    ox, oy = rng.permutation(n), rng.permutation(n)
    return [(ox[k:k + size], oy[k:k + size]) for k in range(0, n, size)]


def _drop_last(n, size, rng):
    order = rng.permutation(n)
    return [(order[k:k + size],) * 2 for k in range(0, n - size + 1, size)]


def _one_batch(n, size, rng):
    order = rng.permutation(n)
    return [(order,) * 2]


def _with_replacement(n, size, rng):
    return [(rows, rows) for rows in (rng.integers(0, n, size=min(size, n - k)) for k in range(0, n, size))]


register(Exercise(
    "linreg.train_linear",
    "train_linear(X, y, lr, epochs, batch_size, rng) -> (w (D,), b float, losses (epochs,))",
    train_linear, _train_cases,
    outputs=(Output("w"), Output("b", "scalar"), Output("losses")), blocked=("mse_loss",),
    oracles={"gd_step": "ex:linreg.gd_step", "mse": "ex:linreg.mse", "predict": "ex:linreg.predict"},
    mistakes=(
        KnownMistake("no_shuffle", "the batches are the same rows in the same order every epoch: draw "
                     "`order = rng.permutation(N)` at the start of each epoch and cut the batches from "
                     "`order`.", lambda X, y, lr, e, bs, rng: _run(X, y, lr, e, bs, rng, batches=_ordered)),
        KnownMistake("shuffle_once", "the rows are shuffled only once, before the first epoch: draw a new "
                     "`rng.permutation(N)` INSIDE the epoch loop, so every epoch sees new batches.",
                     _shuffle_once),
        KnownMistake("shuffle_mismatch", "X and y were shuffled with two different permutations, so the "
                     "rows of a batch no longer match their targets: draw ONE `order` and index both "
                     "X[rows] and y[rows] with it.",
                     lambda X, y, lr, e, bs, rng: _run(X, y, lr, e, bs, rng, batches=_two_permutations)),
        KnownMistake("last_batch_dropped", "the last, smaller batch of each epoch is skipped: with N "
                     "examples and batch size B there are ceil(N / B) batches, "
                     "`for start in range(0, N, batch_size)`, the last one holding the leftover rows.",
                     lambda X, y, lr, e, bs, rng: _run(X, y, lr, e, bs, rng, batches=_drop_last)),
        KnownMistake("full_batch", "each epoch takes ONE step on all the rows: cut the shuffled rows into "
                     "batches of `batch_size` and take one gd_step per batch.",
                     lambda X, y, lr, e, bs, rng: _run(X, y, lr, e, bs, rng, batches=_one_batch)),
        KnownMistake("with_replacement", "the batches are drawn with replacement (rng.integers or "
                     "rng.choice): in one epoch every example must be used exactly once, so cut the "
                     "batches from one permutation, `rng.permutation(N)`.",
                     lambda X, y, lr, e, bs, rng: _run(X, y, lr, e, bs, rng, batches=_with_replacement)),
        KnownMistake("loss_before_epoch", "`losses` is recorded at the START of each epoch (the first "
                     "entry is the loss at w = 0, b = 0): record the training loss AFTER the epoch's "
                     "last step.", lambda X, y, lr, e, bs, rng: _run(X, y, lr, e, bs, rng,
                                                                     record=lambda b4, af, seen: b4)),
        KnownMistake("batch_loss_average", "`losses` holds the average of the batch losses seen during "
                     "the epoch; record the loss on the WHOLE training set after the epoch, "
                     "mse(predict(X, w, b), y).", lambda X, y, lr, e, bs, rng: _run(
                         X, y, lr, e, bs, rng, record=lambda b4, af, seen: float(np.mean(seen)))),
        KnownMistake("epochs_off_by_one", "one epoch too many: `for epoch in range(epochs)` runs exactly "
                     "`epochs` epochs, one loss each.", lambda X, y, lr, e, bs, rng: _run(
                         X, y, lr, e, bs, rng, epoch_range=lambda k: range(k + 1))),
        KnownMistake("epochs_off_by_one", "one epoch too few: `for epoch in range(epochs)` runs exactly "
                     "`epochs` epochs, one loss each.", lambda X, y, lr, e, bs, rng: _run(
                         X, y, lr, e, bs, rng, epoch_range=lambda k: range(k - 1))),
    ),
))
