"""numerical_gradient and rel_error for learners."""
import numpy as np
import pytest

from dlgrade import numerical_gradient, rel_error


def test_scalar_function_gradient():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    g = numerical_gradient(lambda x: np.sum(x ** 3), x)
    assert rel_error(g, 3 * x ** 2) < 1e-8
    assert np.array_equal(x, [[1.0, -2.0], [0.5, 3.0]])  # restored


def test_vector_function_with_dout():
    x = np.random.default_rng(0).normal(size=(3, 4))
    dout = np.random.default_rng(1).normal(size=(3, 4))
    g = numerical_gradient(np.tanh, x, dout)
    assert rel_error(g, dout * (1 - np.tanh(x) ** 2)) < 1e-7


def test_errors_name_the_argument():
    with pytest.raises(TypeError, match="x must be a float numpy array"):
        numerical_gradient(np.sum, [1.0, 2.0])
    with pytest.raises(ValueError, match="pass dout"):
        numerical_gradient(np.tanh, np.ones(3))
    with pytest.raises(ValueError, match=r"dout has shape \(2,\)"):
        numerical_gradient(np.tanh, np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match="a has shape"):
        rel_error(np.ones(2), np.ones(3))


def test_rel_error_scale():
    assert rel_error(1.0, 1.0) == 0.0
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0  # the 1e-8 floor, no 0/0
    assert 0.3 < rel_error(1.0, 2.0) < 0.34
