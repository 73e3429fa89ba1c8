"""Lesson 04: one node's backward in a learner's scalar Value class, and a graph worked by hand.

Each entry is what a learner's test cell passes to check: ``one_node(TheirValue, op)`` for
the operations, a function returning a dict for the graph by hand.
"""
import math

from dlgrade.harness.adapters import one_node

from ._catalogue import correct, wrong


class Value:
    """A learner's Value, written the way the lesson's skeleton asks."""

    def __init__(self, data, _prev=(), _op=""):
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_prev)
        self._op = _op
        self._backward = lambda: None

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, k):
        out = Value(self.data ** k, (self,), f"**{k}")

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad
        out._backward = _backward
        return out

    def sigmoid(self):
        out = Value(1 / (1 + math.exp(-self.data)), (self,), "sigmoid")

        def _backward():
            self.grad += out.data * (1 - out.data) * out.grad
        out._backward = _backward
        return out


def _entry(op, expect, cls):
    """Register one_node(cls, op) under a name that says which mistake it is."""
    fn = one_node(cls, op)
    fn.__name__ = fn.__qualname__ = f"{op}_{cls.__name__}"
    fn.__module__ = __name__
    fn.__doc__ = cls.__doc__
    (correct(f"backprop.{op}") if expect is None else wrong(f"backprop.{op}", expect))(fn)


for _op in ("add", "mul", "pow", "sigmoid"):
    _entry(_op, None, Value)


class AddInALoop(Value):
    """Adds into both inputs in a loop: still correct."""

    def __add__(self, other):
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            for v in (self, other):
                v.grad = v.grad + 1.0 * out.grad
        out._backward = _backward
        return out


_entry("add", None, AddInALoop)


# --- add ---------------------------------------------------------------------------------------
class AddOverwrites(Value):
    """`=` instead of `+=`: a node used twice keeps only the last contribution."""

    def __add__(self, other):
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad = out.grad
            other.grad = out.grad
        out._backward = _backward
        return out


class AddLocalOnly(Value):
    """Writes the local derivative 1 and forgets the upstream gradient."""

    def __add__(self, other):
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += 1.0
            other.grad += 1.0
        out._backward = _backward
        return out


class AddOneInput(Value):
    """Only self gets a gradient."""

    def __add__(self, other):
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
        out._backward = _backward
        return out


class AddLikeMul(Value):
    """Copy-pasted the multiply rule."""

    def __add__(self, other):
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out


class AddOutputValue(Value):
    """out.data where out.grad was meant."""

    def __add__(self, other):
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.data
            other.grad += out.data
        out._backward = _backward
        return out


class AddHalves(Value):
    """Splits the gradient between the two inputs."""

    def __add__(self, other):
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += 0.5 * out.grad
            other.grad += 0.5 * out.grad
        out._backward = _backward
        return out


for _cls, _code in ((AddOverwrites, "overwrites"), (AddLocalOnly, "local_only"), (AddOneInput, "one_input"),
                    (AddLikeMul, "like_mul"), (AddOutputValue, "output_value"), (AddHalves, "scale")):
    _entry("add", _code, _cls)


# --- mul ---------------------------------------------------------------------------------------
class MulNotSwapped(Value):
    """Each input times its own value."""

    def __mul__(self, other):
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += self.data * out.grad
            other.grad += other.data * out.grad
        out._backward = _backward
        return out


class MulLocalOnly(Value):
    """Forgets the upstream gradient."""

    def __mul__(self, other):
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data
            other.grad += self.data
        out._backward = _backward
        return out


class MulOverwrites(Value):
    """`=` instead of `+=`."""

    def __mul__(self, other):
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad = other.data * out.grad
            other.grad = self.data * out.grad
        out._backward = _backward
        return out


class MulLikeAdd(Value):
    """Copy-pasted the add rule."""

    def __mul__(self, other):
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out


class MulOutputValue(Value):
    """out.data where out.grad was meant."""

    def __mul__(self, other):
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.data
            other.grad += self.data * out.data
        out._backward = _backward
        return out


class MulOneInput(Value):
    """Only self gets a gradient."""

    def __mul__(self, other):
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
        out._backward = _backward
        return out


for _cls, _code in ((MulNotSwapped, "not_swapped"), (MulLocalOnly, "local_only"), (MulOverwrites, "overwrites"),
                    (MulLikeAdd, "like_add"), (MulOutputValue, "output_value"), (MulOneInput, "one_input")):
    _entry("mul", _code, _cls)


# --- pow ---------------------------------------------------------------------------------------
class PowNotLowered(Value):
    """k * x**k."""

    def __pow__(self, k):
        out = Value(self.data ** k, (self,), f"**{k}")

        def _backward():
            self.grad += k * out.data * out.grad
        out._backward = _backward
        return out


class PowNoK(Value):
    """x**(k-1) without the k in front."""

    def __pow__(self, k):
        out = Value(self.data ** k, (self,), f"**{k}")

        def _backward():
            self.grad += self.data ** (k - 1) * out.grad
        out._backward = _backward
        return out


class PowPrecedence(Value):
    """k * x**k-1 * g without brackets."""

    def __pow__(self, k):
        out = Value(self.data ** k, (self,), f"**{k}")

        def _backward():
            self.grad += k * self.data**k-1 * out.grad  # noqa: E225,E226 (the mistake is the spacing)
        out._backward = _backward
        return out


class PowLocalOnly(Value):
    """Forgets the upstream gradient."""

    def __pow__(self, k):
        out = Value(self.data ** k, (self,), f"**{k}")

        def _backward():
            self.grad += k * self.data ** (k - 1)
        out._backward = _backward
        return out


class PowOverwrites(Value):
    """`=` instead of `+=`."""

    def __pow__(self, k):
        out = Value(self.data ** k, (self,), f"**{k}")

        def _backward():
            self.grad = k * self.data ** (k - 1) * out.grad
        out._backward = _backward
        return out


class PowNoReturn(Value):
    """Forgot `return out`."""

    def __pow__(self, k):
        out = Value(self.data ** k, (self,), f"**{k}")

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad
        out._backward = _backward


for _cls, _code in ((PowNotLowered, "not_lowered"), (PowNoK, "no_k"), (PowPrecedence, "precedence"),
                    (PowLocalOnly, "local_only"), (PowOverwrites, "overwrites"), (PowNoReturn, "exception")):
    _entry("pow", _code, _cls)


# --- sigmoid -----------------------------------------------------------------------------------
class SigNoOneMinus(Value):
    """σ · g."""

    def sigmoid(self):
        out = Value(1 / (1 + math.exp(-self.data)), (self,), "sigmoid")

        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out


class SigUsesInput(Value):
    """x(1 - x) with the input instead of the output."""

    def sigmoid(self):
        out = Value(1 / (1 + math.exp(-self.data)), (self,), "sigmoid")

        def _backward():
            self.grad += self.data * (1 - self.data) * out.grad
        out._backward = _backward
        return out


class SigTanhRule(Value):
    """1 - σ² (tanh's rule)."""

    def sigmoid(self):
        out = Value(1 / (1 + math.exp(-self.data)), (self,), "sigmoid")

        def _backward():
            self.grad += (1 - out.data ** 2) * out.grad
        out._backward = _backward
        return out


class SigLocalOnly(Value):
    """Forgets the upstream gradient."""

    def sigmoid(self):
        out = Value(1 / (1 + math.exp(-self.data)), (self,), "sigmoid")

        def _backward():
            self.grad += out.data * (1 - out.data)
        out._backward = _backward
        return out


class SigOverwrites(Value):
    """`=` instead of `+=`."""

    def sigmoid(self):
        out = Value(1 / (1 + math.exp(-self.data)), (self,), "sigmoid")

        def _backward():
            self.grad = out.data * (1 - out.data) * out.grad
        out._backward = _backward
        return out


class SigSign(Value):
    """σ(σ - 1)."""

    def sigmoid(self):
        out = Value(1 / (1 + math.exp(-self.data)), (self,), "sigmoid")

        def _backward():
            self.grad += out.data * (out.data - 1) * out.grad
        out._backward = _backward
        return out


for _cls, _code in ((SigNoOneMinus, "no_one_minus"), (SigUsesInput, "uses_input"), (SigTanhRule, "tanh_rule"),
                    (SigLocalOnly, "local_only"), (SigOverwrites, "overwrites"), (SigSign, "sign")):
    _entry("sigmoid", _code, _cls)


# --- the graph by hand: q = x*y, m = max(x, z), s = q + m, f = s*z at x = 3, y = -2, z = 2 -------
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


@wrong("backprop.by_hand", "not_swapped")
def by_hand_mul_not_swapped():
    """dy = y * dq and dx = x * dq + dm."""
    return {**_RIGHT, "dy": -4, "dx": 8}


@wrong("backprop.by_hand", "add_distributes")
def by_hand_add_halves():
    """The add gate split its gradient in two."""
    return {**_RIGHT, "dq": 1, "dm": 1, "dx": -1, "dy": 3}


@wrong("backprop.by_hand", "forward")
def by_hand_min():
    """Took the smaller input in the max node."""
    return {**_RIGHT, "m": 2, "s": -4, "f": -8, "dz": -4}


@wrong("backprop.by_hand", "not_seeded")
def by_hand_no_gradients():
    """Filled in the forward pass only."""
    return {**_RIGHT, **{k: 0 for k in _RIGHT if k.startswith("d")}}


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
    """df/ds = s instead of z."""
    return {**_RIGHT, "ds": -3, "dq": -3, "dm": -3, "dx": 3, "dy": -9, "dz": -6}
