"""Lesson 09 (the same network on a GPU): arithmetic intensity and the roofline.

- matmul_intensity(m, k, n, bytes_per_value) -> the arithmetic intensity, in FLOP per byte, of the product of
  an (m, k) matrix and a (k, n) matrix: 2·m·k·n FLOPs (a multiply and an add per term of every sum) over the
  bytes of reading both operands once and writing the (m, n) result once, bytes_per_value·(m·k + k·n + m·n).
  A batch of m examples through a dense layer of k inputs and n outputs is exactly this product, so the
  intensity grows with the batch. Compared with the reference to 1e-9.
- attainable_gflops(intensity, peak_gflops, bandwidth_gbs) -> the roofline: min(peak, intensity · bandwidth),
  elementwise when ``intensity`` is an array (the lesson draws a whole roof with one call). With intensity in
  FLOP/byte and bandwidth in GB/s, intensity · bandwidth is in GFLOP/s.
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Case, Exercise, KnownMistake, Output, register

# (m, k, n, bytes): a batch of 1 (matrix-vector), square, tall and wide, float32 / float64 / float16; no two of
# m, k, n equal within a non-square case, so a swapped or missing term shows.
_MATMUL = ([(1, 4608, 128, 4), (256, 256, 256, 4), (64, 784, 10, 8), (32, 300, 2000, 2)],
           [(1, 1000, 10, 4), (512, 512, 512, 2), (128, 4608, 128, 4), (7, 50, 900, 8), (2048, 16, 3, 4)])

# (intensities, peak GFLOP/s, bandwidth GB/s): points on both sides of the corner peak / bandwidth.
_ROOF = ([([0.05, 0.5, 5.0, 50.0, 500.0], 60_000.0, 3_000.0), ([1 / 12, 2.0, 30.0], 200.0, 20.0),
          ([0.25, 4.0, 16.0, 64.0], 1_000.0, 100.0)],
         [([0.01, 0.3, 3.0, 30.0, 300.0], 20_000.0, 900.0), ([0.1, 1.0, 10.0], 50.0, 12.5),
          ([2.0, 8.0, 64.0, 512.0], 1_500.0, 60.0), ([1 / 12, 100.0], 10_000.0, 2_000.0)])


@reference("gpu.matmul_intensity reference")
def matmul_intensity(m, k, n, bytes_per_value):
    """2mkn / (bytes · (mk + kn + mn))."""
    return 2 * m * k * n / (bytes_per_value * (m * k + k * n + m * n))


@reference("gpu.attainable_gflops reference")
def attainable_gflops(intensity, peak_gflops, bandwidth_gbs):
    """min(peak, intensity · bandwidth), elementwise."""
    return np.minimum(peak_gflops, np.asarray(intensity, dtype=np.float64) * bandwidth_gbs)


def _matmul_cases(rng: np.random.Generator, hidden: bool):
    rows = _MATMUL[1] if hidden else _MATMUL[0]
    return [Case(args={"m": m, "k": k, "n": n, "bytes_per_value": b},
                 label=f"({m}, {k}) @ ({k}, {n}), {b} bytes per value", factors={"bytes": b})
            for m, k, n, b in rows]


def _roof_cases(rng: np.random.Generator, hidden: bool):
    rows = _ROOF[1] if hidden else _ROOF[0]
    return [Case(args={"intensity": np.array(i), "peak_gflops": p, "bandwidth_gbs": bw},
                 label=f"{len(i)} intensities, peak {p:g} GFLOP/s, bandwidth {bw:g} GB/s")
            for i, p, bw in rows]


_MATMUL_MISTAKES = (
    KnownMistake("no_factor_2", "each term of each sum is a multiply AND an add: 2·m·k·n FLOPs, not m·k·n.",
                 lambda m, k, n, b: m * k * n / (b * (m * k + k * n + m * n))),
    KnownMistake("result_not_written", "the result is moved too: besides reading A (m·k) and B (k·n), the "
                 "product writes C (m·n) to memory, so the bytes are bytes_per_value · (m·k + k·n + m·n).",
                 lambda m, k, n, b: 2 * m * k * n / (b * (m * k + k * n))),
    KnownMistake("no_bytes", "that is FLOPs per VALUE moved; intensity is per BYTE: multiply the number of values "
                 "by bytes_per_value (4 for float32).",
                 lambda m, k, n, b: 2 * m * k * n / (m * k + k * n + m * n)),
    KnownMistake("bits", "bytes_per_value is already in bytes (float32: 4 bytes = 32 bits); do not multiply by 8.",
                 lambda m, k, n, b: 2 * m * k * n / (8 * b * (m * k + k * n + m * n))),
    KnownMistake("sizes_summed", "a matrix of shape (m, k) holds m·k values, not m + k: the bytes are "
                 "bytes_per_value · (m·k + k·n + m·n).",
                 lambda m, k, n, b: 2 * m * k * n / (b * ((m + k) + (k + n) + (m + n)))),
    KnownMistake("inverted", "that is bytes per FLOP; arithmetic intensity is FLOPs per byte: the work on top, "
                 "the memory traffic below.",
                 lambda m, k, n, b: b * (m * k + k * n + m * n) / (2 * m * k * n)),
    KnownMistake("square_formula", "n/6 holds only for two n × n float32 matrices; here the shapes differ: count "
                 "2·m·k·n FLOPs and bytes_per_value · (m·k + k·n + m·n) bytes.",
                 lambda m, k, n, b: n / 6),
)

_ROOF_MISTAKES = (
    KnownMistake("max_not_min", "the attainable speed is the SMALLER of the two limits, min(peak, intensity · "
                 "bandwidth): whichever runs out first, arithmetic or memory, sets the pace.",
                 lambda i, p, bw: np.maximum(p, np.asarray(i, dtype=float) * bw)),
    KnownMistake("memory_only", "that is only the memory limit, intensity · bandwidth: above the corner the "
                 "arithmetic units are the limit, so cap it at the peak.",
                 lambda i, p, bw: np.asarray(i, dtype=float) * bw),
    KnownMistake("peak_only", "that is only the arithmetic peak: below the corner, memory delivers too few bytes "
                 "per second to feed it, and the speed is intensity · bandwidth.",
                 lambda i, p, bw: np.full(np.shape(i), float(p))),
    KnownMistake("divided", "intensity (FLOP/byte) times bandwidth (GB/s) gives GFLOP/s; dividing gives no speed "
                 "at all.", lambda i, p, bw: np.minimum(p, np.asarray(i, dtype=float) / bw)),
    KnownMistake("inverse_intensity", "bandwidth / intensity is not a speed: bytes per second times FLOPs per "
                 "byte, intensity · bandwidth, is the rate memory can feed.",
                 lambda i, p, bw: np.minimum(p, bw / np.asarray(i, dtype=float))),
)

register(Exercise(
    "gpu.matmul_intensity",
    "matmul_intensity(m, k, n, bytes_per_value) -> FLOP per byte of an (m, k) @ (k, n) product",
    matmul_intensity, _matmul_cases, outputs=(Output("intensity", "scalar"),), mistakes=_MATMUL_MISTAKES,
    rtol=1e-9, atol=0.0,
))
register(Exercise(
    "gpu.attainable_gflops",
    "attainable_gflops(intensity (array), peak_gflops, bandwidth_gbs) -> min(peak, intensity · bandwidth)",
    attainable_gflops, _roof_cases, outputs=(Output("gflops"),), mistakes=_ROOF_MISTAKES,
    rtol=1e-9, atol=0.0,
))
