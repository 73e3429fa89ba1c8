"""Every differentiable op of the foundation, described once for gradchecks and torch parity.

A case's ``fn(lib, *tensors)`` is written so the same code runs with ``lib = dlkit`` and
``lib = torch``: the API is the same on purpose.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from hypothesis import strategies as st

from .strategies import broadcast_pair, broadcastable, shapes


@dataclass(frozen=True)
class Case:
    """One op: how to call it, which input shapes to draw, and which values keep it smooth."""

    name: str
    fn: Callable[..., Any]
    shapes: Any  # a strategy drawing a tuple of input shapes
    domain: tuple[str, ...] = ("any",)
    int_inputs: dict[int, Any] = field(default_factory=dict)  # non-differentiable arguments by position

    def domains(self, n: int) -> tuple[str, ...]:
        return self.domain if len(self.domain) == n else self.domain * n

    def __repr__(self) -> str:  # readable parametrize ids
        return self.name


def fixed(*shape_tuple: tuple[int, ...]) -> Any:
    return st.just(tuple(shape_tuple))


one = shapes(0, 3).map(lambda s: (s,))
pair = broadcast_pair()
matrices = shapes(2, 3, ).map(lambda s: (s,))


@st.composite
def reduce_input(draw) -> tuple[tuple[int, ...]]:
    return (draw(shapes(3, 3)),)


@st.composite
def where_inputs(draw) -> tuple[tuple[int, ...], ...]:
    base = draw(shapes(1, 3))
    return (draw(broadcastable(base)), base, draw(broadcastable(base)))


ELEMENTWISE = [
    Case("add", lambda lib, a, b: a + b, pair),
    Case("sub", lambda lib, a, b: a - b, pair),
    Case("mul", lambda lib, a, b: a * b, pair),
    Case("div", lambda lib, a, b: a / b, pair, ("any", "nonzero")),
    Case("pow", lambda lib, a, b: a ** b, pair, ("positive", "any")),
    Case("maximum", lambda lib, a, b: lib.maximum(a, b), pair),
    Case("minimum", lambda lib, a, b: lib.minimum(a, b), pair),
    Case("neg", lambda lib, a: -a, one),
    Case("exp", lambda lib, a: lib.exp(a), one),
    Case("log", lambda lib, a: lib.log(a), one, ("positive",)),
    Case("sqrt", lambda lib, a: lib.sqrt(a), one, ("positive",)),
    Case("abs", lambda lib, a: lib.abs(a), one, ("nonzero",)),
    Case("sin", lambda lib, a: lib.sin(a), one),
    Case("cos", lambda lib, a: lib.cos(a), one),
    Case("tanh", lambda lib, a: lib.tanh(a), one),
    Case("sigmoid", lambda lib, a: lib.sigmoid(a), one),
    Case("relu", lambda lib, a: lib.relu(a), one, ("nonzero",)),
    Case("clamp", lambda lib, a: lib.clamp(a, -0.5, 0.7), one, ("spread",)),
    Case("clamp_min_only", lambda lib, a: a.clamp(min=0.1), one, ("spread",)),
    Case("where", lambda lib, c, a, b: lib.where(c > 0, a, b), where_inputs()),
    Case("scalar_mul", lambda lib, a: 2.5 * a * 0.5, one),
    Case("scalar_rsub", lambda lib, a: 1.5 - a, one),
    Case("scalar_rdiv", lambda lib, a: 2.0 / a, one, ("nonzero",)),
    Case("scalar_pow", lambda lib, a: a ** 3, one),
    Case("scalar_rpow", lambda lib, a: 2.0 ** a, one),
    Case("square", lambda lib, a: a ** 2, one),
]

REDUCTIONS = [
    Case("sum_all", lambda lib, a: a.sum(), one),
    Case("sum_dim", lambda lib, a: a.sum(dim=1), reduce_input()),
    Case("sum_dims_keepdim", lambda lib, a: a.sum(dim=(0, 2), keepdim=True), reduce_input()),
    Case("mean_all", lambda lib, a: a.mean(), one),
    Case("mean_dim", lambda lib, a: a.mean(dim=-1, keepdim=True), reduce_input()),
    Case("max_all", lambda lib, a: a.max(), one, ("spread",)),
    Case("max_dim", lambda lib, a: a.max(dim=1).values, reduce_input(), ("spread",)),
    Case("min_dim_keepdim", lambda lib, a: a.min(dim=0, keepdim=True).values, reduce_input(), ("spread",)),
    Case("amax_dims", lambda lib, a: lib.amax(a, dim=(1, 2)), reduce_input(), ("spread",)),
    Case("amin_all", lambda lib, a: lib.amin(a), one, ("spread",)),
    Case("var_dim", lambda lib, a: a.var(dim=1), shapes(2, 3).filter(lambda s: s[1] > 1).map(lambda s: (s,))),
    Case("var_all_biased", lambda lib, a: a.var(unbiased=False), shapes(1, 3).map(lambda s: (s,))),
    Case("std_dim", lambda lib, a: a.std(dim=0, keepdim=True), shapes(2, 3).filter(lambda s: s[0] > 1).map(lambda s: (s,))),
    Case("logsumexp", lambda lib, a: lib.logsumexp(a, dim=1), reduce_input()),
]

SHAPE_OPS = [
    Case("reshape", lambda lib, a: a.reshape(-1, 2), fixed((3, 4))),
    Case("view", lambda lib, a: a.view(2, 3, 2), fixed((4, 3))),
    Case("flatten", lambda lib, a: a.flatten(1), fixed((2, 3, 4))),
    Case("transpose", lambda lib, a: a.transpose(0, 2), fixed((2, 3, 4))),
    Case("permute", lambda lib, a: a.permute(2, 0, 1), fixed((2, 3, 4))),
    Case("T", lambda lib, a: a.T, fixed((3, 5))),
    Case("squeeze", lambda lib, a: a.squeeze(), fixed((3, 1, 4, 1))),
    Case("squeeze_dim", lambda lib, a: a.squeeze(1), fixed((3, 1, 4))),
    Case("unsqueeze", lambda lib, a: a.unsqueeze(-1), fixed((3, 4))),
    Case("expand", lambda lib, a: a.expand(2, 3, 4), fixed((3, 1))),
    Case("getitem_slice", lambda lib, a: a[1:, ::2], fixed((4, 5))),
    Case("getitem_int", lambda lib, a: a[2], fixed((4, 5))),
    Case("getitem_ellipsis_none", lambda lib, a: a[..., None, 1], fixed((2, 3, 4))),
    Case("getitem_int_array", lambda lib, a: a[lib.tensor([0, 2, 2, 3])], fixed((4, 3))),
    Case("getitem_int_arrays_2d", lambda lib, a: a[lib.tensor([0, 1, 1]), lib.tensor([2, 0, 2])], fixed((3, 3))),
    Case("getitem_bool_mask", lambda lib, a: a[a > 0], fixed((4, 5))),
    Case("cat", lambda lib, a, b: lib.cat([a, b, a], dim=1), fixed((2, 3), (2, 1))),
    Case("stack", lambda lib, a, b: lib.stack([a, b], dim=-1), fixed((2, 3), (2, 3))),
]

MATMUL = [
    Case("matmul_1d_1d", lambda lib, a, b: a @ b, fixed((4,), (4,))),
    Case("matmul_2d_1d", lambda lib, a, b: a @ b, fixed((3, 4), (4,))),
    Case("matmul_1d_2d", lambda lib, a, b: a @ b, fixed((4,), (4, 2))),
    Case("matmul_2d_2d", lambda lib, a, b: a @ b, fixed((3, 4), (4, 2))),
    Case("matmul_batched_broadcast", lambda lib, a, b: lib.matmul(a, b), fixed((2, 3, 4), (4, 5))),
    Case("matmul_batched_both", lambda lib, a, b: a @ b, fixed((2, 1, 3, 4), (3, 4, 2))),
    Case("matmul_1d_batched", lambda lib, a, b: a @ b, fixed((4,), (2, 4, 3))),
]

COMPOSITE = [
    Case("softmax_by_hand", lambda lib, a: (a - lib.logsumexp(a, dim=1, keepdim=True)).exp(), fixed((3, 5))),
    Case("mse_by_hand", lambda lib, a, b: ((a - b) ** 2).mean(), pair),
    Case("x_times_x", lambda lib, a: a * a + a, one),
]

ALL_CASES = ELEMENTWISE + REDUCTIONS + SHAPE_OPS + MATMUL + COMPOSITE
