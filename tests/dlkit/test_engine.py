"""The backward pass: paths, reuse, deep graphs, accumulation, freeing, no_grad, custom Functions."""
from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import dlkit
from dlkit import Function, GraphFreedError


def leaf(values, dtype="float64"):
    return dlkit.tensor(np.asarray(values, dtype=float), dtype=dtype, requires_grad=True)


def test_scalar_graph_from_the_course_material() -> None:
    # f = (x + y) * z at x=-2, y=5, z=-4: df/dx = df/dy = z = -4, df/dz = x + y = 3
    x, y, z = leaf(-2.0), leaf(5.0), leaf(-4.0)
    f = (x + y) * z
    f.backward()
    assert f.item() == -12.0
    assert (x.grad.item(), y.grad.item(), z.grad.item()) == (-4.0, -4.0, 3.0)


def test_sigmoid_neuron_from_the_course_material() -> None:
    w = leaf([2.0, -3.0, -3.0])
    x = leaf([-1.0, -2.0])
    out = (w[0] * x[0] + w[1] * x[1] + w[2]).sigmoid()
    out.backward()
    assert out.item() == pytest.approx(0.7311, abs=1e-4)
    np.testing.assert_allclose(x.grad.numpy(), [0.3932, -0.5898], atol=1e-4)
    np.testing.assert_allclose(w.grad.numpy(), [-0.1966, -0.3932, 0.1966], atol=1e-4)


def test_variable_used_on_several_paths_sums_the_gradients() -> None:
    x = leaf(3.0)
    y = x * x + x * 2 + x.exp() * x  # dy/dx = 2x + 2 + e^x (1 + x)
    y.backward()
    assert x.grad.item() == pytest.approx(2 * 3 + 2 + np.exp(3) * 4)


def test_diamond_graph() -> None:
    x = leaf(0.7)
    a = x.sin()
    b = x.cos()
    top = a * b  # d/dx sin·cos = cos² − sin²
    top.backward()
    assert x.grad.item() == pytest.approx(np.cos(0.7) ** 2 - np.sin(0.7) ** 2)


def test_intermediate_reused_many_times() -> None:
    x = leaf([1.0, 2.0])
    h = x * 3
    out = (h * h).sum() + h.sum() + (h @ h)
    out.backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * (2 * 3 * np.array([1.0, 2.0]) + 1 + 2 * 3 * np.array([1.0, 2.0])))


def test_same_tensor_twice_as_input_of_one_op() -> None:
    x = leaf([1.0, -2.0])
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, -4.0])


def test_deep_chain_has_no_recursion_limit() -> None:
    x = leaf(1.0)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    y.backward()
    assert x.grad.item() == 1.0
    assert y.item() == 100_001.0


def test_leaves_accumulate_across_backward_calls_until_zeroed() -> None:
    x = leaf([1.0, 2.0])
    for _ in range(3):
        (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * np.array([2.0, 4.0]))
    x.grad = None
    (x * 5).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [5.0, 5.0])


def test_second_backward_through_a_freed_graph_is_a_clear_error() -> None:
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(GraphFreedError, match="second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward() -> None:
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 8.0])


def test_branches_not_leading_to_the_output_are_ignored() -> None:
    x = leaf([1.0, 2.0])
    unused = x.exp() * 100  # a dead branch hanging off x
    y = (x * 2).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])
    assert unused.grad is None


def test_inputs_that_do_not_require_grad_get_no_gradient() -> None:
    x = leaf([1.0, 2.0])
    c = dlkit.tensor([3.0, 4.0], dtype="float64")
    (x * c).sum().backward()
    assert c.grad is None
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 4.0])


def test_no_grad_records_nothing() -> None:
    x = leaf([1.0])
    with dlkit.no_grad():
        y = x * 2
        assert not dlkit.is_grad_enabled()
        with dlkit.enable_grad():
            z = x * 2
    assert dlkit.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad

    @dlkit.no_grad()
    def f(t):
        return t * 3

    assert not f(x).requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_detach_cuts_the_graph_and_shares_memory() -> None:
    x = leaf([1.0, 2.0])
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf
    y = (x * d).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


def test_retain_grad_keeps_intermediate_gradients() -> None:
    x = leaf([1.0, 2.0])
    h = x * 3
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.numpy(), [6.0, 12.0])


def test_non_scalar_backward_needs_a_gradient() -> None:
    x = leaf([1.0, 2.0])
    y = x * 2
    with pytest.raises(RuntimeError, match="only for scalar outputs.*shape \\(2,\\)"):
        y.backward()
    y.backward(dlkit.tensor([1.0, 10.0], dtype="float64"))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 20.0])
    with pytest.raises(RuntimeError, match="gradient has shape \\(3,\\)"):
        (x * 2).backward(dlkit.tensor([1.0, 1.0, 1.0]))


def test_backward_of_a_leaf() -> None:
    x = leaf(2.0)
    x.backward()
    assert x.grad.item() == 1.0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_grads_keep_their_tensors_shape_and_dtype(dtype: str) -> None:
    x = dlkit.tensor(np.ones((3, 1)), dtype=dtype, requires_grad=True)
    b = dlkit.tensor(np.ones(4), dtype=dtype, requires_grad=True)
    ((x + b) * 2.5).sum().backward()
    assert x.grad.shape == (3, 1) and x.grad.dtype_name == dtype
    assert b.grad.shape == (4,) and b.grad.dtype_name == dtype
    np.testing.assert_allclose(x.grad.numpy(), np.full((3, 1), 10.0))
    np.testing.assert_allclose(b.grad.numpy(), np.full(4, 7.5))


def test_mixed_precision_gradient_is_cast_back_to_each_input() -> None:
    x = dlkit.tensor([1.0, 2.0], requires_grad=True)  # float32
    y = dlkit.tensor([3.0, 4.0], dtype="float64", requires_grad=True)
    out = (x * y).sum()
    assert out.dtype_name == "float64"
    out.backward()
    assert x.grad.dtype_name == "float32" and y.grad.dtype_name == "float64"


def test_leaf_gradients_do_not_alias_each_other() -> None:
    a, b = leaf([1.0]), leaf([2.0])
    (a + b).sum().backward()
    a.grad.data += 100
    assert b.grad.item() == 1.0


def test_graph_is_freed_by_reference_counting() -> None:
    gc.disable()
    try:
        x = leaf(np.ones(1000))
        h = (x * 2).exp()
        ref = weakref.ref(h)
        loss = h.sum()
        del h
        loss.backward()
        del loss
        assert ref() is None, "the graph survived its loss: a reference cycle keeps it alive"
    finally:
        gc.enable()


class Cube(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a ** 3

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return 3 * a * a * grad


class BadShape(Function):
    @staticmethod
    def forward(ctx, a):
        return a * 2

    @staticmethod
    def backward(ctx, grad):
        return grad[:1]


def test_custom_function_in_the_lesson_shape() -> None:
    x = leaf([1.0, 2.0])
    y = Cube.apply(x)
    assert repr(y.grad_fn) == "<CubeBackward>"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 12.0])
    assert dlkit.gradcheck.gradcheck(Cube.apply, [leaf([0.5, -1.5])])


def test_a_backward_returning_the_wrong_shape_is_named() -> None:
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(RuntimeError, match=r"BadShape.backward returned a gradient of shape \(1, 2\) for input 0, which has shape \(2, 2\)"):
        BadShape.apply(x).sum().backward()


def test_needs_input_grad_tells_backward_what_to_skip() -> None:
    seen = {}

    class Spy(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, grad):
            seen["needs"] = ctx.needs_input_grad
            return None, grad

    a = dlkit.tensor([1.0])
    b = leaf([2.0])
    Spy.apply(a, b).sum().backward()
    assert seen["needs"] == (False, True)


def test_apply_guard_sees_every_function() -> None:
    called = []
    previous = dlkit.autograd.set_apply_guard(lambda fn: called.append(fn.__name__))
    try:
        (leaf([1.0]) * 2).exp()
    finally:
        dlkit.autograd.set_apply_guard(previous)
    assert called == ["Mul", "Exp"]
