"""Lesson 04: one node's backward in a learner's scalar Value class.

As in the notebook, the learner writes four rule functions (``add_backward(a, b, out)``, ...) that the lesson's
``Value`` calls from each operation's ``_backward``; each entry is ``one_node(value_with(rule), op)``, what the
test cell passes to check. The graph by hand is in ``by_hand.py``.
"""
import math

from dlgrade.harness.adapters import one_node

from . import by_hand  # noqa: F401  (lesson 04's graph by hand, registered after the nodes)
from ._catalogue import correct, wrong


def _right_add(a, b, out):
    a.grad += out.grad
    b.grad += out.grad


def _right_mul(a, b, out):
    a.grad += b.data * out.grad
    b.grad += a.data * out.grad


def _right_pow(a, k, out):
    a.grad += k * a.data ** (k - 1) * out.grad


def _right_sigmoid(a, out):
    a.grad += out.data * (1 - out.data) * out.grad


RULES = {"add": _right_add, "mul": _right_mul, "pow": _right_pow, "sigmoid": _right_sigmoid}


def value_with(op, rule):
    """The notebook's Value class, with the learner's ``rule`` as the backward rule of ``op``."""
    rules = {**RULES, op: rule}

    class Value:
        def __init__(self, data, _prev=(), _op=""):
            self.data = float(data)
            self.grad = 0.0
            self._prev = tuple(_prev)
            self._op = _op
            self._backward = lambda: None

        def __add__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data + other.data, (self, other), "+")
            out._backward = lambda: rules["add"](self, other, out)
            return out

        def __mul__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data * other.data, (self, other), "*")
            out._backward = lambda: rules["mul"](self, other, out)
            return out

        def __pow__(self, k):
            out = Value(self.data ** k, (self,), f"**{k}")
            out._backward = lambda: rules["pow"](self, k, out)
            return out

        def sigmoid(self):
            x = self.data
            s = 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))
            out = Value(s, (self,), "sigmoid")
            out._backward = lambda: rules["sigmoid"](self, out)
            return out

        def __radd__(self, other):
            return self + other

        def __rmul__(self, other):
            return self * other

    return Value


def entry(op, expect):
    """Register the decorated rule as one_node(value_with(op, rule), op), correct or with its expected code."""
    def deco(rule):
        fn = one_node(value_with(op, rule), op)
        fn.__name__ = fn.__qualname__ = rule.__name__
        fn.__module__ = __name__
        fn.__doc__ = rule.__doc__
        (correct(f"backprop.{op}") if expect is None else wrong(f"backprop.{op}", expect))(fn)
        return rule
    return deco


for _op, _rule in RULES.items():
    entry(_op, None)(_rule)


@entry("add", None)
def add_in_a_loop(a, b, out):
    """Adds into both inputs in a loop: still correct."""
    for v in (a, b):
        v.grad = v.grad + 1.0 * out.grad


@entry("mul", None)
def mul_with_locals(a, b, out):
    """Names the local derivatives first: still correct."""
    da, db = b.data, a.data
    a.grad += da * out.grad
    b.grad += db * out.grad


# --- add ---------------------------------------------------------------------------------------
@entry("add", "overwrites")
def add_overwrites(a, b, out):
    a.grad = out.grad
    b.grad = out.grad


@entry("add", "local_only")
def add_local_only(a, b, out):
    a.grad += 1.0
    b.grad += 1.0


@entry("add", "one_input")
def add_one_input(a, b, out):
    a.grad += out.grad


@entry("add", "like_mul")
def add_like_mul(a, b, out):
    """Copy-pasted the multiply rule."""
    a.grad += b.data * out.grad
    b.grad += a.data * out.grad


@entry("add", "output_value")
def add_output_value(a, b, out):
    a.grad += out.data
    b.grad += out.data


@entry("add", "halved")
def add_halves(a, b, out):
    """Splits the gradient between the two inputs."""
    a.grad += out.grad / 2
    b.grad += out.grad / 2


@entry("add", "sign")
def add_minus(a, b, out):
    a.grad -= out.grad
    b.grad -= out.grad


@entry("add", "not_updated")
def add_returns(a, b, out):
    """Returns the gradients instead of adding them into the inputs."""
    return out.grad, out.grad


@entry("add", "multiplied_into")
def add_times_equal(a, b, out):
    a.grad *= out.grad
    b.grad *= out.grad


@entry("add", "same_node_once")
def add_skips_same(a, b, out):
    """'Fixes' a + a by giving the node one share only."""
    a.grad += out.grad
    if b is not a:
        b.grad += out.grad


@entry("add", "doubled")
def add_two(a, b, out):
    a.grad += 2 * out.grad
    b.grad += 2 * out.grad


@entry("add", "wrong_source")
def add_passes_a(a, b, out):
    a.grad += out.grad
    b.grad += a.grad


@entry("add", "value_not_number")
def add_node_not_grad(a, b, out):
    """Forgot .grad on out."""
    a.grad += out
    b.grad += out


# --- mul ---------------------------------------------------------------------------------------
@entry("mul", "not_swapped")
def mul_not_swapped(a, b, out):
    a.grad += a.data * out.grad
    b.grad += b.data * out.grad


@entry("mul", "local_only")
def mul_local_only(a, b, out):
    a.grad += b.data
    b.grad += a.data


@entry("mul", "overwrites")
def mul_overwrites(a, b, out):
    a.grad = b.data * out.grad
    b.grad = a.data * out.grad


@entry("mul", "like_add")
def mul_like_add(a, b, out):
    a.grad += out.grad
    b.grad += out.grad


@entry("mul", "output_value")
def mul_output_value(a, b, out):
    a.grad += b.data * out.data
    b.grad += a.data * out.data


@entry("mul", "one_input")
def mul_one_input(a, b, out):
    a.grad += b.data * out.grad


@entry("mul", "sign")
def mul_minus(a, b, out):
    a.grad -= b.data * out.grad
    b.grad -= a.data * out.grad


@entry("mul", "not_updated")
def mul_sets_out(a, b, out):
    """Writes into out.grad, as if the gradient flowed forward."""
    out.grad = a.grad * b.data + b.grad * a.data


@entry("mul", "same_node_once")
def mul_skips_same(a, b, out):
    a.grad += b.data * out.grad
    if b is not a:
        b.grad += a.data * out.grad


@entry("mul", "times_output")
def mul_times_output(a, b, out):
    a.grad += out.data * out.grad
    b.grad += out.data * out.grad


@entry("mul", "value_not_number")
def mul_node_not_data(a, b, out):
    """b instead of b.data: the Value class multiplies nodes, so a.grad becomes a Value."""
    a.grad += b * out.grad
    b.grad += a * out.grad


@entry("mul", "copy_paste")
def mul_copy_paste(a, b, out):
    a.grad += b.data * out.grad
    b.grad += b.data * out.grad


# --- pow ---------------------------------------------------------------------------------------
@entry("pow", "not_lowered")
def pow_not_lowered(a, k, out):
    a.grad += k * out.data * out.grad


@entry("pow", "no_k")
def pow_no_k(a, k, out):
    a.grad += a.data ** (k - 1) * out.grad


@entry("pow", "precedence")
def pow_precedence(a, k, out):
    a.grad += k * a.data**k-1 * out.grad  # noqa: E225,E226 (the mistake is the missing brackets)


@entry("pow", "local_only")
def pow_local_only(a, k, out):
    a.grad += k * a.data ** (k - 1)


@entry("pow", "overwrites")
def pow_overwrites(a, k, out):
    a.grad = k * a.data ** (k - 1) * out.grad


@entry("pow", "sign")
def pow_minus(a, k, out):
    a.grad -= k * a.data ** (k - 1) * out.grad


@entry("pow", "not_updated")
def pow_returns(a, k, out):
    return k * a.data ** (k - 1) * out.grad


@entry("pow", "value_not_number")
def pow_node(a, k, out):
    a.grad += k * a ** (k - 1) * out.grad


@entry("pow", "exponent_plus")
def pow_plus(a, k, out):
    a.grad += k * a.data ** (k + 1) * out.grad


@entry("pow", "exponent_rule")
def pow_log(a, k, out):
    """Differentiates with respect to the exponent."""
    a.grad += out.data * math.log(a.data) * out.grad


@entry("pow", "output_value")
def pow_output_value(a, k, out):
    a.grad += k * a.data ** (k - 1) * out.data


@entry("pow", "uses_output")
def pow_uses_output(a, k, out):
    a.grad += k * out.data ** (k - 1) * out.grad


@entry("pow", "exception")
def pow_wrong_name(a, k, out):
    """A typo in a name: NameError."""
    a.grad += k * a.data ** (k - 1) * out.gradient


# --- sigmoid -----------------------------------------------------------------------------------
@entry("sigmoid", "no_one_minus")
def sig_no_one_minus(a, out):
    a.grad += out.data * out.grad


@entry("sigmoid", "uses_input")
def sig_uses_input(a, out):
    a.grad += a.data * (1 - a.data) * out.grad


@entry("sigmoid", "tanh_rule")
def sig_tanh_rule(a, out):
    a.grad += (1 - out.data ** 2) * out.grad


@entry("sigmoid", "local_only")
def sig_local_only(a, out):
    a.grad += out.data * (1 - out.data)


@entry("sigmoid", "overwrites")
def sig_overwrites(a, out):
    a.grad = out.data * (1 - out.data) * out.grad


@entry("sigmoid", "sign")
def sig_sign(a, out):
    a.grad += out.data * (out.data - 1) * out.grad


@entry("sigmoid", "not_updated")
def sig_nothing(a, out):
    s = out.data
    return s * (1 - s) * out.grad


@entry("sigmoid", "value_not_number")
def sig_nodes(a, out):
    a.grad += out * (1 - out) * out.grad


@entry("sigmoid", "output_value")
def sig_output_value(a, out):
    a.grad += out.data * (1 - out.data) * out.data


@entry("sigmoid", "overflow")
def sig_recomputed(a, out):
    """Recomputes σ from the input with the naive formula."""
    s = 1 / (1 + math.exp(-a.data))
    a.grad += s * (1 - s) * out.grad


@entry("sigmoid", "one_minus_only")
def sig_one_minus_only(a, out):
    a.grad += (1 - out.data) * out.grad


@entry("sigmoid", "precedence")
def sig_precedence(a, out):
    a.grad += out.data * 1 - out.data * out.grad
