"""Shape rules: permuted axes (any number), missing and extra reductions, sizes off by one; and look-alikes."""
import numpy as np

from dlgrade import diagnosis as dg

rng = np.random.default_rng(1)


def diag(expected, got, **kw):
    return dg.compare(expected, got, **kw)


def test_permuted_axes_of_a_4d_array_are_named():
    e = rng.normal(size=(2, 3, 4, 5))
    d = diag(e, e.transpose(0, 2, 3, 1))
    assert d.code == dg.TRANSPOSED and "(0, 2, 3, 1)" in d.message


def test_permuted_sizes_without_permuted_values_say_so():
    e = rng.normal(size=(2, 3, 4))
    d = diag(e, rng.normal(size=(2, 4, 3)))
    assert d.code == dg.TRANSPOSED and "not just a transpose" in d.message


def test_reshape_instead_of_transpose():
    e = rng.normal(size=(5, 3))
    d = diag(e, e.reshape(3, 5))
    assert d.code == dg.TRANSPOSED and "reshape" in d.message


def test_missing_sum_names_axes_and_kind():
    e = rng.normal(size=(4,))
    per_example = rng.normal(size=(6, 4))
    d = diag(per_example.sum(0), per_example)
    assert d.code == dg.BATCH_NOT_REDUCED and "sum" in d.message and "axis 0" in d.message
    d = diag(per_example.mean(0), per_example)
    assert d.code == dg.BATCH_NOT_REDUCED and "average" in d.message
    images = rng.normal(size=(2, 4, 3, 3))
    d = diag(images.sum(axis=(0, 2, 3)), images.sum(axis=0))
    assert d.code == dg.BATCH_NOT_REDUCED and "axis 1 (size 3) and axis 2 (size 3)" in d.message
    assert diag(e, rng.normal(size=(6, 4))).code == dg.BATCH_NOT_REDUCED  # no sum fits: still extra axes


def test_scalar_expected_from_per_example_values():
    losses = rng.uniform(size=7)
    d = diag(losses.mean(), losses, kind="scalar")
    assert d.code == dg.BATCH_NOT_REDUCED and "average" in d.message


def test_summed_over_everything_is_not_called_axis_0():
    e = rng.normal(size=(3, 4))
    d = diag(e.sum(0), np.array(e.sum()))
    assert d.code == dg.WRONG_SHAPE and "axis 0" not in d.message
    d = diag(e, e.sum(0))
    assert d.code == dg.WRONG_SHAPE and "summed over axis 0" in d.message
    d = diag(e, rng.normal(size=(4,)))  # the right shape for a sum, but not the sum: no claim about a sum
    assert "summed" not in d.message


def test_keepdims_sum_is_found():
    g = rng.normal(size=(4, 3))
    assert diag(g.sum(0, keepdims=True), g).code == dg.BATCH_NOT_REDUCED


def test_column_against_vector_is_layout_not_reduction():
    y = rng.normal(size=6)
    d = diag(y, y.reshape(-1, 1))
    assert d.code == dg.WRONG_SHAPE and "extra axis of size 1" in d.message


def test_size_off_by_one_with_right_values():
    e = rng.normal(size=(2, 3, 4, 4))
    d = diag(e, e[:, :, :3, :3])
    assert d.code == dg.WRONG_SHAPE and "3 instead of 4 along axis 2" in d.message and "values that are there" in d.message
    assert "at the end" in d.message
    padded = np.pad(e, ((0, 0), (0, 0), (1, 1), (1, 1)))
    d = diag(e, padded)
    assert "on both sides" in d.message
    d = diag(e, rng.normal(size=(2, 3, 5, 4)))  # one more position, wrong values: only the sizes are said
    assert "values that are there" not in d.message and "5 instead of 4" in d.message


def test_padding_never_claimed_for_a_size_off_by_one():
    e = rng.normal(size=(1, 1, 5, 5))
    assert "padding" not in diag(e, rng.normal(size=(1, 1, 4, 4))).message


def test_outputs_returned_in_each_others_place():
    from dlgrade.registry import Case, Output

    from .synthetic import diagnosis, exercise
    ex = exercise(lambda x: (x * 2, float(x.sum())), [Case({"x": rng.normal(size=3)}, "x (3,)")],
                  outputs=(Output("w"), Output("b", "scalar")))
    d = diagnosis(ex, lambda x: (float(x.sum()), x * 2))
    assert d.code == "swapped" and "(w, b)" in d.message
    assert diagnosis(ex, lambda x: (x * 3, float(x.sum()))).code != "swapped"


def test_outputs_returned_in_another_order_of_blocks():
    """(loss, dW2, db2, dW1, db1) for (loss, dW1, db1, dW2, db2): named as the order, not as a shape error."""
    from dlgrade.registry import Case, Output

    from .synthetic import diagnosis, exercise

    def ref(x):
        return float(x.sum()), np.outer(x, x[:2]), x[:2] * 2, np.outer(x[:2], x), x * 3

    ex = exercise(ref, [Case({"x": rng.normal(size=3)}, "x (3,)")],
                  outputs=(Output("loss", "scalar"), Output("dW1"), Output("db1"), Output("dW2"), Output("db2")))
    d = diagnosis(ex, lambda x: (lambda r: (r[0], r[3], r[4], r[1], r[2]))(ref(x)))
    assert d.code == "swapped" and "wrong order" in d.message
    assert "(loss, dW2, db2, dW1, db1); return (loss, dW1, db1, dW2, db2)" in d.message
    # one output also wrong: not an order problem
    d = diagnosis(ex, lambda x: (lambda r: (r[0], r[3], r[4] + 1, r[1], r[2]))(ref(x)))
    assert d.code != "swapped"


def test_a_missing_sum_down_to_one_number_names_no_single_axis():
    """grad (2, 4) -> () summed over axis 0 only: the rest is summed over every axis, not 'axis=0' again."""
    e, g = np.float64(3.0), np.array([1.0, 0.5, 0.5, 1.0])
    d = diag(e, g)
    assert "np.sum(...) over every axis" in d.message and "axis=0" not in d.message
    d = diag(np.ones(4) * 2, np.ones((2, 4)))
    assert "axis=0" in d.message
