"""Lesson 04's scalar ``Value`` class, built the way the student notebook gives it.

In the notebook the class calls four module-level functions that the learner writes (add_backward,
mul_backward, pow_backward, sigmoid_backward). ``make_value`` builds such a class around any four
functions, so that each entry can plug in its own (possibly wrong) rules; the correct rules and a
correct topological sort are here too, for entries that are wrong somewhere else.
"""
import math


def add_backward(a, b, out):
    a.grad += out.grad
    b.grad += out.grad


def mul_backward(a, b, out):
    a.grad += b.data * out.grad
    b.grad += a.data * out.grad


def pow_backward(a, k, out):
    a.grad += k * a.data ** (k - 1) * out.grad


def sigmoid_backward(a, out):
    a.grad += out.data * (1 - out.data) * out.grad


def topological_sort(root):
    order, visited = [], set()

    def visit(v):
        if id(v) in visited:
            return
        visited.add(id(v))
        for c in v._prev:
            visit(c)
        order.append(v)

    visit(root)
    return order


def make_value(add=add_backward, mul=mul_backward, pow_=pow_backward, sigmoid=sigmoid_backward):
    """The notebook's Value class, wired to the given backward rules."""

    class Value:
        '''A number in a computation graph that remembers its inputs and how to pass gradients back.'''

        def __init__(self, data, _prev=(), _op="", label=""):
            self.data = float(data)
            self.grad = 0.0
            self._prev = tuple(_prev)
            self._op = _op
            self.label = label
            self._backward = lambda: None

        def __repr__(self):
            return f"Value({self.label or self._op or 'leaf'}: data={self.data:.4g}, grad={self.grad:.4g})"

        def __add__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data + other.data, (self, other), "+")
            out._backward = lambda: add(self, other, out)
            return out

        def __mul__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data * other.data, (self, other), "*")
            out._backward = lambda: mul(self, other, out)
            return out

        def __pow__(self, k):
            out = Value(self.data ** k, (self,), f"**{k}")
            out._backward = lambda: pow_(self, k, out)
            return out

        def sigmoid(self):
            x = self.data
            s = 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))
            out = Value(s, (self,), "sigmoid")
            out._backward = lambda: sigmoid(self, out)
            return out

        def tanh(self):
            t = math.tanh(self.data)
            out = Value(t, (self,), "tanh")

            def _backward():
                self.grad += (1 - t ** 2) * out.grad
            out._backward = _backward
            return out

        def exp(self):
            out = Value(math.exp(self.data), (self,), "exp")

            def _backward():
                self.grad += out.data * out.grad
            out._backward = _backward
            return out

        def relu(self):
            out = Value(max(0.0, self.data), (self,), "relu")

            def _backward():
                self.grad += (1.0 if self.data > 0 else 0.0) * out.grad
            out._backward = _backward
            return out

        def __neg__(self):
            return self * -1

        def __sub__(self, other):
            return self + (-other)

        def __truediv__(self, other):
            return self * other ** -1

        def __radd__(self, other):
            return self + other

        def __rmul__(self, other):
            return self * other

        def __rtruediv__(self, other):
            return Value(other) * self ** -1

    return Value
