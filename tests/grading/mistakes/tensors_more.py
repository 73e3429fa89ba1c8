"""Lesson 00, more learner-like mistakes: one per catalogued mistake of one_hot, standardize,
pairwise_distances and permutation_matrix, written the way a learner writes them."""
import numpy as np

from ._catalogue import correct, wrong

# ---------------------------------------------------------------------------------------- one_hot


@correct("tensors.one_hot")
def one_hot_put_along_axis(labels, num_classes):
    """np.put_along_axis on a zero matrix: unusual but right."""
    out = np.zeros((labels.shape[0], num_classes), dtype=np.float32)
    np.put_along_axis(out, labels.reshape(-1, 1).astype(np.int64), 1.0, axis=1)
    return out


@wrong("tensors.one_hot", "present_classes_only")
def one_hot_unique(labels, num_classes):
    """pandas.get_dummies habits: a column per class seen."""
    classes = np.unique(labels)
    return (labels.reshape(-1, 1) == classes).astype(float)


@wrong("tensors.one_hot", "shifted_by_min")
def one_hot_normalised_labels(labels, num_classes):
    """'Normalises' the labels to start at 0."""
    start = labels.min()
    return np.eye(num_classes)[labels - start]


@wrong("tensors.one_hot", "extra_column")
def one_hot_range_plus_one(labels, num_classes):
    """range(num_classes + 1) 'to include the last class'."""
    out = np.zeros((len(labels), num_classes + 1))
    for i, c in enumerate(labels):
        out[i, c] = 1.0
    return out


@wrong("tensors.one_hot", "size_from_batch")
def one_hot_len_labels(labels, num_classes):
    """The identity's size taken from the batch."""
    n = len(labels)
    return np.eye(n)[labels]


@wrong("tensors.one_hot", "rows_indexed_by_label")
def one_hot_rows(labels, num_classes):
    """Fancy index on the rows only."""
    out = np.zeros((len(labels), num_classes))
    out[labels] = 1
    return out


@wrong("tensors.one_hot", "columns_indexed")
def one_hot_all_rows(labels, num_classes):
    """`out[:, labels]`: every row gets every label's column."""
    out = np.zeros((len(labels), num_classes))
    out[:, labels] = 1
    return out


@wrong("tensors.one_hot", "label_values")
def one_hot_store_label(labels, num_classes):
    """Stores the class number where the 1 goes."""
    out = np.zeros((len(labels), num_classes))
    out[np.arange(len(labels)), labels] = labels
    return out


@wrong("tensors.one_hot", "compare_not_assign")
def one_hot_double_equals(labels, num_classes):
    """`==` where `=` was meant: nothing is set."""
    out = np.zeros((len(labels), num_classes))
    out[np.arange(len(labels)), labels] == 1  # noqa: B015  (the mistake itself)
    return out


@wrong("tensors.one_hot", "inverted")
def one_hot_inverted(labels, num_classes):
    """Ones everywhere but the label."""
    return 1 - np.eye(num_classes)[labels]


@wrong("tensors.one_hot", "identity_not_indexed")
def one_hot_identity(labels, num_classes):
    """The identity of the right size, never indexed by the labels."""
    return np.eye(len(labels), num_classes)


# ---------------------------------------------------------------------------------------- standardize


@correct("tensors.standardize")
def standardize_float64_stats(X):
    """Statistics in float64 whatever X's dtype; the result keeps X's dtype."""
    mu = X.astype(np.float64).mean(axis=0)
    sd = X.astype(np.float64).std(axis=0)
    return ((X - mu) / sd).astype(X.dtype)


@wrong("tensors.standardize", "rows_without_keepdims")
def standardize_axis1(X):
    """axis=1 and no keepdims."""
    return (X - np.mean(X, axis=1)) / np.std(X, axis=1)


@wrong("tensors.standardize", "global_std")
def standardize_one_std(X):
    mu = X.mean(axis=0)
    return (X - mu) / np.std(X)


@wrong("tensors.standardize", "global_mean")
def standardize_one_mean(X):
    return (X - np.mean(X)) / np.std(X, axis=0)


@wrong("tensors.standardize", "std_wrong_axis")
def standardize_std_rows(X):
    centred = X - X.mean(axis=0)
    return centred / X.std(axis=1, keepdims=True)


@wrong("tensors.standardize", "precedence")
def standardize_no_brackets(X):
    return X - X.mean(axis=0) / X.std(axis=0)


@wrong("tensors.standardize", "wrong_order")
def standardize_divide_first(X):
    scaled = X / X.std(axis=0)
    return scaled - X.mean(axis=0)


@wrong("tensors.standardize", "norm_not_std")
def standardize_unit_norm(X):
    centred = X - X.mean(axis=0)
    return centred / np.linalg.norm(centred, axis=0)


@wrong("tensors.standardize", "min_max")
def standardize_min_max(X):
    lo, hi = X.min(axis=0), X.max(axis=0)
    return (X - lo) / (hi - lo)


# ---------------------------------------------------------------------------------------- pairwise


@wrong("tensors.pairwise_distances", "root_of_manhattan")
def pairwise_abs_then_root(A, B):
    d = np.abs(A[:, None, :] - B[None, :, :])
    return np.sqrt(d.sum(axis=2))


@wrong("tensors.pairwise_distances", "summed_everything")
def pairwise_sum_all(A, B):
    return np.sqrt(np.sum((A[:, None, :] - B[None, :, :]) ** 2))


@wrong("tensors.pairwise_distances", "cross_term_sign")
def pairwise_plus_cross(A, B):
    sq = (A * A).sum(axis=1)[:, None] + (B * B).sum(axis=1)[None, :] + 2 * (A @ B.T)
    return np.sqrt(np.maximum(sq, 0))


@wrong("tensors.pairwise_distances", "rowwise")
def pairwise_rowwise(A, B):
    """A - B: one distance per row pair i, i."""
    return np.sqrt(np.sum((A - B) ** 2, axis=1))


@wrong("tensors.pairwise_distances", "same_index")
def pairwise_loop_typo(A, B):
    out = np.zeros((len(A), len(B)))
    for i in range(len(A)):
        for j in range(len(B)):
            out[i, j] = np.sqrt(np.sum((A[i] - B[i]) ** 2))
    return out


@wrong("tensors.pairwise_distances", "used_A_twice")
def pairwise_a_a(A, B):
    return np.sqrt(((A[:, None, :] - A[None, :, :]) ** 2).sum(-1))


# ---------------------------------------------------------------------------------------- permutation


@wrong("tensors.permutation_matrix", "identity")
def permutation_identity(order):
    return np.eye(len(order))


@wrong("tensors.permutation_matrix", "applied_twice")
def permutation_twice(order):
    P = np.eye(len(order))[order]
    return P @ P


@wrong("tensors.permutation_matrix", "diagonal_of_order")
def permutation_diag(order):
    return np.diag(order)


@wrong("tensors.permutation_matrix", "rows_filled")
def permutation_fill(order):
    P = np.zeros((len(order), len(order)))
    P[order] = 1
    return P


@wrong("tensors.permutation_matrix", "fancy_pair")
def permutation_pair_index(order):
    return np.eye(len(order))[order, order]


@wrong("tensors.permutation_matrix", "loop_misses_last_row")
def permutation_short_loop(order):
    n = len(order)
    P = np.zeros((n, n))
    for i in range(n - 1):
        P[i, order[i]] = 1
    return P


@wrong("tensors.permutation_matrix", "eye_of_order")
def permutation_eye_order(order):
    return np.eye(order)[order]
