"""Lesson 04 (backprop): a graph worked out by hand, q = x·y, m = max(x, z), s = q + m, f = s·z at x = 3,
y = −2, z = 2, returned as a dict of numbers and checked in three parts (forward values, inner gradients, input
gradients). The messages name the wrong entries and the gate rule that was broken, never the right numbers.

The known mistakes are executable: :func:`worked` works the graph out node by node, and each switch is one way
of getting a gate wrong (the max taken as a min, a multiply gate that does not swap, an add gate that splits,
a path forgotten, ...). Where a learner's part equals what a mistake gives there, the message names it.
"""
from __future__ import annotations

from typing import Any

from ...diagnosis import WRONG_TYPE, Diagnosis, describe
from ...harness.guard import reference
from ...registry import Case, Exercise, register

BY_HAND_INPUTS = {"x": 3.0, "y": -2.0, "z": 2.0}
BY_HAND_KEYS = ("q", "m", "s", "f", "ds", "dq", "dm", "dx", "dy", "dz")
# One graph, checked in three parts (the cases), in the order they are worked out.
_PARTS = {"forward pass: q, m, s, f": ("q", "m", "s", "f"),
          "gradients of the inner nodes: ds, dq, dm": ("ds", "dq", "dm"),
          "gradients of the inputs: dx, dy, dz": ("dx", "dy", "dz")}


def worked(*, smaller: bool = False, q_sum: bool = False, seed: str = "one", f_swaps: bool = True,
           q_swaps: bool = True, add_share: float = 1.0, max_to: str = "winner", x_via_max: bool = True,
           z_direct: bool = True, sign: float = 1.0) -> dict[str, float]:
    """The graph's values and gradients, node by node; the switches turn it into the typical mistakes."""
    x, y, z = BY_HAND_INPUTS["x"], BY_HAND_INPUTS["y"], BY_HAND_INPUTS["z"]
    q = x + y if q_sum else x * y
    m = min(x, z) if smaller else max(x, z)
    s = q + m
    f = s * z
    df = {"one": 1.0, "zero": 0.0, "value": f}[seed]
    ds, dz_direct = (z if f_swaps else s) * df, (s if f_swaps else z) * df        # f = s * z: multiply swaps
    dq = dm = add_share * ds                                                      # s = q + m: add distributes
    x_won = (x < z) if smaller else (x > z)                                       # m = max(x, z): max routes
    to_x, to_z = {"winner": (x_won, not x_won), "both": (True, True), "loser": (not x_won, x_won)}[max_to]
    dx_max, dz_max = dm * to_x, dm * to_z
    dx_q, dy = (dq, dq) if q_sum else ((y if q_swaps else x) * dq, (x if q_swaps else y) * dq)
    grads = {"ds": ds, "dq": dq, "dm": dm, "dx": dx_q + dx_max * x_via_max, "dy": dy,
             "dz": dz_direct * z_direct + dz_max}
    return {"q": q, "m": m, "s": s, "f": f, **{k: sign * v + 0.0 for k, v in grads.items()}}


# (code, message, switches): each a way of getting one gate or one path wrong
MISTAKES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("min_not_max", "m = max(x, z) is the LARGER of its inputs; the values after it (s, f) and the routing of its "
     "gradient all follow from that choice.", {"smaller": True}),
    ("sum_not_product", "q = x·y is a product, not a sum: compute it, and later pass its gradient back as a "
     "multiply gate (each input gets the other's value times dq).", {"q_sum": True}),
    ("not_swapped", "f = s·z is a multiply gate: df/ds is the value of the OTHER input, z, and df/dz (directly) "
     "is s (multiply swaps).", {"f_swaps": False}),
    ("not_swapped", "q = x·y is a multiply gate: dq/dy is the value of the other input, x, and dq/dx is y, each "
     "times the gradient that arrived at q (multiply swaps).", {"q_swaps": False}),
    ("add_distributes", "s = q + m is an add gate: it hands the gradient arriving at s unchanged to each of its "
     "inputs (add distributes; nothing is split).", {"add_share": 0.5}),
    ("max_routes", "m = max(x, z) sends all of its gradient to the input that won (the larger one) and 0 to the "
     "other (max routes), not to both.", {"max_to": "both"}),
    ("max_routes", "m = max(x, z) sends its gradient to the input that WON, the larger one, and 0 to the one "
     "that lost (max routes).", {"max_to": "loser"}),
    ("missed_path", "x is used twice, in q = x·y and in max(x, z): its gradient is the sum over both paths "
     "(multivariate chain rule).", {"x_via_max": False}),
    ("missed_path", "z reaches f along two paths, directly through f = s·z and through max(x, z): dz is the sum "
     "of what arrives along both (multivariate chain rule), where one of them may contribute 0.",
     {"z_direct": False}),
    ("not_seeded", "every gradient is 0: the backward pass starts with df/df = 1 at the output and multiplies "
     "its way back from there.", {"seed": "zero"}),
    ("seeded_with_value", "every gradient is f times too large: the backward pass starts from df/df = 1, not "
     "from the value of f.", {"seed": "value"}),
    ("sign", "every gradient has the wrong sign: each is the upstream gradient times a local derivative, with "
     "no minus of its own (only y < 0 makes some of them negative).", {"sign": -1.0}),
)


@reference("backprop.by_hand reference")
def by_hand_reference() -> dict[str, float]:
    """The values and gradients of the graph, computed node by node."""
    return worked()


def _near(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


def _read(got: Any) -> dict[str, float] | Diagnosis:
    """The learner's numbers, or what is wrong with the dict itself."""
    keys = ", ".join(BY_HAND_KEYS)
    if not isinstance(got, dict):
        return Diagnosis(WRONG_TYPE, f"by_hand() returned {describe(got)}; expected a dict with the keys "
                         f"{keys}, e.g. {{'q': ..., 'm': ..., ...}}.")
    missing = [k for k in BY_HAND_KEYS if k not in got]
    if missing:
        return Diagnosis("missing_keys", f"the dict has no entry for {', '.join(missing)}; it needs all of "
                         f"{keys} (names as strings, values as numbers).")
    values: dict[str, float] = {}
    for k in BY_HAND_KEYS:
        try:
            values[k] = float(got[k])
        except (TypeError, ValueError):
            return Diagnosis(WRONG_TYPE, f"the entry {k!r} is {describe(got[k])}; every entry must be a number.")
    return values


def _fallback(v: dict[str, float], ref: dict[str, float], wrong: list[str], head: str) -> Diagnosis:
    """A gate rule from which entries are wrong, when no known mistake gives the learner's numbers."""
    if any(not k.startswith("d") for k in wrong):
        return Diagnosis("forward", head + "Start with the forward pass, left to right: each node applies its "
                         "operation to its inputs' values (max(x, z) is the larger of the two). The gradients "
                         "use these values, so fix them first.")
    if "ds" in wrong:
        return Diagnosis("not_swapped", head + "f = s·z is a multiply gate: df/ds is the value of the *other* "
                         "input, z (multiply swaps).")
    if "dq" in wrong or "dm" in wrong:
        return Diagnosis("add_distributes", head + "s = q + m is an add gate: it hands the gradient arriving "
                         "at s unchanged to each of its inputs (add distributes; nothing is split).")
    return Diagnosis("values", head + "Work backward from f node by node: the gradient arriving at a node times "
                     "its local derivative goes to each input, and a node used twice adds up what it receives.")


def _verify_by_hand(case: Case, args: dict, got: Any) -> Diagnosis | None:
    v = _read(got)
    if isinstance(v, Diagnosis):
        return v
    ref, part = worked(), _PARTS[case.label]
    wrong = [k for k in part if not _near(v[k], ref[k])]
    if not wrong:
        return None
    head = f"wrong entries: {', '.join(wrong)}. "
    for code, message, switches in MISTAKES:
        mk = worked(**switches)
        if all(_near(v[k], mk[k]) for k in part):
            return Diagnosis(code, head + message)
    return _fallback(v, ref, wrong, head)


register(Exercise(
    "backprop.by_hand", "by_hand() -> dict of the graph's values and gradients",
    by_hand_reference, lambda rng, hidden: [Case(args={}, label=label) for label in _PARTS],
    verify=_verify_by_hand,
))
