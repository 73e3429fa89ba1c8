"""Lesson 01, more learner-like mistakes: one per catalogued mistake of predict, mse, mse_gradients and
normal_equations, written the way a learner writes them."""
import numpy as np

from ._catalogue import correct, wrong

# ---------------------------------------------------------------------------------------- predict


@correct("linreg.predict")
def predict_einsum(X, w, b):
    """einsum over the feature axis: unusual but right."""
    return np.einsum("nd,d->n", X, w) + b


@wrong("linreg.predict", "bias_sign")
def predict_minus_b(X, w, b):
    return X @ w - b


@wrong("linreg.predict", "bias_multiplied")
def predict_times_b(X, w, b):
    return X.dot(w) * b


@wrong("linreg.predict", "bias_per_feature")
def predict_shift_inputs(X, w, b):
    """b added to every feature first."""
    return (X + b) @ w


@wrong("linreg.predict", "bias_added_to_w")
def predict_shift_weights(X, w, b):
    return X @ (w + b)


@wrong("linreg.predict", "elementwise_product")
def predict_star(X, w, b):
    return X * w + b


@wrong("linreg.predict", "summed_everything")
def predict_sum_all(X, w, b):
    return np.sum(X * w) + b


@wrong("linreg.predict", "wrong_axis")
def predict_sum_axis0(X, w, b):
    return (X * w).sum(axis=0) + b


@wrong("linreg.predict", "mean_not_sum")
def predict_mean(X, w, b):
    return (X * w).mean(axis=1) + b


@wrong("linreg.predict", "first_feature_only")
def predict_one_feature(X, w, b):
    """Written for the 1-D demo."""
    return w[0] * X[:, 0] + b


# ---------------------------------------------------------------------------------------- mse


@correct("linreg.mse")
def mse_dot(y_pred, y):
    """r·r / N with a Python float."""
    r = y_pred - y
    return float(r @ r) / len(r)


@wrong("linreg.mse", "missing_square")
def mse_abs(y_pred, y):
    return np.abs(y_pred - y).mean()


@wrong("linreg.mse", "square_of_mean")
def mse_mean_squared(y_pred, y):
    return np.mean(y_pred - y) ** 2


@wrong("linreg.mse", "precedence")
def mse_no_brackets(y_pred, y):
    return np.mean(y_pred - y ** 2)


@wrong("linreg.mse", "difference_of_squares")
def mse_squares_apart(y_pred, y):
    return np.mean(y_pred ** 2 - y ** 2)


@wrong("linreg.mse", "norm_over_n")
def mse_norm(y_pred, y):
    return np.linalg.norm(y_pred - y) / len(y)


@wrong("linreg.mse", "half")
def mse_half(y_pred, y):
    """½·MSE from a textbook that simplifies the gradient."""
    return 0.5 * np.mean((y_pred - y) ** 2)


@wrong("linreg.mse", "variance_of_residual")
def mse_var(y_pred, y):
    return np.var(y_pred - y)


# ---------------------------------------------------------------------------------------- mse_gradients


@correct("linreg.mse_gradients")
def mse_gradients_bias_column(X, y, w, b):
    """The bias as an extra column of ones: one matmul for both gradients."""
    A = np.hstack([X, np.ones((X.shape[0], 1))])
    g = 2 / len(y) * A.T @ (A @ np.append(w, b) - y)
    return g[:-1], float(g[-1])


@wrong("linreg.mse_gradients", "divided_by_D")
def mse_gradients_features(X, y, w, b):
    n = X.shape[1]
    r = X @ w + b - y
    return 2 / n * X.T @ r, 2 / n * r.sum()


@wrong("linreg.mse_gradients", "target_missing")
def mse_gradients_no_y(X, y, w, b):
    pred = X @ w + b
    return 2 * X.T @ pred / len(y), 2 * pred.mean()


@wrong("linreg.mse_gradients", "matmul_order")
def mse_gradients_x_r(X, y, w, b):
    r = X @ w + b - y
    return 2 * (X @ r) / len(y), 2 * np.mean(r)


@wrong("linreg.mse_gradients", "dw_not_summed")
def mse_gradients_per_example(X, y, w, b):
    r = X @ w + b - y
    return 2 / len(y) * X * r[:, None], 2 / len(y) * r.sum()


@wrong("linreg.mse_gradients", "wrong_axis")
def mse_gradients_axis1(X, y, w, b):
    r = X @ w + b - y
    return 2 / len(y) * (X * r[:, None]).sum(axis=1), 2 / len(y) * r.sum()


@wrong("linreg.mse_gradients", "column_vector")
def mse_gradients_column(X, y, w, b):
    r = (X @ w + b - y).reshape(-1, 1)
    return 2 / len(y) * X.T @ r, 2 / len(y) * r.sum()


@wrong("linreg.mse_gradients", "swapped_outputs")
def mse_gradients_db_first(X, y, w, b):
    r = X @ w + b - y
    return 2 * r.mean(), 2 * X.T @ r / len(y)


# ---------------------------------------------------------------------------------------- normal_equations


@wrong("linreg.normal_equations", "separate_fits")
def normal_equations_mean_bias(X, y):
    w = np.linalg.solve(X.T @ X, X.T @ y)
    return w, y.mean()


@wrong("linreg.normal_equations", "intercept_after_fit")
def normal_equations_residual_bias(X, y):
    w = np.linalg.lstsq(X, y, rcond=None)[0]
    return w, float(np.mean(y - X @ w))


@wrong("linreg.normal_equations", "bias_mean_y_only")
def normal_equations_centred(X, y):
    """Centred data give the right w; the intercept forgets the x-mean."""
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    w = np.linalg.solve(Xc.T @ Xc, Xc.T @ yc)
    return w, y.mean()


@wrong("linreg.normal_equations", "ones_first_unpacked_last")
def normal_equations_ones_first(X, y):
    A = np.column_stack([np.ones(len(X)), X])
    theta = np.linalg.solve(A.T @ A, A.T @ y)
    return theta[:-1], theta[-1]


@wrong("linreg.normal_equations", "w_includes_b")
def normal_equations_whole_theta(X, y):
    A = np.hstack([X, np.ones((len(X), 1))])
    theta = np.linalg.lstsq(A, y, rcond=None)[0]
    return theta, theta[-1]


@wrong("linreg.normal_equations", "no_solve")
def normal_equations_rhs(X, y):
    A = np.hstack([X, np.ones((len(X), 1))])
    theta = A.T @ y
    return theta[:-1], theta[-1]


from . import linreg_training  # noqa: F401,E402  (gd_step and train_linear)
