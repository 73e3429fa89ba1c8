"""Lesson 06 (autodiff), the Linear module: ``linear_module(Linear)(in_features, out_features, seed, x, weight,
bias, grad_out)`` builds the learner's layer, records its initial parameters, loads ``weight`` and ``bias``
into it, runs it on ``x`` and backpropagates ``grad_out`` through its graph. While it is checked (the
``layer_of_linear`` adapter) the ops' local gradients are the grader's: ``Add`` and ``MatMul`` are graded on their
own, so this exercise judges the layer's init, its parameters and how its forward composes the ops.

The reference: the lesson's init rule from the seed, and dlkit's ``F.linear`` and its autograd for the rest. A
known mistake is a wrong layer run through the same ``linear_module`` on the grader's own small engine
(:func:`_layer`), so one that makes ``linear_module`` raise raises the learner's very error.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ...calling import answer
from ...harness.graphs import Tensor, tensor_ops
from ...harness.guard import reference
from ...harness.layers import linear_module
from ...registry import Case, Exercise, KnownMistake, Output, register
from .._draw import drawn


def _uniform_k(i: int, o: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The lesson's rule: one draw U(-k, k) of shape (in, out), k = 1/sqrt(in); a zero bias."""
    k = 1.0 / np.sqrt(i)
    return rng.uniform(-k, k, size=(i, o)), np.zeros(o)


def _linear_dlkit(x, weight, bias, grad_out) -> tuple:
    import dlkit
    import dlkit.functional as F
    xt, Wt, bt = (dlkit.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in (x, weight, bias))
    out = F.linear(xt, Wt.T, bt)   # dlkit stores (out, in): x @ W.T + b with W.T = our weight
    out.backward(dlkit.tensor(np.array(grad_out, dtype=np.float64)))
    return out.detach().numpy(), xt.grad.numpy(), Wt.grad.numpy(), bt.grad.numpy()


@reference("engine.linear reference")
def linear_reference(in_features, out_features, seed, x, weight, bias, grad_out):
    """Initial parameters by the lesson's rule; output and gradients by dlkit's autograd."""
    W0, b0 = _uniform_k(in_features, out_features, np.random.default_rng(seed))
    return (W0, b0) + _linear_dlkit(x, weight, bias, grad_out)


_OPS = tensor_ops(answer)  # the grader's own ops: a mistake's layer records its graph with them


def _right_forward(layer: Any, x: Tensor) -> Tensor:
    return _OPS["add"].apply(_OPS["matmul"].apply(x, layer.weight), layer.bias)


def _layer(init: Callable[[int, int, np.random.Generator], tuple], forward: Callable = _right_forward, *,
           grad: bool = True, bias_shape: Callable[[int], tuple] = lambda o: (o,)) -> type:
    """A Linear module with the given init (weight, bias) and forward, on the grader's engine."""
    class Linear:
        def __init__(self, in_features: int, out_features: int, rng: np.random.Generator) -> None:
            W, b = init(in_features, out_features, rng)
            self.weight = Tensor(W, requires_grad=grad)
            self.bias = Tensor(np.asarray(b).reshape(bias_shape(out_features)), requires_grad=grad)

        def parameters(self) -> list[Tensor]:
            return [v for v in vars(self).values() if isinstance(v, Tensor) and v.requires_grad]

        def __call__(self, x: Tensor) -> Tensor:
            return forward(self, x)
    return Linear


def _m(code: str, message: str, layer: type, look_for: str, look_at: str = "the line that draws the weight"
       ) -> KnownMistake:
    return KnownMistake(code, message, linear_module(layer), look_at, look_for)


_RULE = "draw the weight with one call rng.uniform(-k, k, size=(in_features, out_features)), k = 1 / " \
    "sqrt(in_features), and start the bias at zeros(out_features)."


def _scaled_uniform(k: Callable[[int, int], float], low: float = -1.0) -> Callable:
    return lambda i, o, rng: (rng.uniform(low * k(i, o), k(i, o), size=(i, o)), np.zeros(o))


def _bias_drawn(first: bool) -> Callable:
    def init(i, o, rng):
        k = 1.0 / np.sqrt(i)
        b = rng.uniform(-k, k, size=o) if first else None
        W = rng.uniform(-k, k, size=(i, o))
        return W, (b if first else rng.uniform(-k, k, size=o))
    return init


MISTAKES = (
    _m("init_glorot", "the initial weight uses Glorot's bound sqrt(6 / (in + out)) (that is for later lessons): "
       + _RULE, _layer(_scaled_uniform(lambda i, o: np.sqrt(6.0 / (i + o)))), r"6\s*/"),
    _m("init_normal", "the initial weight is drawn from a normal distribution: " + _RULE,
       _layer(lambda i, o, rng: (rng.normal(size=(i, o)) / np.sqrt(i), np.zeros(o))), r"normal\("),
    _m("init_unscaled", "the initial weight is not scaled by k = 1 / sqrt(in_features): " + _RULE,
       _layer(_scaled_uniform(lambda i, o: 1.0)), r"uniform\(\s*-1"),
    _m("init_bias_drawn", "the bias should start at zero (dlkit's nn.Linear draws it, this lesson's layer does not): "
       + _RULE, _layer(_bias_drawn(False)), r"self\.bias\s*=.*uniform", "the line that creates the bias"),
    _m("init_bias_drawn", "the bias should start at zero, and drawing it first also moves the weight's draw along "
       "the generator: " + _RULE, _layer(_bias_drawn(True)), r"self\.bias\s*=.*uniform",
       "the line that creates the bias"),
    _m("init_fan_out", "k uses out_features; the rule's k = 1 / sqrt(in_features), the number of inputs each "
       "output sums: " + _RULE, _layer(_scaled_uniform(lambda i, o: 1.0 / np.sqrt(o))), r"sqrt\(\s*out"),
    _m("init_no_sqrt", "k = 1 / sqrt(in_features): the square root is missing. " + _RULE,
       _layer(_scaled_uniform(lambda i, o: 1.0 / i)), r"1\s*/\s*in_features"),
    _m("init_positive", "the weight must be drawn from (-k, k), both signs: rng.uniform(-k, k, ...), not (0, k).",
       _layer(_scaled_uniform(lambda i, o: 1.0 / np.sqrt(i), low=0.0)), r"uniform\(\s*0"),
    _m("init_transposed_draw", "the weight was drawn as (out, in) and transposed, which orders the random numbers "
       "differently: draw it as (in_features, out_features) directly.",
       _layer(lambda i, o, rng: (rng.uniform(-1 / np.sqrt(i), 1 / np.sqrt(i), size=(o, i)).T, np.zeros(o))), r"\.T\b"),
    _m("init_he", "that is He's initialization (normal, sqrt(2 / in)), for ReLU layers in lesson 07: " + _RULE,
       _layer(lambda i, o, rng: (rng.normal(size=(i, o)) * np.sqrt(2.0 / i), np.zeros(o))), r"sqrt\(\s*2"),
    _m("init_zeros", "the weight starts at zeros: every output then gets the same gradient and they never become "
       "different. " + _RULE, _layer(lambda i, o, rng: (np.zeros((i, o)), np.zeros(o))), r"zeros\(\s*\("),
    _m("no_bias", "forward leaves the bias out: x @ self.weight + self.bias.",
       _layer(_uniform_k, lambda layer, x: _OPS["matmul"].apply(x, layer.weight)), r"return\s+x\s*@\s*self\.weight\s*$",
       "the return line of forward"),
    _m("outside_graph", "forward computed on the .data arrays, so no graph was recorded: use the tensors themselves, "
       "x @ self.weight + self.bias.", _layer(_uniform_k, lambda layer, x: Tensor(
           x.data @ layer.weight.data + layer.bias.data)), r"\.data\s*@", "the return line of forward"),
    _m("no_requires_grad", "the parameters were created without requires_grad=True, so no gradient can reach them: "
       "Tensor(..., requires_grad=True).", _layer(_uniform_k, grad=False), r"Tensor\((?!.*requires_grad)",
       "the lines that create the parameters"),
    _m("weight_transposed", "the weight is (out, in), PyTorch's layout; this lesson's layer computes x @ weight, so "
       "the weight is (in_features, out_features).",
       _layer(lambda i, o, rng: (rng.uniform(-1 / np.sqrt(i), 1 / np.sqrt(i), size=(o, i)), np.zeros(o))),
       r"size\s*=\s*\(\s*out_features"),
    _m("bias_row", "the bias is a (1, out_features) row; it has one entry per output, shape (out_features,).",
       _layer(_uniform_k, bias_shape=lambda o: (1, o)), r"zeros\(\s*\(\s*1\s*,", "the line that creates the bias"),
)


def _cases(rng: np.random.Generator, hidden: bool) -> list[Case]:
    # (in, out, N): the batch, the inputs and the outputs each 1 somewhere, a square layer, the rest non-square
    shapes = [(3, 2, 4), (5, 3, 1), (2, 4, 6), (4, 4, 2)]
    if hidden:
        shapes = [(4, 3, 5), (1, 2, 3), (6, 1, 2), (3, 3, 1)] + drawn(rng, 2, [(1, 6), (1, 5), (1, 4)])
    out = []
    for d, m, n in shapes:
        args = {"in_features": d, "out_features": m, "seed": int(rng.integers(0, 1000)),
                "x": rng.normal(size=(n, d)), "weight": rng.normal(size=(d, m)), "bias": rng.normal(size=m),
                "grad_out": rng.normal(size=(n, m))}
        out.append(Case(args=args, label=f"Linear({d}, {m}) on x ({n}, {d}); rng seed {args['seed']}",
                        factors={"N": n, "D": d, "M": m}))
    return out


register(Exercise(
    "engine.linear", "linear_module(Linear)(in_features, out_features, seed, x, weight, bias, grad_out) "
    "-> (initial weight, initial bias, out, x.grad, weight.grad, bias.grad)",
    linear_reference, _cases,
    outputs=(Output("initial weight"), Output("initial bias"), Output("output"), Output("x.grad"),
             Output("weight.grad"), Output("bias.grad")),
    blocked=("linear",), adapter="layer_of_linear", seed_args=("seed",), mistakes=MISTAKES, hints=frozenset(),
))
