"""Lesson 09 (the same network on a GPU): counting the work and the memory of a network.

- conv2d_flops(batch, c_in, height, width, c_out, k, padding) -> the floating-point operations of a
  Conv2d forward pass (stride 1, a square k × k kernel, zero padding on every side): every output
  value is a sum of c_in · k² products, one multiply and one add each, so
  FLOPs = 2 · batch · c_out · h_out · w_out · c_in · k², with h_out = height + 2·padding − k + 1
  (and w_out likewise). The bias (one add per output) is not counted, as in most FLOP counters.
- activation_bytes(shapes, batch, bytes_per_value) -> the memory that a batch's layer outputs take:
  ``shapes`` lists each layer's output shape for ONE example (no batch axis), so
  bytes = batch · bytes_per_value · Σ_layers Π shape.
Both return a single number, an int or a float (a count used in arithmetic, never as an index or a size):
the references return floats, so either type is accepted, compared to rtol 1e-9.
"""
from __future__ import annotations

import math

import numpy as np

from ...harness.guard import reference
from ...registry import Case, Exercise, KnownMistake, Output, register

# (batch, c_in, height, width, c_out, k, padding): height != width, batch 1, c_in 1, padding 0
# among them, and no two of batch, c_in, c_out, k equal within a case, so every mistake shows.
_CONV = ([(8, 3, 12, 10, 16, 3, 1), (1, 16, 9, 7, 32, 3, 0), (5, 1, 28, 28, 4, 5, 2)],
         [(4, 3, 11, 13, 8, 3, 0), (1, 32, 6, 9, 64, 3, 1), (7, 1, 15, 12, 6, 5, 2), (3, 12, 8, 8, 5, 1, 0)])

# per-example layer output shapes (no batch axis), batch size, bytes per value
_ACT = (
    [([(16, 26, 26), (16, 26, 26), (32, 24, 24), (32, 12, 12), (4608,), (128,), (10,)], 32, 4),
     ([(8, 6, 5), (20,), (3,)], 1, 4),
     ([(64,), (64,), (10,)], 7, 2)],
    [([(6, 14, 12), (6, 7, 6), (252,), (10,)], 16, 4),
     ([(50,), (100,), (5,)], 1, 8),
     ([(3, 9, 11), (3, 9, 11), (297,), (40,), (40,), (2,)], 5, 2),
     ([(32, 5, 5), (800,)], 64, 4)],
)


@reference("gpu.conv2d_flops reference")
def conv2d_flops(batch, c_in, height, width, c_out, k, padding):
    """2 · batch · c_out · h_out · w_out · c_in · k² (stride 1)."""
    h_out, w_out = height + 2 * padding - k + 1, width + 2 * padding - k + 1
    return float(2 * batch * c_out * h_out * w_out * c_in * k * k)


@reference("gpu.activation_bytes reference")
def activation_bytes(shapes, batch, bytes_per_value):
    """batch · bytes_per_value · Σ over layers of the number of values in one example's output."""
    return float(batch * bytes_per_value * sum(math.prod(s) for s in shapes))


def _conv_cases(rng: np.random.Generator, hidden: bool):
    rows = _CONV[1] if hidden else _CONV[0]
    cases = []
    for n, c, h, w, f, k, p in rows:
        args = {"batch": n, "c_in": c, "height": h, "width": w, "c_out": f, "k": k, "padding": p}
        cases.append(Case(args=args, label=f"batch {n}, {c}×{h}×{w} in, {f} filters {k}×{k}, padding {p}",
                          factors={"N": n, "C_in": c, "C_out": f}))
    return cases


def _act_cases(rng: np.random.Generator, hidden: bool):
    rows = _ACT[1] if hidden else _ACT[0]
    return [Case(args={"shapes": list(shapes), "batch": b, "bytes_per_value": v},
                 label=f"{len(shapes)} layers, batch {b}, {v} bytes per value", factors={"N": b})
            for shapes, b, v in rows]


def _out(height, width, k, padding):
    return height + 2 * padding - k + 1, width + 2 * padding - k + 1


_CONV_MISTAKES = (
    KnownMistake("no_factor_2", "that is the number of multiply-adds; each one is two floating-point "
                 "operations (a multiply and an add), so the FLOP count is twice that.",
                 lambda n, c, h, w, f, k, p: n * f * math.prod(_out(h, w, k, p)) * c * k * k),
    KnownMistake("no_batch", "that is the count for ONE example: every example of the batch goes through "
                 "the layer, so multiply by the batch size.",
                 lambda n, c, h, w, f, k, p: 2 * f * math.prod(_out(h, w, k, p)) * c * k * k),
    KnownMistake("no_c_in", "each output value sums over all c_in input channels (c_in · k² products), "
                 "not over one channel's k × k window.",
                 lambda n, c, h, w, f, k, p: 2 * n * f * math.prod(_out(h, w, k, p)) * k * k),
    KnownMistake("no_c_out", "every one of the c_out filters makes its own output map: multiply by c_out.",
                 lambda n, c, h, w, f, k, p: 2 * n * math.prod(_out(h, w, k, p)) * c * k * k),
    KnownMistake("k_not_squared", "a k × k kernel has k² weights per channel, not k.",
                 lambda n, c, h, w, f, k, p: 2 * n * f * math.prod(_out(h, w, k, p)) * c * k),
    KnownMistake("input_size", "the work is done once per OUTPUT position: use h_out = height + 2·padding − k + 1 "
                 "(and w_out likewise), not the input's height × width.",
                 lambda n, c, h, w, f, k, p: 2 * n * f * h * w * c * k * k),
    KnownMistake("padding_ignored", "the output size forgot the padding: h_out = height + 2·padding − k + 1.",
                 lambda n, c, h, w, f, k, p: 2 * n * f * (h - k + 1) * (w - k + 1) * c * k * k),
    KnownMistake("padding_once", "padding adds `padding` pixels on BOTH sides: h_out = height + 2·padding − k + 1.",
                 lambda n, c, h, w, f, k, p: 2 * n * f * (h + p - k + 1) * (w + p - k + 1) * c * k * k),
    KnownMistake("no_positions", "that counts each weight once per example; the same weights are used again at "
                 "every output position (h_out · w_out of them): that sharing is what makes convolutions so "
                 "much arithmetic for so few parameters.",
                 lambda n, c, h, w, f, k, p: 2 * n * f * c * k * k),
)

_ACT_MISTAKES = (
    KnownMistake("no_batch", "that is the memory for ONE example: every example of the batch keeps its own "
                 "activations, so multiply by the batch size.",
                 lambda shapes, b, v: v * sum(math.prod(s) for s in shapes)),
    KnownMistake("no_bytes", "that is the number of VALUES; each one takes bytes_per_value bytes "
                 "(4 for float32).",
                 lambda shapes, b, v: b * sum(math.prod(s) for s in shapes)),
    KnownMistake("bits", "that is in bits: bytes_per_value is already in bytes (float32 is 4 bytes = 32 bits), "
                 "so do not multiply by 8.",
                 lambda shapes, b, v: 8 * b * v * sum(math.prod(s) for s in shapes)),
    KnownMistake("sum_of_dims", "a shape (C, H, W) holds C · H · W values (the product of its sizes), not "
                 "C + H + W.",
                 lambda shapes, b, v: b * v * sum(sum(s) for s in shapes)),
    KnownMistake("last_layer_only", "that counts only the last layer's output; during training every layer's "
                 "output is kept for the backward pass, so add them all up.",
                 lambda shapes, b, v: b * v * math.prod(shapes[-1])),
    KnownMistake("first_layer_only", "that counts only the first layer's output; add up every layer's output.",
                 lambda shapes, b, v: b * v * math.prod(shapes[0])),
    KnownMistake("largest_only", "that is the largest single layer; during training all of them are kept at "
                 "once (backward needs them), so add them up.",
                 lambda shapes, b, v: b * v * max(math.prod(s) for s in shapes)),
    KnownMistake("megabytes", "return the number of bytes, not megabytes (divide only when you print it).",
                 lambda shapes, b, v: b * v * sum(math.prod(s) for s in shapes) / 2**20),
    KnownMistake("megabytes", "return the number of bytes, not megabytes (divide only when you print it).",
                 lambda shapes, b, v: b * v * sum(math.prod(s) for s in shapes) / 1e6),
)

register(Exercise(
    "gpu.conv2d_flops",
    "conv2d_flops(batch, c_in, height, width, c_out, k, padding) -> FLOPs of a stride-1 Conv2d forward pass",
    conv2d_flops, _conv_cases, outputs=(Output("flops", "scalar"),), mistakes=_CONV_MISTAKES,
    rtol=1e-9, atol=0.0,
))
register(Exercise(
    "gpu.activation_bytes",
    "activation_bytes(shapes, batch, bytes_per_value) -> bytes of every layer's output for a batch",
    activation_bytes, _act_cases, outputs=(Output("bytes", "scalar"),), mistakes=_ACT_MISTAKES,
    rtol=1e-9, atol=0.0,
))
