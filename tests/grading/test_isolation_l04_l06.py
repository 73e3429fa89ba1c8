"""One mistake costs points once (lessons 04 to 06): an exercise that calls another graded function of the
learner sees the grader's version, so a wrong helper does not fail the exercise that uses it.

Each test runs a notebook-like namespace (exec'd source, as a cell defines it) whose helper is wrong and whose
exercise is right, and expects the exercise to pass.
"""
from __future__ import annotations

import textwrap

import numpy as np

from dlgrade import check
from dlgrade.harness.adapters import linear_module, one_op


def _cell(source: str) -> dict:
    """The names a notebook cell with ``source`` defines."""
    ns: dict = {"np": np, "__name__": "__main__"}
    exec(textwrap.dedent(source), ns)  # noqa: S102 (test code, written here)
    return ns


def test_add_and_mul_see_the_graders_unbroadcast():
    ns = _cell("""
        def unbroadcast(grad, shape):          # wrong: the size-1 axes are not summed
            return grad.sum(axis=tuple(range(grad.ndim - len(shape))))

        class Add:
            @staticmethod
            def forward(ctx, a, b):
                ctx.a_shape, ctx.b_shape = a.shape, b.shape
                return a + b

            @staticmethod
            def backward(ctx, grad):
                return unbroadcast(grad, ctx.a_shape), unbroadcast(grad, ctx.b_shape)

        class Mul:
            @staticmethod
            def forward(ctx, a, b):
                ctx.save_for_backward(a, b)
                return a * b

            @staticmethod
            def backward(ctx, grad):
                a, b = ctx.saved_tensors
                return unbroadcast(grad * b, a.shape), unbroadcast(grad * a, b.shape)
    """)
    check("engine.add", one_op(ns["Add"], "add"), hidden=True)
    check("engine.mul", one_op(ns["Mul"], "mul"), hidden=True)


def test_two_layer_net_sees_the_graders_layers():
    ns = _cell("""
        def linear_forward(x, W, b):
            return x @ W
        def linear_backward(dout, x, W, b):
            return dout @ W.T, x.T @ dout, dout        # wrong: db not summed
        def relu_forward(x):
            return np.abs(x)
        def relu_backward(dout, x):
            return dout
        def two_layer_net(X, y, W1, b1, W2, b2):
            z1 = linear_forward(X, W1, b1)
            h = relu_forward(z1)
            s = linear_forward(h, W2, b2)
            m = s.max(axis=1, keepdims=True)
            p = np.exp(s - m) / np.exp(s - m).sum(axis=1, keepdims=True)
            loss = float(-np.mean(np.log(p[np.arange(len(y)), y])))
            ds = p.copy()
            ds[np.arange(len(y)), y] -= 1
            ds /= len(y)
            dh, dW2, db2 = linear_backward(ds, h, W2, b2)
            _, dW1, db1 = linear_backward(relu_backward(dh, z1), X, W1, b1)
            return loss, dW1, db1, dW2, db2
    """)
    check("mlp.two_layer_net", ns["two_layer_net"])


def test_training_loop_sees_the_graders_network():
    ns = _cell("""
        def two_layer_net(X, y, W1, b1, W2, b2):      # wrong: every gradient zero
            return 0.0, 0 * W1, 0 * b1, 0 * W2, 0 * b2
        def train_two_layer_net(X, y, hidden_size, num_classes, lr, epochs, seed):
            rng = np.random.default_rng(seed)
            d = X.shape[1]
            W1 = rng.normal(size=(d, hidden_size)) * np.sqrt(2 / d)
            W2 = rng.normal(size=(hidden_size, num_classes)) * np.sqrt(2 / hidden_size)
            b1, b2 = np.zeros(hidden_size), np.zeros(num_classes)
            for _ in range(epochs):
                _, dW1, db1, dW2, db2 = two_layer_net(X, y, W1, b1, W2, b2)
                W1, b1, W2, b2 = W1 - lr * dW1, b1 - lr * db1, W2 - lr * dW2, b2 - lr * db2
            return W1, b1, W2, b2
    """)
    check("mlp.train_two_layer_net", ns["train_two_layer_net"])


def test_scalar_backward_sees_the_graders_order():
    ns = _cell("""
        def topological_sort(root):                      # wrong: no visited set
            order = []
            def visit(v):
                for c in v._prev:
                    visit(c)
                order.append(v)
            visit(root)
            return order
        def backward(root):
            root.grad = 1.0
            for v in reversed(topological_sort(root)):
                v._backward()
    """)
    check("autodiff.backward", ns["backward"], hidden=True)


def test_linear_sees_the_graders_local_gradients():
    ns = _cell("""
        class Tensor:
            def __init__(self, data, requires_grad=False):
                self.data = np.asarray(data, dtype=np.float64)
                self.grad, self.requires_grad, self._ctx = None, requires_grad, None
            def __add__(self, other):
                return apply(Add, self, other)
            def __matmul__(self, other):
                return apply(MatMul, self, other)

        class Ctx:
            def __init__(self, fn, inputs):
                self.fn, self.inputs, self.saved_tensors = fn, inputs, ()
            def save_for_backward(self, *arrays):
                self.saved_tensors = arrays

        def apply(fn, *inputs):
            ctx = Ctx(fn, inputs)
            out = Tensor(fn.forward(ctx, *(t.data for t in inputs)), requires_grad=True)
            out._ctx = ctx
            return out

        class Add:
            @staticmethod
            def forward(ctx, a, b):
                ctx.a_shape, ctx.b_shape = a.shape, b.shape
                return a + b
            @staticmethod
            def backward(ctx, grad):
                return grad, grad                           # wrong: not summed back to the bias's shape

        class MatMul:
            @staticmethod
            def forward(ctx, a, b):
                ctx.save_for_backward(a, b)
                return a @ b
            @staticmethod
            def backward(ctx, grad):
                a, b = ctx.saved_tensors
                return grad @ b, a @ grad                  # wrong: not transposed

        class Linear:
            def __init__(self, in_features, out_features, rng):
                k = 1 / np.sqrt(in_features)
                self.weight = Tensor(rng.uniform(-k, k, size=(in_features, out_features)), requires_grad=True)
                self.bias = Tensor(np.zeros(out_features), requires_grad=True)
            def parameters(self):
                return [self.weight, self.bias]
            def __call__(self, x):
                return x @ self.weight + self.bias
    """)
    check("engine.linear", linear_module(ns["Linear"]), hidden=True)
