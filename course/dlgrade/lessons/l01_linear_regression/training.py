"""Lesson 01, a whole training run: minibatch gradient descent, epoch by epoch (a lesson-only recipe whose every
step is the ``linreg.gd_step`` reference, dlkit.optim.SGD)."""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...harness.wire import Rng
from ...registry import Exercise, KnownMistake, Output, register
from .._common import make_case, pick
from .step import grads, sgd_on_mse

# ---------------------------------------------------------------------------------------
# a whole training run: minibatch gradient descent, epoch by epoch
#
# The recipe the notebook spells out (so that a run can be compared number for number):
# start at w = 0, b = 0; every epoch draws ``order = rng.permutation(N)`` and takes one gd_step on
# each batch ``order[k:k + B]`` (k = 0, B, 2B, ...; the last batch may be smaller); after the epoch,
# the loss on the WHOLE training set is recorded. Returns (w, b, losses) with losses of shape (epochs,).

def _mse(X, y, w, b):
    return float(np.mean((X @ w + b - y) ** 2))


def _np_step(X, y, w, b, lr):
    dw, db = grads(X, y, w, b)
    return w - lr * dw, float(b - lr * db)


def _run(X, y, lr, epochs, batch_size, rng, *, batches=None, record=None, epoch_range=None, each_step=False,
         step=_np_step):
    """The reference run, with hooks that the known mistakes below change one at a time: how an epoch's
    batches are cut, what is recorded after the epoch (from the loss before it, after it, the batch losses
    seen before each step and the last batch's loss after its step), how many epochs run, and a record
    after every step instead of every epoch."""
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    losses = []
    for _ in (range(epochs) if epoch_range is None else epoch_range(epochs)):
        before, seen, rows = _mse(X, y, w, b), [], (np.arange(0),) * 2
        for rows in (batches or _shuffled_batches)(n, batch_size, rng):
            seen.append(_mse(X[rows[0]], y[rows[1]], w, b))
            w, b = step(X[rows[0]], y[rows[1]], w, b, lr)
            if each_step:
                losses.append(_mse(X, y, w, b))
        after = _mse(X, y, w, b)
        if not each_step:
            losses.append(after if record is None else record(before, after, seen,
                                                              _mse(X[rows[0]], y[rows[1]], w, b)))
    return w, b, np.array(losses)


def _shuffled_batches(n, size, rng):
    order = rng.permutation(n)
    return [(order[k:k + size],) * 2 for k in range(0, n, size)]


@reference("linreg.train_linear reference")
def train_linear(X: np.ndarray, y: np.ndarray, lr: float, epochs: int, batch_size: int,
                 rng: np.random.Generator) -> tuple[np.ndarray, float, np.ndarray]:
    """Minibatch gradient descent from zeros; returns (w (D,), b float, losses (epochs,))."""
    return _run(X, y, lr, epochs, batch_size, rng, step=sgd_on_mse)


def _train_cases(rng: np.random.Generator, hidden: bool):
    # (N, D, batch size, epochs): a batch size that divides N, one that does not, batches of one example,
    # one batch per epoch (B == N and B > N), and a single example.
    shapes = ([(12, 3, 5, 3), (7, 2, 1, 2), (10, 1, 10, 3), (9, 4, 4, 4), (5, 2, 8, 2)],
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


def _drop_last_batch(n, size, rng):
    """range(0, N - B, B): the last batch goes, full or not."""
    order = rng.permutation(n)
    return [(order[k:k + size],) * 2 for k in range(0, n - size, size)]


def _y_in_order(n, size, rng):
    """The rows of X from the permutation, the targets from the unshuffled positions."""
    order = rng.permutation(n)
    return [(order[k:k + size], np.arange(k, min(k + size, n))) for k in range(0, n, size)]


def _one_batch(n, size, rng):
    order = rng.permutation(n)
    return [(order,) * 2]


def _with_replacement(n, size, rng):
    return [(rows, rows) for rows in (rng.integers(0, n, size=min(size, n - k)) for k in range(0, n, size))]


def _every_batch(n, size, rng):
    return [(rng.permutation(n)[k:k + size],) * 2 for k in range(0, n, size)]


def _all_rows(n, size, rng):
    rng.permutation(n)
    return [(np.arange(n),) * 2 for _ in range(0, n, size)]


def _step_one(n, size, rng):
    order = rng.permutation(n)
    return [(order[k:k + size],) * 2 for k in range(n)]


def _with(**hooks):
    """The run with some hooks changed: a known mistake's compute, with the reference's signature."""
    return lambda X, y, lr, epochs, batch_size, rng: _run(X, y, lr, epochs, batch_size, rng, **hooks)


_EPOCH, _BATCH, _RECORD = "the epoch loop", "the line that cuts a batch", "the line that appends to losses"
_MISTAKES = (
    KnownMistake("no_shuffle", "the batches are the same rows in the same order every epoch: draw "
                 "`order = rng.permutation(N)` at the start of each epoch and cut the batches from `order`.",
                 _with(batches=_ordered), _BATCH, r"\[\s*start\s*:"),
    KnownMistake("shuffle_once", "the rows are shuffled only once, before the first epoch: draw a new "
                 "`rng.permutation(N)` INSIDE the epoch loop, so every epoch sees new batches.", _shuffle_once,
                 "the line that draws the permutation", r"permutation"),
    KnownMistake("shuffle_every_batch", "a new permutation is drawn for EVERY batch, so an epoch may use some "
                 "rows twice and skip others: draw one `order` per epoch, before the batch loop.",
                 _with(batches=_every_batch), "the line that draws the permutation", r"permutation"),
    KnownMistake("shuffle_mismatch", "X and y were shuffled with two different permutations, so the rows of a "
                 "batch no longer match their targets: draw ONE `order` and index both X[rows] and y[rows] "
                 "with it.", _with(batches=_two_permutations), "the lines that shuffle X and y",
                 r"permutation"),
    KnownMistake("last_batch_dropped", "the last, smaller batch of each epoch is skipped: with N examples and "
                 "batch size B there are ceil(N / B) batches, `for start in range(0, N, batch_size)`, the last "
                 "one holding the leftover rows.", _with(batches=_drop_last), "the batch loop's range",
                 r"range\("),
    KnownMistake("last_batch_dropped", "the last batch of each epoch is skipped (`range(0, N - batch_size, "
                 "batch_size)` stops one batch early): with N examples and batch size B there are ceil(N / B) "
                 "batches, `for start in range(0, N, batch_size)`, the last one holding the leftover rows.",
                 _with(batches=_drop_last_batch), "the batch loop's range", r"range\("),
    KnownMistake("targets_not_shuffled", "X's rows were taken through the permutation but y's by position "
                 "(y[start:start + batch_size]), so a batch's targets belong to other rows: index both with the "
                 "same rows, X[rows] and y[rows].", _with(batches=_y_in_order), _BATCH, r"y\[\s*start"),
    KnownMistake("range_step_missing", "the batch loop moves by ONE row, not by batch_size: "
                 "`for start in range(0, N, batch_size)` (the third argument is the step).",
                 _with(batches=_step_one), "the batch loop's range", r"range\("),
    KnownMistake("full_batch", "each epoch takes ONE step on all the rows: cut the shuffled rows into batches "
                 "of `batch_size` and take one gd_step per batch.", _with(batches=_one_batch),
                 "the call of gd_step", r"gd_step"),
    KnownMistake("whole_data_per_step", "every step uses ALL the rows (gd_step(X, y, ...)): step on the batch, "
                 "gd_step(X[rows], y[rows], w, b, lr).", _with(batches=_all_rows), "the call of gd_step",
                 r"gd_step\(\s*X\s*,"),
    KnownMistake("with_replacement", "the batches are drawn with replacement (rng.integers or rng.choice): in "
                 "one epoch every example must be used exactly once, so cut the batches from one permutation, "
                 "`rng.permutation(N)`.", _with(batches=_with_replacement), "the line that draws a batch",
                 r"integers|choice"),
    KnownMistake("loss_before_epoch", "`losses` is recorded at the START of each epoch (the first entry is the "
                 "loss at w = 0, b = 0): record the training loss AFTER the epoch's last step.",
                 _with(record=lambda before, after, seen, last: before), _RECORD, r"append"),
    KnownMistake("batch_loss_average", "`losses` holds the average of the batch losses seen during the epoch; "
                 "record the loss on the WHOLE training set after the epoch, mse(predict(X, w, b), y).",
                 _with(record=lambda before, after, seen, last: float(np.mean(seen))), _RECORD, r"append"),
    KnownMistake("last_batch_loss", "`losses` holds the loss on the epoch's LAST BATCH: record the loss on the "
                 "whole training set, mse(predict(X, w, b), y).",
                 _with(record=lambda before, after, seen, last: last), _RECORD, r"append"),
    KnownMistake("loss_per_step", "a loss was recorded after every STEP (so `losses` is longer than `epochs`): "
                 "append once per epoch, after the batch loop.", _with(each_step=True), _RECORD, r"append"),
    KnownMistake("epochs_off_by_one", "one epoch too many: `for epoch in range(epochs)` runs exactly `epochs` "
                 "epochs, one loss each.", _with(epoch_range=lambda k: range(k + 1)), _EPOCH, r"range\("),
    KnownMistake("epochs_off_by_one", "one epoch too few: `for epoch in range(epochs)` runs exactly `epochs` "
                 "epochs, one loss each.", _with(epoch_range=lambda k: range(k - 1)), _EPOCH, r"range\("),
)

register(Exercise(
    "linreg.train_linear",
    "train_linear(X, y, lr, epochs, batch_size, rng) -> (w (D,), b float, losses (epochs,))",
    train_linear, _train_cases,
    outputs=(Output("w"), Output("b", "scalar"), Output("losses")), blocked=("mse_loss",),
    oracles={"gd_step": "ex:linreg.gd_step", "mse_gradients": "ex:linreg.mse_gradients", "mse": "ex:linreg.mse",
             "predict": "ex:linreg.predict"},
    mistakes=_MISTAKES,
    hints=frozenset({"update", "residual", "batch"}),
))
