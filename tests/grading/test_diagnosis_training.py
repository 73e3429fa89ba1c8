"""A training loop that fails: "uphill" only when the first step goes against the gradient; "diverges" when
it goes downhill and still blows up."""
import numpy as np

from dlgrade import check, CheckFailed
from dlgrade import diagnosis as dg
from dlgrade.diagnosis.training import direction


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _train(X, y, num_classes, lr, epochs, reg, *, sign=1.0, normalise=True):
    n, d = X.shape
    W, b = np.zeros((d, num_classes)), np.zeros(num_classes)
    Y = np.eye(num_classes)[y]
    for _ in range(epochs):
        z = X @ W + b
        p = _softmax(z) if normalise else np.exp(z)  # without the normalisation the "probabilities" explode
        G = (p - Y) / n
        W = W - sign * lr * (X.T @ G + reg / n * W)
        b = b - sign * lr * G.sum(axis=0)
    return W, b


def _failure(fn):
    try:
        check("logreg.train_logistic_regression", fn)
    except CheckFailed as exc:
        return exc
    raise AssertionError("expected a failure")


def test_direction_is_the_cosine_with_the_downhill_direction():
    g = np.array([1.0, 2.0])
    assert np.isclose(direction(-g, g), 1.0) and np.isclose(direction(g, g), -1.0)
    assert direction(np.zeros(2), g) is None


def test_an_ascending_loop_steps_uphill():
    exc = _failure(lambda X, y, c, lr, e, reg: _train(X, y, c, lr, e, reg, sign=-1.0))
    assert exc.code == dg.SIGN and "first step goes uphill" in str(exc)


def test_a_missing_softmax_normalisation_diverges_not_uphill():
    exc = _failure(lambda X, y, c, lr, e, reg: _train(X, y, c, lr, e, reg, normalise=False))
    assert "uphill" not in str(exc).splitlines()[0]
    assert exc.code == dg.DIVERGES and "held-out accuracy" in str(exc)
