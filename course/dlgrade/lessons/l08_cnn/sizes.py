"""Lesson 08 (convolutional networks): the output-size arithmetic of a convolution or pooling layer.

- conv_output_size(n, k, stride, padding) -> the number of output positions along one axis of length n,
  for a kernel of size k moved `stride` steps at a time over the input with `padding` zeros added on
  BOTH sides: ⌊(n + 2·padding − k) / stride⌋ + 1, an integer (a window that would stick out past the
  padded input is not used). Compared with the reference exactly; dlkit computes the same number for F.conv2d.
"""
from __future__ import annotations

import math

import numpy as np

from ...harness.guard import reference
from ...registry import Case, Exercise, KnownMistake, Output, register

# (n, k, stride, padding): stride 1 and > 1, padding 0 and > 0, divisions that are exact and not (a remainder
# below and above half the stride), so that every mistake below gives a different number on some case.
_SIZES = ([(28, 3, 1, 0), (28, 3, 1, 1), (7, 3, 2, 1), (10, 4, 3, 0), (32, 5, 2, 2), (11, 2, 2, 0),
           (12, 2, 3, 0)],
          [(26, 3, 1, 0), (9, 3, 2, 2), (12, 5, 3, 1), (15, 4, 2, 1), (224, 7, 2, 3), (6, 6, 1, 0),
           (13, 2, 3, 0), (16, 3, 3, 0)])


@reference("cnn.conv_output_size reference")
def conv_output_size(n, k, stride, padding):
    """⌊(n + 2·padding − k) / stride⌋ + 1 (dlkit's conv2d output size)."""
    from dlkit.functional._conv_args import out_size

    return out_size(n, k, stride, 2 * padding, "conv_output_size", "n")


def _drawn(rng: np.random.Generator, count: int) -> list[tuple[int, int, int, int]]:
    """Sizes drawn from the case seed: a kernel that fits the padded input, stride 1-4, padding 0-3."""
    rows: list[tuple[int, int, int, int]] = []
    while len(rows) < count:
        n, k, s, p = int(rng.integers(5, 41)), int(rng.integers(1, 8)), int(rng.integers(1, 5)), int(rng.integers(0, 4))
        if k <= n + 2 * p:
            rows.append((n, k, s, p))
    return rows


def _cases(rng: np.random.Generator, hidden: bool):
    rows = _SIZES[1] + _drawn(rng, 2) if hidden else _SIZES[0]
    return [Case(args={"n": n, "k": k, "stride": s, "padding": p},
                 label=f"n={n}, k={k}, stride={s}, padding={p}") for n, k, s, p in rows]


_LINE = "the line that computes the size"
_MISTAKES = (
    KnownMistake("padding_ignored", "the padding is missing: `padding` zeros are added to the input before the "
                 "kernel slides over it, so the length it slides over is n + 2·padding.",
                 lambda n, k, s, p: (n - k) // s + 1, _LINE, r"\(\s*n\s*-\s*k"),
    KnownMistake("padding_once", "padding adds `padding` zeros on BOTH sides of the input: the padded length is "
                 "n + 2·padding, not n + padding.",
                 lambda n, k, s, p: (n + p - k) // s + 1, _LINE, r"n\s*\+\s*padding\s*-"),
    KnownMistake("no_plus_one", "off by one: (n + 2·padding − k) // stride counts the steps the kernel can take; "
                 "the number of positions is one more (the starting position counts too), added after the division.",
                 lambda n, k, s, p: (n + 2 * p - k) // s, _LINE, r"//\s*stride\s*$"),
    KnownMistake("true_division", "use integer division `//`: a window that would stick out past the end is not "
                 "used, so the number of positions is a whole number ⌊(n + 2·padding − k) / stride⌋ + 1.",
                 lambda n, k, s, p: (n + 2 * p - k) / s + 1, _LINE, r"[^/]/[^/]"),
    KnownMistake("rounded_up", "round DOWN (`//`), not up: a window that would stick out past the padded input "
                 "is not used.", lambda n, k, s, p: math.ceil((n + 2 * p - k) / s) + 1, _LINE, r"ceil"),
    KnownMistake("rounded_nearest", "round() rounds to the NEAREST whole number; the count of positions rounds "
                 "DOWN (`//`): a window that would stick out past the padded input is not used.",
                 lambda n, k, s, p: round((n + 2 * p - k) / s) + 1, _LINE, r"round\("),
    KnownMistake("stride_ignored", "the stride is missing: the kernel moves `stride` positions at a time, so "
                 "divide the room it has, n + 2·padding − k, by the stride (with //) before adding 1.",
                 lambda n, k, s, p: n + 2 * p - k + 1, _LINE, r"k\s*\+\s*1"),
    KnownMistake("kernel_ignored", "the kernel size is missing: the kernel needs k input positions, so its "
                 "first position can only slide over n + 2·padding − k of them.",
                 lambda n, k, s, p: (n + 2 * p) // s + 1, _LINE, r"padding\s*\)\s*//"),
    KnownMistake("padding_subtracted", "padding ADDS zeros around the input: the padded length is n + 2·padding, "
                 "so the padding enters with a plus sign.",
                 lambda n, k, s, p: (n - 2 * p - k) // s + 1, _LINE, r"-\s*2\s*\*\s*padding"),
    KnownMistake("plus_one_inside_division", "the + 1 belongs after the division: ⌊(n + 2·padding − k) / stride⌋ "
                 "steps, plus the starting position. Adding 1 before dividing loses it whenever the stride is > 1.",
                 lambda n, k, s, p: (n + 2 * p - k + 1) // s, _LINE, r"\+\s*1\s*\)\s*//"),
    KnownMistake("same_padding_always", "that is the size of 'same' padding, ⌈n / stride⌉, whatever the kernel "
                 "and padding: use both, ⌊(n + 2·padding − k) / stride⌋ + 1.",
                 lambda n, k, s, p: (n - 1) // s + 1, _LINE, r"n\s*-\s*1\s*\)\s*//"),
    KnownMistake("transposed_formula", "that is the output size of a TRANSPOSED convolution, (n − 1)·stride − "
                 "2·padding + k, which upsamples; a convolution shrinks: ⌊(n + 2·padding − k) / stride⌋ + 1.",
                 lambda n, k, s, p: (n - 1) * s - 2 * p + k, _LINE, r"\*\s*stride"),
    KnownMistake("padding_after_division", "the padding was added to the output count; it belongs to the input: "
                 "pad first, n + 2·padding, then count the positions of the kernel in it.",
                 lambda n, k, s, p: (n - k) // s + 1 + 2 * p, _LINE, r"\+\s*2\s*\*\s*padding\s*$"),
)

register(Exercise(
    "cnn.conv_output_size",
    "conv_output_size(n, k, stride, padding) -> output length along one axis, ⌊(n + 2p − k)/s⌋ + 1",
    conv_output_size, _cases, outputs=(Output("size", "scalar"),), mistakes=_MISTAKES,
    rtol=0.0, atol=1e-9, hints=frozenset(),
))
