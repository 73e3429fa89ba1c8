"""Lesson 09 (the same network on a GPU): matmul_intensity(m, k, n, bytes_per_value) -> the arithmetic intensity, in
FLOP per byte, of the product of an (m, k) and a (k, n) matrix: 2·m·k·n FLOPs (a multiply and an add per term of
every sum) over the bytes of reading both operands once and writing the (m, n) result once,
bytes_per_value·(m·k + k·n + m·n). A batch of m examples through a dense layer of k inputs and n outputs is this
product, so the intensity grows with the batch. Compared with the reference to 1e-9 (a lesson-only formula).
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Case, Exercise, KnownMistake, Output, register

# (m, k, n, bytes): a batch of 1 (matrix-vector), square, tall and wide, float16 / float32 / float64; no two of
# m, k, n equal within a non-square case, so a swapped or missing term shows.
_ROWS = ([(1, 4608, 128, 4), (256, 256, 256, 4), (64, 784, 10, 8), (32, 300, 2000, 2)],
         [(1, 1000, 10, 4), (512, 512, 512, 2), (128, 4608, 128, 4), (7, 50, 900, 8), (2048, 16, 3, 4)])


@reference("gpu.matmul_intensity reference")
def matmul_intensity(m, k, n, bytes_per_value):
    """2mkn / (bytes · (mk + kn + mn))."""
    return 2 * m * k * n / (bytes_per_value * (m * k + k * n + m * n))


def _cases(rng: np.random.Generator, hidden: bool):
    rows = list(_ROWS[1] if hidden else _ROWS[0])
    if hidden:  # one more product drawn from the case seed, its three sizes different
        m, k, n = (int(v) for v in rng.choice(np.arange(2, 3000), size=3, replace=False))
        rows.append((m, k, n, int(rng.choice([2, 4, 8]))))
    return [Case(args={"m": m, "k": k, "n": n, "bytes_per_value": b},
                 label=f"({m}, {k}) @ ({k}, {n}), {b} bytes per value", factors={"bytes": b})
            for m, k, n, b in rows]


def _moved(m, k, n):
    return m * k + k * n + m * n


_FLOPS, _BYTES, _RATIO = "the FLOP count", "the byte count", "the division"
_MISTAKES = tuple(KnownMistake(code, msg, fn, look, rx) for code, msg, fn, look, rx in (
    ("no_factor_2", "each term of each sum is a multiply AND an add: 2·m·k·n FLOPs, not m·k·n.",
     lambda m, k, n, b: m * k * n / (b * _moved(m, k, n)), _FLOPS, r"^(?!.*2\s*\*).*m\s*\*\s*k\s*\*\s*n"),
    ("exact_adds", "the convention counts one multiply-add per term: 2·m·k·n FLOPs, not m·n·(2k − 1).",
     lambda m, k, n, b: m * n * (2 * k - 1) / (b * _moved(m, k, n)), _FLOPS, r"-\s*1"),
    ("result_not_written", "the result is moved too: besides reading A (m·k) and B (k·n), the product writes C "
     "(m·n), so the bytes are bytes_per_value · (m·k + k·n + m·n).",
     lambda m, k, n, b: 2 * m * k * n / (b * (m * k + k * n)), _BYTES, r"^(?!.*m\s*\*\s*n).*k\s*\*\s*n"),
    ("result_read_and_written", "C is written once, not read and written: the bytes are bytes_per_value · "
     "(m·k + k·n + m·n).", lambda m, k, n, b: 2 * m * k * n / (b * (_moved(m, k, n) + m * n)), _BYTES,
     r"2\s*\*\s*m\s*\*\s*n"),
    ("no_bytes", "that is FLOPs per VALUE moved; intensity is per BYTE: multiply the number of values by "
     "bytes_per_value (4 for float32).", lambda m, k, n, b: 2 * m * k * n / _moved(m, k, n), _BYTES,
     r"^(?!.*bytes_per_value).*k\s*\*\s*n"),
    ("bits", "bytes_per_value is already in bytes (float32: 4 bytes = 32 bits); do not multiply by 8.",
     lambda m, k, n, b: 2 * m * k * n / (8 * b * _moved(m, k, n)), _BYTES, r"8\s*\*"),
    ("bytes_as_bits", "bytes_per_value is already in BYTES: dividing it by 8 treats it as bits.",
     lambda m, k, n, b: 2 * m * k * n / (b / 8 * _moved(m, k, n)), _BYTES, r"/\s*8"),
    ("sizes_summed", "a matrix of shape (m, k) holds m·k values, not m + k: the bytes are bytes_per_value · "
     "(m·k + k·n + m·n).", lambda m, k, n, b: 2 * m * k * n / (b * ((m + k) + (k + n) + (m + n))), _BYTES,
     r"m\s*\+\s*k"),
    ("inverted", "that is bytes per FLOP; arithmetic intensity is FLOPs per byte: the work on top, the memory "
     "traffic below.", lambda m, k, n, b: b * _moved(m, k, n) / (2 * m * k * n), _RATIO, r"/\s*\(?\s*2\s*\*\s*m"),
    ("precedence", "operator precedence: 2·m·k·n / bytes_per_value * (…) divides by the bytes per value and then "
     "MULTIPLIES by the number of values; bracket the whole byte count.",
     lambda m, k, n, b: 2 * m * k * n / b * _moved(m, k, n), _RATIO, r"/\s*bytes_per_value\s*\*"),
    ("integer_division", "`//` rounds the intensity down to a whole number: use `/`, an intensity is a fraction "
     "(1/12 FLOP/byte for an elementwise add).", lambda m, k, n, b: 2 * m * k * n // (b * _moved(m, k, n)), _RATIO,
     r"//"),
    ("square_formula", "n/6 holds only for two n × n float32 matrices; here the shapes differ: count 2·m·k·n "
     "FLOPs and bytes_per_value · (m·k + k·n + m·n) bytes.", lambda m, k, n, b: n / 6, _RATIO, r"/\s*6"),
))

register(Exercise(
    "gpu.matmul_intensity",
    "matmul_intensity(m, k, n, bytes_per_value) -> FLOP per byte of an (m, k) @ (k, n) product",
    matmul_intensity, _cases, outputs=(Output("intensity", "scalar"),), mistakes=_MISTAKES, rtol=1e-9, atol=0.0,
    hints=frozenset(),
))
