"""The exercise registry: what each exercise's function takes, returns, and is compared with."""
from __future__ import annotations

import copy
import difflib
import hashlib
import hmac
import importlib
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np


# The stable forms lessons 02 and 05 teach (Exercise.stable).
STABLE_SIGMOID = "e = exp(-|x|) never overflows: 1/(1 + e) where x >= 0, e/(1 + e) elsewhere (np.where runs both)"
STABLE_SOFTMAX = "subtract each row's max before exp; log-softmax = z - log(sum(exp(z))) of the shifted z"


@dataclass(frozen=True)
class Output:
    """One output of an exercise's function: its name (for messages) and kind ('array' or 'scalar');
    ``keep_dtype`` where the lesson asks for the dtype of the input (the reference's output has it)."""

    name: str
    kind: str = "array"
    keep_dtype: bool = False


@dataclass
class Case:
    """One set of inputs, as plain data: ``args`` are passed positionally in order; names appear in messages.

    Arguments are what can cross to a learner's kernel (see ``dlgrade.harness.wire``): arrays, numbers,
    strings, containers, and the descriptors ``wire.Rng(seed)`` (a fresh generator each call) and
    ``wire.TestFunction(name, params)`` (a test function built on each side).
    ``factors`` are named sizes (N, D, ...) used to name a wrong constant factor.
    ``stress`` marks inputs chosen to provoke overflow; a failure there is not a shape issue.
    """

    args: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""
    factors: Mapping[str, float] = field(default_factory=dict)
    stress: bool = False

    def fresh(self) -> dict[str, Any]:
        """A new copy of the arguments with descriptors made real (generators, test functions)."""
        from .harness.functions import materialize
        from .harness.wire import Rng, TestFunction

        return {k: materialize(v) if isinstance(v, (Rng, TestFunction)) else copy.deepcopy(v)
                for k, v in self.args.items()}

    def shapes(self) -> tuple:
        """The shapes of the array arguments (to tell shape variants apart)."""
        return tuple(np.shape(v) if isinstance(v, np.ndarray) else None for v in self.fresh().values())


@dataclass(frozen=True)
class KnownMistake:
    """A typical wrong implementation, recognised by computing it and comparing.

    ``compute`` has the reference's signature and returns what the mistake would produce; a learner whose
    outputs equal it on every case gets this diagnosis. ``look_at`` says which line to look at in words
    ("the line that updates v"); ``look_for`` is a regular expression for that line (``r"v *= *beta"``):
    where it matches a line of the learner's source, the message quotes that line with its number.
    """

    code: str
    message: str
    compute: Callable[..., Any]
    look_at: str = ""
    look_for: str = ""


@dataclass(frozen=True)
class Design:
    """A designed input: the case's arguments changed so that a relation to the expected value shows.

    ``make`` takes a copy of a case's arguments and returns the designed ones (``y`` all ones, logits all
    equal, one-hot probabilities, zeros...). When a failure has no known cause, the runner calls the learner
    on each design and says on which ones it is right and on which wrong; ``hint`` is added when the learner
    is wrong on this design and right on every other.
    """

    label: str
    make: Callable[[dict[str, Any]], dict[str, Any]]
    hint: str = ""


@dataclass(frozen=True)
class Training:
    """How to see a training loop's first step, so that "steps uphill" is said only when it is true.

    The runner calls the learner with ``steps`` (the argument counting epochs or steps) set to 0 and to 1,
    takes ``params(returned value)`` from both, and compares the step between them with
    ``gradient(args, params)`` (the loss gradient at the learner's own starting point). ``diverges`` is
    the hint shown when the first step goes downhill but training blows up or ends worse than it started.
    """

    steps: str
    params: Callable[[Any], Sequence[np.ndarray]]
    gradient: Callable[[dict[str, Any], Sequence[np.ndarray]], Sequence[np.ndarray]]
    diverges: str = ""


@dataclass(frozen=True)
class Exercise:
    """An exercise: name '<topic>.<name>', signature text, numpy reference, input cases."""

    name: str
    signature: str
    reference: Callable[..., Any]
    cases: Callable[[np.random.Generator, bool], Sequence[Case]]
    outputs: tuple[Output, ...] = (Output("output"),)
    blocked: tuple[str, ...] = ()
    # ``allows``: dlkit names the learner's function is meant to call (an exercise with allow_dlkit): the graded
    # kernel keeps them even where another exercise of the lesson blocks them
    allows: tuple[str, ...] = ()
    mistakes: tuple[KnownMistake, ...] = ()
    # ``adapter`` names a function of dlgrade.harness.adapters that calls the learner's function (or class)
    # in their kernel and returns plain data (e.g. every node's .grad after their backward(root)); the
    # reference then takes the same plain arguments and returns the same plain structure.
    # ``oracles`` maps a name in the learner's notebook to an oracle key: while this exercise runs, their
    # function sees the grader's version under that name (``"ex:linreg.mse"``: that exercise's reference).
    # ``verify(case, args, returned)`` replaces the numeric comparison (a topological order, statistics).
    adapter: str | None = None
    oracles: Mapping[str, str] = field(default_factory=dict)
    verify: Callable[[Case, dict[str, Any], Any], Any] | None = None
    allow_dlkit: bool = False
    rtol: float = 1e-6
    atol: float = 1e-9
    # ``hints``: the generic hint families that belong to this exercise (dlgrade.diagnosis.hints: "exp",
    # "log", "sqrt", "residual", "update", "matmul", "square", "bias", "mask", "variance", "batch"); None
    # derives them from the reference (what it calls, its operators, its parameter names).
    # ``seed_args``: the arguments that carry randomness (None: every wire.Rng argument and any int named
    # seed); the same seed must give the same result and another seed another one.
    # ``designs``: designed inputs for the relation of a wrong output to the expected one (see Design).
    # ``training``: how to check a training loop's first step against the gradient (see Training).
    hints: frozenset[str] | None = None
    seed_args: tuple[str, ...] | None = None
    designs: tuple[Design, ...] = ()
    # ``stable``: the lesson promises the function handles extreme inputs (the max trick, a stable sigmoid), so
    # numpy warning of an overflow, an invalid value or a division by zero fails it even when the value is right;
    # the text is the stable form this exercise's lesson teaches (the hint shown then).
    # ``writable``: the outputs are written into later (gradients accumulated with +=), so a read-only view
    # (np.broadcast_to) is wrong even when the values are right.
    stable: str = ""
    writable: bool = False
    training: Training | None = None

    @property
    def topic(self) -> str:
        """The lesson topic, the part of the name before the dot."""
        return self.name.split(".", 1)[0]

    def seed(self, hidden: bool, secret: bytes | None = None) -> int:
        """The seed of the visible cases (fixed per exercise), or of the hidden ones: drawn from the grading
        run's secret when there is one, so nobody can compute them in advance."""
        if hidden and secret:
            digest = hmac.new(secret, self.name.encode(), hashlib.sha256).digest()
            return int.from_bytes(digest[:8], "big") % 2**63
        return (zlib.crc32(self.name.encode()) + (104729 if hidden else 0)) % 2**31

    def make_cases(self, hidden: bool, secret: bytes | None = None) -> list[Case]:
        """The cases for the visible (or hidden) test; the same for the same name and secret."""
        return self.cases_from_seed(self.seed(hidden, secret), hidden)

    def cases_from_seed(self, seed: int, hidden: bool) -> list[Case]:
        """The cases drawn from ``seed`` (what a failure message prints, so that a case can be reproduced)."""
        return list(self.cases(np.random.default_rng(seed), hidden))

    def hint_scope(self, cases: Sequence[Case] = ()) -> frozenset[str]:
        """The hint families of this exercise: declared, or derived from the reference and the cases' sizes."""
        if self.hints is not None:
            return frozenset(self.hints)
        from .diagnosis.hints import derive  # the registry stays importable without the diagnosis

        return derive(self.reference, (), {k for c in cases for k in c.factors})

    def randomness_args(self, case: Case) -> tuple[str, ...]:
        """The arguments of ``case`` that carry randomness (declared, or derived: see ``seed_args``)."""
        if self.seed_args is not None:
            return tuple(a for a in self.seed_args if a in case.args)
        if self.adapter is not None:  # an adapter's seed builds the graph it is given, not the learner's draws
            return ()
        from .harness.wire import Rng

        return tuple(k for k, v in case.args.items() if isinstance(v, Rng)
                     or (k in ("seed", "random_state") and isinstance(v, int) and not isinstance(v, bool)))


_REGISTRY: dict[str, Exercise] = {}
_LOADED = False


def register(exercise: Exercise) -> Exercise:
    """Add an exercise to the registry; names must be unique and look like '<topic>.<name>'."""
    if exercise.name.count(".") != 1:
        raise ValueError(f"register: exercise name must be '<topic>.<name>', got {exercise.name!r}")
    if exercise.name in _REGISTRY:
        raise ValueError(f"register: exercise {exercise.name!r} is already registered")
    _REGISTRY[exercise.name] = exercise
    return exercise


def _load() -> None:
    global _LOADED
    if not _LOADED:
        _LOADED = True
        importlib.import_module("dlgrade.lessons")


def get_exercise(name: str) -> Exercise:
    """Look an exercise up by name; a typo gets the closest names as suggestions."""
    _load()
    if not isinstance(name, str):
        raise TypeError(f"exercise name must be a str like 'linreg.predict', got {type(name).__name__}")
    try:
        return _REGISTRY[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(_REGISTRY), n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise KeyError(f"no exercise named {name!r}.{hint} Known: see dlgrade.exercise_names()") from None


def exercise_names(topic: str | None = None) -> list[str]:
    """All registered exercise names, optionally only those of one topic."""
    _load()
    return sorted(n for n in _REGISTRY if topic is None or n.split(".", 1)[0] == topic)
