"""Lesson 09 (the same network on a GPU): conv2d_flops(batch, c_in, height, width, c_out, k, padding) -> the
floating-point operations of a stride-1 Conv2d forward pass with a square k × k kernel and zero padding on every
side: every output value is a sum of c_in · k² products, one multiply and one add each, so

    FLOPs = 2 · batch · c_out · h_out · w_out · c_in · k²,   h_out = height + 2·padding − k + 1 (w_out likewise).

The bias (one add per output) is not counted, as in most FLOP counters. The output sizes are dlkit's (F.conv2d's
output shape, the number of outputs times the work of one). Compared to rtol 1e-9; an int or a float is accepted.
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Case, Exercise, KnownMistake, Output, register

# (batch, c_in, height, width, c_out, k, padding): height ≠ width, batch 1, c_in 1, padding 0 among them, and no
# two of batch, c_in, c_out, k equal within a case, so every factor shows on its own.
_ROWS = ([(8, 3, 12, 10, 16, 3, 1), (1, 16, 9, 7, 32, 3, 0), (5, 1, 28, 28, 4, 5, 2)],
         [(4, 3, 11, 13, 8, 3, 0), (1, 32, 6, 9, 64, 3, 1), (7, 1, 15, 12, 6, 5, 2), (3, 12, 8, 8, 5, 1, 0)])


@reference("gpu.conv2d_flops reference")
def conv2d_flops(batch, c_in, height, width, c_out, k, padding):
    """2 · (outputs of F.conv2d) · c_in · k²: the outputs counted from dlkit's output size."""
    from dlkit.functional._conv_args import out_size

    h_out, w_out = (out_size(n, k, 1, 2 * padding, "conv2d_flops", axis)
                    for n, axis in ((height, "height"), (width, "width")))
    return float(2 * batch * c_out * h_out * w_out * c_in * k * k)


def _drawn(rng: np.random.Generator) -> tuple[int, ...]:
    """A layer drawn from the case seed whose batch, channels and kernel are all different."""
    while True:
        n, c, f = (int(v) for v in rng.integers(2, 20, size=3))
        k, p = int(rng.choice([1, 3, 5, 7])), int(rng.integers(0, 3))
        h, w = (int(v) for v in rng.integers(k + 2, 40, size=2))
        if len({n, c, f, k}) == 4 and h != w:
            return n, c, h, w, f, k, p


def _cases(rng: np.random.Generator, hidden: bool):
    rows = _ROWS[1] + [_drawn(rng)] if hidden else _ROWS[0]
    return [Case(args={"batch": n, "c_in": c, "height": h, "width": w, "c_out": f, "k": k, "padding": p},
                 label=f"batch {n}, {c}×{h}×{w} in, {f} filters {k}×{k}, padding {p}",
                 factors={"N": n, "C_in": c, "C_out": f}) for n, c, h, w, f, k, p in rows]


def _out(h, w, k, p):
    return (h + 2 * p - k + 1) * (w + 2 * p - k + 1)


_LINE, _SIZE = "the line that counts the FLOPs", "the line that computes h_out and w_out"
_MISTAKES = tuple(KnownMistake(code, msg, fn, look, rx) for code, msg, fn, look, rx in (
    ("no_factor_2", "that is the number of multiply-adds; each one is two floating-point operations (a multiply "
     "and an add), so the FLOP count is twice that.", lambda n, c, h, w, f, k, p: n * f * _out(h, w, k, p) * c * k * k,
     _LINE, r"^(?!.*2\s*\*).*k"),
    ("adds_one_fewer", "a sum of c_in·k² products takes c_in·k² − 1 additions, but the convention counts one "
     "multiply-add per product: 2·c_in·k² per output value, with no − 1.",
     lambda n, c, h, w, f, k, p: n * f * _out(h, w, k, p) * (2 * c * k * k - 1), _LINE, r"-\s*1\s*\)"),
    ("bias_counted", "the bias add is counted; like most FLOP counters, this exercise leaves it out: "
     "2·batch·c_out·h_out·w_out·c_in·k².", lambda n, c, h, w, f, k, p: n * f * _out(h, w, k, p) * (2 * c * k * k + 1),
     _LINE, r"\+\s*1\s*\)"),
    ("no_batch", "that is the count for ONE example: every example of the batch goes through the layer, so "
     "multiply by the batch size.", lambda n, c, h, w, f, k, p: 2 * f * _out(h, w, k, p) * c * k * k, _LINE,
     r"^(?!.*batch).*k"),
    ("no_c_in", "each output value sums over all c_in input channels (c_in · k² products), not over one "
     "channel's k × k window.", lambda n, c, h, w, f, k, p: 2 * n * f * _out(h, w, k, p) * k * k, _LINE,
     r"^(?!.*c_in).*k"),
    ("no_c_out", "every one of the c_out filters makes its own output map: multiply by c_out.",
     lambda n, c, h, w, f, k, p: 2 * n * _out(h, w, k, p) * c * k * k, _LINE, r"^(?!.*c_out).*k"),
    ("k_not_squared", "a k × k kernel has k² weights per channel, not k.",
     lambda n, c, h, w, f, k, p: 2 * n * f * _out(h, w, k, p) * c * k, _LINE, r"^(?!.*(k\s*\*\s*k|k\s*\*\*)).*k"),
    ("input_size", "the work is done once per OUTPUT position: use h_out = height + 2·padding − k + 1 (and w_out "
     "likewise), not the input's height × width.", lambda n, c, h, w, f, k, p: 2 * n * f * h * w * c * k * k, _LINE,
     r"height\s*\*\s*width"),
    ("square_input", "the height was used for both sizes: h_out and w_out differ when height ≠ width, "
     "w_out = width + 2·padding − k + 1.", lambda n, c, h, w, f, k, p: 2 * n * f * (h + 2 * p - k + 1) ** 2 * c * k * k,
     _SIZE, r"h_out\s*\*\s*h_out|h_out\s*\*\*\s*2"),
    ("padding_ignored", "the output size forgot the padding: h_out = height + 2·padding − k + 1.",
     lambda n, c, h, w, f, k, p: 2 * n * f * _out(h, w, k, 0) * c * k * k, _SIZE, r"^(?!.*padding).*-\s*k"),
    ("padding_once", "padding adds `padding` pixels on BOTH sides: h_out = height + 2·padding − k + 1.",
     lambda n, c, h, w, f, k, p: 2 * n * f * (h + p - k + 1) * (w + p - k + 1) * c * k * k, _SIZE,
     r"\+\s*padding\s*-"),
    ("output_one_short", "the output size is one short: a k-wide kernel fits at height + 2·padding − k + 1 "
     "positions (the + 1 counts the first).", lambda n, c, h, w, f, k, p: 2 * n * f * (h + 2 * p - k) *
     (w + 2 * p - k) * c * k * k, _SIZE, r"-\s*k\s*$"),
    ("no_positions", "that counts each weight once per example; the same weights are used again at every output "
     "position (h_out · w_out of them).", lambda n, c, h, w, f, k, p: 2 * n * f * c * k * k, _LINE,
     r"^(?!.*out).*k"),
    ("training_step", "that is a training step's count (forward + backward ≈ 3 × forward); the exercise asks for "
     "the forward pass alone.", lambda n, c, h, w, f, k, p: 3 * 2 * n * f * _out(h, w, k, p) * c * k * k, _LINE,
     r"3\s*\*|6\s*\*"),
    ("mnist_sizes", "the output is always 26 × 26 here: the first layer of the course CNN; compute h_out and w_out "
     "from the arguments.", lambda n, c, h, w, f, k, p: 2 * n * f * 26 * 26 * c * k * k, _SIZE, r"26|28"),
))

register(Exercise(
    "gpu.conv2d_flops",
    "conv2d_flops(batch, c_in, height, width, c_out, k, padding) -> FLOPs of a stride-1 Conv2d forward pass",
    conv2d_flops, _cases, outputs=(Output("flops", "scalar"),), mistakes=_MISTAKES, rtol=1e-9, atol=0.0,
    hints=frozenset(),
))
