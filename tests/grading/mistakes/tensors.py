"""Lesson 00: one_hot, standardize, pairwise_distances, permutation_matrix (more in tensors_more.py)."""
import numpy as np

from ._catalogue import correct, wrong

# ---------------------------------------------------------------------------------------- one_hot

@correct("tensors.one_hot")
def one_hot(labels, num_classes):
    return np.eye(num_classes)[labels]


@correct("tensors.one_hot")
def one_hot_loop(labels, num_classes):
    """A loop that sets one entry per row: slow but right."""
    out = np.zeros((len(labels), num_classes))
    for i, c in enumerate(labels):
        out[i, c] = 1.0
    return out


@correct("tensors.one_hot")
def one_hot_compare(labels, num_classes):
    """Broadcasting a comparison; an int or bool result is fine."""
    return (labels[:, None] == np.arange(num_classes)).astype(int)


@wrong("tensors.one_hot", "num_classes_ignored")
def one_hot_from_max(labels, num_classes):
    """Number of classes guessed from the labels."""
    return np.eye(labels.max() + 1)[labels]


@wrong("tensors.one_hot", "transposed")
def one_hot_columns(labels, num_classes):
    """One column per example instead of one row."""
    return np.eye(num_classes)[:, labels]


@wrong("tensors.one_hot", "off_by_one")
def one_hot_one_based(labels, num_classes):
    """Treats the labels as 1-based."""
    out = np.zeros((len(labels), num_classes))
    out[np.arange(len(labels)), labels - 1] = 1
    return out


@wrong("tensors.one_hot", "ignores_input")
def one_hot_three(labels, num_classes):
    """Three classes hard-coded (the people table had three): num_classes is never read."""
    out = np.zeros((len(labels), 3))
    for i, c in enumerate(labels):
        out[i, c] = 1
    return out


@wrong("tensors.one_hot", "wrong_type")
def one_hot_lists(labels, num_classes):
    """A list of lists."""
    return [[1.0 if c == k else 0.0 for k in range(num_classes)] for c in labels]


@wrong("tensors.one_hot", "ignores_input")
def one_hot_row_index(labels, num_classes):
    """Indexes np.eye by position instead of by label."""
    return np.eye(num_classes)[np.arange(len(labels)) % num_classes]


# ---------------------------------------------------------------------------------------- standardize

@correct("tensors.standardize")
def standardize(X):
    return (X - X.mean(axis=0)) / X.std(axis=0)


@correct("tensors.standardize")
def standardize_by_hand(X):
    """Mean and population std written out."""
    n = X.shape[0]
    mu = X.sum(axis=0) / n
    sd = np.sqrt(((X - mu) ** 2).sum(axis=0) / n)
    return (X - mu) / sd


@wrong("tensors.standardize", "wrong_axis")
def standardize_rows(X):
    """axis=1: each example standardized across its features."""
    return (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)


@wrong("tensors.standardize", "wrong_axis")
def standardize_global(X):
    """No axis: one mean and one std for everything."""
    return (X - X.mean()) / X.std()


@wrong("tensors.standardize", "ddof")
def standardize_sample_std(X):
    """The N - 1 habit from statistics class."""
    return (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)


@wrong("tensors.standardize", "not_scaled")
def standardize_centre_only(X):
    return X - X.mean(axis=0)


@wrong("tensors.standardize", "variance")
def standardize_by_variance(X):
    return (X - X.mean(axis=0)) / X.var(axis=0)


@wrong("tensors.standardize", "mutated_input")
def standardize_in_place(X):
    """Modifies the caller's array."""
    X -= X.mean(axis=0)
    X /= X.std(axis=0)
    return X


@wrong("tensors.standardize", "not_centred")
def standardize_scale_only(X):
    return X / X.std(axis=0)


# ---------------------------------------------------------------------------------------- pairwise

@correct("tensors.pairwise_distances")
def pairwise_distances(A, B):
    return np.sqrt(((A[:, None, :] - B[None, :, :]) ** 2).sum(axis=-1))


@correct("tensors.pairwise_distances")
def pairwise_distances_expanded(A, B):
    """||a||² + ||b||² − 2 a·b: one matmul, no (M, N, D) intermediate."""
    sq = (A ** 2).sum(axis=1)[:, None] + (B ** 2).sum(axis=1)[None, :] - 2 * A @ B.T
    return np.sqrt(np.maximum(sq, 0))


@wrong("tensors.pairwise_distances", "unclipped")
def pairwise_distances_expanded_unclipped(A, B):
    sq = (A ** 2).sum(axis=1)[:, None] + (B ** 2).sum(axis=1)[None, :] - 2 * A @ B.T
    return np.sqrt(sq)


@correct("tensors.pairwise_distances")
def pairwise_distances_loops(A, B):
    """Two Python loops: slow but right."""
    out = np.zeros((A.shape[0], B.shape[0]))
    for i in range(A.shape[0]):
        for j in range(B.shape[0]):
            out[i, j] = np.sqrt(np.sum((A[i] - B[j]) ** 2))
    return out


@wrong("tensors.pairwise_distances", "squared")
def pairwise_squared(A, B):
    """Forgot the square root."""
    return ((A[:, None, :] - B[None, :, :]) ** 2).sum(axis=-1)


@wrong("tensors.pairwise_distances", "transposed")
def pairwise_transposed(A, B):
    """(N, M) instead of (M, N)."""
    return np.sqrt(((B[:, None, :] - A[None, :, :]) ** 2).sum(axis=-1))


@wrong("tensors.pairwise_distances", "manhattan")
def pairwise_manhattan(A, B):
    return np.abs(A[:, None, :] - B[None, :, :]).sum(axis=-1)


@wrong("tensors.pairwise_distances", "cross_term")
def pairwise_no_two(A, B):
    """Expansion with the 2 of the cross term forgotten."""
    sq = (A ** 2).sum(axis=1)[:, None] + (B ** 2).sum(axis=1)[None, :] - A @ B.T
    return np.sqrt(np.maximum(sq, 0))


@wrong("tensors.pairwise_distances", "exception")
def pairwise_no_newaxis(A, B):
    """Norms added without making one of them a column."""
    sq = (A ** 2).sum(axis=1) + (B ** 2).sum(axis=1) - 2 * A @ B.T
    return np.sqrt(np.maximum(sq, 0))


@wrong("tensors.pairwise_distances", "wrong_axis")
def pairwise_wrong_axis(A, B):
    """Summed over the wrong axis of the (M, N, D) differences."""
    return np.sqrt(((A[:, None, :] - B[None, :, :]) ** 2).sum(axis=1))


@wrong("tensors.pairwise_distances", "mean_not_sum")
def pairwise_mean(A, B):
    """Mean over the features instead of the sum (the root of the mean squared difference)."""
    return np.sqrt(((A[:, None, :] - B[None, :, :]) ** 2).mean(axis=-1))


# ---------------------------------------------------------------------------------------- permutation

@correct("tensors.permutation_matrix")
def permutation_matrix(order):
    return np.eye(len(order))[order]


@correct("tensors.permutation_matrix")
def permutation_matrix_loop(order):
    """One 1 per row, set in a loop."""
    n = len(order)
    P = np.zeros((n, n), dtype=int)
    for i in range(n):
        P[i, order[i]] = 1
    return P


@wrong("tensors.permutation_matrix", "inverse_permutation")
def permutation_inverse(order):
    """P[order[i], i] = 1: the transpose, which undoes the reordering."""
    n = len(order)
    P = np.zeros((n, n))
    P[order, np.arange(n)] = 1
    return P


@wrong("tensors.permutation_matrix", "off_by_one")
def permutation_one_based(order):
    return np.eye(len(order))[np.asarray(order) - 1]


@wrong("tensors.permutation_matrix", "hardcoded_shape")
def permutation_three(order):
    """A 3 × 3 matrix, like the worked example."""
    P = np.zeros((3, 3))
    for i, k in enumerate(order):
        P[i, k] = 1
    return P


@wrong("tensors.permutation_matrix", "ignores_input")
def permutation_reversed(order):
    """Only the length of order is used: rows reversed, whatever the order says."""
    return np.eye(len(order))[::-1]


@wrong("tensors.permutation_matrix", "wrong_shape")
def permutation_vector(order):
    """Returns the reordered indices instead of a matrix."""
    return np.arange(len(order))[order]


@wrong("tensors.permutation_matrix", "wrong_type")
def permutation_nested_list(order):
    return [[1 if j == k else 0 for j in range(len(order))] for k in order]


from . import tensors_more  # noqa: F401,E402  (one entry per catalogued mistake added with issue #20)
