"""Running an exercise's cases on a learner's function and collecting diagnoses."""
from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import diagnosis as dg
from .diagnosis import Diagnosis
from .calling import Caller
from .registry import Case, Exercise, KnownMistake

_ALL = "*"  # a failure of the whole function rather than of one output


@dataclass
class CaseResult:
    """The outcome of one case: a diagnosis (None when passed) and the outputs that failed."""

    case: Case
    index: int
    diagnosis: Diagnosis | None = None
    failed: frozenset[str] = frozenset()
    warnings: list[str] = field(default_factory=list)
    known: list[KnownMistake] = field(default_factory=list)  # every known mistake that fits

    @property
    def passed(self) -> bool:
        """True when every output matched the reference."""
        return self.diagnosis is None


@dataclass
class Report:
    """All case results of one run of an exercise (visible or hidden)."""

    exercise: Exercise
    hidden: bool
    results: list[CaseResult]

    @property
    def passed(self) -> bool:
        """True when every case passed."""
        return all(r.passed for r in self.results)

    @property
    def first_failure(self) -> CaseResult | None:
        """The first failing case, whose diagnosis is the one reported."""
        return next((r for r in self.results if not r.passed), None)

    def part_fraction(self) -> float:
        """Fraction of outputs (parts) correct on every case, for partial credit."""
        names = [o.name for o in self.exercise.outputs]
        if any(_ALL in r.failed for r in self.results):
            return 0.0
        bad = set().union(*(r.failed for r in self.results)) if self.results else set()
        return sum(n not in bad for n in names) / len(names)

    def message(self) -> str:
        """The diagnosis of the first failing case, with the case it happened on."""
        r = self.first_failure
        if r is None:
            return f"{self.exercise.name}: all {len(self.results)} cases passed"
        d = r.diagnosis
        if d.code == dg.NOT_IMPLEMENTED:
            return f"{self.exercise.name}: {d.render()}"
        which = "hidden case" if self.hidden else "case"
        head = f"{self.exercise.name} failed on {which} {r.index + 1} of {len(self.results)} ({r.case.label})"
        tail = "" if not r.warnings else "\nnumpy warned: " + "; ".join(sorted(set(r.warnings)))
        return f"{head}:\n{d.render()}{tail}"


@contextlib.contextmanager
def _quiet():
    """Grader-side numerics (references, known mistakes) never warn: stderr costs the cell its points."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


# ---------------------------------------------------------------------------------------
# what the learner's function did, from the caller's plain report


def _error_diagnosis(error: dict[str, Any], args: dict[str, Any]) -> Diagnosis:
    """The diagnosis of a call that did not return: not implemented, the reference called, an exception."""
    kind = error.get("kind")
    if kind == "not_implemented":
        return Diagnosis(dg.NOT_IMPLEMENTED, "not implemented yet — replace `raise NotImplementedError()` "
                         "with your code, then run this cell again.")
    if kind == "reference_called":
        return Diagnosis(dg.REFERENCE_CALLED, str(error.get("message", "")))
    if kind == "timeout":
        return Diagnosis("timeout", f"your function did not finish in time ({error.get('message')}): an endless "
                         "loop, or far more work than the exercise needs?")
    if kind == "dead":
        return Diagnosis("kernel_died", "your kernel died while your function ran (out of memory, a crash, or "
                         "os._exit?); the rest of the notebook was not graded.")
    if kind == "no_reply":
        return Diagnosis("no_reply", str(error.get("message", "")))
    if kind == "undefined":
        return Diagnosis(dg.EXCEPTION, f"the function to check could not be found ({error.get('type')}: "
                         f"{error.get('message')}). Did its cell run without an error? Run it again.")
    where = error.get("where")
    at = (f"\n  at line {where['line']} in {where['function']}(): {where['text']}"
          if isinstance(where, dict) and where.get("line") else "")
    shapes = ", ".join(f"{k} {dg.shape_of(v)}" for k, v in args.items())
    etype, message = str(error.get("type")), str(error.get("message"))
    hint = ""
    if etype == "RecursionError":
        hint = "\nThe recursion is too deep (or never stops): use an explicit stack or a loop."
    elif etype in ("ValueError", "IndexError") and any(w in message for w in ("shape", "mismatch", "broadcast",
                                                                               "index")):
        hint = ("\nA shape mismatch: write the shape of every array next to each line and check the order "
                "of matmul operands.")
    return Diagnosis(dg.EXCEPTION, f"your function raised {etype}: {message}{at}\n  arguments: {shapes}{hint}")


# ---------------------------------------------------------------------------------------
# comparing outputs


def _split(ex: Exercise, value: Any) -> list[Any] | Diagnosis:
    names = [o.name for o in ex.outputs]
    if len(names) == 1:
        if isinstance(value, tuple) and ex.outputs[0].kind == "array" and len(value) == 2 \
                and isinstance(value[0], np.ndarray):
            return Diagnosis(dg.WRONG_TYPE, f"your function returned a tuple of 2; expected only "
                             f"`{names[0]}`. Return just the output (no cache).")
        return [value]
    if not isinstance(value, (tuple, list)) or len(value) != len(names):
        return Diagnosis(dg.WRONG_TYPE, f"your function returned {dg.describe(value)}; expected a "
                         f"tuple ({', '.join(names)}) of {len(names)} values.")
    return list(value)


def _expected(ex: Exercise, case: Case) -> list[Any]:
    with _quiet():
        value = ex.reference(*case.fresh().values())
    split = _split(ex, value)
    assert not isinstance(split, Diagnosis), f"reference of {ex.name} returned {value!r}"
    return split


def _close_all(a: list[Any], b: list[Any], names: list[str], ex: Exercise) -> bool:
    for x, y, n in zip(a, b, names):
        try:
            xa, ya = dg.to_array(x), dg.to_array(y)
        except (TypeError, ValueError):
            return False
        if xa.size == 1 and ya.size == 1:
            xa, ya = xa.reshape(()), ya.reshape(())
        if not dg.close(xa, ya, ex.rtol, ex.atol):
            return False
    return True


def _perturb(v: Any, rng: np.random.Generator) -> Any:
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


def _perturbed(ex: Exercise, case: Case, expected: list[Any],
               rng: np.random.Generator) -> list[tuple[str, dict[str, Any]]]:
    """(argument name, arguments with that one changed) for each argument whose change changes the reference."""
    if ex.adapter is not None:  # the arguments describe a graph; changing one number says nothing
        return []
    names = [o.name for o in ex.outputs]
    out = []
    for name, v in case.args.items():
        pv = _perturb(v, rng)
        if pv is None:
            continue
        args = dict(case.args)
        args[name] = pv
        try:
            with _quiet():
                exp2 = _split(ex, ex.reference(*Case(args).fresh().values()))
        except Exception:  # the perturbed input is invalid for this exercise (a stride, say)
            continue
        if not isinstance(exp2, Diagnosis) and not _close_all(exp2, expected, names, ex):
            out.append((name, args))
    return out


def _known_mistakes(ex: Exercise, case: Case, got: list[Any], failed: list[str]) -> list[KnownMistake]:
    """Every known mistake whose output equals the learner's on all the failing outputs."""
    names = [o.name for o in ex.outputs]
    idx = [names.index(n) for n in failed]
    hits = []
    for m in ex.mistakes:
        try:
            with _quiet():
                value = m.compute(*case.fresh().values())
            wrong = _split(ex, value)
        except Exception:  # a mistake that cannot even run on these inputs does not fit
            continue
        if not isinstance(wrong, Diagnosis) and _close_all([wrong[i] for i in idx], [got[i] for i in idx], failed, ex):
            hits.append(m)
    return hits


def _same(a: list[Any], b: list[Any]) -> bool:
    try:
        return all(np.array_equal(np.asarray(x, dtype=float), np.asarray(y, dtype=float), equal_nan=True)
                   for x, y in zip(a, b))
    except (TypeError, ValueError):
        return False


def _value_of(report: dict[str, Any]) -> Any:
    return report.get("value")


def run_case(ex: Exercise, case: Case, index: int, report: dict[str, Any], caller: Caller) -> CaseResult:
    """Judge one case from the learner's report: compare with the reference, diagnose (asking the caller for
    a few more calls when a failure has no known cause: a repeat, and each argument changed in turn)."""
    res = CaseResult(case, index)
    res.warnings = list(report.get("warnings", []))
    if report.get("error"):
        res.diagnosis, res.failed = _error_diagnosis(report["error"], case.args), frozenset({_ALL})
        return res
    if report.get("mutated"):
        moved = report["mutated"][0]
        res.diagnosis = Diagnosis(dg.MUTATED_INPUT, f"your function modified its input `{moved}` in "
                                  "place (e.g. `x[x < 0] = 0`, `w -= ...` or `+=` on an argument). "
                                  "Work on a copy or build a new array; the caller still needs the original.")
        res.failed = frozenset({_ALL})
        return res
    if ex.verify is not None:
        res.diagnosis = ex.verify(case, case.fresh(), _value_of(report))
        res.failed = frozenset({_ALL}) if res.diagnosis else frozenset()
        return res
    expected = _expected(ex, case)
    got = _split(ex, _value_of(report))
    if isinstance(got, Diagnosis):
        res.diagnosis, res.failed = got, frozenset({_ALL})
        return res
    diags = {o.name: dg.compare(e, g, name=o.name, kind=o.kind, factors=case.factors,
                                rtol=ex.rtol, atol=ex.atol)
             for o, e, g in zip(ex.outputs, expected, got)}
    failed = [n for n, d in diags.items() if d is not None]
    if not failed:
        return res
    res.failed = frozenset(failed)
    first = diags[failed[0]]
    typed = next((d for d in diags.values() if d is not None and d.code in (dg.WRONG_TYPE, dg.NONFINITE)), None)
    if typed is not None:
        res.diagnosis = typed
        return res
    res.known = _known_mistakes(ex, case, got, failed)
    if res.known:
        res.diagnosis = Diagnosis(res.known[0].code, res.known[0].message, first.detail)
        return res
    variants = _perturbed(ex, case, expected, np.random.default_rng(index))
    again, *changed = caller(ex, [case.args] + [args for _, args in variants])
    repeat = _split(ex, _value_of(again)) if not again.get("error") else None
    if isinstance(repeat, list) and not _same(got, repeat):
        res.diagnosis = Diagnosis("nondeterministic", "your function gives different results for the same "
                                  "inputs. Does it draw its own random numbers (np.random...) instead of "
                                  "using the arguments it is given?", first.detail)
        return res
    for (name, _), rep in zip(variants, changed):
        got2 = _split(ex, _value_of(rep)) if not rep.get("error") else None
        if isinstance(got2, list) and _same(got, got2):
            res.diagnosis = Diagnosis(dg.IGNORES_INPUT, f"your output does not change when `{name}` "
                                      f"changes, but it should. Is `{name}` used at all — or is a "
                                      "variable from outside the function (a global) used instead?\n"
                                      f"(also: {first.message})", first.detail)
            return res
    res.diagnosis = first
    return res


def _hardcoded(results: list[CaseResult], r: CaseResult) -> Diagnosis | None:
    if r.case.stress or r.diagnosis.code not in (dg.EXCEPTION, dg.WRONG_SHAPE, dg.VALUES):
        return None
    shapes = r.case.shapes()
    ok = next((p for p in results if p.passed and not p.case.stress and p.case.shapes() != shapes), None)
    if ok is None:
        return None
    return Diagnosis(dg.HARDCODED_SHAPE, f"it works for {ok.case.label} but not for {r.case.label}: "
                     "are sizes hard-coded (a literal number, or a shape taken from a global "
                     "variable) instead of read from the arguments' .shape?\n" + r.diagnosis.message,
                     r.diagnosis.detail)


def run_exercise(ex: Exercise, caller: Caller, hidden: bool = False, secret: bytes | None = None) -> Report:
    """Run every case of an exercise (visible or hidden, from ``secret``) through ``caller``; judge each."""
    cases = ex.make_cases(hidden, secret)
    reports = caller(ex, [case.args for case in cases])
    results: list[CaseResult] = []
    for i, (case, report) in enumerate(zip(cases, reports)):
        r = run_case(ex, case, i, report, caller)
        if not r.passed:
            better = _hardcoded(results, r)
            if better is not None:
                r.diagnosis = better
        results.append(r)
        if r.diagnosis is not None and r.diagnosis.code in (dg.NOT_IMPLEMENTED, dg.REFERENCE_CALLED):
            break  # every other case would say the same
    _disambiguate(results)
    return Report(ex, hidden, results)


def _disambiguate(results: list[CaseResult]) -> None:
    """Where several known mistakes fit the first failure, name the one that fits every failing case."""
    first = next((r for r in results if not r.passed), None)
    if first is None or len(first.known) < 2:
        return
    others = [r for r in results if r.known and r is not first]
    fits_all = [m for m in first.known if all(m in r.known for r in others)]
    if fits_all and fits_all[0] is not first.known[0]:
        first.diagnosis = Diagnosis(fits_all[0].code, fits_all[0].message, first.diagnosis.detail)
