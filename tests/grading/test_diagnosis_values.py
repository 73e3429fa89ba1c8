"""Value rules: shifts by one, in-place aliasing, zeros, NaN with numpy's warnings; each with its look-alikes."""
import numpy as np

from dlgrade import diagnosis as dg

rng = np.random.default_rng(3)


def test_index_off_by_one_is_a_shift():
    e = rng.normal(size=(4, 6))
    g = np.concatenate([e[:, 1:], rng.normal(size=(4, 1))], axis=1)  # every value one column to the left
    d = dg.compare(e, g)
    assert d.code == dg.SHIFTED and "axis 1" in d.message and "expected[i + 1]" in d.message
    g = np.concatenate([rng.normal(size=(1, 6)), e[:-1]], axis=0)
    d = dg.compare(e, g)
    assert d.code == dg.SHIFTED and "axis 0" in d.message and "expected[i − 1]" in d.message


def test_no_shift_for_a_constant_array_or_noise():
    const = np.ones((3, 5))
    g = const.copy()
    g[:, -1] = 7.0  # right except one column: not a shift
    assert dg.compare(const, g).code != dg.SHIFTED
    assert dg.compare(rng.normal(size=(4, 6)), rng.normal(size=(4, 6))).code != dg.SHIFTED


def test_window_off_by_one_in_a_running_sum():
    x = rng.normal(size=10)
    e = np.convolve(x, np.ones(3), mode="valid")     # windows x[i:i+3]
    g = np.append(e[1:], 0.5)                          # windows x[i+1:i+4]: one position late
    assert dg.compare(e, g).code == dg.SHIFTED


def test_rows_all_equal_to_the_last_is_aliasing():
    xs = rng.normal(size=(5, 3)) + 1
    e = np.cumsum(xs, axis=0)
    d = dg.compare(e, np.repeat(e[-1:], 5, axis=0))
    assert d.code == dg.ALIASED and "in place" in d.message
    assert dg.compare(e, np.repeat(e[:1], 5, axis=0)).code != dg.ALIASED  # equal to the first: something else
    const = np.ones((4, 2))
    assert dg.compare(const, const * 2).code != dg.ALIASED  # the expected rows are all equal: nothing to say


def test_zero_only_when_exactly_zero():
    e = rng.normal(size=5)
    assert "all zero" in dg.compare(e, np.zeros(5)).message
    assert "all zero" not in dg.compare(e, e * 1e-12).message
    assert "expected values are all zero" in dg.compare(np.zeros(5), e).message


def test_nonfinite_names_what_numpy_saw_and_only_scoped_hints():
    e = rng.normal(size=4)
    g = e.copy()
    g[2] = np.nan
    sqrt_warned = ["RuntimeWarning: invalid value encountered in sqrt"]
    d = dg.compare(e, g, scope={"sqrt"}, warnings=sqrt_warned)
    assert d.code == dg.NONFINITE and "square root of a negative" in d.message and "max trick" not in d.message
    d = dg.compare(e, g, scope={"exp"}, warnings=["RuntimeWarning: overflow encountered in exp"])
    assert "max trick" in d.message
    d = dg.compare(e, g, scope=frozenset(), warnings=())  # nothing seen, no family: only the fact
    assert "max trick" not in d.message and "log-softmax" not in d.message and "index (2,)" in d.message


def test_offset_and_mask():
    e = rng.normal(size=(4, 3))
    assert dg.compare(e, e + 0.5).code == dg.OFFSET
    relu_grad = np.where(e > 0, e, 0.0)
    assert dg.compare(relu_grad, np.where(e > 0.3, e, 0.0)).code == dg.WRONG_MASK


def test_inverted_mask():
    x = rng.normal(size=(3, 4))
    g = rng.normal(size=(3, 4))
    d = dg.compare(g * (x > 0), g * (x < 0))
    assert d.code == dg.WRONG_MASK and "inverted" in d.message
    assert "inverted" not in dg.compare(g * (x > 0), g * (x > 0.5)).message
