"""Running an exercise's cases on a learner's function and explaining the first failure.

The cases go to a *caller* in one request; each report is judged here (``judge_case``: compare with the
reference, output by output). A failure is then explained with everything the grader can find, most likely
cause first (``explain``): a known mistake that fits every case; state or randomness (the same inputs
again, another seed); a constant factor that explains every case; an input the output ignores; hard-coded
sizes; the shape and value rules of the case; a scalar's relation to the expected one on designed inputs;
a training loop's first step. The extra calls go to the caller as one more request.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import diagnosis as dg
from .calling import Caller
from .diagnosis import across, factors, message, probes, training
from .diagnosis.core import Diagnosis
from .diagnosis.outputs import of_report, quiet, reference, split, swapped
from .diagnosis.source import Source, look_at
from .registry import Case, Exercise, KnownMistake

_ALL = "*"  # a failure of the whole function rather than of one output
# failures that no other call can explain better: said as they are
_FINAL = (dg.NOT_IMPLEMENTED, dg.REFERENCE_CALLED, dg.MUTATED_INPUT, "timeout", "kernel_died", "no_reply")
# per-case diagnoses precise enough to come before the weaker exercise-level ones
_SPECIFIC = ("swapped", dg.TRANSPOSED, dg.BATCH_NOT_REDUCED, dg.WRONG_SHAPE, dg.WRONG_MASK, dg.ALIASED, dg.SHIFTED,
             dg.OFFSET, dg.SIGN, dg.WRONG_TYPE, dg.WRONG_DTYPE, dg.NONFINITE)


@dataclass
class CaseResult:
    """One case: its diagnosis (None when passed), the failing outputs, and what was compared."""

    case: Case
    index: int
    diagnosis: Diagnosis | None = None
    failed: frozenset[str] = frozenset()
    warnings: list[str] = field(default_factory=list)
    known: list[KnownMistake] = field(default_factory=list)   # the known mistakes that fit every case
    expected: list[Any] | None = None                          # the reference's outputs
    got: list[Any] | None = None                               # the learner's outputs (None: error, structure)
    value: Any = None                                          # what the learner returned, as returned
    error: across.Error | None = None                          # what the learner's call raised
    look: str = ""                                             # the line of the learner's code to look at

    @property
    def passed(self) -> bool:
        """True when every output matched the reference."""
        return self.diagnosis is None


@dataclass
class Report:
    """All case results of one run of an exercise (visible or hidden), with the seed they were drawn from."""

    exercise: Exercise
    hidden: bool
    results: list[CaseResult]
    seed: int | None = None

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
        """The diagnosis of the first failing case: the cause, where to look, the case and its seed, details."""
        r = self.first_failure
        if r is None:
            return f"{self.exercise.name}: all {len(self.results)} cases passed"
        return message.render(self.exercise.name, r.diagnosis, hidden=self.hidden, index=r.index,
                              n_cases=len(self.results), label=r.case.label, seed=self.seed, look=r.look,
                              warnings=r.warnings)


# ---------------------------------------------------------------------------------------------- one case


def _error_diagnosis(error: dict[str, Any], args: dict[str, Any]) -> Diagnosis:
    """The diagnosis of a call that did not return: not implemented, the reference called, an exception."""
    kind = error.get("kind")
    if kind == "not_implemented":
        said = str(error.get("message") or "").strip()  # a given function's own reason (what to finish first)
        return Diagnosis(dg.NOT_IMPLEMENTED, f"not implemented yet — {said}" if said else "not implemented yet — "
                         "replace `raise NotImplementedError()` with your code, then run this cell again.")
    if kind == "reference_called":
        return Diagnosis(dg.REFERENCE_CALLED, str(error.get("message", "")))
    if kind == "timeout":
        return Diagnosis("timeout", f"your function did not finish within the time limit ({error.get('message')}): an endless "
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
    at = (f"at line {where['line']} in {where['function']}(): {where['text']}"
          if isinstance(where, dict) and where.get("line") else "")
    shapes = ", ".join(f"{k} {dg.shape_of(v)}" for k, v in args.items())
    etype, text = str(error.get("type")), str(error.get("message"))
    hint = ""
    if etype == "RecursionError":
        hint = " The recursion is too deep (or never stops): use an explicit stack or a loop."
    elif etype in ("ValueError", "IndexError") and any(w in text for w in ("shape", "mismatch", "broadcast",
                                                                            "index")):
        hint = " A shape mismatch: write the shape of every array next to each line."
    detail = "\n".join(x for x in (at, f"arguments: {shapes}") if x)
    line = (int(where["line"]), str(where.get("text", ""))) if isinstance(where, dict) and where.get("line") \
        else (0, "")
    return Diagnosis(dg.EXCEPTION, f"your function raised {etype}: {text[:300]}{hint}", detail,
                     {"line": line[1], "where": line})


def judge_case(ex: Exercise, case: Case, index: int, report: dict[str, Any], scope: frozenset[str]) -> CaseResult:
    """Judge one case from the learner's report alone: errors, inputs changed in place, each output."""
    res = CaseResult(case, index, warnings=list(report.get("warnings", [])), value=report.get("value"))
    if report.get("error"):
        err = report["error"]
        res.diagnosis, res.failed = _error_diagnosis(err, case.args), frozenset({_ALL})
        if err.get("kind") == "exception":
            res.error = across.Error(str(err.get("type")), str(err.get("message")))
        return res
    if report.get("mutated"):
        moved = report["mutated"][0]
        res.diagnosis = Diagnosis(dg.MUTATED_INPUT, f"your function modified its input `{moved}` in "
                                  "place (e.g. `x[x < 0] = 0`, `w -= ...` or `+=` on an argument). "
                                  "Work on a copy or build a new array; the caller still needs the original.")
        res.failed = frozenset({_ALL})
        return res
    if ex.verify is not None:
        res.diagnosis = ex.verify(case, case.fresh(), report.get("value"))
        res.failed = frozenset({_ALL}) if res.diagnosis else frozenset()
        return res
    with quiet():
        res.expected = split(ex, ex.reference(*case.fresh().values()))
    assert not isinstance(res.expected, Diagnosis), f"the reference of {ex.name} returned a wrong structure"
    got = split(ex, report.get("value"))
    if isinstance(got, Diagnosis):
        res.diagnosis, res.failed = got, frozenset({_ALL})
        return res
    res.got = got
    diags = {o.name: dg.compare(e, g, name=o.name, kind=o.kind, factors=case.factors, rtol=ex.rtol, atol=ex.atol,
                                scope=scope, warnings=res.warnings, args=case.args)
             for o, e, g in zip(ex.outputs, res.expected, got)}
    for o, e, g in zip(ex.outputs, res.expected, got):
        if diags[o.name] is None and o.keep_dtype and isinstance(e, np.ndarray) and isinstance(g, np.ndarray) \
                and g.dtype != e.dtype:
            diags[o.name] = Diagnosis(dg.WRONG_DTYPE, f"`{o.name}` is {g.dtype}, but the input is {e.dtype}: return "
                                      "the input's dtype (np.zeros_like(images), or .astype(images.dtype) at the "
                                      "end); the values are right.")
    failed = [n for n, d in diags.items() if d is not None]
    if failed:
        res.failed = frozenset(failed)
        typed = [diags[n] for n in failed if diags[n].code in (dg.WRONG_TYPE, dg.WRONG_DTYPE, dg.NONFINITE)]
        res.diagnosis = (typed or [swapped(ex, res.expected, got) or diags[failed[0]]])[0]
    elif ex.stable and _numeric_warnings(res.warnings):
        res.failed = frozenset({_ALL})
        res.diagnosis = Diagnosis(UNSTABLE, f"right values, but numpy warned: {_numeric_warnings(res.warnings)[0]}. "
                                  f"Far from 0 this formula overflows; the stable form: {ex.stable}.")
    elif ex.writable and report.get("readonly"):
        name = ex.outputs[int(report["readonly"][0])].name if int(report["readonly"][0]) < len(ex.outputs) else "an output"
        res.failed = frozenset({_ALL})
        res.diagnosis = Diagnosis(READ_ONLY, f"right values, but `{name}` is a read-only view (np.broadcast_to gives "
                                  "one): the caller adds into it later, which fails. Return a copy (.copy()).")
    return res


UNSTABLE, READ_ONLY = "unstable", "read_only"


def _numeric_warnings(warnings: list[str]) -> list[str]:
    """numpy's RuntimeWarnings of an overflow, an invalid value or a division by zero."""
    return [w for w in warnings if w.startswith("RuntimeWarning") and any(
        k in w for k in ("overflow", "invalid value", "divide by zero"))]


# ------------------------------------------------------------------------------------------- explanation


def _output_index(ex: Exercise, r: CaseResult) -> int:
    names = [o.name for o in ex.outputs]
    return next((i for i, n in enumerate(names) if n in r.failed), 0)


def _factor(ex: Exercise, results: list[CaseResult], first: CaseResult, scope: frozenset[str]) -> Diagnosis | None:
    """The constant factor of the first failing output, explained over every case that returned it."""
    i = _output_index(ex, first)
    name = ex.outputs[i].name
    rows = []
    for r in results:
        if r.got is None:
            continue
        try:
            e, g = dg.to_array(r.expected[i]), dg.to_array(r.got[i])
        except (TypeError, ValueError):
            return None
        if e.size != g.size:
            return None
        rows.append(factors.Row(factors.ratio(e, g.reshape(e.shape)), factors.candidates(r.case.factors, r.case.args),
                                name not in r.failed, bool(np.any(e))))
    shape = np.shape(first.expected[i]) if ex.outputs[i].kind == "array" else ()
    head = f"`{name}` has the right shape {shape} but wrong values"
    return factors.across_cases(rows, head, first.diagnosis.detail, scalar=ex.outputs[i].kind == "scalar",
                                scope=scope)


def _hardcoded(ex: Exercise, results: list[CaseResult], first: CaseResult) -> Diagnosis | None:
    """Sizes hard-coded, when a case of other sizes passed and the evidence says so (see ``across``)."""
    shapes = first.case.shapes()
    passed = [p for p in results if p.passed and not p.case.stress and p.case.shapes() != shapes]
    if not passed:
        return None
    expected = first.expected
    if expected is None and first.diagnosis.code == dg.WRONG_SHAPE:  # a verified exercise: ask the reference
        expected = reference(ex, first.case.args)
    line = str(first.diagnosis.evidence.get("line", ""))
    for ok in passed:
        d = across.hardcoded((ok.case.args, ok.case.label, ok.value), first.case.args, first.case.label,
                             first.value, expected, line, first.diagnosis)
        if d is not None:
            return d
    return None


def _named(m: KnownMistake, first: CaseResult, source: Source | None) -> tuple[Diagnosis, str]:
    """The known mistake's diagnosis and the line to look at: found by its pattern, else where the call raised."""
    look = look_at(source, m.look_for, "")
    line, text = first.diagnosis.evidence.get("where", (0, ""))
    if not look and line:
        look = f"look at line {line}: `{text[:100]}`"
    return Diagnosis(m.code, m.message, first.diagnosis.detail), look or look_at(None, "", m.look_at)


def _explain_verify(ex: Exercise, results: list[CaseResult], first: CaseResult, caller: Caller,
                    scope: frozenset[str]) -> Diagnosis | None:
    """A statistically checked exercise: state and seeds, hard-coded sizes, the first training step."""
    seeded = ex.randomness_args(first.case)
    plan = [probes.reproducibility(ex, first.case.args, None, seeded) if seeded else None,
            training.first_step(ex.training, first.case.args, first.diagnosis, scope)
            if ex.training is not None and first.diagnosis.code in (dg.SIGN, dg.NONFINITE, "low_accuracy") else None]
    rep, step = probes.run(ex, caller, plan)
    if rep is not None and rep.code == dg.SEED_IGNORED:
        rep = None  # a loop that uses no randomness at all fails for the reason its check gives
    return rep or step or _hardcoded(ex, results, first)


def explain(ex: Exercise, results: list[CaseResult], caller: Caller, scope: frozenset[str],
            source: Source | None, seed: int) -> None:
    """Replace the first failure's diagnosis with the most likely cause found (see the module docstring)."""
    first = next(r for r in results if not r.passed)
    d = first.diagnosis
    if d.code in _FINAL:
        return
    if ex.verify is not None:
        first.diagnosis = _explain_verify(ex, results, first, caller, scope) or d
        return
    answered = [(r.case, r.got if r.got is not None else r.error, r.passed) for r in results
                if r.got is not None or r.error is not None]
    first.known = across.fitting(ex, answered) if first.got is not None or first.error is not None else []
    if first.known:
        first.diagnosis, first.look = _named(first.known[0], first, source)
        return
    if d.code == dg.EXCEPTION or first.got is None:
        first.diagnosis = _hardcoded(ex, results, first) or d
        return
    if d.code in (dg.WRONG_TYPE, dg.WRONG_DTYPE):
        return  # the type comes first: nothing else is worth saying until it is right
    i = _output_index(ex, first)
    failed = [j for j, o in enumerate(ex.outputs) if o.name in first.failed]
    scalar = ex.outputs[i].kind == "scalar"
    ok = next(((r.case.args, r.got) for r in results if r.passed and r.got is not None), None)
    plan = [probes.reproducibility(ex, first.case.args, first.got, ex.randomness_args(first.case), ok),
            probes.dependence(ex, first.case.args, first.expected, first.got, failed, seed + first.index),
            probes.relations(ex, first.case.args, first.expected, first.got, i, ex.designs)
            if scalar or ex.designs else None]
    rep, dep, rel = probes.run(ex, caller, plan)
    with quiet():
        fac = _factor(ex, results, first, scope) if d.code != dg.NONFINITE else None
    named = fac if fac is not None and len(fac.evidence.get("names", ())) == 1 else None
    specific = d if d.code in _SPECIFIC else None
    unnamed = fac if fac is not named else None
    first.diagnosis = rep or named or dep or _hardcoded(ex, results, first) or specific or unnamed or rel or d
    if first.diagnosis.detail == "" and d.detail:
        first.diagnosis = first.diagnosis.but(detail=d.detail)


def run_exercise(ex: Exercise, caller: Caller, hidden: bool = False, secret: bytes | None = None,
                 source: Source | None = None) -> Report:
    """Run every case of an exercise (visible or hidden, from ``secret``) through ``caller``; judge and explain.

    ``source`` is the learner's code (the function's cell), where known: the line a known mistake points at
    is quoted from it.
    """
    seed = ex.seed(hidden, secret)
    cases = ex.cases_from_seed(seed, hidden)
    scope = ex.hint_scope(cases)
    reports = caller(ex, [case.args for case in cases])
    results: list[CaseResult] = []
    for i, (case, report) in enumerate(zip(cases, reports)):
        results.append(judge_case(ex, case, i, report, scope))
        if results[-1].diagnosis is not None and results[-1].diagnosis.code in (dg.NOT_IMPLEMENTED,
                                                                                dg.REFERENCE_CALLED):
            break  # every other case would say the same
    if any(not r.passed for r in results):
        explain(ex, results, caller, scope, source, seed)
    elif ex.verify is not None and results and ex.randomness_args(results[0].case):
        _check_seeds(ex, results[0], caller)
    return Report(ex, hidden, results, seed)


def _check_seeds(ex: Exercise, r: CaseResult, caller: Caller) -> None:
    """A statistically checked function that passed: the same seed must give the same result, another another."""
    got = of_report(ex, {"value": r.value})
    (d,) = probes.run(ex, caller, [probes.reproducibility(ex, r.case.args, got, ex.randomness_args(r.case))])
    if d is not None:
        r.diagnosis, r.failed = d, frozenset({_ALL})

