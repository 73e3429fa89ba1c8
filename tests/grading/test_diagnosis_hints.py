"""Every generic hint appears only where its family belongs to the exercise, and where it belongs it appears."""
import numpy as np
import pytest

from dlgrade import diagnosis as dg
from dlgrade import exercise_names, get_exercise
from dlgrade.diagnosis import hints

from .synthetic import diagnosis, exercise
from dlgrade.registry import Case, Output

rng = np.random.default_rng(4)
E = rng.normal(size=(4, 3))
NAN = np.where(np.arange(12).reshape(4, 3) == 5, np.nan, E)
MASKED = np.where(E > 0, E, 0.0)


def _trigger(family: str, scope: frozenset) -> str:
    """A failure whose message would carry ``family``'s hint if the scope allowed it."""
    if family in (hints.EXP, hints.LOG):
        return dg.compare(E, NAN, scope=scope).message
    if family in (hints.RESIDUAL, hints.UPDATE):
        return dg.compare(E, -E, scope=scope).message
    if family == hints.MATMUL:
        return dg.compare(E, E.T, scope=scope).message
    if family == hints.SQUARE:
        return dg.compare(E, E / 2, scope=scope).message
    if family == hints.BIAS:
        return dg.compare(E, E + 0.25, scope=scope).message
    if family == hints.MASK:
        return dg.compare(MASKED, np.where(E > 0.4, E, 0.0), scope=scope).message
    if family == hints.BATCH:
        return dg.compare(E[0], rng.normal(size=(5, 3)), scope=scope).message
    if family == hints.VARIANCE:
        return dg.compare(E, E * 6 / 5, factors={"N": 6}, scope=scope).message
    if family == hints.SQRT:  # only numpy's own warning brings it: never a guess
        return dg.compare(E, NAN, scope=scope).message
    raise AssertionError(family)


_GUESSED = sorted(hints.FAMILIES - {hints.SQRT})


@pytest.mark.parametrize("name", exercise_names())
def test_hints_outside_the_scope_never_appear(name):
    ex = get_exercise(name)
    scope = ex.hint_scope(ex.make_cases(False))
    for family in hints.FAMILIES - scope:
        assert hints.HINTS[family] not in _trigger(family, scope), (name, family)


@pytest.mark.parametrize("family", _GUESSED)
def test_hints_inside_the_scope_appear(family):
    with_hint, without = _trigger(family, frozenset({family})), _trigger(family, frozenset())
    assert with_hint.startswith(without.rstrip(".:")) and len(with_hint) > len(without)


def test_adam_nan_says_sqrt_not_exp():
    ex = get_exercise("optim.adam")
    scope = ex.hint_scope()
    assert hints.EXP not in scope and hints.SQRT in scope
    d = dg.compare(E, NAN, scope=scope, warnings=["RuntimeWarning: invalid value encountered in sqrt"])
    assert "max trick" not in d.message and "square root of a negative number" in d.message


def test_sign_hint_of_prediction_minus_target_only_with_a_target():
    assert hints.RESIDUAL in get_exercise("linreg.mse_gradients").hint_scope()
    assert hints.RESIDUAL not in get_exercise("activations.tanh_backward").hint_scope()
    assert hints.HINTS[hints.RESIDUAL] not in dg.compare(E, -E, scope=frozenset()).message


def test_declared_scope_replaces_the_derived_one():
    ex = exercise(lambda x: np.exp(x), [Case({"x": E}, "x")], hints=frozenset({hints.BIAS}))
    assert ex.hint_scope() == {hints.BIAS}
    assert hints.EXP in exercise(lambda x: np.exp(x), [Case({"x": E}, "x")]).hint_scope()


def test_an_exercise_without_exp_never_suggests_the_max_trick_end_to_end():
    ex = exercise(lambda w, g: w - 0.1 * g / (np.sqrt(g * g) + 1e-8),
                  [Case({"w": E, "g": E + 1.0}, "w, g")], outputs=(Output("w"),))
    d = diagnosis(ex, lambda w, g: w - 0.1 * g / np.sqrt(g - 1.0))
    assert d.code == dg.NONFINITE and "max trick" not in d.message and "square root" in d.message
