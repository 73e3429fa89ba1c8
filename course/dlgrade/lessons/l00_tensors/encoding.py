"""Lesson 00, encodings as tensors: one-hot labels (dlkit.data.one_hot) and permutation matrices."""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .. import _dlkit
from .._common import make_case
from .._draw import shapes

# ---------------------------------------------------------------------------------------------- one_hot


@reference("tensors.one_hot reference")
def one_hot(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """(N, num_classes) float array with a 1 in column labels[i] of row i: dlkit.data.one_hot as floats."""
    from dlkit.data import one_hot as dlkit_one_hot

    return _dlkit.numpy(dlkit_one_hot(_dlkit.labels(labels), int(num_classes))).astype(np.float64)


def _labels(rng: np.random.Generator, n: int, c: int, kind: str) -> np.ndarray:
    """Labels of ``n`` examples in ``c`` classes that leave out the last class, a middle one, or class 0."""
    if kind == "last_missing":  # labels.max() + 1 gives too few columns
        return rng.integers(0, c - 1, size=n)
    if kind == "no_zero":  # labels - labels.min() shifts every 1
        return rng.integers(1, c, size=n)
    if kind == "middle_missing":  # np.unique(labels) drops a column that is not the last
        gap = int(rng.integers(1, c - 1))
        y = rng.choice([k for k in range(c) if k != gap], size=n)
        y[:2] = [c - 1, 0][:n]
        return rng.permutation(y)
    return rng.integers(0, c, size=n)


# (N, C, labels): repeated labels everywhere; N < C, N > C and N == C; int32 labels in one case
_ONE_HOT_VISIBLE = [(6, 3, "last_missing"), (1, 4, "no_zero"), (9, 5, "middle_missing"), (4, 7, "any"),
                    (5, 5, "int32")]
_ONE_HOT_HIDDEN = [(8, 3, "last_missing"), (1, 2, "no_zero"), (12, 6, "middle_missing")]


def _one_hot_cases(rng: np.random.Generator, hidden: bool):
    fixed = [(n, c) for n, c, _ in (_ONE_HOT_HIDDEN if hidden else _ONE_HOT_VISIBLE)]
    kinds = [k for _, _, k in (_ONE_HOT_HIDDEN if hidden else _ONE_HOT_VISIBLE)]
    cases = []
    for i, (n, c) in enumerate(shapes(rng, hidden, fixed, fixed, [(2, 14), (2, 9)])):
        kind = kinds[i] if i < len(kinds) else "any"
        labels = _labels(rng, n, c, kind)
        if kind == "int32":
            labels = labels.astype(np.int32)
        cases.append(make_case({"labels": labels, "num_classes": int(c)}, factors={"N": n},
                               note=f"num_classes={c}"))
    return cases


def _zeros(labels, num_classes):
    return np.zeros((len(labels), num_classes))


def _oh_rows_set(labels, num_classes):
    out = _zeros(labels, num_classes)
    out[labels] = 1
    return out


def _oh_columns_set(labels, num_classes):
    out = _zeros(labels, num_classes)
    out[:, labels] = 1
    return out


def _oh_label_values(labels, num_classes):
    out = _zeros(labels, num_classes)
    out[np.arange(len(labels)), labels] = labels
    return out


_EYE = r"np\.eye|np\.identity|zeros"
_ONE_HOT_MISTAKES = (
    KnownMistake("num_classes_ignored", "the number of columns came from the labels (labels.max() + 1) instead "
                 "of the `num_classes` argument: a batch that happens to miss the last class gets too few "
                 "columns. Use num_classes.", lambda y, c: np.eye(int(y.max()) + 1)[y],
                 "the line that sets the number of columns", r"max\(|\.max"),
    KnownMistake("present_classes_only", "one column per class PRESENT in the batch (np.unique(labels)): a class "
                 "missing from this batch loses its column and every later class moves left. The columns are "
                 "the classes 0 … num_classes − 1, present or not.",
                 lambda y, c: (y[:, None] == np.unique(y)[None, :]).astype(float),
                 "the line that lists the classes", r"unique"),
    KnownMistake("off_by_one", "every 1 sits one column to the left: the labels are already 0-based (class 0 goes "
                 "in column 0), so do not subtract 1.", lambda y, c: np.eye(c)[y - 1],
                 "the index of the 1 in each row", r"-\s*1"),
    KnownMistake("shifted_by_min", "the labels were shifted by their minimum (labels - labels.min()): when class 0 "
                 "is absent every 1 moves left. Class k goes in column k whatever the batch holds.",
                 lambda y, c: np.eye(c)[y - y.min()], "the index of the 1 in each row", r"min\("),
    KnownMistake("extra_column", "one column too many: num_classes + 1 columns; classes 0 … num_classes − 1 need "
                 "exactly num_classes.", lambda y, c: np.eye(c + 1)[y], "the number of columns", r"\+\s*1"),
    KnownMistake("size_from_batch", "the number of columns is the number of examples (len(labels)); it must be "
                 "`num_classes`.", lambda y, c: np.eye(len(y))[y], "the number of columns", r"len\(|shape\[0\]"),
    KnownMistake("transposed", "one COLUMN per example: the result is (num_classes, N). Each example is a row, "
                 "so row i has its 1 in column labels[i] (np.eye(C)[labels], not np.eye(C)[:, labels]).",
                 lambda y, c: np.eye(c)[:, y], "the line that indexes the identity", r"\[\s*:\s*,"),
    KnownMistake("rows_indexed_by_label", "`out[labels] = 1` fills whole ROWS numbered by the labels. Set one entry "
                 "per row: out[np.arange(N), labels] = 1.", _oh_rows_set, "the assignment of the 1s",
                 r"\[\s*labels\s*\]\s*="),
    KnownMistake("columns_indexed", "`out[:, labels] = 1` sets every column that occurs in labels in EVERY row. "
                 "Pair each row with its own label: out[np.arange(N), labels] = 1.", _oh_columns_set,
                 "the assignment of the 1s", r"\[\s*:\s*,\s*labels\s*\]"),
    KnownMistake("label_values", "the entries hold the label's value instead of 1 (so class 0 rows stay all "
                 "zero): assign 1, not `labels`.", _oh_label_values, "the assignment of the 1s", r"=\s*labels"),
    KnownMistake("compare_not_assign", "the result is all zeros: `out[...] == 1` compares, it does not assign. "
                 "Use a single `=`.", _zeros, "the line that should set the 1s", r"\]\s*==\s*1"),
    KnownMistake("inverted", "zeros and ones are swapped: the 1 goes in column labels[i], every other entry is 0.",
                 lambda y, c: 1.0 - np.eye(c)[y], "the line that builds the result", r"1\s*-"),
    KnownMistake("identity_not_indexed", "this is np.eye(N, num_classes), the identity: the labels are never used. "
                 "Pick the identity's rows BY LABEL, np.eye(num_classes)[labels].",
                 lambda y, c: np.eye(len(y), c), "the line that builds the result", _EYE),
)

register(Exercise(
    "tensors.one_hot", "one_hot(labels, num_classes) -> (N, num_classes) array of 0s and 1s",
    one_hot, _one_hot_cases, outputs=(Output("one_hot"),), blocked=("one_hot",), mistakes=_ONE_HOT_MISTAKES,
    hints=frozenset(),
))

# ---------------------------------------------------------------------------------- permutation_matrix


@reference("tensors.permutation_matrix reference")
def permutation_matrix(order: np.ndarray) -> np.ndarray:
    """(n, n) matrix P with P @ A == A[order]: row i of P has its 1 in column order[i]."""
    return np.eye(len(order))[order]


def _scrambled(rng: np.random.Generator, n: int) -> np.ndarray:
    """A random permutation that tells P, its transpose and P² apart: not its own inverse (n >= 3), and for
    n >= 4 its square is neither the identity nor the inverse (no permutation made only of 3-cycles)."""
    while True:
        order = rng.permutation(n)
        inverse, twice = np.argsort(order), order[order]
        if n < 3 or (not np.array_equal(inverse, order)
                     and (n < 4 or not (np.array_equal(twice, inverse) or np.array_equal(twice, np.arange(n))))):
            return order


_PERM_VISIBLE, _PERM_HIDDEN = [(3,), (1,), (5,), (8,), (6,)], [(4,), (1,), (6,), (9,), (12,)]


def _perm_cases(rng: np.random.Generator, hidden: bool):
    cases = []
    for i, (n,) in enumerate(shapes(rng, hidden, _PERM_VISIBLE, _PERM_HIDDEN, [(5, 15)], extra=1)):
        order = _scrambled(rng, n)
        if i == 4:  # integer types vary too: int32 indices index as well as int64 ones
            order = order.astype(np.int32)
        cases.append(make_case({"order": order}, factors={"N": n}, note=f"n={n}"))
    return cases


def _perm_loop_short(order):
    P = np.zeros((len(order), len(order)))
    for i in range(len(order) - 1):
        P[i, order[i]] = 1
    return P


def _perm_rows_filled(order):
    P = np.zeros((len(order), len(order)))
    P[order] = 1
    return P


_PERM_MISTAKES = (
    KnownMistake("inverse_permutation", "this is the inverse permutation (the transpose of P, also what "
                 "np.eye(n)[:, order] or np.argsort(order) give): P @ A sends row i of A to position order[i] "
                 "instead of fetching row order[i]. Row i of P needs its 1 in column order[i].",
                 lambda o: np.eye(len(o))[:, o], "the line that places the 1s", r"\[\s*:\s*,|argsort|\.T\b"),
    KnownMistake("off_by_one", "every 1 is one column to the left: `order` is 0-based already, so do not "
                 "subtract 1.", lambda o: np.eye(len(o))[np.asarray(o) - 1], "the index of each 1", r"-\s*1"),
    KnownMistake("identity", "this is the identity matrix: `order` is never used. Row i of P takes row order[i] "
                 "of the identity: np.eye(n)[order].", lambda o: np.eye(len(o)), "the line that builds P",
                 r"np\.eye|identity"),
    KnownMistake("applied_twice", "the permutation is applied twice (P @ P): index the identity with `order` "
                 "once.", lambda o: np.eye(len(o))[o[o]], "the indexing of the identity", r"\]\s*\["),
    KnownMistake("diagonal_of_order", "the values of `order` sit on the diagonal (np.diag(order)); a permutation "
                 "matrix holds only 0s and 1s, with the 1 of row i in column order[i].",
                 lambda o: np.diag(o).astype(float), "the line that builds P", r"diag"),
    KnownMistake("rows_filled", "`P[order] = 1` (or `P[:, order] = 1`) fills whole rows (columns): every entry "
                 "is 1. Set one entry per row: P[np.arange(n), order] = 1.", _perm_rows_filled,
                 "the assignment of the 1s", r"P\s*\[\s*(:\s*,\s*)?order\s*\]\s*="),
    KnownMistake("fancy_pair", "np.eye(n)[order, order] picks the n diagonal entries (an (n,) vector of ones), "
                 "not rows: index with the rows only, np.eye(n)[order].", lambda o: np.eye(len(o))[o, o],
                 "the indexing of the identity", r"\[\s*order\s*,\s*order\s*\]"),
    KnownMistake("loop_misses_last_row", "the last row is all zeros: the loop stops one row early. Use "
                 "range(n) (or range(len(order))), not range(n - 1).", _perm_loop_short, "the range of the loop",
                 r"range\(.*-\s*1"),
    KnownMistake("eye_of_order", "np.eye(order) gets the whole array where it needs a SIZE: build np.eye(n) with "
                 "n = len(order), then pick its rows with order.", lambda o: np.eye(o), "the call to np.eye",
                 r"eye\(\s*order\s*\)"),
)

register(Exercise(
    "tensors.permutation_matrix", "permutation_matrix(order) -> (n, n) array P with P @ A == A[order]",
    permutation_matrix, _perm_cases, outputs=(Output("P"),), mistakes=_PERM_MISTAKES,
    hints=frozenset(),
))
