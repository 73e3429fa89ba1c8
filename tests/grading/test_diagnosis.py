"""The array-mismatch diagnoses, one per code, on hand-made outputs."""
import numpy as np
import pytest

from dlgrade import diagnosis as dg

rng = np.random.default_rng(0)
E = rng.normal(size=(5, 3))


def code(expected, got, **kw):
    d = dg.compare(expected, got, **kw)
    return None if d is None else d.code


def test_match_within_float32_rounding():
    assert code(E, E.astype(np.float32)) is None
    assert code(1.5, np.float64(1.5), kind="scalar") is None


def test_array_where_a_number_is_meant_is_a_type_error():
    # float(loss) or loss.item() is what the lesson asks; an array of one passes np.allclose and then breaks
    # every caller that formats or compares the number (f"{loss:.3f}", loss < best)
    for got in (np.array([1.5]), np.array(1.5), np.array([[1.5]])):
        d = dg.compare(1.5, got, kind="scalar")
        assert d is not None and d.code == dg.WRONG_TYPE and d.evidence.get("array_as_scalar"), got.shape


@pytest.mark.parametrize("got, expected_code", [
    (None, dg.WRONG_TYPE),
    (E.tolist(), dg.WRONG_TYPE),
    ("text", dg.WRONG_TYPE),
    (E.T, dg.TRANSPOSED),
    (E.reshape(3, 5), dg.TRANSPOSED),
    (E.reshape(15), dg.WRONG_SHAPE),
    (E[None].repeat(4, 0), dg.BATCH_NOT_REDUCED),
    (E * 5, dg.SCALE),
    (E / 5, dg.SCALE),
    (-E, dg.SIGN),
    (E + 0.3, dg.OFFSET),
    (E + np.array([0.1, -0.2, 0.3]), dg.OFFSET),
    (np.where(E > 0, np.inf, E), dg.NONFINITE),
    (np.where(E > 0.5, 0.0, E), "wrong_mask"),
    (E + rng.normal(size=E.shape), dg.VALUES),
])
def test_codes(got, expected_code):
    assert code(E, got, factors={"N": 4}) == expected_code


def test_square_transpose_is_named():
    sq = rng.normal(size=(3, 3))
    assert code(sq, sq.T) == dg.TRANSPOSED
    assert "it is transposed" in dg.compare(E, E.T).message
    assert "reshape" in dg.compare(E, E.reshape(3, 5)).message


def test_named_factor_hints():
    msg = dg.compare(E, E * 4, factors={"N": 4}).message
    assert "N" in msg and "average" in msg
    assert "2" in dg.compare(E, E * 0.5).message
    assert "N − 1" in dg.compare(np.float64(2.0), np.float64(2.0 * 6 / 5), kind="scalar", factors={"N": 6}).message


def test_scalar_expected_vector_given():
    assert code(np.float64(1.0), np.ones(4), kind="scalar", factors={"N": 4}) == dg.BATCH_NOT_REDUCED


def test_bias_gradient_not_summed_and_extra_axes():
    db = rng.normal(size=4)
    assert code(db, rng.normal(size=(6, 4)), factors={"N": 6}) == dg.BATCH_NOT_REDUCED
    assert code(db, rng.normal(size=(4, 5, 5)), factors={"N": 2}) == dg.BATCH_NOT_REDUCED


def test_column_vs_vector_is_a_layout_problem():
    y = rng.normal(size=6)
    assert code(y, y.reshape(-1, 1)) == dg.WRONG_SHAPE
    assert "broadcast" in dg.compare(y, np.outer(y, y)).message


def test_message_names_worst_element_and_relative_error():
    got = E.copy()
    got[2, 1] += 10
    msg = dg.compare(E, got).render()
    assert "index (2, 1)" in msg and "relative error" in msg and "expected" in msg


def test_tensor_output_is_a_type_error():
    class Tensor:  # duck-typed stand-in for dlkit/torch tensors
        __module__ = "dlkit.autograd.tensor"
        shape = (5, 3)

        def backward(self):
            pass
    d = dg.compare(E, Tensor())
    assert d.code == dg.WRONG_TYPE and ".numpy()" in d.message
