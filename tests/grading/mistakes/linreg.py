"""Lesson 01: predict, mse, mse_gradients, normal_equations (more in linreg_more.py)."""
import numpy as np

from ._catalogue import correct, wrong

# Notebook-level variables, as in lesson 01: using one inside a function is a classic bug.
w_guess = np.array([0.5, -1.0, 2.0])


@correct("linreg.predict")
def predict(X, w, b):
    return X @ w + b


@correct("linreg.predict")
def predict_loop(X, w, b):
    """A loop over examples is slow but right."""
    return np.array([sum(X[i, j] * w[j] for j in range(X.shape[1])) + b for i in range(X.shape[0])])


@wrong("linreg.predict", "missing_bias")
def predict_no_bias(X, w, b):
    """Forgot the bias."""
    return X @ w


@wrong("linreg.predict", "ignores_input")
def predict_global(X, w, b):
    """Uses the notebook's w_guess instead of the argument w."""
    return X @ w_guess + b


@wrong("linreg.predict", "column_vector")
def predict_column(X, w, b):
    """Returns an (N, 1) column."""
    return (X @ w + b).reshape(-1, 1)


@wrong("linreg.predict", "hardcoded_shape")
def predict_hardcoded(X, w, b):
    """Loops over a hard-coded number of features."""
    return sum(X[:, j] * w[j] for j in range(3)) + b


@wrong("linreg.predict", "operand_order")
def predict_transposed(X, w, b):
    """w @ X: the matmul operands in the wrong order."""
    return w @ X + b


@wrong("linreg.predict", "wrong_type")
def predict_list(X, w, b):
    """Returns a Python list."""
    return [float(x @ w + b) for x in X]


@correct("linreg.mse")
def mse(y_pred, y):
    return np.mean((y_pred - y) ** 2)


@wrong("linreg.mse", "sum_not_mean")
def mse_sum(y_pred, y):
    """Sum instead of mean: N times too large."""
    return np.sum((y_pred - y) ** 2)


@wrong("linreg.mse", "missing_square")
def mse_no_square(y_pred, y):
    return np.mean(y_pred - y)


@wrong("linreg.mse", "rmse")
def mse_root(y_pred, y):
    return np.sqrt(np.mean((y_pred - y) ** 2))


@wrong("linreg.mse", "no_reduction")
def mse_per_example(y_pred, y):
    """Forgot the mean."""
    return (y_pred - y) ** 2


@wrong("linreg.mse", "broadcast")
def mse_column(y_pred, y):
    """y_pred made a column: (N, 1) - (N,) broadcasts to (N, N)."""
    return np.mean((y_pred.reshape(-1, 1) - y) ** 2)


@wrong("linreg.mse", "n_minus_one")
def mse_n_minus_1(y_pred, y):
    """Divides by N - 1 (the sample-variance habit)."""
    return np.sum((y_pred - y) ** 2) / (len(y) - 1) if len(y) > 1 else np.sum((y_pred - y) ** 2)


@correct("linreg.mse_gradients")
def mse_gradients(X, y, w, b):
    r = X @ w + b - y
    n = len(y)
    return 2 / n * X.T @ r, 2 / n * r.sum()


@wrong("linreg.mse_gradients", "missing_mean")
def mse_gradients_no_mean(X, y, w, b):
    """Forgot the 1/N."""
    r = X @ w + b - y
    return 2 * X.T @ r, 2 * r.sum()


@wrong("linreg.mse_gradients", "missing_two")
def mse_gradients_no_two(X, y, w, b):
    """Forgot the 2 from the square."""
    r = X @ w + b - y
    return X.T @ r / len(y), r.mean()


@wrong("linreg.mse_gradients", "sign")
def mse_gradients_sign(X, y, w, b):
    """y - prediction instead of prediction - y."""
    r = y - (X @ w + b)
    return 2 * X.T @ r / len(y), 2 * r.mean()


@wrong("linreg.mse_gradients", "db_not_summed")
def mse_gradients_db_not_summed(X, y, w, b):
    """db left per example."""
    r = X @ w + b - y
    return 2 * X.T @ r / len(y), 2 * r / len(y)


@wrong("linreg.mse_gradients", "bias_missing")
def mse_gradients_no_bias(X, y, w, b):
    """Residual computed without b."""
    r = X @ w - y
    return 2 * X.T @ r / len(y), 2 * r.mean()


@wrong("linreg.mse_gradients", "wrong_shape")
def mse_gradients_sum_all(X, y, w, b):
    """Sums X * r over everything, so dw is a single number."""
    r = X @ w + b - y
    return 2 * np.sum(X * r[:, None]) / len(y), 2 * r.mean()


@correct("linreg.normal_equations")
def normal_equations(X, y):
    A = np.hstack([X, np.ones((len(X), 1))])
    theta = np.linalg.solve(A.T @ A, A.T @ y)
    return theta[:-1], theta[-1]


@correct("linreg.normal_equations")
def normal_equations_pinv(X, y):
    """Intercept first, via the pseudo-inverse."""
    A = np.hstack([np.ones((len(X), 1)), X])
    theta = np.linalg.pinv(A) @ y
    return theta[1:], theta[0]


@wrong("linreg.normal_equations", "missing_intercept")
def normal_equations_no_intercept(X, y):
    w = np.linalg.inv(X.T @ X) @ X.T @ y
    return w, 0.0


@wrong("linreg.normal_equations", "wrong_type")
def normal_equations_theta(X, y):
    """Returns theta in one array instead of (w, b)."""
    A = np.hstack([X, np.ones((len(X), 1))])
    return np.linalg.solve(A.T @ A, A.T @ y)


@wrong("linreg.normal_equations", "bias_is_first_coefficient")
def normal_equations_wrong_index(X, y):
    """Ones appended last, but b read from the first entry."""
    A = np.hstack([X, np.ones((len(X), 1))])
    theta = np.linalg.solve(A.T @ A, A.T @ y)
    return theta[1:], theta[0]


@wrong("linreg.normal_equations", "exception")
def normal_equations_bad_matmul(X, y):
    """X @ y instead of X.T @ y."""
    A = np.hstack([X, np.ones((len(X), 1))])
    theta = np.linalg.solve(A.T @ A, A @ y)
    return theta[:-1], theta[-1]


@wrong("linreg.normal_equations", "values")
def normal_equations_gd(X, y):
    """A few gradient-descent steps instead of the exact solution."""
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(20):
        r = X @ w + b - y
        w, b = w - 0.01 * X.T @ r / len(y), b - 0.01 * r.mean()
    return w, b


@wrong("linreg.normal_equations", "swapped_outputs")
def normal_equations_swapped(X, y):
    """Returns (b, w)."""
    A = np.hstack([X, np.ones((len(X), 1))])
    theta = np.linalg.solve(A.T @ A, A.T @ y)
    return theta[-1], theta[:-1]


from . import linreg_more  # noqa: F401,E402  (one entry per catalogued mistake added with issue #20)
