"""Lesson 09 (the same network on a GPU): the roofline. attainable_gflops(intensity, peak_gflops, bandwidth_gbs) ->
min(peak, intensity · bandwidth), elementwise when ``intensity`` is an array (the lesson draws a whole roof with one
call), a number for a number. With intensity in FLOP/byte and bandwidth in GB/s, intensity · bandwidth is in
GFLOP/s. Compared with the reference (a lesson-only formula) to 1e-9.
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Case, Exercise, KnownMistake, Output, register

# (intensities, peak GFLOP/s, bandwidth GB/s): points on both sides of the corner peak / bandwidth, and one case
# with a single number for the intensity.
_ROWS = ([([0.05, 0.5, 5.0, 50.0, 500.0], 60_000.0, 3_000.0), ([1 / 12, 2.0, 30.0], 200.0, 20.0),
          ([0.25, 4.0, 16.0, 64.0], 1_000.0, 100.0), (2.5, 700.0, 50.0)],
         [([0.01, 0.3, 3.0, 30.0, 300.0], 20_000.0, 900.0), ([0.1, 1.0, 10.0], 50.0, 12.5),
          ([2.0, 8.0, 64.0, 512.0], 1_500.0, 60.0), ([1 / 12, 100.0], 10_000.0, 2_000.0), (40.0, 900.0, 30.0)])


@reference("gpu.attainable_gflops reference")
def attainable_gflops(intensity, peak_gflops, bandwidth_gbs):
    """min(peak, intensity · bandwidth), elementwise."""
    return np.minimum(peak_gflops, np.asarray(intensity, dtype=np.float64) * bandwidth_gbs)


def _cases(rng: np.random.Generator, hidden: bool):
    rows = list(_ROWS[1] if hidden else _ROWS[0])
    if hidden:  # a machine drawn from the case seed, with intensities around its corner
        peak, bw = float(rng.uniform(100, 50_000)), float(rng.uniform(10, 3_000))
        rows.append(((peak / bw * np.array([0.1, 0.7, 1.4, 9.0])).tolist(), peak, bw))
    cases = []
    for i, p, bw in rows:
        arg = np.array(i) if isinstance(i, list) else float(i)
        what = f"{len(i)} intensities" if isinstance(i, list) else f"intensity {i:g} (a number)"
        cases.append(Case(args={"intensity": arg, "peak_gflops": p, "bandwidth_gbs": bw},
                          label=f"{what}, peak {p:g} GFLOP/s, bandwidth {bw:g} GB/s"))
    return cases


def _i(x):
    return np.asarray(x, dtype=float)


_MIN, _WHERE = "the min line", "the np.where line"
_MISTAKES = tuple(KnownMistake(code, msg, fn, look, rx) for code, msg, fn, look, rx in (
    ("max_not_min", "the attainable speed is the SMALLER of the two limits, min(peak, intensity · bandwidth): "
     "whichever runs out first, arithmetic or memory, sets the pace.", lambda i, p, bw: np.maximum(p, _i(i) * bw),
     _MIN, r"max"),
    ("memory_only", "that is only the memory limit, intensity · bandwidth: above the corner the arithmetic units "
     "are the limit, so cap it at the peak.", lambda i, p, bw: _i(i) * bw, _MIN, r"return"),
    ("peak_only", "that is only the arithmetic peak: below the corner, memory delivers too few bytes per second "
     "to feed it, and the speed is intensity · bandwidth.", lambda i, p, bw: np.full(np.shape(i), float(p)), _MIN,
     r"return"),
    ("divided", "intensity (FLOP/byte) times bandwidth (GB/s) gives GFLOP/s; dividing gives no speed at all.",
     lambda i, p, bw: np.minimum(p, _i(i) / bw), _MIN, r"intensity\s*/"),
    ("inverse_intensity", "bandwidth / intensity is not a speed: bytes per second times FLOPs per byte, "
     "intensity · bandwidth, is the rate memory can feed.", lambda i, p, bw: np.minimum(p, bw / _i(i)), _MIN,
     r"/\s*intensity"),
    ("bandwidth_in_bits", "bandwidth_gbs is in gigaBYTES per second: intensity (FLOP per byte) times it is "
     "GFLOP/s, with no factor 8.", lambda i, p, bw: np.minimum(p, 8 * _i(i) * bw), _MIN, r"8\s*\*|\*\s*8"),
    ("harmonic", "the roofline is a corner, min(peak, intensity · bandwidth), not a smooth blend of the two "
     "limits (1/(1/peak + 1/(intensity · bandwidth))).", lambda i, p, bw: 1 / (1 / p + 1 / (_i(i) * bw)), _MIN,
     r"1\s*/"),
    ("python_min", "Python's min() compares whole objects and cannot decide for an array: use np.minimum(peak, "
     "intensity * bandwidth), elementwise.", lambda i, p, bw: min(p, i * bw), _MIN, r"(?<![.\w])min\("),
    ("np_min_not_minimum", "np.min reduces everything to ONE number (the smallest of all); np.minimum compares "
     "element by element: np.minimum(peak, intensity * bandwidth).",
     lambda i, p, bw: np.min(np.stack([np.full(np.shape(i), float(p)), _i(i) * bw])), _MIN, r"np\.min\("),
    ("corner_inverted", "the corner is at intensity = peak / bandwidth (FLOP/s over byte/s is FLOP per byte), not "
     "bandwidth / peak.", lambda i, p, bw: np.where(_i(i) < bw / p, _i(i) * bw, float(p)), _WHERE,
     r"bandwidth_gbs\s*/\s*peak"),
    ("bandwidth_missing", "the memory limit is intensity · bandwidth (FLOP per byte times bytes per second); "
     "the intensity alone is not a speed.", lambda i, p, bw: np.minimum(p, _i(i)), _MIN,
     r"minimum\(\s*\w+\s*,\s*intensity\s*\)"),
))

register(Exercise(
    "gpu.attainable_gflops",
    "attainable_gflops(intensity (array), peak_gflops, bandwidth_gbs) -> min(peak, intensity · bandwidth)",
    attainable_gflops, _cases, outputs=(Output("gflops"),), mistakes=_MISTAKES, rtol=1e-9, atol=0.0,
    hints=frozenset(),
))
