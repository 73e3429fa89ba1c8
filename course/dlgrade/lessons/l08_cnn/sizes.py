"""Lesson 08 (convolutional networks): the output-size arithmetic of a convolution or pooling layer.

- conv_output_size(n, k, stride, padding) -> the number of output positions along one axis of length n,
  for a kernel of size k moved `stride` steps at a time over the input with `padding` zeros added on
  BOTH sides: ⌊(n + 2·padding − k) / stride⌋ + 1, an integer (a window that would stick out past the
  padded input is not used). Compared with the reference exactly.

The convolution and pooling exercises of the lesson reuse cnn.conv2d_forward, cnn.conv2d_backward,
cnn.max_pool_forward and cnn.max_pool_backward (conv.py).
"""
from __future__ import annotations

import math

import numpy as np

from ...harness.guard import reference
from ...registry import Case, Exercise, KnownMistake, Output, register

# (n, k, stride, padding): stride 1 and > 1, padding 0 and > 0, divisions that are exact and not,
# so that every mistake below gives a different number on at least one case.
_SIZES = ([(28, 3, 1, 0), (28, 3, 1, 1), (7, 3, 2, 1), (10, 4, 3, 0), (32, 5, 2, 2), (11, 2, 2, 0)],
          [(26, 3, 1, 0), (9, 3, 2, 2), (12, 5, 3, 1), (15, 4, 2, 1), (224, 7, 2, 3), (6, 6, 1, 0),
           (13, 2, 3, 0)])


@reference("cnn.conv_output_size reference")
def conv_output_size(n, k, stride, padding):
    """⌊(n + 2·padding − k) / stride⌋ + 1."""
    return (n + 2 * padding - k) // stride + 1


def _cases(rng: np.random.Generator, hidden: bool):
    rows = _SIZES[1] if hidden else _SIZES[0]
    return [Case(args={"n": n, "k": k, "stride": s, "padding": p},
                 label=f"n={n}, k={k}, stride={s}, padding={p}") for n, k, s, p in rows]


_MISTAKES = (
    KnownMistake("padding_ignored", "the padding is missing: `padding` zeros are added to the input before the "
                 "kernel slides over it, so the length it slides over is n + 2·padding.",
                 lambda n, k, s, p: (n - k) // s + 1),
    KnownMistake("padding_once", "padding adds `padding` zeros on BOTH sides of the input: the padded length is "
                 "n + 2·padding, not n + padding.",
                 lambda n, k, s, p: (n + p - k) // s + 1),
    KnownMistake("no_plus_one", "off by one: (n + 2·padding − k) // stride counts the steps the kernel can take; "
                 "the number of positions is one more (the starting position counts too), added after the division.",
                 lambda n, k, s, p: (n + 2 * p - k) // s),
    KnownMistake("true_division", "use integer division `//`: a window that would stick out past the end is not "
                 "used, so the number of positions is a whole number ⌊(n + 2·padding − k) / stride⌋ + 1.",
                 lambda n, k, s, p: (n + 2 * p - k) / s + 1),
    KnownMistake("rounded_up", "round DOWN (`//`), not up: a window that would stick out past the padded input "
                 "is not used.",
                 lambda n, k, s, p: math.ceil((n + 2 * p - k) / s) + 1),
    KnownMistake("stride_ignored", "the stride is missing: the kernel moves `stride` positions at a time, so "
                 "divide the room it has, n + 2·padding − k, by the stride (with //) before adding 1.",
                 lambda n, k, s, p: n + 2 * p - k + 1),
    KnownMistake("kernel_ignored", "the kernel size is missing: the kernel needs k input positions, so its "
                 "first position can only slide over n + 2·padding − k of them.",
                 lambda n, k, s, p: (n + 2 * p) // s + 1),
)

register(Exercise(
    "cnn.conv_output_size",
    "conv_output_size(n, k, stride, padding) -> output length along one axis, ⌊(n + 2p − k)/s⌋ + 1",
    conv_output_size, _cases, outputs=(Output("size", "scalar"),), mistakes=_MISTAKES,
    rtol=0.0, atol=1e-9,
))
