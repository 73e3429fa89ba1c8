"""Designed calls of the learner's function, through the caller, and what their answers prove.

A :class:`Probe` is a list of argument dicts and a judge of the reports they get back; the runner sends every
probe of a failure in one request (one round trip to a graded kernel) and takes the first judge that finds
something, in the order it asks. Each judge states a fact it has just seen and adds a hint only when the
fact leaves one cause:
- ``reproducibility``: the same inputs twice in a row, and after the other cases (state kept between calls);
  for arguments that carry randomness, the same seed again and another seed;
- ``dependence``: each argument changed in turn, when the output is otherwise non-trivial;
- ``relations``: for a scalar, every example twice (a sum or a mean?), one argument doubled (its power),
  all inputs zero (a constant term), and the exercise's own designed inputs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..harness.wire import Rng
from .core import (IGNORES_INPUT, NONDETERMINISTIC, OFFSET, SCALE, SEED_IGNORED, STATEFUL, UNSEEDED, VALUES,
                   Diagnosis, fmt, nontrivial, to_array)
from .outputs import close_all, of_report, reference, repeated, same

Report = Mapping[str, Any]


@dataclass
class Probe:
    """Designed calls of the learner's function and how to read their reports."""

    calls: list[dict[str, Any]]
    judge: Callable[[Sequence[Report]], Diagnosis | None]


def run(ex: Any, caller: Callable[[Any, list], list], probes: Sequence[Probe | None]) -> list[Diagnosis | None]:
    """Send every probe's calls in one request; each judge reads its own reports."""
    live = [p for p in probes if p is not None and p.calls]
    calls = [c for p in live for c in p.calls]
    reports = caller(ex, calls) if calls else []
    out: dict[int, Diagnosis | None] = {}
    i = 0
    for p in live:
        out[id(p)] = p.judge(reports[i:i + len(p.calls)])
        i += len(p.calls)
    return [out.get(id(p)) if p is not None else None for p in probes]


# ----------------------------------------------------------------------------------------- reproducibility


def _reseeded(args: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    """The same arguments with another seed in every argument that carries randomness."""
    out = dict(args)
    for k in names:
        v = args[k]
        out[k] = Rng(v.seed + 1) if isinstance(v, Rng) else int(v) + 1
    return out


def reproducibility(ex: Any, args: Mapping[str, Any], got: Sequence[Any] | None, seeded: Sequence[str],
                    passed: tuple[Mapping[str, Any], Sequence[Any]] | None = None) -> Probe:
    """Same inputs twice (after the other cases ran), a case that passed once more, and another seed:
    nondeterminism, state kept between calls, or seeds not used."""
    calls = [dict(args), dict(args)] + ([dict(passed[0])] if passed else []) + \
        ([_reseeded(args, seeded)] if seeded else [])
    which = ", ".join(f"`{k}`" for k in seeded)

    def judge(reports: Sequence[Report]) -> Diagnosis | None:
        first, second = of_report(ex, reports[0]), of_report(ex, reports[1])
        if first is None or second is None:
            return None
        again = of_report(ex, reports[2]) if passed else None
        if passed and again is not None and repeated(first, second) and not repeated(again, passed[1]):
            return Diagnosis(STATEFUL, "a case that passed gives another result when it is called again after the "
                             "others: your function keeps state between calls (a global it changes, a mutable "
                             "default argument, an attribute). Compute the result from the arguments only.")
        if not repeated(first, second):
            if seeded:
                return Diagnosis(UNSEEDED, f"two calls with the same {which} (the same seed) gave different results: "
                                 f"your function draws random numbers that do not come from {which} "
                                 "(np.random.…, or a generator made without the seed). Draw every random number "
                                 f"from {which}.")
            return Diagnosis(NONDETERMINISTIC, "your function gives different results for the same inputs, called "
                             "twice in a row. Does it draw random numbers (np.random…) or keep something between "
                             "calls (a global it changes, a default argument like cache=[])?")
        if got is not None and not repeated(first, got):
            return Diagnosis(STATEFUL, "called again on the same inputs after the other cases, it gives another result "
                             "than the first time: it keeps state between calls (a global it changes, a mutable "
                             "default argument, an attribute). Compute the result from the arguments only.")
        if seeded:
            other = of_report(ex, reports[-1])
            ref_a, ref_b = reference(ex, calls[0]), reference(ex, calls[-1])
            if other is not None and same(other, first) and ref_a is not None and ref_b is not None \
                    and not same(ref_a, ref_b):
                return Diagnosis(SEED_IGNORED, f"another seed in {which} gives exactly the same result, but it should "
                                 f"change it: is {which} used for every random draw (not np.random with a fixed "
                                 "seed, or a generator of your own)?")
        return None
    return Probe(calls, judge)


# ---------------------------------------------------------------------------------------------- dependence


_TRIES = 2


def perturb(v: Any, rng: np.random.Generator) -> Any:
    """Another value of the same kind (None where there is no sensible other value)."""
    if isinstance(v, np.ndarray):
        if v.dtype == np.bool_:
            return ~v
        if np.issubdtype(v.dtype, np.integer):
            hi = int(v.max(initial=0)) + 1
            return (v + 1) % hi if hi > 1 else None
        if np.issubdtype(v.dtype, np.floating) and v.size:
            if v.min() < 0:  # flip signs too, so masks like x > 0 change
                return v * rng.uniform(0.5, 1.5, v.shape) * rng.choice([-1.0, 1.0], v.shape)
            return v * rng.uniform(1.2, 1.8, v.shape)
        return None
    if isinstance(v, (bool, np.bool_)):
        return None
    if isinstance(v, (int, np.integer)):
        return v + 1
    if isinstance(v, (float, np.floating)):
        return v * 1.37 + (0.1 if v == 0 else 0.0)
    return None


def _listing(names: Sequence[str]) -> str:
    quoted = [f"`{n}`" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def dependence(ex: Any, args: Mapping[str, Any], expected: Sequence[Any], got: Sequence[Any],
               failed: Sequence[int], seed: int) -> Probe | None:
    """Each argument that changes the expected (failing) outputs, changed in turn; only for a non-trivial output."""
    if ex.adapter is not None:  # the arguments describe a graph; changing one number says nothing
        return None
    if not any(nontrivial(_as_array(got[i])) for i in failed):
        return None  # an empty, zero or NaN output is explained by the value rules, not by what it ignores
    rng = np.random.default_rng(seed)
    variants: list[tuple[str, dict[str, Any]]] = []
    for name, value in args.items():
        for _ in range(_TRIES):  # a second change too: a floor division can hide one change by chance
            value = perturb(value, rng)
            if value is None:
                break
            changed = {**args, name: value}
            ref = reference(ex, changed)
            if ref is None or close_all(ref, expected, ex, failed):
                break
            variants.append((name, changed))
    if not variants:
        return None

    def judge(reports: Sequence[Report]) -> Diagnosis | None:
        unchanged: dict[str, bool] = {}
        for (name, _), rep in zip(variants, reports):
            out = of_report(ex, rep)
            if out is not None:
                unchanged[name] = unchanged.get(name, True) and same(got, out, failed)
        ignored = [n for n, u in unchanged.items() if u]
        used = [n for n, u in unchanged.items() if not u]
        if not ignored:
            return None
        if used or len(unchanged) == 1:
            one = len(ignored) == 1
            return Diagnosis(IGNORES_INPUT, f"your output does not change when {_listing(ignored)} "
                             f"change{'s' if one else ''}, but it should. {'Is' if one else 'Are'} "
                             f"{_listing(ignored)} used at all — or a variable from outside the function "
                             "(a global) used instead?", evidence={"ignored": tuple(ignored)})
        return Diagnosis(IGNORES_INPUT, f"your output stays the same whatever the inputs (changed in turn: "
                         f"{_listing(ignored)}): it is not computed from the arguments. A constant, or variables "
                         "from outside the function (globals)?", evidence={"ignored": tuple(ignored)})
    return Probe([a for _, a in variants], judge)


def _as_array(value: Any) -> np.ndarray:
    try:
        return to_array(value)
    except (TypeError, ValueError):
        return np.zeros(0)


# ------------------------------------------------------------------------------------------ scalar relations


def _batch_args(args: Mapping[str, Any]) -> list[str]:
    """The array arguments sharing the most common leading size (the examples of a batch)."""
    arrays = {k: v for k, v in args.items() if isinstance(v, np.ndarray) and v.ndim >= 1 and v.shape[0] > 0}
    if not arrays:
        return []
    sizes = [v.shape[0] for v in arrays.values()]
    n = max(set(sizes), key=sizes.count)
    return [k for k, v in arrays.items() if v.shape[0] == n]


def _scalar(values: Sequence[Any] | None, i: int) -> float | None:
    if values is None:
        return None
    a = _as_array(values[i])
    return float(a.reshape(-1)[0]) if a.size == 1 and np.isfinite(a).all() else None


def _growth(before: float, after: float) -> float | None:
    return after / before if before != 0 else None


def _power(r: float | None, base: float) -> int | None:
    """k when r = base**k for a small whole k, else None."""
    if r is None or r <= 0:
        return None
    k = np.log(r) / np.log(base)
    return int(round(k)) if abs(k - round(k)) < 1e-6 and 0 <= round(k) <= 4 else None


@dataclass(frozen=True)
class _Design:
    label: str
    args: dict[str, Any]
    kind: str        # "twice", "double:<arg>", "zeros", "declared"
    hint: str = ""


def _generic_designs(args: Mapping[str, Any]) -> list[_Design]:
    out = []
    batch = _batch_args(args)
    if batch:
        twice = {**args, **{k: np.concatenate([args[k], args[k]]) for k in batch}}
        out.append(_Design(f"every row of {_listing(batch)} twice", twice, "twice"))
    floats = [k for k, v in args.items() if isinstance(v, np.ndarray) and np.issubdtype(v.dtype, np.floating)
              and v.size]
    if len(floats) > 1:
        out.append(_Design(f"{_listing(floats)} doubled", {**args, **{k: args[k] * 2.0 for k in floats}},
                           "double:" + ",".join(floats)))
    for k in floats:
        out.append(_Design(f"`{k}` doubled", {**args, k: args[k] * 2.0}, f"double:{k}"))
    if floats:
        out.append(_Design("all inputs zero", {**args, **{k: np.zeros_like(args[k]) for k in floats}}, "zeros"))
    return out


def relations(ex: Any, args: Mapping[str, Any], expected: Sequence[Any], got: Sequence[Any], index: int,
              designs: Sequence[Any]) -> Probe | None:
    """For a scalar output: how it responds to designed inputs, compared with how the expected one does."""
    e0, g0 = _scalar(expected, index), _scalar(got, index)
    if e0 is None or g0 is None:
        return None
    plan = [_Design(d.label, d.make(dict(args)), "declared", d.hint) for d in designs] + \
        ([] if ex.adapter is not None else _generic_designs(args))
    plan = [(d, _scalar(reference(ex, d.args), index)) for d in plan]
    plan = [(d, e) for d, e in plan if e is not None]
    if not plan:
        return None

    def judge(reports: Sequence[Report]) -> Diagnosis | None:
        seen = [(d, e, _scalar(of_report(ex, r), index)) for (d, e), r in zip(plan, reports)]
        seen = [(d, e, g) for d, e, g in seen if g is not None]
        return _declared(seen) or _twice(seen, e0, g0) or _powers(seen, e0, g0) or _offset(seen, e0, g0)
    return Probe([d.args for d, _ in plan], judge)


def _ok(e: float, g: float) -> bool:
    return abs(g - e) <= 1e-6 * max(1.0, abs(e))


def _declared(seen: Sequence[tuple[_Design, float, float]]) -> Diagnosis | None:
    rows = [(d, e, g) for d, e, g in seen if d.kind == "declared"]
    right = [d.label for d, e, g in rows if _ok(e, g)]
    wrong = [(d, e, g) for d, e, g in rows if not _ok(e, g)]
    if not right or not wrong:
        return None  # right nowhere (or everywhere) tells nothing about which part is wrong
    d, e, g = wrong[0]
    hint = f" {d.hint}" if len(wrong) == 1 and d.hint else ""
    return Diagnosis(VALUES, f"your value is right when {' and when '.join(right)}, but not when {d.label} "
                     f"(expected {fmt(e)}, got {fmt(g)}).{hint}", evidence={"right": tuple(right)})


def _twice(seen: Sequence[tuple[_Design, float, float]], e0: float, g0: float) -> Diagnosis | None:
    for d, e, g in seen:
        if d.kind != "twice":
            continue
        re, rg = _growth(e0, e), _growth(g0, g)
        if re is None or rg is None:
            return None
        if _ok(1.0, re) and _ok(2.0, rg):
            return Diagnosis(SCALE, f"with {d.label} your value doubles, while the expected one stays the same: "
                             "yours is a sum over the rows (examples) where their mean is wanted (divide by N).",
                             evidence={"twice": rg})
        if _ok(2.0, re) and _ok(1.0, rg):
            return Diagnosis(SCALE, f"with {d.label} the expected value doubles, while yours stays the same: "
                             "yours is a mean over the rows (examples) where their sum is wanted.",
                             evidence={"twice": rg})
    return None


def _powers(seen: Sequence[tuple[_Design, float, float]], e0: float, g0: float) -> Diagnosis | None:
    for d, e, g in seen:
        if not d.kind.startswith("double:"):
            continue
        ke, kg = _power(_growth(e0, e), 2.0), _power(_growth(g0, g), 2.0)
        if ke is None or kg is None or ke == kg:
            continue
        args = d.kind.split(":", 1)[1].split(",")
        what = {0: "does not change", 1: "doubles", 2: "grows ×4", 3: "grows ×8", 4: "grows ×16"}
        guess = (" A square is missing?" if kg < ke else " An extra square?") if abs(kg - ke) == 1 else ""
        return Diagnosis(VALUES, f"with {d.label}, the expected value {what[ke]} (power {ke}) but yours "
                         f"{what[kg]} (power {kg}).{guess}", evidence={"power": (tuple(args), ke, kg)})
    return None


def _offset(seen: Sequence[tuple[_Design, float, float]], e0: float, g0: float) -> Diagnosis | None:
    """Yours minus expected is the same constant on the case and on every design (all inputs zero among them)."""
    c = g0 - e0
    if len(seen) < 2 or not any(d.kind == "zeros" for d, _, _ in seen):
        return None
    if all(_ok(c, g - e) for _, e, g in seen):
        return Diagnosis(OFFSET, f"your value is the expected one plus {fmt(c)} on every input tried (all inputs "
                         "zero too): a constant term that should not be there?", evidence={"offset": c})
    return None
