"""Weight initialisation and weight penalties (lesson 07).

- glorot_uniform(fan_in, fan_out, rng) -> W (fan_in, fan_out) drawn from U(−a, a), a = sqrt(6/(fan_in + fan_out)).
- he_normal(fan_in, fan_out, rng) -> W (fan_in, fan_out) drawn from N(0, 2/fan_in).
  Weights are (inputs, outputs), as in ``x @ W``. ``rng`` is a numpy Generator; both are checked by the
  statistics of a large draw (shape, bounds, mean, standard deviation, shape of the distribution),
  never by exact numbers, so any correct way of drawing passes.
- l2_penalty(W, lam) -> (lam/2 · Σ W², lam · W).
- l1_penalty(W, lam) -> (lam · Σ |W|, lam · sign(W)), with the subgradient 0 where W == 0.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...diagnosis import NONFINITE, WRONG_SHAPE, WRONG_TYPE, Diagnosis, describe
from ...harness.guard import reference
from ...harness.wire import Rng
from ...registry import Case, Exercise, KnownMistake, Output, register
from .._common import make_case, pick

_INIT_SHAPES = ([(400, 300), (784, 64), (1, 5000)], [(300, 500), (64, 784), (5000, 2), (256, 256)])


@reference("init_reg.glorot_uniform reference")
def glorot_uniform(fan_in, fan_out, rng):
    """U(−a, a) with a = sqrt(6 / (fan_in + fan_out)), shape (fan_in, fan_out)."""
    a = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out))


@reference("init_reg.he_normal reference")
def he_normal(fan_in, fan_out, rng):
    """N(0, 2 / fan_in), shape (fan_in, fan_out)."""
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


def _init_cases(rng: np.random.Generator, hidden: bool):
    cases = []
    for fi, fo in pick(*_INIT_SHAPES, hidden):
        seed = int(rng.integers(2**31))
        cases.append(Case(args={"fan_in": fi, "fan_out": fo, "rng": Rng(seed)},
                          label=f"fan_in={fi}, fan_out={fo}"))
    return cases


def _basic(args: dict[str, Any], got: Any, name: str) -> tuple[np.ndarray | None, Diagnosis | None]:
    fi, fo = args["fan_in"], args["fan_out"]
    if hasattr(got, "numpy") and not isinstance(got, np.ndarray):
        return None, Diagnosis(WRONG_TYPE, f"{name} returned {describe(got)}; return a numpy array.")
    if not isinstance(got, np.ndarray):
        return None, Diagnosis(WRONG_TYPE, f"{name} returned {describe(got)}; expected a numpy array of "
                               f"shape (fan_in, fan_out) = ({fi}, {fo}).")
    if got.shape != (fi, fo):
        hint = (" It is transposed: weights are (inputs, outputs) here, so that x @ W works."
                if got.shape == (fo, fi) else "")
        return None, Diagnosis(WRONG_SHAPE, f"{name} returned shape {got.shape}; expected (fan_in, fan_out) "
                               f"= ({fi}, {fo}).{hint}")
    if not np.all(np.isfinite(got)):
        return None, Diagnosis(NONFINITE, f"{name} returned NaN or inf values.")
    w = got.astype(np.float64).ravel()
    if np.unique(w[:1000]).size < min(w.size, 1000) // 2:
        return None, Diagnosis("not_random", f"{name} returned many equal values: the weights must be random "
                               "draws (use rng.uniform or rng.normal with size=(fan_in, fan_out)), or every "
                               "unit of a layer learns the same thing.")
    return w, None


def _scale_name(s: float, fi: int, fo: int, candidates: dict[str, float]) -> str:
    best = min(candidates, key=lambda k: abs(np.log(candidates[k] / s)) if candidates[k] > 0 else np.inf)
    if abs(np.log(candidates[best] / s)) < 0.05:
        return f" It looks like {best}."
    return ""


def _verify_glorot(case: Case, args: dict, got: Any) -> Diagnosis | None:
    w, d = _basic(args, got, "glorot_uniform")
    if d is not None:
        return d
    fi, fo = args["fan_in"], args["fan_out"]
    a = np.sqrt(6.0 / (fi + fo))
    n = w.size
    m, s, top = w.mean(), w.std(), np.abs(w).max()
    kurt = np.mean((w - m) ** 4) / s**4
    facts = (f"(fan_in={fi}, fan_out={fo}: expected bound a = sqrt(6/(fan_in + fan_out)) = {a:.4g}, std a/√3 = "
             f"{a / np.sqrt(3):.4g}; got max |W| = {top:.4g}, std {s:.4g}, mean {m:.3g})")
    if abs(m) > 5 * a / np.sqrt(3 * n) + 1e-12 and abs(m) > 0.1 * s:
        return Diagnosis("not_centered", "the weights are not centred on 0: draw from U(−a, a), not U(0, a) "
                         "or U(0, 1). " + facts)
    if kurt > 2.4:
        return Diagnosis("wrong_distribution", "these look like draws from a normal (bell-shaped) distribution; "
                         "Glorot uniform draws uniformly between −a and a: rng.uniform(-a, a, size=...). " + facts)
    if abs(top / a - 1) > 0.02 or abs(s / (a / np.sqrt(3)) - 1) > 0.03:
        cands = {"a = sqrt(6/fan_in)": np.sqrt(6 / fi), "a = sqrt(6/fan_out)": np.sqrt(6 / fo),
                 "a = sqrt(2/(fan_in + fan_out)) (that is the standard deviation of Glorot normal, not the bound)":
                 np.sqrt(2 / (fi + fo)),
                 "a = 6/(fan_in + fan_out) (the square root is missing)": 6 / (fi + fo),
                 "a = sqrt(1/(fan_in + fan_out))": np.sqrt(1 / (fi + fo)),
                 "a = sqrt(6/(fan_in · fan_out))": np.sqrt(6 / (fi * fo))}
        return Diagnosis("wrong_scale", "the weights have the wrong range." + _scale_name(top, fi, fo, cands)
                         + " Glorot uniform uses the bound a = sqrt(6 / (fan_in + fan_out)). " + facts)
    return None


def _verify_he(case: Case, args: dict, got: Any) -> Diagnosis | None:
    w, d = _basic(args, got, "he_normal")
    if d is not None:
        return d
    fi, fo = args["fan_in"], args["fan_out"]
    sd = np.sqrt(2.0 / fi)
    n = w.size
    m, s = w.mean(), w.std()
    kurt = np.mean((w - m) ** 4) / s**4
    facts = (f"(fan_in={fi}, fan_out={fo}: expected std sqrt(2/fan_in) = {sd:.4g}; got std {s:.4g}, "
             f"mean {m:.3g})")
    if abs(m) > 5 * sd / np.sqrt(n) and abs(m) > 0.1 * s:
        return Diagnosis("not_centered", "the weights are not centred on 0: the mean of He normal is 0. " + facts)
    if kurt < 2.4:
        return Diagnosis("wrong_distribution", "these look like uniform draws; He normal draws from a normal "
                         "(Gaussian) distribution: rng.normal(0, std, size=...). " + facts)
    if abs(s / sd - 1) > 0.03:
        cands = {"std = sqrt(1/fan_in) (LeCun/Xavier, without the factor 2 for ReLU)": np.sqrt(1 / fi),
                 "std = 2/fan_in (the variance used as the standard deviation: take its square root)": 2 / fi,
                 "std = sqrt(2/fan_out)": np.sqrt(2 / fo),
                 "std = sqrt(2/(fan_in + fan_out)) (Glorot normal)": np.sqrt(2 / (fi + fo)),
                 "std = 1 (no scaling at all)": 1.0}
        return Diagnosis("wrong_scale", "the weights have the wrong spread." + _scale_name(s, fi, fo, cands)
                         + " He normal uses std = sqrt(2 / fan_in): variance 2/fan_in. " + facts)
    return None


register(Exercise(
    "init_reg.glorot_uniform", "glorot_uniform(fan_in, fan_out, rng) -> W (fan_in, fan_out) ~ U(-a, a), "
    "a = sqrt(6/(fan_in + fan_out))", glorot_uniform, _init_cases,
    outputs=(Output("W"),), blocked=("xavier_uniform", "xavier_uniform_", "glorot_uniform"), verify=_verify_glorot,
))
register(Exercise(
    "init_reg.he_normal", "he_normal(fan_in, fan_out, rng) -> W (fan_in, fan_out) ~ N(0, 2/fan_in)",
    he_normal, _init_cases,
    outputs=(Output("W"),), blocked=("kaiming_normal", "kaiming_normal_", "he_normal"), verify=_verify_he,
))


# ---------------------------------------------------------------------------------------
# penalties

_PEN_SHAPES = ([(4, 3), (1, 5), (6,)], [(7, 2), (3, 4, 2), (1, 1), (5, 6)])


@reference("init_reg.l2_penalty reference")
def l2_penalty(W, lam):
    """(lam/2 · Σ W², lam · W)."""
    return 0.5 * lam * np.sum(W * W), lam * W


@reference("init_reg.l1_penalty reference")
def l1_penalty(W, lam):
    """(lam · Σ |W|, lam · sign(W)) with sign(0) = 0."""
    return lam * np.sum(np.abs(W)), lam * np.sign(W)


def _pen_cases(rng: np.random.Generator, hidden: bool, zeros: bool):
    cases = []
    for i, shape in enumerate(pick(*_PEN_SHAPES, hidden)):
        W = rng.normal(size=shape) * 1.5
        if zeros:  # some weights exactly zero, where |w| has a kink
            W.flat[::3] = 0.0
        lam = [0.1, 0.37, 2.0, 0.05][i % 4]
        cases.append(make_case({"W": W, "lam": lam}, factors={"N": shape[0], "size": W.size}))
    return cases


register(Exercise(
    "init_reg.l2_penalty", "l2_penalty(W, lam) -> (penalty = lam/2 * sum(W**2), dW = lam * W)",
    l2_penalty, lambda r, h: _pen_cases(r, h, False), outputs=(Output("penalty", "scalar"), Output("dW")),
    mistakes=(
        KnownMistake("missing_half", "the penalty is (λ/2)·Σw², so its gradient is λ·w: the 2 from the square "
                     "cancels the 1/2. Here the 1/2 is missing in the penalty.",
                     lambda W, lam: (lam * np.sum(W * W), lam * W)),
        KnownMistake("missing_half", "the gradient of (λ/2)·Σw² is λ·w, not 2λ·w: the 2 from the square "
                     "cancels the 1/2.", lambda W, lam: (0.5 * lam * np.sum(W * W), 2 * lam * W)),
        KnownMistake("l1_instead", "that is the L1 penalty (absolute values); L2 squares the weights: "
                     "(λ/2)·Σw².", lambda W, lam: (lam * np.sum(np.abs(W)), lam * np.sign(W))),
        KnownMistake("mean_not_sum", "the penalty sums the squared weights, it does not average them.",
                     lambda W, lam: (0.5 * lam * np.mean(W * W), lam * W / W.size)),
        KnownMistake("sign", "the gradient points the wrong way: the penalty grows with |w|, so its gradient "
                     "λ·w has the sign of w (a step against it shrinks w).",
                     lambda W, lam: (0.5 * lam * np.sum(W * W), -lam * W)),
    ),
))
register(Exercise(
    "init_reg.l1_penalty", "l1_penalty(W, lam) -> (penalty = lam * sum(|W|), dW = lam * sign(W), 0 where W == 0)",
    l1_penalty, lambda r, h: _pen_cases(r, h, True), outputs=(Output("penalty", "scalar"), Output("dW")),
    mistakes=(
        KnownMistake("l2_instead", "that is the L2 gradient λ·w; the L1 subgradient is λ·sign(w): the same "
                     "push towards 0 for every weight, however small.",
                     lambda W, lam: (lam * np.sum(np.abs(W)), lam * W)),
        KnownMistake("l2_instead", "that is the L2 penalty; L1 sums absolute values: λ·Σ|w|.",
                     lambda W, lam: (0.5 * lam * np.sum(W * W), lam * W)),
        KnownMistake("kink_at_zero", "at w = 0 the subgradient is 0 (np.sign(0) == 0): a weight that is "
                     "exactly zero gets no push. Your function pushes it anyway.",
                     lambda W, lam: (lam * np.sum(np.abs(W)), lam * np.where(W >= 0, 1.0, -1.0))),
        KnownMistake("kink_at_zero", "at w = 0 the subgradient is 0 (np.sign(0) == 0): a weight that is "
                     "exactly zero gets no push. Your function pushes it anyway.",
                     lambda W, lam: (lam * np.sum(np.abs(W)), lam * np.where(W > 0, 1.0, -1.0))),
        KnownMistake("sign", "the subgradient points the wrong way: it is +λ for positive weights.",
                     lambda W, lam: (lam * np.sum(np.abs(W)), -lam * np.sign(W))),
    ),
))
