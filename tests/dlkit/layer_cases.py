"""Every op of the neural-network layers, described once for gradchecks, torch parity and the backends.

Same conventions as ``op_cases.py``: ``fn(lib, *tensors)`` runs unchanged with ``lib = dlkit`` and
``lib = torch`` (``lib.nn.functional`` is F in both). Targets and other non-differentiable inputs
are built inside ``fn`` from fixed data, on the inputs' device and in their dtype.
"""
from __future__ import annotations

import numpy as np

from .op_cases import Case, fixed
from .strategies import shapes


def F(lib):
    return lib.nn.functional


def _const(lib, like, values, integer=False):
    """Fixed values as a tensor beside ``like`` (same device; same dtype unless integer)."""
    if integer:
        return lib.tensor(np.asarray(values), device=like.device)
    return lib.tensor(np.asarray(values, dtype=np.float64), dtype=like.dtype, device=like.device)


CLASSES = [2, 0, 3, 3, 1]  # targets for (5, 4) scores
CLASS_WEIGHT = [0.5, 2.0, 1.0, 1.5]
SPATIAL_CLASSES = np.array([[[0, 2], [1, 1], [2, 0]], [[1, 0], [2, 2], [0, 1]]])  # (2, 3, 2) for (2, 3, 3, 2)

vectors = shapes(1, 3).map(lambda s: (s,))
rows = fixed((5, 4))

ACTIVATIONS = [
    Case("leaky_relu", lambda lib, a: F(lib).leaky_relu(a, 0.2), vectors, ("nonzero",)),
    Case("softplus", lambda lib, a: F(lib).softplus(a * 3), vectors),
    Case("softplus_beta_threshold", lambda lib, a: F(lib).softplus(a * 4, beta=2.0, threshold=1.0), vectors, ("nonzero",)),
    Case("elu", lambda lib, a: F(lib).elu(a, alpha=0.7), vectors, ("nonzero",)),
    Case("gelu", lambda lib, a: F(lib).gelu(a * 2), vectors),
    Case("gelu_tanh", lambda lib, a: F(lib).gelu(a * 2, approximate="tanh"), vectors),
    Case("softmax", lambda lib, a: F(lib).softmax(a, dim=1), fixed((3, 5))),
    Case("softmax_dim0_3d", lambda lib, a: F(lib).softmax(a, dim=0), fixed((3, 2, 4))),
    Case("log_softmax", lambda lib, a: F(lib).log_softmax(a, dim=-1), fixed((2, 3, 4))),
]

LINEAR = [
    Case("linear", lambda lib, x, w, b: F(lib).linear(x, w, b), fixed((4, 3), (2, 3), (2,))),
    Case("linear_batched_no_bias", lambda lib, x, w: F(lib).linear(x, w), fixed((2, 3, 4), (5, 4))),
    Case("linear_1d_input", lambda lib, x, w, b: F(lib).linear(x, w, b), fixed((3,), (2, 3), (2,))),
]

CONV = [
    Case("conv2d", lambda lib, x, w, b: F(lib).conv2d(x, w, b), fixed((2, 3, 5, 4), (4, 3, 3, 2), (4,))),
    Case("conv2d_stride_padding", lambda lib, x, w, b: F(lib).conv2d(x, w, b, stride=2, padding=1), fixed((2, 2, 5, 6), (3, 2, 3, 3), (3,))),
    Case("conv2d_tuple_args", lambda lib, x, w: F(lib).conv2d(x, w, None, stride=(1, 2), padding=(2, 0)), fixed((1, 2, 4, 7), (2, 2, 3, 3))),
    Case("conv2d_same", lambda lib, x, w, b: F(lib).conv2d(x, w, b, padding="same"), fixed((1, 2, 5, 5), (3, 2, 3, 3), (3,))),
    Case("conv2d_same_even_kernel", lambda lib, x, w: F(lib).conv2d(x, w, padding="same"), fixed((2, 1, 4, 5), (2, 1, 2, 4))),
    Case("conv2d_1x1", lambda lib, x, w: F(lib).conv2d(x, w), fixed((2, 3, 2, 3), (4, 3, 1, 1))),
    Case("conv1d", lambda lib, x, w, b: F(lib).conv1d(x, w, b, stride=2, padding=1), fixed((2, 3, 7), (4, 3, 3), (4,))),
    Case("conv1d_same", lambda lib, x, w: F(lib).conv1d(x, w, padding="same"), fixed((1, 2, 6), (3, 2, 5))),
]

POOLING = [
    Case("max_pool2d", lambda lib, x: F(lib).max_pool2d(x, 2), fixed((2, 3, 4, 6)), ("spread",)),
    Case("max_pool2d_odd_size", lambda lib, x: F(lib).max_pool2d(x, 2), fixed((1, 2, 5, 3)), ("spread",)),
    Case("max_pool2d_overlap_pad", lambda lib, x: F(lib).max_pool2d(x, 3, stride=1, padding=1), fixed((2, 2, 4, 5)), ("spread",)),
    Case("max_pool2d_rect", lambda lib, x: F(lib).max_pool2d(x, (2, 3), stride=(1, 2)), fixed((1, 3, 5, 7)), ("spread",)),
    Case("avg_pool2d", lambda lib, x: F(lib).avg_pool2d(x, 2), fixed((2, 3, 4, 6))),
    Case("avg_pool2d_overlap_pad", lambda lib, x: F(lib).avg_pool2d(x, 3, stride=2, padding=1), fixed((1, 2, 5, 6))),
]


def _probs(lib, a):
    return lib.sigmoid(a)


LOSSES = [
    Case("mse_loss", lambda lib, a, b: F(lib).mse_loss(a, b), fixed((3, 4), (3, 4))),
    Case("mse_loss_sum", lambda lib, a, b: F(lib).mse_loss(a, b, reduction="sum"), fixed((5,), (5,))),
    Case("mse_loss_none", lambda lib, a, b: F(lib).mse_loss(a, b, reduction="none"), fixed((2, 3), (2, 3))),
    Case("l1_loss", lambda lib, a, b: F(lib).l1_loss(a, b), fixed((3, 4), (3, 4)), ("spread",)),
    Case("l1_loss_none", lambda lib, a, b: F(lib).l1_loss(a, b, reduction="none"), fixed((2, 3), (2, 3)), ("spread",)),
    Case("binary_cross_entropy", lambda lib, a, b: F(lib).binary_cross_entropy(_probs(lib, a), _probs(lib, b)), fixed((4, 3), (4, 3))),
    Case(
        "binary_cross_entropy_weight_sum",
        lambda lib, a, b: F(lib).binary_cross_entropy(_probs(lib, a), _probs(lib, b), weight=_const(lib, a, [0.5, 1.0, 2.0]), reduction="sum"),
        fixed((2, 3), (2, 3)),
    ),
    Case("bce_with_logits", lambda lib, a, b: F(lib).binary_cross_entropy_with_logits(a * 3, _probs(lib, b)), fixed((4, 3), (4, 3))),
    Case(
        "bce_with_logits_pos_weight_none",
        lambda lib, a, b: F(lib).binary_cross_entropy_with_logits(
            a * 3, _probs(lib, b), pos_weight=_const(lib, a, [0.5, 3.0, 1.0]), reduction="none"
        ),
        fixed((4, 3), (4, 3)),
    ),
    Case("cross_entropy", lambda lib, a: F(lib).cross_entropy(a, _const(lib, a, CLASSES, True)), rows),
    Case(
        "cross_entropy_weight_ignore_smoothing",
        lambda lib, a: F(lib).cross_entropy(
            a, _const(lib, a, CLASSES, True), weight=_const(lib, a, CLASS_WEIGHT), ignore_index=3, label_smoothing=0.1
        ),
        rows,
    ),
    Case("cross_entropy_sum", lambda lib, a: F(lib).cross_entropy(a, _const(lib, a, CLASSES, True), reduction="sum"), rows),
    Case("cross_entropy_none", lambda lib, a: F(lib).cross_entropy(a, _const(lib, a, CLASSES, True), reduction="none"), rows),
    Case("cross_entropy_spatial", lambda lib, a: F(lib).cross_entropy(a, _const(lib, a, SPATIAL_CLASSES, True)), fixed((2, 3, 3, 2))),
    Case("cross_entropy_probabilities", lambda lib, a, b: F(lib).cross_entropy(a, F(lib).softmax(b, dim=1)), fixed((5, 4), (5, 4))),
    Case("nll_loss", lambda lib, a: F(lib).nll_loss(F(lib).log_softmax(a, dim=1), _const(lib, a, CLASSES, True)), rows),
    Case(
        "nll_loss_weight_none",
        lambda lib, a: F(lib).nll_loss(a, _const(lib, a, CLASSES, True), weight=_const(lib, a, CLASS_WEIGHT), reduction="none"),
        rows,
    ),
    Case("multi_margin_loss", lambda lib, a: F(lib).multi_margin_loss(a * 2, _const(lib, a, CLASSES, True)), rows, ("spread",)),
    Case(
        "multi_margin_loss_p2_weight",
        lambda lib, a: F(lib).multi_margin_loss(
            a * 2, _const(lib, a, CLASSES, True), p=2, margin=0.5, weight=_const(lib, a, CLASS_WEIGHT), reduction="sum"
        ),
        rows,
        ("spread",),
    ),
]


def _batch_norm(lib, x, w, b, training):
    channels = x.shape[1]
    mean = _const(lib, x, np.linspace(-0.5, 0.5, channels))
    var = _const(lib, x, np.linspace(0.5, 2.0, channels))
    return F(lib).batch_norm(x, mean, var, w, b, training=training, momentum=0.2)


NORMALIZATION = [
    Case("batch_norm_train_2d", lambda lib, x, w, b: _batch_norm(lib, x, w, b, True), fixed((5, 3), (3,), (3,))),
    Case("batch_norm_train_4d", lambda lib, x, w, b: _batch_norm(lib, x, w, b, True), fixed((2, 3, 3, 2), (3,), (3,))),
    Case("batch_norm_train_3d", lambda lib, x, w, b: _batch_norm(lib, x, w, b, True), fixed((3, 2, 4), (2,), (2,))),
    Case("batch_norm_eval_4d", lambda lib, x, w, b: _batch_norm(lib, x, w, b, False), fixed((2, 3, 2, 2), (3,), (3,))),
    Case(
        "batch_norm_no_affine_no_running",
        lambda lib, x: F(lib).batch_norm(x, None, None, training=True),
        fixed((4, 3)),
    ),
    # layer norm: statistics per example over the last axes; weight and bias have the normalized shape
    Case("layer_norm_2d", lambda lib, x, w, b: F(lib).layer_norm(x, (4,), w, b), fixed((5, 4), (4,), (4,))),
    Case("layer_norm_last_two_axes", lambda lib, x, w, b: F(lib).layer_norm(x, (3, 2), w, b, eps=1e-3),
         fixed((2, 4, 3, 2), (3, 2), (3, 2))),
    Case("layer_norm_3d_no_affine", lambda lib, x: F(lib).layer_norm(x, [5]), fixed((2, 3, 5))),
    Case("layer_norm_batch_of_one", lambda lib, x, w: F(lib).layer_norm(x, (6,), w), fixed((1, 6), (6,))),
]

# Dropout's mask is random, so its gradcheck/parity lives in test_functional_dropout.py with a shared mask.
LAYER_CASES = ACTIVATIONS + LINEAR + CONV + POOLING + LOSSES + NORMALIZATION
