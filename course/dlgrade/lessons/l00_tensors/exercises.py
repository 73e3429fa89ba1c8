"""Lesson 00, data as tensors: one-hot labels, standardized features, pairwise distances, permutations.

Every exercise works on plain numpy arrays. Shapes follow the textbook layout: a data set is (N, D),
one example per row.
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .._common import make_case, pick

# (N, num_classes); the first visible case has 3 classes so a hard-coded 3 passes once and then fails.
_ONE_HOT_SHAPES = ([(6, 3), (1, 4), (9, 5), (4, 7)], [(8, 3), (1, 2), (12, 6), (5, 10), (20, 4)])
_STD_SHAPES = ([(6, 3), (2, 4), (9, 1), (5, 7)], [(8, 2), (3, 5), (15, 4), (2, 1), (11, 9)])
# (M, N, D): M != N (so a transposed result is visible) and D = 1 among them.
_DIST_SHAPES = ([(4, 3, 2), (1, 5, 3), (6, 2, 1), (3, 7, 4)], [(5, 2, 3), (1, 1, 2), (8, 4, 6), (2, 9, 1),
                                                            (7, 3, 5)])
_PERM_SIZES = ([3, 1, 5, 8], [4, 1, 6, 9, 12])


# ---------------------------------------------------------------------------------------
# references


@reference("tensors.one_hot reference")
def one_hot(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """(N, num_classes) float array with a 1 in column labels[i] of row i and 0 elsewhere."""
    return np.eye(num_classes)[labels]


@reference("tensors.standardize reference")
def standardize(X: np.ndarray) -> np.ndarray:
    """(X − column mean) / column standard deviation (the population std, dividing by N)."""
    return (X - X.mean(axis=0)) / X.std(axis=0)


@reference("tensors.pairwise_distances reference")
def pairwise_distances(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """(M, N) Euclidean distances: entry (i, j) is ||A[i] − B[j]||."""
    return np.sqrt(np.sum((A[:, None, :] - B[None, :, :]) ** 2, axis=-1))


@reference("tensors.permutation_matrix reference")
def permutation_matrix(order: np.ndarray) -> np.ndarray:
    """(n, n) matrix P with P @ A == A[order]: row i of P has its 1 in column order[i]."""
    return np.eye(len(order))[order]


# ---------------------------------------------------------------------------------------
# inputs


def _one_hot_cases(rng: np.random.Generator, hidden: bool):
    cases = []
    for i, (n, c) in enumerate(pick(*_ONE_HOT_SHAPES, hidden)):
        labels = rng.integers(0, c, size=n)
        if i == 0 and c > 1:  # every class but the last: "num_classes = labels.max() + 1" gets caught
            labels = rng.integers(0, c - 1, size=n)
            labels[0] = 0
        cases.append(make_case({"labels": labels, "num_classes": int(c)}, factors={"N": n},
                               note=f"num_classes={c}"))
    return cases


def _standardize_cases(rng: np.random.Generator, hidden: bool):
    cases = []
    for n, d in pick(*_STD_SHAPES, hidden):
        # columns with their own centre and spread (heights in cm next to weights in kg)
        X = rng.normal(size=(n, d)) * rng.uniform(0.5, 20.0, size=d) + rng.uniform(-50.0, 150.0, size=d)
        if n == 2:  # two equal rows would give a zero std
            X[1] += rng.uniform(1.0, 3.0, size=d)
        cases.append(make_case({"X": X}, factors={"N": n, "D": d}))
    return cases


def _dist_cases(rng: np.random.Generator, hidden: bool):
    return [make_case({"A": rng.normal(size=(m, d)), "B": rng.normal(size=(n, d)) + 0.5},
                      factors={"M": m, "N": n, "D": d})
            for m, n, d in pick(*_DIST_SHAPES, hidden)]


def _not_an_involution(rng: np.random.Generator, n: int) -> np.ndarray:
    """A random permutation that is not its own inverse (so P and P.T differ), when n >= 3."""
    while True:
        order = rng.permutation(n)
        if n < 3 or not np.array_equal(np.argsort(order), order):
            return order


def _perm_cases(rng: np.random.Generator, hidden: bool):
    return [make_case({"order": _not_an_involution(rng, n)}, factors={"N": n})
            for n in pick(*_PERM_SIZES, hidden)]


# ---------------------------------------------------------------------------------------
# known mistakes


def _one_hot_from_max(labels, num_classes):
    return np.eye(int(labels.max()) + 1)[labels]


def _one_hot_one_based(labels, num_classes):
    return np.eye(num_classes)[labels - 1]


def _std_rows(X):
    return (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)


def _std_whole(X):
    return (X - X.mean()) / X.std()


def _std_ddof1(X):
    return (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)


def _std_not_scaled(X):
    return X - X.mean(axis=0)


def _std_not_centred(X):
    return X / X.std(axis=0)


def _std_variance(X):
    return (X - X.mean(axis=0)) / X.var(axis=0)


def _dist_squared(A, B):
    return np.sum((A[:, None, :] - B[None, :, :]) ** 2, axis=-1)


def _dist_manhattan(A, B):
    return np.sum(np.abs(A[:, None, :] - B[None, :, :]), axis=-1)


def _dist_no_two(A, B):
    sq = np.sum(A ** 2, axis=1)[:, None] + np.sum(B ** 2, axis=1)[None, :] - A @ B.T
    return np.sqrt(np.maximum(sq, 0.0))


def _perm_inverse(order):
    return np.eye(len(order))[:, order]


def _perm_one_based(order):
    return np.eye(len(order))[order - 1]


register(Exercise(
    "tensors.one_hot", "one_hot(labels, num_classes) -> (N, num_classes) array of 0s and 1s",
    one_hot, _one_hot_cases, outputs=(Output("one_hot"),), blocked=("one_hot",),
    mistakes=(
        KnownMistake("num_classes_ignored", "the number of columns came from the labels (labels.max() + 1) "
                     "instead of the `num_classes` argument: a batch that happens to miss the last class "
                     "would get too few columns. Use num_classes.", _one_hot_from_max),
        KnownMistake("off_by_one", "every 1 sits one column to the left: the labels are already 0-based "
                     "(class 0 goes in column 0), so do not subtract 1.", _one_hot_one_based),
    ),
))
register(Exercise(
    "tensors.standardize", "standardize(X) -> (N, D) array: every column with mean 0 and std 1",
    standardize, _standardize_cases, outputs=(Output("X_standardized"),), blocked=("standardize",),
    mistakes=(
        KnownMistake("wrong_axis", "each ROW was standardized instead of each column: use axis=0 for the "
                     "mean and the std, one statistic per feature (column).", _std_rows),
        KnownMistake("wrong_axis", "one mean and one std for the whole array: every feature needs its own, "
                     "so compute them with axis=0 (per column).", _std_whole),
        KnownMistake("ddof", "divided by the sample std (ddof=1, N − 1 in the denominator); this exercise "
                     "uses the population std, np.std's default (divides by N).", _std_ddof1),
        KnownMistake("not_scaled", "the columns are centred but not divided by their standard deviation.",
                     _std_not_scaled),
        KnownMistake("not_centred", "the columns are divided by their std but the mean was not subtracted "
                     "first.", _std_not_centred),
        KnownMistake("variance", "divided by the variance; divide by the standard deviation, its square "
                     "root.", _std_variance),
    ),
))
register(Exercise(
    "tensors.pairwise_distances", "pairwise_distances(A, B) -> (M, N) array: ||A[i] - B[j]|| at (i, j)",
    pairwise_distances, _dist_cases, outputs=(Output("distances"),), blocked=("cdist", "pairwise"),
    mistakes=(
        KnownMistake("squared", "these are SQUARED distances: take the square root at the end.", _dist_squared),
        KnownMistake("manhattan", "this is the sum of absolute differences (Manhattan distance); the "
                     "Euclidean distance squares the differences, sums them and takes the root.",
                     _dist_manhattan),
        KnownMistake("cross_term", "the cross term is missing its factor 2: "
                     "||a − b||² = ||a||² + ||b||² − 2 a·b.", _dist_no_two),
    ),
))
register(Exercise(
    "tensors.permutation_matrix", "permutation_matrix(order) -> (n, n) array P with P @ A == A[order]",
    permutation_matrix, _perm_cases, outputs=(Output("P"),),
    mistakes=(
        KnownMistake("inverse_permutation", "this is the inverse permutation (the transpose of P): P @ A "
                     "sends row i of A to position order[i] instead of fetching row order[i]. Row i of P "
                     "needs its 1 in column order[i]: P[i, order[i]] = 1.", _perm_inverse),
        KnownMistake("off_by_one", "every 1 is one column to the left: `order` is 0-based already, so do "
                     "not subtract 1.", _perm_one_based),
    ),
))
