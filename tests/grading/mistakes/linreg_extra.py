"""Lesson 01, continued: gd_step and train_linear."""
import numpy as np

from ._catalogue import correct, wrong


def _mse_gradients(X, y, w, b):
    """The learner's exercise-3 function, as it sits in their notebook."""
    r = X @ w + b - y
    return 2 * X.T @ r / len(y), 2 * r.mean()


@correct("linreg.gd_step")
def gd_step(X, y, w, b, lr):
    dw, db = _mse_gradients(X, y, w, b)
    return w - lr * dw, b - lr * db


@correct("linreg.gd_step")
def gd_step_inline(X, y, w, b, lr):
    """Everything in one place."""
    r = X @ w + b - y
    n = X.shape[0]
    return w - lr * (2 / n) * X.T @ r, float(b - lr * (2 / n) * r.sum())


@wrong("linreg.gd_step", "ascent")
def gd_step_plus(X, y, w, b, lr):
    dw, db = _mse_gradients(X, y, w, b)
    return w + lr * dw, b + lr * db


@wrong("linreg.gd_step", "no_lr")
def gd_step_no_lr(X, y, w, b, lr):
    dw, db = _mse_gradients(X, y, w, b)
    return w - dw, b - db


@wrong("linreg.gd_step", "returns_gradient")
def gd_step_gradient(X, y, w, b, lr):
    return _mse_gradients(X, y, w, b)


@wrong("linreg.gd_step", "bias_not_updated")
def gd_step_no_bias(X, y, w, b, lr):
    dw, _ = _mse_gradients(X, y, w, b)
    return w - lr * dw, b


@wrong("linreg.gd_step", "sequential_update")
def gd_step_sequential(X, y, w, b, lr):
    """w moves first, then b's gradient is taken at the new w."""
    dw, _ = _mse_gradients(X, y, w, b)
    w = w - lr * dw
    _, db = _mse_gradients(X, y, w, b)
    return w, b - lr * db


@wrong("linreg.gd_step", "mutated_input")
def gd_step_in_place(X, y, w, b, lr):
    """w -= ... changes the caller's array."""
    dw, db = _mse_gradients(X, y, w, b)
    w -= lr * dw
    return w, b - lr * db


@wrong("linreg.gd_step", "missing_mean")
def gd_step_sum(X, y, w, b, lr):
    """Gradient of the summed, not the mean, squared error."""
    r = X @ w + b - y
    return w - lr * 2 * X.T @ r, b - lr * 2 * r.sum()


@wrong("linreg.gd_step", "wrong_shape")
def gd_step_column(X, y, w, b, lr):
    """w comes back as an (D, 1) column."""
    dw, db = _mse_gradients(X, y, w, b)
    return (w - lr * dw).reshape(-1, 1), b - lr * db


@wrong("linreg.gd_step", "wrong_type")
def gd_step_single(X, y, w, b, lr):
    """Returns only w."""
    dw, _ = _mse_gradients(X, y, w, b)
    return w - lr * dw


# ---------------------------------------------------------------------------------------
# train_linear: minibatch gradient descent, as the learner writes it on top of their gd_step

def _mse(y_pred, y):
    return float(np.mean((y_pred - y) ** 2))


@correct("linreg.train_linear")
def train_linear(X, y, lr, epochs, batch_size, rng):
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    losses = []
    for epoch in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            rows = order[start:start + batch_size]
            w, b = gd_step(X[rows], y[rows], w, b, lr)
        losses.append(_mse(X @ w + b, y))
    return w, b, np.array(losses)


@correct("linreg.train_linear")
def train_linear_split(X, y, lr, epochs, batch_size, rng):
    """np.array_split into ceil(N / B) pieces gives the same batches; losses preallocated."""
    w, b = np.zeros(X.shape[1]), 0.0
    losses = np.zeros(epochs)
    n_batches = -(-len(y) // batch_size)
    for e in range(epochs):
        Xs, ys = X[perm := rng.permutation(len(y))], y[perm]
        for k in range(n_batches):
            w, b = gd_step(Xs[k * batch_size:(k + 1) * batch_size], ys[k * batch_size:(k + 1) * batch_size],
                           w, b, lr)
        losses[e] = np.mean((Xs @ w + b - ys) ** 2)
    return w, b, losses


def _train(X, y, lr, epochs, batch_size, rng, order_fn, loss_fn=None, epoch_count=None):
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    losses = []
    for epoch in range(epochs if epoch_count is None else epoch_count):
        start_loss = _mse(X @ w + b, y)
        batch_losses = []
        for rows_X, rows_y in order_fn(n, rng):
            batch_losses.append(_mse(X[rows_X] @ w + b, y[rows_y]))
            w, b = gd_step(X[rows_X], y[rows_y], w, b, lr)
        end_loss = _mse(X @ w + b, y)
        losses.append(end_loss if loss_fn is None else loss_fn(start_loss, end_loss, batch_losses))
    return w, b, np.array(losses)


@wrong("linreg.train_linear", "no_shuffle")
def train_linear_in_order(X, y, lr, epochs, batch_size, rng):
    """Batches straight from the data order: X[start:start + B]."""
    return _train(X, y, lr, epochs, batch_size, rng,
                  lambda n, r: [(slice(s, s + batch_size),) * 2 for s in range(0, n, batch_size)])


@wrong("linreg.train_linear", "shuffle_once")
def train_linear_shuffle_once(X, y, lr, epochs, batch_size, rng):
    """The permutation is drawn before the epoch loop."""
    order = rng.permutation(len(y))
    return _train(X, y, lr, epochs, batch_size, rng,
                  lambda n, r: [(order[s:s + batch_size],) * 2 for s in range(0, n, batch_size)])


@wrong("linreg.train_linear", "shuffle_mismatch")
def train_linear_two_orders(X, y, lr, epochs, batch_size, rng):
    """Xs = X[rng.permutation(N)]; ys = y[rng.permutation(N)]: two different shuffles."""
    w, b = np.zeros(X.shape[1]), 0.0
    losses = []
    for _ in range(epochs):
        Xs, ys = X[rng.permutation(len(y))], y[rng.permutation(len(y))]
        for s in range(0, len(y), batch_size):
            w, b = gd_step(Xs[s:s + batch_size], ys[s:s + batch_size], w, b, lr)
        losses.append(_mse(X @ w + b, y))
    return w, b, np.array(losses)


@wrong("linreg.train_linear", "last_batch_dropped")
def train_linear_floor(X, y, lr, epochs, batch_size, rng):
    """N // B batches per epoch: the leftover rows never train."""
    def order_fn(n, r):
        order = r.permutation(n)
        return [(order[k * batch_size:(k + 1) * batch_size],) * 2 for k in range(n // batch_size)]
    return _train(X, y, lr, epochs, batch_size, rng, order_fn)


@wrong("linreg.train_linear", "last_batch_dropped")
def train_linear_stop_early(X, y, lr, epochs, batch_size, rng):
    """Batch starts up to N - B exclusive: the last batch goes even when it is full."""
    def order_fn(n, r):
        order = r.permutation(n)
        return [(order[k:k + batch_size],) * 2 for k in range(0, n - batch_size, batch_size)]
    return _train(X, y, lr, epochs, batch_size, rng, order_fn)


@wrong("linreg.train_linear", "targets_not_shuffled")
def train_linear_targets_by_position(X, y, lr, epochs, batch_size, rng):
    """X[perm[k:k+B]] with y[k:k+B]."""
    def order_fn(n, r):
        order = r.permutation(n)
        return [(order[k:k + batch_size], np.arange(k, min(n, k + batch_size))) for k in range(0, n, batch_size)]
    return _train(X, y, lr, epochs, batch_size, rng, order_fn)


@wrong("linreg.train_linear", "full_batch")
def train_linear_full(X, y, lr, epochs, batch_size, rng):
    """batch_size is never used: one step per epoch on the shuffled data."""
    return _train(X, y, lr, epochs, batch_size, rng, lambda n, r: [(r.permutation(n),) * 2])


@wrong("linreg.train_linear", "with_replacement")
def train_linear_replacement(X, y, lr, epochs, batch_size, rng):
    """Each batch drawn at random with rng.integers: some rows twice, some never."""
    return _train(X, y, lr, epochs, batch_size, rng,
                  lambda n, r: [(rows, rows) for rows in (r.integers(0, n, size=min(batch_size, n - s))
                                                          for s in range(0, n, batch_size))])


@wrong("linreg.train_linear", "loss_before_epoch")
def train_linear_loss_first(X, y, lr, epochs, batch_size, rng):
    """The loss is appended at the top of the epoch loop."""
    return _train(X, y, lr, epochs, batch_size, rng,
                  lambda n, r: [(o[s:s + batch_size],) * 2 for o in [r.permutation(n)] for s in range(0, n, batch_size)],
                  loss_fn=lambda start, end, batch: start)


@wrong("linreg.train_linear", "batch_loss_average")
def train_linear_batch_mean(X, y, lr, epochs, batch_size, rng):
    """The epoch's loss is the mean of the batch losses computed along the way."""
    return _train(X, y, lr, epochs, batch_size, rng,
                  lambda n, r: [(o[s:s + batch_size],) * 2 for o in [r.permutation(n)] for s in range(0, n, batch_size)],
                  loss_fn=lambda start, end, batch: float(np.mean(batch)))


@wrong("linreg.train_linear", "epochs_off_by_one")
def train_linear_extra_epoch(X, y, lr, epochs, batch_size, rng):
    """for epoch in range(epochs + 1)."""
    return _train(X, y, lr, epochs, batch_size, rng,
                  lambda n, r: [(o[s:s + batch_size],) * 2 for o in [r.permutation(n)] for s in range(0, n, batch_size)],
                  epoch_count=epochs + 1)


@wrong("linreg.train_linear", "mutated_input")
def train_linear_shuffles_in_place(X, y, lr, epochs, batch_size, rng):
    """X[:] = X[order] shuffles the caller's arrays (rows still matched)."""
    w, b = np.zeros(X.shape[1]), 0.0
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(y))
        X[:], y[:] = X[order], y[order]
        for s in range(0, len(y), batch_size):
            w, b = gd_step(X[s:s + batch_size], y[s:s + batch_size], w, b, lr)
        losses.append(_mse(X @ w + b, y))
    return w, b, np.array(losses)


@wrong("linreg.train_linear", "wrong_type")
def train_linear_list(X, y, lr, epochs, batch_size, rng):
    """losses returned as a Python list."""
    w, b, losses = train_linear(X, y, lr, epochs, batch_size, rng)
    return w, b, list(losses)
