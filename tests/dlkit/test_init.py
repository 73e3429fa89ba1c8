"""dlkit.init: torch's formulas and gains, the statistics of the draws, seeding, and clear errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

import dlkit
from dlkit import init


def _param(*shape, dtype="float32"):
    return dlkit.zeros(*shape, dtype=dtype, requires_grad=True)


def test_calculate_gain_matches_torch_table() -> None:
    assert init.calculate_gain("linear") == init.calculate_gain("conv2d") == init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01 ** 2)))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")
    torch = pytest.importorskip("torch")
    for name, param in [("linear", None), ("tanh", None), ("relu", None), ("leaky_relu", 0.3), ("selu", None)]:
        assert init.calculate_gain(name, param) == pytest.approx(torch.nn.init.calculate_gain(name, param))


def test_fans_count_the_receptive_field() -> None:
    assert init._calculate_fan_in_and_fan_out(_param(32, 16, 3, 3)) == (144, 288)
    assert init._calculate_fan_in_and_fan_out(_param(10, 20)) == (20, 10)
    with pytest.raises(ValueError, match="at least 2 dimensions, got shape \\(5,\\)"):
        init.xavier_uniform_(_param(5))


CASES = [
    # (initializer, kwargs, shape, "uniform" bound or "normal" std)
    (init.uniform_, dict(a=-2.0, b=3.0), (200, 100), None),
    (init.normal_, dict(mean=1.0, std=0.5), (200, 100), None),
    (init.xavier_uniform_, dict(gain=2.0), (300, 200), ("uniform", 2.0 * math.sqrt(6 / 500))),
    (init.xavier_normal_, dict(), (300, 200), ("normal", math.sqrt(2 / 500))),
    (init.kaiming_uniform_, dict(nonlinearity="relu"), (64, 32, 3, 3), ("uniform", math.sqrt(2) * math.sqrt(3 / 288))),
    (init.kaiming_normal_, dict(mode="fan_out", nonlinearity="relu"), (64, 32, 3, 3), ("normal", math.sqrt(2 / 576))),
    (init.kaiming_uniform_, dict(a=math.sqrt(5)), (128, 256), ("uniform", 1 / math.sqrt(256))),
]


@pytest.mark.parametrize("fn, kwargs, shape, expected", CASES, ids=lambda c: getattr(c, "__name__", None))
def test_initializers_draw_the_right_distribution(fn, kwargs, shape, expected) -> None:
    dlkit.manual_seed(0)
    t = _param(*shape)
    assert fn(t, **kwargs) is t and t.requires_grad and t.dtype_name == "float32" and t.shape == shape
    v = t.detach().numpy()
    if fn is init.uniform_:
        assert v.min() >= -2.0 and v.max() < 3.0 and abs(v.mean() - 0.5) < 0.05
    elif fn is init.normal_:
        assert abs(v.mean() - 1.0) < 0.02 and abs(v.std() - 0.5) < 0.02
    elif expected[0] == "uniform":
        bound = expected[1]
        assert np.abs(v).max() <= bound and np.abs(v).max() > 0.99 * bound
        assert abs(v.std() - bound / math.sqrt(3)) < 0.02 * bound
    else:
        assert abs(v.std() - expected[1]) < 0.03 * expected[1] and abs(v.mean()) < 0.05 * expected[1]


def test_initializers_match_torch_statistics() -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    dlkit.manual_seed(0)
    for ours, theirs, kwargs in [
        (init.xavier_uniform_, torch.nn.init.xavier_uniform_, {}),
        (init.kaiming_normal_, torch.nn.init.kaiming_normal_, dict(nonlinearity="relu")),
        (init.kaiming_uniform_, torch.nn.init.kaiming_uniform_, dict(a=0.1, mode="fan_out")),
    ]:
        a, b = _param(100, 50, 3), torch.empty(100, 50, 3)
        ours(a, **kwargs), theirs(b, **kwargs)
        assert abs(a.detach().numpy().std() - b.numpy().std()) < 0.03 * b.numpy().std()
        assert abs(a.detach().numpy().mean() - b.numpy().mean()) < 0.03 * b.numpy().std()


def test_constant_fills_keep_dtype() -> None:
    t = _param(2, 3, dtype="float64")
    assert np.all(init.ones_(t).detach().numpy() == 1) and t.dtype_name == "float64"
    assert np.all(init.zeros_(t).detach().numpy() == 0)
    assert np.all(init.constant_(t, 0.25).detach().numpy() == 0.25)


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (5, 2, 3)])
def test_orthogonal_gives_orthonormal_rows_or_columns(shape) -> None:
    dlkit.manual_seed(1)
    t = init.orthogonal_(_param(*shape, dtype="float64"), gain=2.0)
    m = t.detach().numpy().reshape(shape[0], -1) / 2.0
    small = min(m.shape)
    gram = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-12)


def test_initializers_repeat_after_manual_seed() -> None:
    dlkit.manual_seed(7)
    a = init.kaiming_normal_(_param(5, 5)).detach().numpy().copy()
    dlkit.manual_seed(7)
    b = init.kaiming_normal_(_param(5, 5)).detach().numpy()
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out'"):
        init.kaiming_uniform_(_param(3, 3), mode="fan_avg")
