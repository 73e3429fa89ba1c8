"""Designed calls: which inputs the output depends on, state between calls, seeds, scalars on designed inputs."""
import numpy as np

from dlgrade import diagnosis as dg
from dlgrade.harness.wire import Rng
from dlgrade.registry import Case, Design, Output

from .synthetic import diagnosis, exercise, run

rng = np.random.default_rng(5)


def predict(X, w, b):
    return X @ w + b


PREDICT = exercise(predict, [Case({"X": rng.normal(size=(n, 3)), "w": rng.normal(size=3), "b": float(rng.normal())},
                                  f"X ({n}, 3)", {"N": n}) for n in (5, 2)])


# ------------------------------------------------------------------------------------------------ dependence

def test_ignored_argument_is_named_when_the_output_uses_the_others():
    d = diagnosis(PREDICT, lambda X, w, b: X @ w)
    assert d.code == dg.IGNORES_INPUT and "`b`" in d.message and "`w`" not in d.message


def test_output_using_no_argument_says_so():
    d = diagnosis(PREDICT, lambda X, w, b: np.arange(len(X), dtype=float) + 1.0)
    assert d.code == dg.IGNORES_INPUT and "whatever the inputs" in d.message


def test_zero_or_empty_output_is_not_called_ignoring():
    d = diagnosis(PREDICT, lambda X, w, b: np.zeros(len(X)))
    assert d.code == dg.VALUES and "all zero" in d.message
    d = diagnosis(PREDICT, lambda X, w, b: np.zeros(0))
    assert d.code != dg.IGNORES_INPUT


def test_floor_division_does_not_fake_an_ignored_argument():
    def size(n, k, s):
        return (n - k) // s + 1
    ex = exercise(size, [Case({"n": 7, "k": 3, "s": 2}, "n=7"), Case({"n": 10, "k": 4, "s": 3}, "n=10")],
                  outputs=(Output("size", "scalar"),), rtol=0.0)
    d = diagnosis(ex, lambda n, k, s: (n - k + 1) // s)  # k+1 gives the same floor on case 1 by chance
    assert d.code != dg.IGNORES_INPUT


# --------------------------------------------------------------------------------------- state and randomness

def test_state_kept_between_calls():
    seen = []

    def remembers(X, w, b):
        seen.append(len(X))
        return X @ w + b + (len(seen) > 1) * 1.0  # right on the first call only
    d = diagnosis(PREDICT, remembers)
    assert d.code == dg.STATEFUL


def test_state_after_other_inputs():
    last = {}

    def cached(X, w, b):  # a cache keyed on the batch size: right the first time, stale after other inputs
        key = len(X)
        if key not in last:
            last[key] = X @ w + b
        out = last[key]
        last.clear() if len(last) > 1 else None
        last[key] = out + 1.0
        return out
    r = run(PREDICT, cached)
    assert r.first_failure is None or r.first_failure.diagnosis.code in (dg.STATEFUL, dg.NONDETERMINISTIC)


def test_nondeterministic_without_seed_argument():
    d = diagnosis(PREDICT, lambda X, w, b: X @ w + b + np.random.normal(scale=1e-3))
    assert d.code == dg.NONDETERMINISTIC


def _init(fan_in, rng):
    return rng.normal(size=(fan_in, 2)) / np.sqrt(fan_in)


def _verify_init(case, args, got):
    ok = isinstance(got, np.ndarray) and got.shape == (args["fan_in"], 2) and 0.5 < got.std() * np.sqrt(
        args["fan_in"]) < 1.5
    return None if ok else dg.Diagnosis(dg.VALUES, "wrong statistics")


INIT = exercise(_init, [Case({"fan_in": n, "rng": Rng(10 + n)}, f"fan_in={n}") for n in (400, 300)],
                verify=_verify_init)


def test_statistics_pass_but_global_generator_fails():
    assert run(INIT, lambda fan_in, rng: rng.normal(size=(fan_in, 2)) / np.sqrt(fan_in)).passed
    d = diagnosis(INIT, lambda fan_in, rng: np.random.normal(size=(fan_in, 2)) / np.sqrt(fan_in))
    assert d.code == dg.UNSEEDED and "`rng`" in d.message


def test_fixed_seed_inside_is_a_seed_ignored():
    def fixed(fan_in, rng):
        return np.random.default_rng(0).normal(size=(fan_in, 2)) / np.sqrt(fan_in)
    d = diagnosis(INIT, fixed)
    assert d.code == dg.SEED_IGNORED


def test_seed_argument_by_name():
    ex = exercise(lambda n, seed: np.random.default_rng(seed).normal(size=n),
                  [Case({"n": 4, "seed": 3}, "n=4")], verify=lambda c, a, g: None)
    assert ex.randomness_args(ex.make_cases(False)[0]) == ("seed",)
    d = diagnosis(ex, lambda n, seed: np.random.default_rng(seed + 1).normal(size=n) * 0 + 1.0)
    assert d.code == dg.SEED_IGNORED


# ------------------------------------------------------------------------------------------- scalar relations

def mse(p, y):
    return float(np.mean((p - y) ** 2))


MSE = exercise(mse, [Case({"p": rng.normal(size=n), "y": rng.normal(size=n)}, f"p ({n},)", {"N": n}) for n in (6,)],
               outputs=(Output("loss", "scalar"),))


def test_sum_where_mean_is_wanted_found_by_duplicating_examples():
    d = diagnosis(MSE, lambda p, y: 0.7 * float(np.sum((p - y) ** 2)))
    assert d.code == dg.SCALE and "doubles" in d.message and "mean" in d.message


def test_missing_square_found_by_doubling():
    d = diagnosis(MSE, lambda p, y: float(np.mean(np.abs(p - y))) * 1.3)
    assert d.code == dg.VALUES and "power 2" in d.message and "power 1" in d.message


def test_constant_term_found_at_zero():
    d = diagnosis(MSE, lambda p, y: float(np.mean((p - y) ** 2)) + 1.0)
    assert d.code == dg.OFFSET and "plus 1 on every input" in d.message


def test_no_relation_claimed_for_unrelated_noise():
    d = diagnosis(MSE, lambda p, y: float(np.cos(p.sum() + y.sum()) * 7))
    assert d.code == dg.VALUES and "power" not in d.message and "doubles" not in d.message


def bce(p, y):
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


BCE = exercise(bce, [Case({"p": rng.uniform(0.1, 0.9, 6), "y": (rng.uniform(size=6) > 0.5).astype(float)}, "p (6,)",
                          {"N": 6})], outputs=(Output("loss", "scalar"),),
               designs=(Design("y = 1 everywhere", lambda a: {**a, "y": np.ones_like(a["y"])}),
                        Design("y = 0 everywhere", lambda a: {**a, "y": np.zeros_like(a["y"])},
                               hint="The term for y = 0, (1 − y)·log(1 − p), is missing.")))


def test_declared_designs_say_where_it_is_right_and_add_their_hint():
    d = diagnosis(BCE, lambda p, y: float(-np.mean(y * np.log(p))))
    assert "right when y = 1 everywhere" in d.message and "not when y = 0 everywhere" in d.message
    assert "(1 − y)·log(1 − p)" in d.message


def test_ready_made_designs_find_a_max_not_added_back():
    from dlgrade.diagnosis.designs import equal_rows, fill

    def lse(z):
        m = z.max(axis=1, keepdims=True)
        return float(np.mean(m[:, 0] + np.log(np.exp(z - m).sum(axis=1))))
    ex = exercise(lse, [Case({"z": rng.normal(size=(4, 3)) + 2.0}, "z (4, 3)", {"N": 4})],
                  outputs=(Output("loss", "scalar"),),
                  designs=(fill("z", 0.0), equal_rows("z", hint="The max subtracted for stability must be added back.")))
    d = diagnosis(ex, lambda z: float(np.mean(np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1)))))
    assert "right when z = 0 everywhere" in d.message and "must be added back" in d.message
