"""How the grader calls a learner's function: one request of plain-data calls, one plain report per call.

A *caller* takes an exercise and a list of argument dicts and returns the decoded reports
(``dlgrade.harness.invoke.call`` says what a report holds). :class:`InProcessCaller` serves the learner's
``check`` while they work: it calls their function in their own kernel, through the same encoding the
graded kernel uses, so a check and the grade see exactly the same thing. The graded caller lives in
``dlcourse.autograde`` and sends the same request to the sandboxed kernel.

Oracle calls (a learner's function calling another graded function, or the graph ops of an adapter) are
answered here by :func:`answer`, from the references: in the grader's process while grading.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, Protocol, Sequence

from .harness import serve, wire
from .harness.functions import materialize
from .harness.guard import suspended
from .registry import Exercise, get_exercise

_ORACLES: dict[str, Callable[..., Any]] = {}


def register_oracle(key: str, fn: Callable[..., Any]) -> None:
    """Make ``fn`` (plain arguments in, plain value out) the answer to oracle calls named ``key``."""
    if key in _ORACLES or key.startswith("ex:"):
        raise ValueError(f"register_oracle: {key!r} is taken (or reserved: 'ex:' names an exercise)")
    _ORACLES[key] = fn


def answer(key: str, args: Sequence[Any]) -> Any:
    """The grader's answer to one oracle call: ``ex:NAME`` is that exercise's reference, other keys are the
    registered oracles (e.g. the local derivative of an op in a graph the learner's driver walks)."""
    real = [materialize(a) if isinstance(a, (wire.Rng, wire.TestFunction)) else a for a in args]
    if key.startswith("ex:"):
        return get_exercise(key[3:]).reference(*real)
    try:
        fn = _ORACLES[key]
    except KeyError:
        raise KeyError(f"no oracle named {key!r}") from None
    return fn(*real)


def request(ex: Exercise, calls: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The request for ``calls`` (argument dicts) of exercise ``ex``: plain data, nothing secret in it but the
    inputs themselves."""
    return {"exercise": ex.name, "blocked": list(ex.blocked), "allow_dlkit": ex.allow_dlkit,
            "oracles": dict(ex.oracles), "calls": [{"args": dict(a), "adapter": ex.adapter} for a in calls]}


class Caller(Protocol):
    """Calls a learner's function on each argument dict; returns one decoded report per call."""

    def __call__(self, ex: Exercise, calls: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]: ...


def _round_trip(value: Any, *, real: bool) -> Any:
    return wire.loads(wire.dumps(value), materialize=materialize if real else None)


def _answer_as_kernel(key: str, args: tuple) -> Any:
    """What an oracle call looks like from a graded kernel, without the kernel: encoded both ways."""
    plain = _round_trip(list(args), real=False)
    with suspended():
        value = answer(key, plain)
    return _round_trip(value, real=True)


class InProcessCaller:
    """Calls the learner's function in this process (their kernel, while they work)."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn

    def __call__(self, ex: Exercise, calls: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        decoded = _round_trip(request(ex, calls), real=True)
        reports = serve.run(lambda: self.fn, decoded, _answer_as_kernel)
        out = _round_trip({"reports": reports}, real=False)
        return out["reports"]

