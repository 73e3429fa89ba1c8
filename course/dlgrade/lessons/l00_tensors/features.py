"""Lesson 00, features as tensors: standardized columns (dlkit.data.standardize) and pairwise distances."""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .. import _dlkit
from .._common import make_case
from .._draw import F32_ATOL, F32_RTOL, float32, shapes

# ------------------------------------------------------------------------------------------ standardize


@reference("tensors.standardize reference")
def standardize(X: np.ndarray) -> np.ndarray:
    """(X − column mean) / column standard deviation (population std): dlkit.data.standardize on float64."""
    from dlkit.data import standardize as dlkit_standardize

    return _dlkit.numpy(dlkit_standardize(_dlkit.tensor64(X), dim=0)[0])


# (N, D): D = 1, N = 2, N == D, N < D and N > D; the last visible shape is float32
_STD_VISIBLE = [(6, 3), (2, 4), (9, 1), (5, 7), (4, 4), (7, 3)]
_STD_HIDDEN = [(8, 2), (3, 5), (2, 1), (11, 9), (5, 5), (6, 4)]


def _standardize_cases(rng: np.random.Generator, hidden: bool):
    cases = []
    for i, (n, d) in enumerate(shapes(rng, hidden, _STD_VISIBLE, _STD_HIDDEN, [(2, 15), (1, 9)])):
        single = i == 5  # float32: centres and spreads a float32 keeps to 1e-6 after centring
        centre, spread = (rng.uniform(-3, 3, size=d), rng.uniform(0.5, 3, size=d)) if single else \
            (rng.uniform(-50.0, 150.0, size=d), rng.uniform(0.5, 20.0, size=d))
        # columns with their own centre and spread (heights in cm next to weights in kg)
        X = rng.normal(size=(n, d)) * spread + centre
        if n == 2:  # two equal rows would give a zero std
            X[1] += rng.uniform(1.0, 3.0, size=d)
        args = float32({"X": X}, "X") if single else {"X": X}
        cases.append(make_case(args, factors={"N": n, "D": d}, note="float32" if single else ""))
    return cases


def _centred(X):
    return X - X.mean(axis=0)


_STD_MISTAKES = (
    KnownMistake("wrong_axis", "each ROW was standardized instead of each column: use axis=0 for the mean and the "
                 "std, one statistic per feature (column).",
                 lambda X: (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True),
                 "the axis of the mean and of the std", r"axis\s*=\s*(1|-1)"),
    KnownMistake("rows_without_keepdims", "the statistics were taken per ROW (axis=1) without keepdims, so they "
                 "broadcast against the wrong axis (or raise when N != D). One mean and one std per column: "
                 "axis=0.", lambda X: (X - X.mean(axis=1)) / X.std(axis=1),
                 "the axis of the mean and of the std", r"axis\s*=\s*(1|-1)"),
    KnownMistake("wrong_axis", "one mean and one std for the whole array: every feature needs its own, so compute "
                 "them with axis=0 (per column).", lambda X: (X - X.mean()) / X.std(),
                 "the mean and the std: they need axis=0", r"(mean|std)\(\s*\)"),
    KnownMistake("global_std", "the mean is per column but the std is of the whole array (no axis): divide each "
                 "column by its own std, X.std(axis=0).", lambda X: _centred(X) / X.std(),
                 "the std: it needs axis=0", r"std\(\s*\)"),
    KnownMistake("global_mean", "the std is per column but the mean is of the whole array (no axis): subtract each "
                 "column's own mean, X.mean(axis=0).", lambda X: (X - X.mean()) / X.std(axis=0),
                 "the mean: it needs axis=0", r"mean\(\s*\)"),
    KnownMistake("std_wrong_axis", "the mean is per column but the std per ROW (axis=1): both statistics are per "
                 "column, axis=0.", lambda X: _centred(X) / X.std(axis=1, keepdims=True),
                 "the axis of the std", r"std\(.*axis\s*=\s*(1|-1)"),
    KnownMistake("ddof", "divided by the sample std (ddof=1, N − 1 in the denominator); this exercise uses the "
                 "population std, np.std's default (divides by N).",
                 lambda X: _centred(X) / X.std(axis=0, ddof=1), "the std", r"ddof|-\s*1"),
    KnownMistake("not_scaled", "the columns are centred but not divided by their standard deviation.", _centred,
                 "the return line", r"return"),
    KnownMistake("not_centred", "the columns are divided by their std but the mean was not subtracted first.",
                 lambda X: X / X.std(axis=0), "the return line", r"return"),
    KnownMistake("precedence", "X - mean / std divides only the mean: the brackets are missing. Write "
                 "(X - mean) / std.", lambda X: X - X.mean(axis=0) / X.std(axis=0),
                 "the line that combines X, the mean and the std", r"-[^()]*/"),
    KnownMistake("wrong_order", "X / std - mean subtracts the mean AFTER dividing: subtract the mean first, "
                 "(X - mean) / std.", lambda X: X / X.std(axis=0) - X.mean(axis=0),
                 "the line that combines X, the mean and the std", r"/[^()]*-"),
    KnownMistake("variance", "divided by the variance; divide by the standard deviation, its square root.",
                 lambda X: _centred(X) / X.var(axis=0), "the divisor", r"var\("),
    KnownMistake("norm_not_std", "divided by each column's norm (np.linalg.norm, the root of the SUM of squares): "
                 "the std is the root of the MEAN of squared deviations, norm / √N.",
                 lambda X: _centred(X) / np.linalg.norm(_centred(X), axis=0), "the divisor", r"norm"),
    KnownMistake("min_max", "this is min-max scaling to [0, 1] ((X − min) / (max − min)); standardizing subtracts "
                 "the mean and divides by the standard deviation.",
                 lambda X: (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0)), "the return line",
                 r"min\(|max\("),
)

register(Exercise(
    "tensors.standardize", "standardize(X) -> (N, D) array: every column with mean 0 and std 1",
    standardize, _standardize_cases, outputs=(Output("X_standardized"),), blocked=("standardize",),
    mistakes=_STD_MISTAKES, rtol=F32_RTOL, atol=F32_ATOL,
    hints=frozenset({"variance", "sqrt", "batch"}),
))

# ------------------------------------------------------------------------------------ pairwise_distances


def _distances(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    diff = np.asarray(A, dtype=np.float64)[:, None, :] - np.asarray(B, dtype=np.float64)[None, :, :]
    return np.sqrt(np.sum(diff ** 2, axis=-1))


@reference("tensors.pairwise_distances reference")
def pairwise_distances(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """(M, N) Euclidean distances: entry (i, j) is ||A[i] − B[j]||, differences computed in float64."""
    return _distances(A, B)


# (M, N, D): M != N, D = 1, M = 1, M == N; then B equal to A (a distinct copy: the demo's
# pairwise_distances(Z, Z)) and a float32 case
_DIST_VISIBLE = [(4, 3, 2), (1, 5, 3), (6, 2, 1), (3, 7, 4), (3, 3, 2), (5, 5, 3), (4, 6, 3)]
_DIST_HIDDEN = [(5, 2, 3), (1, 1, 2), (8, 4, 6), (2, 9, 1), (4, 4, 3), (6, 6, 2), (3, 5, 4)]


def _dist_cases(rng: np.random.Generator, hidden: bool):
    cases = []
    for i, (m, n, d) in enumerate(shapes(rng, hidden, _DIST_VISIBLE, _DIST_HIDDEN, [(1, 9), (1, 9), (1, 7)])):
        A = _rounding_trap(rng, m, d) if i == 5 else rng.normal(size=(m, d))
        B = A.copy() if i == 5 else rng.normal(size=(n, d)) + 0.5
        args = float32({"A": A, "B": B}, "A", "B") if i == 6 else {"A": A, "B": B}
        note = "B equal to A" if i == 5 else "float32" if i == 6 else ""
        cases.append(make_case(args, factors={"M": m, "N": n, "D": d}, note=note))
    return cases


def _rounding_trap(rng: np.random.Generator, m: int, d: int) -> np.ndarray:
    """Points whose distance to themselves, computed as ||a||² + ||b||² − 2 a·b, rounds below zero for at least
    one of them (its root is NaN), so the expansion without clipping shows; the last draw if none in 200 does."""
    for _ in range(200):
        A = rng.normal(size=(m, d))
        if np.any(_unclipped(A, A) < 0):
            return A
    return A


def _unclipped(A, B):
    return np.sum(A ** 2, axis=1)[:, None] + np.sum(B ** 2, axis=1)[None, :] - 2.0 * (A @ B.T)


def _diff(A, B):
    return A[:, None, :] - B[None, :, :]


def _expanded(A, B, two=2.0, sign=-1.0):
    sq = np.sum(A ** 2, axis=1)[:, None] + np.sum(B ** 2, axis=1)[None, :] + sign * two * (A @ B.T)
    return np.sqrt(np.maximum(sq, 0.0))


def _dist_same_index(A, B):
    out = np.zeros((A.shape[0], B.shape[0]))
    for i in range(A.shape[0]):
        for j in range(B.shape[0]):
            out[i, j] = np.sqrt(np.sum((A[i] - B[i]) ** 2))
    return out


_SUM_LINE = "the sum over the features"
_DIST_MISTAKES = (
    KnownMistake("squared", "these are SQUARED distances: take the square root at the end.",
                 lambda A, B: np.sum(_diff(A, B) ** 2, axis=-1), "the return line", r"return"),
    KnownMistake("manhattan", "this is the sum of absolute differences (the Manhattan distance; also what "
                 "taking the root of each square before summing gives); the Euclidean distance squares the "
                 "differences, sums them, then takes one root.", lambda A, B: np.sum(np.abs(_diff(A, B)), axis=-1),
                 _SUM_LINE, r"abs|sqrt"),
    KnownMistake("root_of_manhattan", "the differences were made positive with abs instead of being squared: "
                 "square them, sum, then take the root.", lambda A, B: np.sqrt(np.sum(np.abs(_diff(A, B)), axis=-1)),
                 _SUM_LINE, r"abs"),
    KnownMistake("mean_not_sum", "the squared differences were AVERAGED over the D features (a distance √D times "
                 "too small): sum them.", lambda A, B: np.sqrt(np.mean(_diff(A, B) ** 2, axis=-1)),
                 _SUM_LINE, r"mean"),
    KnownMistake("wrong_axis", "the sum ran over the wrong axis of the (M, N, D) differences: sum over the LAST "
                 "axis (the features), axis=-1.", lambda A, B: np.sqrt(np.sum(_diff(A, B) ** 2, axis=1)),
                 _SUM_LINE, r"axis\s*=\s*(0|1)\b"),
    KnownMistake("summed_everything", "one number for everything: the sum has no axis. Sum over the features only "
                 "(axis=-1) so that one distance per pair remains.", lambda A, B: np.sqrt(np.sum(_diff(A, B) ** 2)),
                 _SUM_LINE, r"sum\([^,]*\)"),
    KnownMistake("cross_term", "the cross term is missing its factor 2: ||a − b||² = ||a||² + ||b||² − 2 a·b.",
                 lambda A, B: _expanded(A, B, two=1.0), "the line with A @ B.T", r"@"),
    KnownMistake("cross_term_sign", "the cross term has the wrong sign: ||a − b||² = ||a||² + ||b||² − 2 a·b "
                 "(minus).", lambda A, B: _expanded(A, B, sign=1.0), "the line with A @ B.T", r"@"),
    KnownMistake("transposed", "the result is (N, M): distances from B's rows to A's. Row i belongs to A[i]: "
                 "broadcast A[:, None, :] - B[None, :, :].", lambda A, B: _distances(B, A),
                 "the line that broadcasts A against B", r"None"),
    KnownMistake("rowwise", "A - B pairs row i with row i only (and fails when M != N): give A a new axis, "
                 "A[:, None, :] - B[None, :, :], so that every row of A meets every row of B.",
                 lambda A, B: np.sqrt(np.sum((A - B) ** 2, axis=1)), "the difference of A and B", r"A\s*-\s*B"),
    KnownMistake("same_index", "the inner loop pairs A[i] with B[i]: entry (i, j) needs B[j].", _dist_same_index,
                 "the line inside the loops", r"B\[\s*i\s*\]"),
    KnownMistake("unclipped", "some distances are NaN: where a point meets itself, ||a||² + ||b||² − 2 a·b "
                 "rounds to a tiny negative number and its square root is NaN. Clip at 0 before the root, "
                 "np.sqrt(np.maximum(sq, 0)), or take the root of the summed squared differences.",
                 lambda A, B: np.sqrt(_unclipped(A, B)), "the line that takes the square root", r"sqrt"),
    KnownMistake("used_A_twice", "A was compared with itself: the second operand must be B.",
                 lambda A, B: _distances(A, A), "the line that broadcasts A against B",
                 r"A\[.*A\["),
)

register(Exercise(
    "tensors.pairwise_distances", "pairwise_distances(A, B) -> (M, N) array: ||A[i] - B[j]|| at (i, j)",
    pairwise_distances, _dist_cases, outputs=(Output("distances"),), blocked=("cdist", "pairwise"),
    # the expansion ||a||² + ||b||² − 2a·b is a correct answer: its rounding near 0 distances (B equal to A)
    # and in float32 stays below 1e-5
    mistakes=_DIST_MISTAKES, rtol=F32_RTOL, atol=1e-5,
))
