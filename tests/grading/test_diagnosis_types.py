"""Type and dtype rules: each fires where it is true and stays silent on look-alikes."""
import numpy as np
import pytest

from dlgrade import diagnosis as dg


def code(expected, got, **kw):
    d = dg.compare(expected, got, **kw)
    return None if d is None else d.code


@pytest.mark.parametrize("got", [13.0, np.float64(13.0), np.float32(13.0)])
def test_int_size_returned_as_float_fires(got):
    d = dg.compare(13, got, kind="scalar", name="size", rtol=0.0)
    assert d.code == dg.WRONG_TYPE and "must be an int" in d.message


@pytest.mark.parametrize("got", [13, np.int64(13), np.int32(13)])
def test_int_size_as_any_integer_passes(got):
    assert code(13, got, kind="scalar", rtol=0.0) is None


@pytest.mark.parametrize("expected", [13.0, np.float64(13.0)])
def test_float_expected_accepts_float_and_int(expected):
    assert code(expected, 13, kind="scalar") is None
    assert code(expected, 13.0, kind="scalar") is None


@pytest.mark.parametrize("got", [np.array(13.0), np.array([13.0]), np.array(13)])
def test_an_array_where_a_number_is_meant_is_a_type_error(got):
    d = dg.compare(13.0, got, kind="scalar")
    assert d.code == dg.WRONG_TYPE and "not a number" in d.message and "float(" in d.message


def test_wrong_float_for_an_int_is_a_value_not_a_type():
    d = dg.compare(13, 13.5, kind="scalar", rtol=0.0)
    assert d.code != dg.WRONG_TYPE


@pytest.mark.parametrize("got, words", [
    (None, "return"), ([1.0, 2.0], "np.array"), ((1.0,), "np.array"), ("1.0", "numpy array"),
    (True, "numpy array"), (np.array([1 + 2j, 0j]), "complex")])
def test_not_an_array(got, words):
    d = dg.compare(np.array([1.0, 2.0]), got)
    assert d.code == dg.WRONG_TYPE and words in d.message


def test_scalar_containers_and_bools():
    assert code(1.0, [1.0], kind="scalar") == dg.WRONG_TYPE
    assert code(1.0, True, kind="scalar") == dg.WRONG_TYPE


def test_labels_as_floats_fire_and_ints_pass():
    labels = np.array([2, 0, 1])
    assert code(labels, labels.astype(float)) == dg.WRONG_DTYPE
    assert code(labels, labels.astype(np.int32)) is None


def test_float_expected_accepts_right_ints():
    onehot = np.eye(3)
    assert code(onehot, onehot.astype(int)) is None


def test_truncated_int_buffer_fires_only_on_cut_fractions():
    e = np.array([0.25, 1.5, 2.75])
    assert code(e, np.array([0, 1, 2])) == dg.WRONG_DTYPE
    assert code(e, np.array([0, 2, 3])) == dg.WRONG_DTYPE  # rounded
    assert code(e, np.array([5, 1, 2])) != dg.WRONG_DTYPE  # not a cut-off: other values
    assert code(np.array([1.0, 2.0, 3.0]), np.array([1, 2, 4])) != dg.WRONG_DTYPE  # nothing to cut off
