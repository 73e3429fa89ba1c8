"""Constant factors: one candidate that explains every case is named; ambiguous, tiny and changing ratios are
said as they are, without a guess."""
import numpy as np

from dlgrade import diagnosis as dg
from dlgrade.diagnosis import factors
from dlgrade.registry import Case, Output

from .synthetic import diagnosis, exercise

rng = np.random.default_rng(2)


def _grad_cases(shapes):
    return [Case({"X": rng.normal(size=(n, d)), "y": rng.normal(size=n)}, f"X ({n}, {d})", {"N": n, "D": d})
            for n, d in shapes]


def mse_grad(X, y):
    """d/dw of mean((X w − y)²) at w = 1: 2/N · Xᵀ(X·1 − y)."""
    return 2.0 / len(y) * X.T @ (X.sum(1) - y)


def test_missing_2_over_n_is_named_when_cases_tell_n_over_2_from_d():
    # case 1: N/2 = D = 3, so one case cannot tell "N/2" from "D"; case 2 can
    ex = exercise(mse_grad, _grad_cases([(6, 3), (4, 5)]))
    d = diagnosis(ex, lambda X, y: X.T @ (X.sum(1) - y))
    assert d.code == dg.SCALE and "factor N/2" in d.message and "D" not in d.message.split("—")[0]


def test_ambiguous_factor_on_one_case_is_not_guessed():
    ex = exercise(mse_grad, _grad_cases([(6, 3)]))
    d = diagnosis(ex, lambda X, y: X.T @ (X.sum(1) - y))
    assert d.code == dg.SCALE and "N/2 or D" in d.message and "do not tell which" in d.message


def test_factor_refuted_by_a_case_that_passed():
    rows = [factors.Row(2.0, factors.candidates({"N": 4}), False), factors.Row(None, factors.candidates({}), True)]
    d = factors.across_cases(rows, "h", "", scalar=False, scope=())
    assert d is not None and "`N`" not in d.message and "factor 2 " not in d.message  # said as a ratio
    rows = [factors.Row(2.0, factors.candidates({"N": 2}), False), factors.Row(1.0, factors.candidates({"N": 1}), True)]
    assert "factor N " in factors.across_cases(rows, "h", "", scalar=False, scope=()).message


def test_tiny_values_are_a_factor_never_all_zero():
    e = rng.normal(size=(4, 3))
    d = dg.compare(e, e * 1e-10)
    assert d.code == dg.SCALE and "all zero" not in d.message and "not zero" in d.message
    assert "all zero" in dg.compare(e, np.zeros_like(e)).message


def test_ratio_changing_from_case_to_case_is_said_without_a_name():
    ex = exercise(mse_grad, _grad_cases([(6, 3), (4, 5), (7, 2)]))
    d = diagnosis(ex, lambda X, y: 0.37 * len(y) ** 1.5 * mse_grad(X, y))
    assert d.code == dg.SCALE and "a different constant each time" in d.message


def test_scalar_with_an_unremarkable_ratio_gets_no_factor():
    ex = exercise(lambda x: float(np.sum(x ** 2)), [Case({"x": rng.normal(size=5)}, "x (5,)", {"N": 5})],
                  outputs=(Output("loss", "scalar"),))
    d = diagnosis(ex, lambda x: float(np.sum(x ** 2) + 0.123))
    assert d.code not in (dg.SCALE, dg.SIGN)


def test_scalar_factor_from_an_argument_across_cases():
    def flops(n, k):
        return 2 * n * k * k
    cases = [Case({"n": n, "k": k}, f"n={n}, k={k}") for n, k in ((3, 5), (4, 3), (2, 7))]
    ex = exercise(flops, cases, outputs=(Output("flops", "scalar"),), rtol=0.0)
    d = diagnosis(ex, lambda n, k: 2 * n * k)
    assert d.code == dg.SCALE and "`k`" in d.message
    d = diagnosis(ex, lambda n, k: n * k * k)
    assert d.code == dg.SCALE and "half" in d.message


def test_sign_and_named_sign():
    e = rng.normal(size=(3, 2))
    assert dg.compare(e, -e).code == dg.SIGN
    d = dg.compare(e, -4 * e, factors={"N": 4})
    assert d.code == dg.SIGN and "wrong sign" in d.message and "N" in d.message


def test_divided_by_one_size_where_another_is_meant():
    ex = exercise(mse_grad, _grad_cases([(6, 3), (4, 5), (7, 2)]))
    d = diagnosis(ex, lambda X, y: 2.0 / X.shape[1] * X.T @ (X.sum(1) - y))
    assert d.code == dg.SCALE and "N/D" in d.message
