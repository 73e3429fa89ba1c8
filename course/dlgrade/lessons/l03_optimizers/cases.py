"""Lesson 03, what the update-rule exercises share: their cases and the uphill mistake.

Every rule takes arrays of one shape (parameters, gradient, state) and hyperparameters; the cases vary the
shape (1-D, 2-D, 3-D, a single row), the dtype (one float32 case) and include a state equal in value to the
gradient but a distinct array, so code that confuses the two objects, or updates one in place, shows.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ...registry import KnownMistake
from .._common import make_case
from .._draw import float32, shapes

_VISIBLE = [(3, 4), (5,), (1, 2), (2, 3), (4, 1)]
_HIDDEN = [(2, 3), (7,), (4, 1), (2, 2, 2), (3, 5)]
BLOCKED = ("sgd", "adam", "rmsprop", "adagrad", "step")
F32_CASE, EQUAL_CASE = 3, 4  # the float32 case; the case whose first state array equals dw in value
MOMENT = ("v_momentum", "m")  # first moments (any sign); the other states are second moments (positive)


def lr(rng: np.random.Generator) -> float:
    """A learning rate between 0.05 and 0.5."""
    return float(rng.uniform(0.05, 0.5))


def step_cases(rng: np.random.Generator, hidden: bool, state: tuple[str, ...],
               hyper: Callable[[np.random.Generator, int], dict[str, Any]]) -> list:
    """Cases (w, dw, *state, *hyperparameters) over shapes that vary every size, one float32 case and one
    case whose first state is a copy of dw."""
    cases = []
    for i, shape in enumerate(shapes(rng, hidden, _VISIBLE, _HIDDEN, [(1, 6), (1, 6)], extra=1)):
        args = {"w": rng.normal(size=shape), "dw": rng.normal(size=shape)}
        for name in state:
            args[name] = rng.normal(size=shape) if name in MOMENT else rng.uniform(0.1, 2.0, shape)
        if i == EQUAL_CASE and state:
            first = state[0]
            # a distinct array with dw's values (a second moment stays positive: dw², as after one step)
            args[first] = args["dw"].copy() if first in MOMENT else args["dw"] ** 2
        args = {("v" if k == "v_momentum" else k): a for k, a in args.items()}
        names = [k for k in args]
        args.update(hyper(rng, i))
        note = "float32" if i == F32_CASE else f"{state[0].split('_')[0]} equal to dw" if i == EQUAL_CASE and state \
            else ""
        cases.append(make_case(float32(args, *names) if i == F32_CASE else args, note=note))
    return cases


UPHILL = "the step goes uphill: subtract the update from w (w − lr·…), do not add it."


def uphill(ref: Callable[..., Any]) -> KnownMistake:
    """The update applied with the wrong sign: w + step instead of w − step, the state as the reference's."""
    def wrong(w: Any, *rest: Any) -> Any:
        out = ref(w, *rest)
        new_w, state = (out[0], out[1:]) if isinstance(out, tuple) else (out, ())
        flipped = 2 * np.asarray(w, dtype=np.float64) - new_w
        return (flipped, *state) if state else flipped
    return KnownMistake("sign", UPHILL, wrong, "the line that updates w", r"w\s*\+|\+=")


def swapped_outputs(ref: Callable[..., Any], order: str = "(w, v)") -> KnownMistake:
    """The two outputs returned in the wrong order."""
    return KnownMistake("swapped_outputs", f"the outputs are in the wrong order: return {order}.",
                        lambda *args: tuple(reversed(ref(*args))), "the return line", r"return")


def state_not_returned(ref: Callable[..., Any], name: str, index: int) -> KnownMistake:
    """The new parameters returned with the OLD state (the state was updated but not returned)."""
    def wrong(*args: Any) -> Any:
        out = list(ref(*args))
        out[1:] = [np.asarray(a, dtype=np.float64) for a in args[index:index + len(out) - 1]]
        return tuple(out)
    return KnownMistake("state_not_returned", f"the state came back unchanged: return the NEW {name} (the one the "
                        "step used), so that the next step continues from it.", wrong, "the return line",
                        r"return")
