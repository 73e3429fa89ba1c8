"""Losses over class scores: ``cross_entropy`` (on logits), ``nll_loss`` (on log-probabilities) and the
multiclass SVM (hinge) loss ``multi_margin_loss``, with torch's arguments and reductions.

The class axis is axis 1 (input (N, C) or (N, C, d1, ...), targets (N,) or (N, d1, ...)); it is
moved last and the rest flattened, so the Functions below see scores (M, C) and one target row
per sample. Class-index targets become a target distribution q (M, C) — a one-hot row scaled by
the class weight, mixed with the uniform distribution for label smoothing, zero for ignored
samples — so every variant shares one formula: loss = −Σ_c q_c log p_c.
"""
from __future__ import annotations

from typing import Any

from .. import backend
from ..backend import ops as B
from ..autograd.function import Context, Function
from ..autograd.tensor import Tensor
from ._reduction import check_reduction, reduce, spread
from .losses import like_input
from .shape import permute, reshape
from .softmax import shifted


class _RowLoss(Function):
    """A loss per row of scores (M, C), then the reduction (a mean divides by ``divisor``)."""

    @staticmethod
    def finish(ctx: Context, values: Any, d_scores: Any, reduction: str, divisor: Any, d_second: Any = None) -> Any:
        """Keep ∂row-loss/∂scores (and ∂/∂ the second input, soft targets) for backward; reduce."""
        ctx.save_for_backward(d_scores, d_second)
        ctx.shape, ctx.reduction, ctx.divisor = tuple(values.shape), reduction, divisor
        return reduce(ctx.xp, values, reduction, divisor)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, ...]:
        d_scores, d_second = ctx.saved_tensors
        g = spread(ctx.xp, grad, ctx.shape, ctx.reduction, ctx.divisor)[:, None]
        first = None if d_scores is None else g * d_scores
        second = None if d_second is None else g * d_second
        return (first, second) + (None,) * (len(ctx.inputs) - 2)


class SoftmaxCrossEntropy(_RowLoss):
    """−Σ_c q_c log softmax(x)_c per row; the gradient is softmax(x)·Σ_c q_c − q (softmax − one-hot)."""

    @classmethod
    def forward(cls, ctx: Context, logits: Any, q: Any, reduction: str = "mean", divisor: Any = None) -> Any:
        xp = ctx.xp
        z = shifted(xp, logits, 1)
        e = xp.exp(z)
        total = xp.sum(e, axis=1, keepdims=True)
        log_p = z - xp.log(total)
        values = -xp.sum(q * log_p, axis=1)
        need = ctx.needs_input_grad or (False, False)
        d_scores = (e / total) * xp.sum(q, axis=1, keepdims=True) - q if need[0] else None
        # Soft targets that require grad (e.g. a teacher's softmax): ∂/∂q = −log p.
        return cls.finish(ctx, values, d_scores, reduction, divisor, -log_p if need[1] else None)


class IndexCrossEntropy(Function):
    """−log softmax(x)_y per row for class indices y: the common case (no class weight, no label
    smoothing, no ignored rows) as one log-softmax and a gather; the gradient is softmax − one-hot.

    Same values as ``SoftmaxCrossEntropy`` with one-hot q, in a third of the array calls: at the
    course's batch sizes the loss is a few dozen tiny arrays, so the calls are the cost.
    """

    @staticmethod
    def forward(ctx: Context, logits: Any, classes: Any, reduction: str = "mean") -> Any:
        log_p = B.log_softmax(logits, 1)
        if ctx.needs_input_grad:
            ctx.save_for_backward(log_p, classes)
            ctx.reduction = reduction
        return B.nll_of_classes(log_p, classes, reduction)

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, None]:
        log_p, classes = ctx.saved_tensors
        rows = log_p.shape[0]
        # The reduction's gradient, as ``spread`` gives it, without materializing the broadcast.
        scale = grad / rows if ctx.reduction == "mean" else (grad if ctx.reduction == "sum" else grad[:, None])
        return B.softmax_cross_entropy_grad(log_p, classes, scale), None


class NLL(_RowLoss):
    """−Σ_c q_c x_c per row (x already log-probabilities); the gradient is −q."""

    @classmethod
    def forward(cls, ctx: Context, log_probs: Any, q: Any, reduction: str = "mean", divisor: Any = None) -> Any:
        values = -ctx.xp.sum(q * log_probs, axis=1)
        return cls.finish(ctx, values, -q if ctx.needs_input_grad else None, reduction, divisor)


class MultiMargin(_RowLoss):
    """Σ_{j≠y} w_y·max(0, margin − x_y + x_j)^p / C per row: the multiclass SVM loss.

    Each violated margin h_j > 0 pushes x_j up by c_j = p·h_j^(p−1)·w_y / C and x_y down by the same.
    """

    @classmethod
    def forward(
        cls, ctx: Context, scores: Any, onehot: Any, row_weight: Any = None,
        p: int = 1, margin: float = 1.0, reduction: str = "mean",
    ) -> Any:
        xp = ctx.xp
        correct = xp.sum(xp.where(onehot, scores, 0.0), axis=1, keepdims=True)
        hinge = xp.where(onehot, 0.0, xp.maximum(margin - correct + scores, 0.0))
        classes = scores.shape[1]
        scale = (1 / classes) if row_weight is None else row_weight[:, None] / classes
        values = xp.sum((hinge if p == 1 else hinge * hinge) * scale, axis=1)
        d_scores = None
        if ctx.needs_input_grad:
            push = (xp.astype(hinge > 0, scores.dtype) if p == 1 else 2 * hinge) * scale
            d_scores = push - xp.where(onehot, xp.sum(push, axis=1, keepdims=True), 0.0)
        return cls.finish(ctx, values, d_scores, reduction, None)


def _rows(input: Tensor, op: str) -> Tensor:
    """Scores (N, C, d...) as rows (N·d..., C): the class axis last."""
    ndim = input.data.ndim  # .data: these helpers run on every training step, and properties cost calls
    if ndim < 2:
        raise ValueError(f"{op}: input must be (N, C) or (N, C, d1, ...), got shape {input.shape}")
    if ndim == 2:
        return input
    order = (0,) + tuple(range(2, input.ndim)) + (1,)
    return reshape(permute(input, *order), (-1, input.shape[1]))


def _unrows(values: Tensor, input: Tensor) -> Tensor:
    """Per-row losses back in the input's sample shape (N, d1, ...)."""
    return values if input.ndim == 2 else reshape(values, (input.shape[0],) + input.shape[2:])


def _class_targets(input: Tensor, target: Any, op: str) -> Any:
    """The target class indices as a flat int array (one per row), after checking the shape."""
    data = target.data if isinstance(target, Tensor) else backend.asarray(target)
    xp = input._xp
    shape = input.data.shape
    expected = (shape[0],) + tuple(shape[2:])
    if tuple(data.shape) != expected:
        raise ValueError(
            f"{op}: target must hold one class index per sample, shape {expected} for input of shape "
            f"{input.shape}; got target of shape {tuple(data.shape)}"
        )
    if not _is_integral(data.dtype, xp):
        raise TypeError(
            f"{op}: target must hold integer class indices (e.g. dlkit.tensor([2, 0, 1])), got dtype "
            f"{backend.dtype_name(data.dtype, xp)}"
        )
    return data if data.ndim == 1 else xp.reshape(data, (-1,))


# (namespace, dtype) -> is it an integer type (isdtype is slow next to a tiny loss). The namespace comes
# first so that a lookup never compares dtypes of two libraries (array_api_strict warns when it does).
_INTEGRAL: dict[Any, bool] = {}


def _is_integral(dtype: Any, xp: Any) -> bool:
    key = (xp, dtype)
    known = _INTEGRAL.get(key)
    if known is None:
        known = _INTEGRAL[key] = bool(xp.isdtype(dtype, "integral"))
    return known


def _all_classes_valid(classes: Any, count: int) -> bool:
    """Whether every target is a class index in [0, count) (so none is ignored and none is an error)."""
    return not int(B.classes_out_of_range(classes, count))


def _distribution(
    input: Tensor, classes: Any, weight: Any, ignore_index: int, smoothing: float, op: str
) -> tuple[Any, Any]:
    """(q, divisor) for class-index targets: q (M, C) as described above; divisor Σ w_target (valid rows)."""
    xp = input._xp
    count = input.shape[1]
    valid = classes != ignore_index
    safe = xp.where(valid, classes, 0)
    if bool(xp.any((safe < 0) | (safe >= count))):
        raise IndexError(f"{op}: target class indices must be in [0, {count}) (or ignore_index), got out-of-range values")
    onehot = xp.reshape(safe, (-1, 1)) == xp.reshape(xp.arange(count, dtype=safe.dtype), (1, -1))
    dtype = input.data.dtype
    w = xp.ones((count,), dtype=dtype) if weight is None else weight.data
    w_target = xp.where(valid, xp.take(w, safe), 0.0)
    q = xp.where(onehot, xp.reshape(w_target, (-1, 1)), 0.0) * (1 - smoothing)
    if smoothing:
        q = q + xp.where(xp.reshape(valid, (-1, 1)), w * (smoothing / count), 0.0)
    return xp.astype(q, dtype), xp.sum(w_target)


def cross_entropy(
    input: Tensor,
    target: Any,
    weight: Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy between logits (N, C[, d...]) and class indices (N[, d...]): softmax folded in, stable.

    ``target`` may instead hold class probabilities of the input's shape. ``weight`` (C,) rescales
    classes, samples whose target is ``ignore_index`` count for nothing, and ``label_smoothing``
    mixes the targets with the uniform distribution — all as torch does it.
    """
    check_reduction(reduction, "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    rows = _rows(input, "cross_entropy")
    weight = like_input(weight, input)
    xp = input._xp
    if isinstance(target, Tensor) and target.data.shape == input.data.shape and backend.is_floating(target.data.dtype, xp):
        # Class probabilities: q is built with tensor ops, so a target that requires grad gets one.
        q = _rows(like_input(target, input), "cross_entropy")
        if label_smoothing:
            q = q * (1 - label_smoothing) + label_smoothing / input.shape[1]
        if weight is not None:
            q = q * weight
        divisor = None
    else:
        classes = _class_targets(input, target, "cross_entropy")
        if weight is None and not label_smoothing and _all_classes_valid(classes, input.data.shape[1]):
            out = IndexCrossEntropy.apply(rows, classes, reduction=reduction)
            return _unrows(out, input) if reduction == "none" else out
        q, divisor = _distribution(input, classes, weight, ignore_index, label_smoothing, "cross_entropy")
    out = SoftmaxCrossEntropy.apply(rows, q, reduction=reduction, divisor=divisor)
    return _unrows(out, input) if reduction == "none" else out


def nll_loss(
    input: Tensor, target: Any, weight: Tensor | None = None, ignore_index: int = -100, reduction: str = "mean"
) -> Tensor:
    """Negative log-likelihood of class indices given log-probabilities (the output of ``log_softmax``)."""
    check_reduction(reduction, "nll_loss")
    rows = _rows(input, "nll_loss")
    classes = _class_targets(input, target, "nll_loss")
    q, divisor = _distribution(input, classes, like_input(weight, input), ignore_index, 0.0, "nll_loss")
    out = NLL.apply(rows, q, reduction=reduction, divisor=divisor)
    return _unrows(out, input) if reduction == "none" else out


def multi_margin_loss(
    input: Tensor, target: Any, p: int = 1, margin: float = 1.0, weight: Tensor | None = None, reduction: str = "mean"
) -> Tensor:
    """The multiclass SVM loss Σ_{j≠y} max(0, margin − x_y + x_j)^p / C per sample (p is 1 or 2)."""
    check_reduction(reduction, "multi_margin_loss")
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: p must be 1 or 2, got {p!r}")
    if input.ndim != 2:
        raise ValueError(f"multi_margin_loss: input must be (N, C), got shape {input.shape}")
    xp = input._xp
    classes = _class_targets(input, target, "multi_margin_loss")
    onehot = xp.reshape(classes, (-1, 1)) == xp.reshape(xp.arange(input.shape[1], dtype=classes.dtype), (1, -1))
    row_weight = None if weight is None else xp.take(like_input(weight, input).data, classes)
    return MultiMargin.apply(input, onehot, row_weight, p=p, margin=float(margin), reduction=reduction)
