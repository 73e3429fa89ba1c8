"""Weight initialisation (lesson 07): glorot_uniform and he_normal, checked by the statistics of a large draw.

- glorot_uniform(fan_in, fan_out, rng) -> W (fan_in, fan_out) drawn from U(−a, a), a = sqrt(6/(fan_in + fan_out));
- he_normal(fan_in, fan_out, rng) -> W (fan_in, fan_out) drawn from N(0, 2/fan_in).
Weights are (inputs, outputs), as in ``x @ W``. The reference is dlkit's nn.init.xavier_uniform_ /
kaiming_normal_(nonlinearity="relu") on an (out, in) weight, drawn from the case's ``rng`` and transposed.

Random numbers cannot be compared one by one, so ``verify`` compares statistics of the learner's draw (mean,
standard deviation, smallest and largest value, flat or bell-shaped) with those of the reference's draw, with
tolerances of about seven standard errors for the sizes drawn (at least 20,000 weights): a correct draw, by any
method, cannot miss them. A draw that fails is compared the same way with a draw of every known mistake, on the
same ``rng`` seed, and named when one fits. Randomness must come from ``rng``: the runner checks that the same
seed gives the same weights and another seed others (``seed_args``).
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np

from ...diagnosis import NONFINITE, WRONG_SHAPE, WRONG_TYPE, Diagnosis, describe
from ...harness.wire import Rng
from ...registry import Case, KnownMistake

# (fan_in, fan_out): fan_in ≠ fan_out (a swapped fan shows), fan_in = 1, a square layer among the hidden ones.
_SHAPES = ([(400, 300), (784, 64), (1, 40000)], [(300, 500), (64, 784), (40000, 2), (256, 256)])
FLAT = 2.4  # kurtosis below this: a flat (uniform) draw; a normal draw has 3, a uniform 1.8


def dlkit_draw(name: str, fan_in: int, fan_out: int, rng: np.random.Generator, **options: Any) -> np.ndarray:
    """dlkit's initializer ``name`` on an (out, in) float64 weight, its numbers drawn from ``rng``: the given
    generator stands in for dlkit's CPU generator during the call (the case's seed decides the draw)."""
    import dlkit
    from dlkit import nn
    from dlkit.backend import random as dlkit_random
    from dlkit.backend.devices import CPU

    w = dlkit.zeros((fan_out, fan_in), dtype=dlkit.float64)
    saved = dlkit_random._generators.get(CPU)
    dlkit_random._generators[CPU] = rng
    try:
        getattr(nn.init, name)(w, **options)
    finally:  # the learner's kernel keeps its own dlkit stream
        if saved is None:
            dlkit_random._generators.pop(CPU, None)
        else:
            dlkit_random._generators[CPU] = saved
    return w.numpy().T.copy()


def cases(rng: np.random.Generator, hidden: bool) -> list[Case]:
    """Large layers (≥ 20,000 weights), each with a generator of its own seed; hidden: one more drawn shape."""
    shapes = list(_SHAPES[1] if hidden else _SHAPES[0])
    while hidden and len(shapes) < len(_SHAPES[1]) + 1:
        fi, fo = (int(v) for v in rng.integers(20, 1000, size=2))
        if fi != fo and fi * fo >= 20000:
            shapes.append((fi, fo))
    return [Case(args={"fan_in": fi, "fan_out": fo, "rng": Rng(int(rng.integers(2**31)))},
                 label=f"fan_in={fi}, fan_out={fo}") for fi, fo in shapes]


class Stats(NamedTuple):
    """What a draw is compared by."""

    n: int
    mean: float
    std: float
    lo: float
    hi: float
    kurt: float

    @property
    def flat(self) -> bool:
        """A uniform-looking draw (light tails)."""
        return self.kurt < FLAT


def stats(w: np.ndarray) -> Stats:
    """The statistics of a draw."""
    w = np.asarray(w, dtype=np.float64).ravel()
    m, s = float(w.mean()), float(w.std())
    kurt = float(np.mean((w - m) ** 4) / s**4) if s > 0 else 0.0
    return Stats(w.size, m, s, float(w.min()), float(w.max()), kurt)


def same(a: Stats, b: Stats) -> bool:
    """Two draws from the same distribution, up to about seven standard errors of the difference."""
    if a.flat != b.flat or b.std <= 0:
        return False
    n = min(a.n, b.n)
    # the standard error of a sample's standard deviation is σ·sqrt((κ − 1)/4n); of the difference of two, √2 that
    if abs(a.std / b.std - 1) > max(0.02, 7 * np.sqrt(2 * (max(b.kurt, 1.5) - 1) / (4 * n))):
        return False
    if abs(a.mean - b.mean) > 7 * b.std * np.sqrt(2 / n):
        return False
    span = b.hi - b.lo
    return not b.flat or (abs(a.lo - b.lo) <= 0.01 * span and abs(a.hi - b.hi) <= 0.01 * span)


def facts(fan_in: int, fan_out: int, got: Stats, want: Stats) -> str:
    """The numbers behind a diagnosis."""
    return (f"fan_in={fan_in}, fan_out={fan_out}: expected mean 0, std {want.std:.4g}, range [{want.lo:.4g}, "
            f"{want.hi:.4g}], {'flat' if want.flat else 'bell-shaped'}; got mean {got.mean:.3g}, std {got.std:.4g}, "
            f"range [{got.lo:.4g}, {got.hi:.4g}], {'flat' if got.flat else 'bell-shaped'}")


def _basic(args: dict[str, Any], got: Any, name: str) -> Diagnosis | None:
    """Type, shape, finite values, and draws that vary."""
    fi, fo = args["fan_in"], args["fan_out"]
    if not isinstance(got, np.ndarray):
        what = "; return a numpy array" if hasattr(got, "numpy") else ""
        return Diagnosis(WRONG_TYPE, f"{name} returned {describe(got)}{what}; expected a numpy array of shape "
                         f"(fan_in, fan_out) = ({fi}, {fo}).")
    if got.shape != (fi, fo):
        hint = (" It is transposed: weights are (inputs, outputs) here, so that x @ W works."
                if got.shape == (fo, fi) else "")
        return Diagnosis(WRONG_SHAPE, f"{name} returned shape {got.shape}; expected (fan_in, fan_out) = ({fi}, {fo})."
                         + hint)
    if not np.issubdtype(got.dtype, np.floating) or not np.all(np.isfinite(got)):
        return Diagnosis(NONFINITE if np.issubdtype(got.dtype, np.floating) else WRONG_TYPE,
                         f"{name} returned {describe(got)}: the weights must be finite floats.")
    w = got.ravel()
    if np.unique(w[:1000]).size < min(w.size, 1000) // 2:
        return Diagnosis("not_random", f"{name} returned many equal values: the weights must be random draws "
                         "(rng.uniform or rng.normal with size=(fan_in, fan_out)), or every unit of a layer learns "
                         "the same thing.")
    return None


def verifier(name: str, reference: Callable[..., np.ndarray], mistakes: tuple[KnownMistake, ...],
             generic: Callable[[Stats, Stats], Diagnosis]) -> Callable[[Case, dict, Any], Diagnosis | None]:
    """``verify`` for an initializer: right statistics pass; else the known mistake whose draw has the learner's
    statistics; else ``generic(got, want)``, the rule that says how the draw differs."""
    def verify(case: Case, args: dict[str, Any], got: Any) -> Diagnosis | None:
        bad = _basic(args, got, name)
        if bad is not None:
            return bad
        mine, want = stats(got), stats(reference(*case.fresh().values()))
        if same(mine, want):
            return None
        detail = facts(args["fan_in"], args["fan_out"], mine, want)
        for m in mistakes:
            with np.errstate(all="ignore"):
                drawn = m.compute(*case.fresh().values())
            if same(mine, stats(drawn)):
                return Diagnosis(m.code, m.message, f"look at: {m.look_at}\n{detail}" if m.look_at else detail)
        d = generic(mine, want)
        return d.but(detail=detail)
    return verify


def not_centered(mine: Stats, want: Stats) -> Diagnosis | None:
    """A mean far from 0 (more than a tenth of the spread and many standard errors)."""
    if abs(mine.mean) > 7 * want.std / np.sqrt(mine.n) and abs(mine.mean) > 0.1 * mine.std:
        return Diagnosis("not_centered", "the weights are not centred on 0: the mean of the distribution must be 0, "
                         "so that a unit's input is as likely to be pushed up as down.")
    return None
