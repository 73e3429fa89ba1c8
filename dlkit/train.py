"""The training loop, written once: ``fit`` runs epochs of mini-batch steps and records a history.

    history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters()), train_loader,
                  epochs=10, val_loader=val_loader, metrics=[accuracy],
                  callbacks=[EarlyStopping(patience=3, restore_best_weights=True)])
    history["loss"], history["val_accuracy"]    # one number per epoch

Each iteration is the loop the course teaches: forward, loss, ``zero_grad``, ``backward``, ``step``.
An epoch is one pass over ``train_loader``. The numbers recorded are means over the samples of the
epoch (each batch weighted by its size), so a smaller last batch counts for what it holds.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Iterable, Mapping, Sequence

from .autograd.grad_mode import no_grad
from .autograd.tensor import Tensor

Metric = Callable[[Tensor, Tensor], float]


def accuracy(output: Tensor, target: Tensor, threshold: float = 0.0) -> float:
    """The fraction of predictions that hit the target.

    ``output`` of shape (N, C) with C > 1 holds class scores (logits or probabilities): the prediction is
    the argmax. An output of shape (N,) or (N, 1) holds binary logits: the prediction is ``output > threshold``
    (use ``threshold=0.5`` for probabilities). ``target`` holds class indices, or one-hot rows.
    """
    out, tgt = output.data, target.data if isinstance(target, Tensor) else target
    xp = output._xp
    if out.ndim == 2 and out.shape[1] > 1:
        predicted = xp.argmax(out, axis=1)
        if tgt.ndim == 2:  # one-hot or probability targets
            tgt = xp.argmax(tgt, axis=1)
    else:
        predicted = xp.reshape(out, (-1,)) > threshold
        tgt = xp.reshape(tgt, (-1,)) > 0.5
    if predicted.shape != tgt.shape:
        raise ValueError(f"accuracy: {predicted.shape[0]} predictions for targets of shape {tuple(target.shape)}")
    n = predicted.shape[0]
    hits = xp.sum(xp.astype(predicted == xp.astype(tgt, predicted.dtype), xp.int64))
    return float(hits) / n if n else math.nan


class Callback:
    """Hooks into ``fit``: override the ones you need. ``on_epoch_end`` returning True stops training."""

    def on_train_begin(self, model: Any, history: dict[str, list[float]]) -> None:
        """Called once before the first epoch."""

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool | None:
        """Called after each epoch with that epoch's numbers (``loss``, ``val_loss``, metrics)."""
        return None

    def on_train_end(self, model: Any, history: dict[str, list[float]]) -> None:
        """Called once after the last epoch."""


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    ``mode`` is "min" (losses), "max" (accuracies) or "auto" (max when the name contains "acc").
    With ``restore_best_weights=True`` the model gets back the parameters of its best epoch at the end.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 5,
        min_delta: float = 0.0,
        mode: str = "auto",
        restore_best_weights: bool = False,
    ) -> None:
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'auto', 'min' or 'max', got {mode!r}")
        self.monitor, self.patience, self.min_delta = monitor, patience, abs(min_delta)
        self.mode = ("max" if "acc" in monitor else "min") if mode == "auto" else mode
        self.restore_best_weights = restore_best_weights

    def on_train_begin(self, model: Any, history: dict[str, list[float]]) -> None:
        self.model, self.best, self.best_epoch, self.wait, self.stopped_epoch = model, None, -1, 0, None
        self.best_state: dict[str, Any] | None = None

    def _improved(self, value: float) -> bool:
        if self.best is None:
            return True
        return value < self.best - self.min_delta if self.mode == "min" else value > self.best + self.min_delta

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        if self.monitor not in logs:
            raise KeyError(f"EarlyStopping: monitor {self.monitor!r} is not recorded; fit records {sorted(logs)}")
        value = logs[self.monitor]
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_state = _snapshot(self.model)
            return False
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False

    def on_train_end(self, model: Any, history: dict[str, list[float]]) -> None:
        if self.restore_best_weights and self.best_state is not None:
            model.load_state_dict(self.best_state)


def _snapshot(model: Any) -> dict[str, Tensor]:
    """Copies of the model's parameters and buffers (state_dict shares memory with the model)."""
    return {k: Tensor._make(v._xp.asarray(v.data, copy=True), v._xp, None) for k, v in model.state_dict().items()}


def _metric_table(metrics: Mapping[str, Metric] | Sequence[Metric] | None) -> dict[str, Metric]:
    if metrics is None:
        return {}
    if isinstance(metrics, Mapping):
        return dict(metrics)
    if callable(metrics):
        metrics = [metrics]
    return {getattr(m, "__name__", f"metric{i}"): m for i, m in enumerate(metrics)}


def _split(batch: Any) -> tuple[Any, Any]:
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        raise ValueError(
            f"fit: each batch must be an (inputs, targets) pair, got {type(batch).__name__}"
            + (f" of length {len(batch)}" if isinstance(batch, (tuple, list)) else "")
        )
    return batch[0], batch[1]


def _set_mode(model: Any, training: bool) -> None:
    if hasattr(model, "train"):
        model.train(training)


def evaluate(
    model: Callable[[Any], Tensor],
    loader: Iterable[Any],
    loss_fn: Callable[[Tensor, Any], Tensor] | None = None,
    metrics: Mapping[str, Metric] | Sequence[Metric] | None = (accuracy,),
) -> dict[str, float]:
    """Mean loss (when ``loss_fn`` is given) and metrics over ``loader``, in eval mode, without gradients."""
    table = _metric_table(metrics)
    totals = dict.fromkeys((["loss"] if loss_fn is not None else []) + list(table), 0.0)
    count = 0
    was_training = getattr(model, "training", None)
    _set_mode(model, False)
    try:
        with no_grad():
            for batch in loader:
                x, y = _split(batch)
                out = model(x)
                n = out.shape[0] if out.ndim else 1
                if loss_fn is not None:
                    totals["loss"] += float(loss_fn(out, y).item()) * n
                for name, fn in table.items():
                    totals[name] += float(fn(out, y)) * n
                count += n
    finally:
        if was_training is not None:
            _set_mode(model, was_training)
    if count == 0:
        raise ValueError("evaluate: the loader produced no batches")
    return {name: total / count for name, total in totals.items()}


def fit(
    model: Any,
    loss_fn: Callable[[Tensor, Any], Tensor],
    optimizer: Any,
    train_loader: Iterable[Any],
    epochs: int,
    val_loader: Iterable[Any] | None = None,
    metrics: Mapping[str, Metric] | Sequence[Metric] | None = None,
    callbacks: Sequence[Callback] = (),
    verbose: bool = True,
    scheduler: Any = None,
) -> dict[str, list[float]]:
    """Train ``model`` for ``epochs`` epochs; return the history: one list per quantity, one entry per epoch.

    Recorded: ``loss`` and each metric on the training batches (as they were seen, during the epoch), the
    same with a ``val_`` prefix on ``val_loader`` after each epoch, and ``lr`` (the first group's learning
    rate during the epoch). ``scheduler.step()``, if given, runs after every epoch. A progress bar
    (``tqdm.auto``: a widget in Jupyter, text in a terminal) shows the running loss; ``verbose=False`` hides it.
    """
    if not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"fit: epochs must be a non-negative int, got {epochs!r}")
    table = _metric_table(metrics)
    history: dict[str, list[float]] = {"loss": [], **{name: [] for name in table}}
    if val_loader is not None:
        history.update({"val_loss": [], **{f"val_{name}": [] for name in table}})
    history["lr"] = []
    for cb in callbacks:
        cb.on_train_begin(model, history)
    from tqdm.auto import tqdm  # imported here: it costs a noticeable part of `import dlkit`

    try:
        steps = len(train_loader)  # type: ignore[arg-type]
    except TypeError:
        steps = None
    bar = tqdm(total=steps * epochs if steps is not None else None, disable=not verbose, unit="batch", leave=True)
    try:
        for epoch in range(epochs):
            bar.set_description(f"epoch {epoch + 1}/{epochs}")
            logs = _train_epoch(model, loss_fn, optimizer, train_loader, table, bar)
            if val_loader is not None:
                val = evaluate(model, val_loader, loss_fn, table)
                logs.update({f"val_{k}": v for k, v in val.items()})
            if scheduler is not None:
                scheduler.step()
            for key, value in logs.items():
                history[key].append(value)
            bar.set_postfix({k: f"{v:.4g}" for k, v in logs.items() if k != "lr"})
            stop = [cb.on_epoch_end(epoch, dict(logs)) for cb in callbacks]
            if any(stop):
                break
    finally:
        bar.close()
    for cb in callbacks:
        cb.on_train_end(model, history)
    return history


def _train_epoch(
    model: Any, loss_fn: Callable[[Tensor, Any], Tensor], optimizer: Any, loader: Iterable[Any],
    table: dict[str, Metric], bar: Any,
) -> dict[str, float]:
    """One pass over ``loader``: forward, loss, zero_grad, backward, step for each batch."""
    _set_mode(model, True)
    groups = getattr(optimizer, "param_groups", None)
    logs = {"lr": float(groups[0]["lr"]) if groups else math.nan}
    totals = dict.fromkeys(["loss", *table], 0.0)
    count = 0
    for batch in loader:
        x, y = _split(batch)
        out = model(x)
        loss = loss_fn(out, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        n = out.shape[0] if out.ndim else 1
        value = float(loss.item())
        totals["loss"] += value * n
        if table:
            detached = out.detach()
            for name, fn in table.items():
                totals[name] += float(fn(detached, y)) * n
        count += n
        bar.update(1)
        bar.set_postfix(loss=f"{value:.4g}", refresh=False)
    if count == 0:
        raise ValueError("fit: the training loader produced no batches")
    logs.update({name: total / count for name, total in totals.items()})
    return logs
