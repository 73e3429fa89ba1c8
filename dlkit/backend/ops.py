"""The backend's operations: what dlkit's ops, layers and optimizers need beyond the array API, as
plain functions of arrays.

    from ..backend import ops as B
    cols = B.im2col(x, (3, 3), (1, 1), (26, 26))     # numpy, cupy or any array-API array

Each function tells the array library from its input and runs that library's fast path, or the
portable version written with standard array-API calls (``dispatch.py``). Every speed trick lives
behind these names: BLAS calls numpy does not make (``update.py``, ``blas.py``), parameter layouts and
alignment (``storage.py``), channels-last convolution (``convolution.py``), process-wide tuning on
first use (``tuning.py``). Above the backend, code calls them for what they do.
"""
from .convolution import add_into_, channels_last, col2im, im2col, masked, pad, window_slices
from .dense import linear_weight_grad, ones_like, sum_rows
from .dispatch import implementations, library_of, names
from .indexing import gather, is_integer_array, scatter_add
from .losses import classes_out_of_range, log_softmax, nll_of_classes, softmax_cross_entropy_grad
from .storage import is_column_major, new_parameter_storage, stored_like
from .tuning import tune_process
from .update import add_scaled_, fusable

__all__ = [
    "add_into_", "add_scaled_", "channels_last", "classes_out_of_range", "col2im", "fusable", "gather", "im2col", "implementations",
    "is_column_major", "is_integer_array", "library_of", "linear_weight_grad", "log_softmax", "masked", "names",
    "new_parameter_storage", "nll_of_classes", "ones_like", "pad", "scatter_add", "softmax_cross_entropy_grad",
    "stored_like", "sum_rows", "tune_process", "window_slices",
]
