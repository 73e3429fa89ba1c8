"""Round-2 fresh entries for lesson 00 (tensors)."""
import numpy as np

from ._fresh import correct, wrong

# ---------------------------------------------------------------- one_hot


@wrong("tensors.one_hot", "00", ["num_classes", "max", "number of columns", "column"],
       "takes the number of columns from the labels (labels.max() + 1) instead of num_classes")
def one_hot(labels, num_classes):
    labels = np.asarray(labels)
    return np.eye(labels.max() + 1)[labels]


@wrong("tensors.one_hot", "00", ["every row", "each row", "whole column", "np.arange", "row index"],
       "writes out[:, labels] = 1, which lights every label's column in every row")
def one_hot(labels, num_classes):  # noqa: F811
    out = np.zeros((len(labels), num_classes))
    out[:, labels] = 1
    return out


# ---------------------------------------------------------------- standardize


@wrong("tensors.standardize", "00", ["ddof", "n-1", "n - 1", "population", "sample"],
       "divides by the sample standard deviation (ddof=1) instead of the population one")
def standardize(X):
    return (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)


@wrong("tensors.standardize", "00", ["axis", "row", "per column", "each column"],
       "standardizes each row (axis=1, keepdims) instead of each column")
def standardize(X):  # noqa: F811
    return (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)


@wrong("tensors.standardize", "00", ["in place", "in-place", "modif", "mutat", "copy"],
       "subtracts and divides in place (X -= ...), changing the caller's array")
def standardize(X):  # noqa: F811
    X -= X.mean(axis=0)
    X /= X.std(axis=0)
    return X


@wrong("tensors.standardize", "00", ["variance", "square root", "sqrt", "standard deviation"],
       "divides by the variance instead of the standard deviation")
def standardize(X):  # noqa: F811
    return (X - X.mean(axis=0)) / X.var(axis=0)


@correct("tensors.standardize", "00", "spells out the population standard deviation with sqrt and a copy")
def standardize(X):  # noqa: F811
    Z = np.array(X, dtype=float, copy=True)
    n = Z.shape[0]
    mu = Z.sum(axis=0) / n
    Z -= mu
    sigma = np.sqrt((Z * Z).sum(axis=0) / n)
    Z /= sigma
    return Z


# ---------------------------------------------------------------- pairwise_distances


@wrong("tensors.pairwise_distances", "00", ["sqrt", "square root", "squared"],
       "forgets the square root and returns squared distances")
def pairwise_distances(A, B):
    diff = A[:, None, :] - B[None, :, :]
    return np.sum(diff ** 2, axis=-1)


@wrong("tensors.pairwise_distances", "00", ["axis", "last axis", "axis=-1", "axis 1"],
       "sums the (M, N, D) squared differences over axis 1 instead of the last axis")
def pairwise_distances(A, B):  # noqa: F811
    diff = A[:, None, :] - B[None, :, :]
    return np.sqrt(np.sum(diff ** 2, axis=1))


@wrong("tensors.pairwise_distances", "00", ["broadcast", "[:, none]", "(m, 1)", "keepdims", "column"],
       "uses |a|^2 + |b|^2 - 2ab but adds the two norm vectors without making one a column")
def pairwise_distances(A, B):  # noqa: F811
    sq = np.sum(A ** 2, axis=1) + np.sum(B ** 2, axis=1) - 2 * A @ B.T
    return np.sqrt(np.maximum(sq, 0.0))


@correct("tensors.pairwise_distances", "00", "one loop over the rows of A with np.linalg.norm")
def pairwise_distances(A, B):  # noqa: F811
    out = np.empty((A.shape[0], B.shape[0]))
    for i in range(A.shape[0]):
        out[i] = np.linalg.norm(B - A[i], axis=1)
    return out


# ---------------------------------------------------------------- permutation_matrix


@wrong("tensors.permutation_matrix", "00", ["transpos", "inverse", "column", "p.t"],
       "picks columns of the identity, np.eye(n)[:, order]: the transpose (inverse permutation)")
def permutation_matrix(order):
    return np.eye(len(order))[:, order]


@correct("tensors.permutation_matrix", "00", "a loop setting P[i, order[i]] = 1")
def permutation_matrix(order):  # noqa: F811
    n = len(order)
    P = np.zeros((n, n))
    for i in range(n):
        P[i, order[i]] = 1.0
    return P
