"""Lesson 04, the graph by hand: q = x*y, m = max(x, z), s = q + m, f = s*z at x = 3, y = -2, z = 2.

Each wrong entry is a dict a learner would type after getting one gate or one path wrong on paper.
"""
from ._catalogue import correct, wrong

_RIGHT = {"q": -6, "m": 3, "s": -3, "f": -6, "ds": 2, "dq": 2, "dm": 2, "dx": -2, "dy": 6, "dz": -3}


@correct("backprop.by_hand")
def by_hand():
    return dict(_RIGHT)


@correct("backprop.by_hand")
def by_hand_floats():
    """Decimals, numpy scalars and an extra key are fine."""
    import numpy as np
    return {**{k: np.float64(v) + 1e-12 for k, v in _RIGHT.items()}, "df": 1.0}


@wrong("backprop.by_hand", "missed_path")
def by_hand_x_one_path():
    """Forgot that x also reaches f through max(x, z)."""
    return {**_RIGHT, "dx": -4}


@wrong("backprop.by_hand", "missed_path")
def by_hand_z_only_max():
    """Forgot z's direct path into f = s*z."""
    return {**_RIGHT, "dz": 0}


@wrong("backprop.by_hand", "max_routes")
def by_hand_max_to_both():
    """max passed its gradient to the loser z as well."""
    return {**_RIGHT, "dz": -1}


@wrong("backprop.by_hand", "max_routes")
def by_hand_max_to_loser():
    """max sent its gradient to z, the smaller input, instead of x."""
    return {**_RIGHT, "dx": -4, "dz": -1}


@wrong("backprop.by_hand", "not_swapped")
def by_hand_mul_not_swapped():
    """dy = y * dq and dx = x * dq + dm."""
    return {**_RIGHT, "dy": -4, "dx": 8}


@wrong("backprop.by_hand", "add_distributes")
def by_hand_add_halves():
    """The add gate split its gradient in two."""
    return {**_RIGHT, "dq": 1, "dm": 1, "dx": -1, "dy": 3}


@wrong("backprop.by_hand", "min_not_max")
def by_hand_min():
    """Took the smaller input in the max node."""
    return {**_RIGHT, "m": 2, "s": -4, "f": -8, "dz": -4}


@wrong("backprop.by_hand", "sum_not_product")
def by_hand_q_sum():
    """Read q = x·y as x + y."""
    return {**_RIGHT, "q": 1, "s": 4, "f": 8}


@wrong("backprop.by_hand", "forward")
def by_hand_f_plus():
    """f = s + z: no known mistake gives this, the forward rule says which part to redo."""
    return {**_RIGHT, "f": -1}


@wrong("backprop.by_hand", "not_seeded")
def by_hand_no_gradients():
    """Filled in the forward pass only."""
    return {**_RIGHT, **{k: 0 for k in _RIGHT if k.startswith("d")}}


@wrong("backprop.by_hand", "seeded_with_value")
def by_hand_seed_f():
    """Started the backward pass from f = -6 instead of 1."""
    return {**_RIGHT, "ds": -12, "dq": -12, "dm": -12, "dx": 12, "dy": -36, "dz": 18}


@wrong("backprop.by_hand", "sign")
def by_hand_negated():
    """Every gradient with the opposite sign."""
    return {**_RIGHT, **{k: -v for k, v in _RIGHT.items() if k.startswith("d")}}


@wrong("backprop.by_hand", "wrong_type")
def by_hand_tuple():
    """A tuple in the key order."""
    return tuple(_RIGHT.values())


@wrong("backprop.by_hand", "missing_keys")
def by_hand_missing_dz():
    """Left one out."""
    return {k: v for k, v in _RIGHT.items() if k != "dz"}


@wrong("backprop.by_hand", "not_swapped")
def by_hand_ds_is_s():
    """df/ds = s and df/dz = z: the multiply gate at f not swapped."""
    return {**_RIGHT, "ds": -3, "dq": -3, "dm": -3, "dx": 3, "dy": -9, "dz": 2}
