"""Lesson 09 (the same network on a GPU): activation_bytes(shapes, batch, bytes_per_value) -> the memory that a
batch's layer outputs take. ``shapes`` lists each layer's output shape for ONE example (no batch axis), so

    bytes = batch · bytes_per_value · Σ_layers Π shape.

A count of bytes (not KiB or MB), an int or a float, compared to rtol 1e-9. The cases mix float16, float32 and
float64 (2, 4 and 8 bytes), batch 1 and larger, 1-D and 3-D layer shapes, so each factor shows on its own.
"""
from __future__ import annotations

import math

import numpy as np

from ...harness.guard import reference
from ...registry import Case, Exercise, KnownMistake, Output, register

# per-example layer output shapes (no batch axis), batch size, bytes per value
_ROWS = (
    [([(16, 26, 26), (16, 26, 26), (32, 24, 24), (32, 12, 12), (4608,), (128,), (10,)], 32, 4),
     ([(8, 6, 5), (20,), (3,)], 1, 4),
     ([(64,), (64,), (10,)], 7, 2)],
    [([(6, 14, 12), (6, 7, 6), (252,), (10,)], 16, 4),
     ([(50,), (100,), (5,)], 1, 8),
     ([(3, 9, 11), (3, 9, 11), (297,), (40,), (40,), (2,)], 5, 2),
     ([(32, 5, 5), (800,)], 64, 4)],
)


@reference("gpu.activation_bytes reference")
def activation_bytes(shapes, batch, bytes_per_value):
    """batch · bytes_per_value · Σ over layers of the number of values in one example's output."""
    return float(batch * bytes_per_value * sum(math.prod(s) for s in shapes))


def _drawn(rng: np.random.Generator):
    """A network drawn from the case seed: 2 to 5 layers of 1 to 3 axes, batch 2-64, float16/32/64."""
    layers = int(rng.integers(2, 6))
    shapes = [tuple(int(v) for v in rng.integers(2, 30, size=int(rng.integers(1, 4)))) for _ in range(layers)]
    return shapes, int(rng.integers(2, 65)), int(rng.choice([2, 4, 8]))


def _cases(rng: np.random.Generator, hidden: bool):
    rows = _ROWS[1] + [_drawn(rng)] if hidden else _ROWS[0]
    return [Case(args={"shapes": list(shapes), "batch": b, "bytes_per_value": v},
                 label=f"{len(shapes)} layers, batch {b}, {v} bytes per value", factors={"N": b})
            for shapes, b, v in rows]


def _values(shapes):
    return sum(math.prod(s) for s in shapes)


_LINE, _SUM = "the line that computes the bytes", "the line that counts the values"
_MB = "return the number of bytes, not {} (divide only when you print it)."
_MISTAKES = tuple(KnownMistake(code, msg, fn, look, rx) for code, msg, fn, look, rx in (
    ("no_batch", "that is the memory for ONE example: every example of the batch keeps its own activations, so "
     "multiply by the batch size.", lambda s, b, v: v * _values(s), _LINE, r"^(?!.*batch).*bytes_per_value"),
    ("no_bytes", "that is the number of VALUES; each one takes bytes_per_value bytes (4 for float32).",
     lambda s, b, v: b * _values(s), _LINE, r"^(?!.*bytes_per_value).*batch"),
    ("float32_assumed", "4 bytes per value is float32's; use the bytes_per_value given (2 for float16, 8 for "
     "float64).", lambda s, b, v: b * 4 * _values(s), _LINE, r"\*\s*4\b"),
    ("bits", "that is in bits: bytes_per_value is already in bytes (float32 is 4 bytes = 32 bits), so do not "
     "multiply by 8.", lambda s, b, v: 8 * b * v * _values(s), _LINE, r"\*\s*8\b"),
    ("divided_by_8", "bytes_per_value is already in BYTES: dividing by 8 treats it as bits.",
     lambda s, b, v: b * v * _values(s) / 8, _LINE, r"/\s*8\b"),
    ("sum_of_dims", "a shape (C, H, W) holds C · H · W values (the product of its sizes), not C + H + W.",
     lambda s, b, v: b * v * sum(sum(x) for x in s), _SUM, r"sum\(\s*\w+\s*\)\s*for|sum\(\s*shape"),
    ("first_dim_dropped", "the shapes have no batch axis: every size counts, the first one too (np.prod(shape), "
     "not np.prod(shape[1:])).", lambda s, b, v: b * v * sum(math.prod(x[1:]) for x in s), _SUM, r"\[\s*1\s*:\s*\]"),
    ("product_across_layers", "the layers' value counts are multiplied together: each layer's output is stored "
     "on its own, so ADD them up.", lambda s, b, v: b * v * math.prod(math.prod(x) for x in s), _SUM,
     r"prod\(\s*\[|prod\(\s*\("),
    ("last_layer_only", "that counts only the last layer's output; during training every layer's output is kept "
     "for the backward pass, so add them all up.", lambda s, b, v: b * v * math.prod(s[-1]), _SUM, r"\[\s*-1\s*\]"),
    ("first_layer_only", "that counts only the first layer's output; add up every layer's output.",
     lambda s, b, v: b * v * math.prod(s[0]), _SUM, r"\[\s*0\s*\]"),
    ("largest_only", "that is the largest single layer; during training all of them are kept at once (backward "
     "needs them), so add them up.", lambda s, b, v: b * v * max(math.prod(x) for x in s), _SUM, r"max\("),
    ("doubled_for_gradients", "that counts each activation twice (its value and its gradient); the exercise asks "
     "for the layers' outputs only.", lambda s, b, v: 2 * b * v * _values(s), _LINE, r"2\s*\*"),
    ("megabytes", _MB.format("megabytes"), lambda s, b, v: b * v * _values(s) / 2**20, _LINE, r"2\s*\*\*\s*20|1024"),
    ("megabytes", _MB.format("megabytes"), lambda s, b, v: b * v * _values(s) / 1e6, _LINE, r"1e6|10\s*\*\*\s*6"),
    ("kilobytes", _MB.format("kilobytes"), lambda s, b, v: b * v * _values(s) / 1024, _LINE, r"1024|1e3|1000"),
    ("gigabytes", _MB.format("gigabytes"), lambda s, b, v: b * v * _values(s) / 2**30, _LINE, r"2\s*\*\*\s*30|1e9"),
))

register(Exercise(
    "gpu.activation_bytes",
    "activation_bytes(shapes, batch, bytes_per_value) -> bytes of every layer's output for a batch",
    activation_bytes, _cases, outputs=(Output("bytes", "scalar"),), mistakes=_MISTAKES, rtol=1e-9, atol=0.0,
    hints=frozenset(),
))
