"""Lesson 00 · Data as tensors: one_hot, standardize, pairwise_distances, permutation_matrix."""
import numpy as np

from ._fresh import correct, wrong

L = "00"

# ---- tensors.one_hot(labels, num_classes) ----------------------------------------------------------


@wrong("tensors.one_hot", L, ["num_classes", "column", "number of classes"],
       "takes the number of columns from labels.max() + 1, so a batch without the last class loses a column")
def one_hot(labels, num_classes):
    return np.eye(labels.max() + 1)[labels]


@wrong("tensors.one_hot", L, ["transpos"], "returns the (C, N) transpose")
def one_hot(labels, num_classes):  # noqa: F811
    return np.eye(num_classes)[labels].T


@wrong("tensors.one_hot", L, ["column", "off by one", "shift", "labels - 1", "wrong class"],
       "treats labels as 1-based: np.eye(C)[labels - 1], the 1 lands one column to the left")
def one_hot(labels, num_classes):  # noqa: F811
    return np.eye(num_classes)[labels - 1]


@wrong("tensors.one_hot", L, ["np.arange", "arange", "whole column", "every row", "exactly one", "one 1",
                              "per row"],
       "out[:, labels] = 1 sets whole columns instead of one entry per row")
def one_hot(labels, num_classes):  # noqa: F811
    out = np.zeros((len(labels), num_classes))
    out[:, labels] = 1
    return out


@wrong("tensors.one_hot", L, ["list", "array", "ndarray"], "returns a list of lists")
def one_hot(labels, num_classes):  # noqa: F811
    return [[1.0 if j == k else 0.0 for j in range(num_classes)] for k in labels]


@correct("tensors.one_hot", L, "comparison against np.arange with broadcasting")
def one_hot(labels, num_classes):  # noqa: F811
    return (np.asarray(labels)[:, None] == np.arange(num_classes)[None, :]).astype(float)


@correct("tensors.one_hot", L, "an explicit loop, one entry per row")
def one_hot(labels, num_classes):  # noqa: F811
    out = np.zeros((len(labels), num_classes))
    for i, k in enumerate(labels):
        out[i, k] = 1.0
    return out


@correct("tensors.one_hot", L, "integer dtype (np.zeros(..., dtype=int)): the spec asks for ones and zeros only")
def one_hot(labels, num_classes):  # noqa: F811
    out = np.zeros((len(labels), num_classes), dtype=int)
    out[np.arange(len(labels)), labels] = 1
    return out


# ---- tensors.standardize(X) --------------------------------------------------------------------------


@wrong("tensors.standardize", L, ["axis"], "statistics per row (axis=1) instead of per column")
def standardize(X):
    return (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)


@wrong("tensors.standardize", L, ["ddof", "n - 1", "n-1", "sample", "population"],
       "sample standard deviation (ddof=1) instead of the population one")
def standardize(X):  # noqa: F811
    return (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)


@wrong("tensors.standardize", L, ["mean", "subtract", "centre", "center"], "divides by the std but never subtracts the mean")
def standardize(X):  # noqa: F811
    return X / X.std(axis=0)


@wrong("tensors.standardize", L, ["in place", "in-place", "modif", "changed"],
       "works in place on X (X -= ...; X /= ...) and returns it: the caller's array is changed")
def standardize(X):  # noqa: F811
    X -= X.mean(axis=0)
    X /= X.std(axis=0)
    return X


@wrong("tensors.standardize", L, ["variance", "square root", "sqrt", "std"], "divides by the variance instead of the standard deviation")
def standardize(X):  # noqa: F811
    return (X - X.mean(axis=0)) / X.var(axis=0)


@wrong("tensors.standardize", L, ["axis", "per column", "column", "whole array"],
       "no axis: one mean and one std for the whole array")
def standardize(X):  # noqa: F811
    return (X - X.mean()) / X.std()


@wrong("tensors.standardize", L, ["bracket", "parenthes", "precedence", "order of operations"],
       "missing brackets: X - X.mean(0) / X.std(0)")
def standardize(X):  # noqa: F811
    return X - X.mean(axis=0) / X.std(axis=0)


@correct("tensors.standardize", L, "explicit formulas (sqrt of mean of squares), in-place work on a copy")
def standardize(X):  # noqa: F811
    Z = np.array(X, dtype=float, copy=True)
    Z -= Z.sum(axis=0) / Z.shape[0]
    Z /= np.sqrt((Z ** 2).sum(axis=0) / Z.shape[0])
    return Z


# ---- tensors.pairwise_distances(A, B) -------------------------------------------------------------------


@wrong("tensors.pairwise_distances", L, ["square root", "sqrt", "squared"], "forgets the square root")
def pairwise_distances(A, B):
    return np.sum((A[:, None, :] - B[None, :, :]) ** 2, axis=-1)


@wrong("tensors.pairwise_distances", L, ["axis"], "sums over axis 1 (the points of B) instead of the coordinates")
def pairwise_distances(A, B):  # noqa: F811
    return np.sqrt(np.sum((A[:, None, :] - B[None, :, :]) ** 2, axis=1))


@wrong("tensors.pairwise_distances", L, ["transpos", "(n, m)", "swapped"], "A - B[:, None]: an (N, M) result")
def pairwise_distances(A, B):  # noqa: F811
    return np.sqrt(np.sum((A[None, :, :] - B[:, None, :]) ** 2, axis=-1))


@wrong("tensors.pairwise_distances", L, ["sign", "minus", "-2", "- 2"],
       "the |a|^2 + |b|^2 - 2ab expansion written with + 2ab")
def pairwise_distances(A, B):  # noqa: F811
    sq = (A ** 2).sum(1)[:, None] + (B ** 2).sum(1)[None, :] + 2 * A @ B.T
    return np.sqrt(sq)


@wrong("tensors.pairwise_distances", L, ["nan", "negative", "clip", "rounding"],
       "the expansion without clipping: tiny negative values give NaN where a point meets itself")
def pairwise_distances(A, B):  # noqa: F811
    sq = (A ** 2).sum(1)[:, None] + (B ** 2).sum(1)[None, :] - 2 * A @ B.T
    return np.sqrt(sq)


@wrong("tensors.pairwise_distances", L, ["euclid", "absolute", "l1", "manhattan", "square"],
       "Manhattan distance: sum of absolute differences")
def pairwise_distances(A, B):  # noqa: F811
    return np.abs(A[:, None, :] - B[None, :, :]).sum(axis=-1)


@wrong("tensors.pairwise_distances", L, ["mean", "sum", "factor"], "averages the squared differences instead of summing them")
def pairwise_distances(A, B):  # noqa: F811
    return np.sqrt(np.mean((A[:, None, :] - B[None, :, :]) ** 2, axis=-1))


@correct("tensors.pairwise_distances", L, "the expansion formula with np.maximum(..., 0) before the root")
def pairwise_distances(A, B):  # noqa: F811
    sq = np.einsum("ij,ij->i", A, A)[:, None] + np.einsum("ij,ij->i", B, B)[None, :] - 2.0 * A @ B.T
    return np.sqrt(np.maximum(sq, 0.0))


@correct("tensors.pairwise_distances", L, "np.linalg.norm over the last axis of the broadcast difference")
def pairwise_distances(A, B):  # noqa: F811
    return np.linalg.norm(A[:, None, :] - B[None, :, :], axis=-1)


# ---- tensors.permutation_matrix(order) --------------------------------------------------------------------


@wrong("tensors.permutation_matrix", L, ["transpos", "inverse"], "P[order, arange] = 1: the transpose (inverse permutation)")
def permutation_matrix(order):
    n = len(order)
    P = np.zeros((n, n))
    P[order, np.arange(n)] = 1
    return P


@wrong("tensors.permutation_matrix", L, ["transpos", "inverse", "column"], "np.eye(n)[:, order]: permutes the columns")
def permutation_matrix(order):  # noqa: F811
    return np.eye(len(order))[:, order]


@wrong("tensors.permutation_matrix", L, ["inverse", "argsort", "transpos"], "np.eye(n)[np.argsort(order)]: the inverse permutation")
def permutation_matrix(order):  # noqa: F811
    return np.eye(len(order))[np.argsort(order)]


@wrong("tensors.permutation_matrix", L, ["list", "array", "ndarray"], "returns a list of lists (P @ A fails)")
def permutation_matrix(order):  # noqa: F811
    n = len(order)
    return [[1 if j == order[i] else 0 for j in range(n)] for i in range(n)]


@correct("tensors.permutation_matrix", L, "rows of the identity picked by order")
def permutation_matrix(order):  # noqa: F811
    return np.eye(len(order))[np.asarray(order)]


@correct("tensors.permutation_matrix", L, "an explicit loop over rows")
def permutation_matrix(order):  # noqa: F811
    n = len(order)
    P = np.zeros((n, n))
    for i in range(n):
        P[i, order[i]] = 1.0
    return P
