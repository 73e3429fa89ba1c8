"""Tensors: creation, dtype rules, conversions, printing, and errors that name the op and shapes."""
from __future__ import annotations

import numpy as np
import pytest

import dlkit
import dlkit.functional as F
from dlkit import ShapeError


def test_python_data_follows_torch_dtype_rules() -> None:
    assert dlkit.tensor([1.0, 2.0]).dtype_name == "float32"
    assert dlkit.tensor([1, 2]).dtype_name == "int64"
    assert dlkit.tensor([True, False]).dtype_name == "bool"
    assert dlkit.tensor(3.5).shape == ()
    assert dlkit.tensor(np.arange(3.0)).dtype_name == "float64"  # arrays keep their dtype
    assert dlkit.tensor(np.arange(3, dtype=np.int32)).dtype_name == "int32"
    assert dlkit.tensor([1, 2], dtype=dlkit.float64).dtype_name == "float64"


def test_tensor_copies_its_data_but_from_numpy_shares() -> None:
    a = np.zeros(3, dtype=np.float32)
    t, s = dlkit.tensor(a), dlkit.from_numpy(a)
    a[0] = 5
    assert t.numpy()[0] == 0 and s.numpy()[0] == 5


@pytest.mark.parametrize("scalar", [2.0, 2, np.float64(2.0), np.float32(2.0), np.int64(2)])
def test_python_and_numpy_scalars_never_promote_float32(scalar) -> None:
    x = dlkit.ones(3)
    for y in (x * scalar, scalar * x, x + scalar, x - scalar, scalar - x, x / scalar, scalar / x, x ** scalar):
        assert y.dtype_name == "float32", (type(scalar), y.dtype_name)


def test_integer_tensors_meet_floats_like_torch() -> None:
    i = dlkit.tensor([1, 2])
    assert (i * 0.5).dtype_name == "float32"
    assert (i / i).dtype_name == "float32"
    assert (i + 1).dtype_name == "int64"
    assert (i + dlkit.ones(2)).dtype_name == "float32"


def test_creation_functions() -> None:
    assert dlkit.zeros(2, 3).shape == (2, 3) and dlkit.zeros((2, 3)).dtype_name == "float32"
    assert dlkit.ones(4).numpy().sum() == 4
    assert dlkit.full((2,), 7).dtype_name == "int64" and dlkit.full((2,), 7.0).dtype_name == "float32"
    assert dlkit.arange(5).tolist() == [0, 1, 2, 3, 4] and dlkit.arange(0, 1, 0.25).dtype_name == "float32"
    x = dlkit.randn(3, 2, dtype="float64")
    assert dlkit.zeros_like(x).dtype_name == "float64" and dlkit.ones_like(x).shape == (3, 2)
    assert dlkit.randn_like(x).shape == (3, 2)
    with pytest.raises(ValueError, match="size must be non-negative integers"):
        dlkit.zeros(2, -1)


def test_manual_seed_makes_random_functions_repeat() -> None:
    dlkit.manual_seed(42)
    a = (dlkit.rand(3).numpy(), dlkit.randn(2, 2).numpy(), dlkit.randint(0, 10, (4,)).numpy())
    dlkit.manual_seed(42)
    b = (dlkit.rand(3).numpy(), dlkit.randn(2, 2).numpy(), dlkit.randint(0, 10, (4,)).numpy())
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert a[0].dtype == np.float32 and a[2].dtype == np.int64


def test_requires_grad_only_for_floats() -> None:
    with pytest.raises(RuntimeError, match="only floating-point tensors can require gradients.*int64"):
        dlkit.tensor([1, 2], requires_grad=True)
    t = dlkit.zeros(2).requires_grad_()
    assert t.requires_grad and t.is_leaf


def test_item_numpy_and_conversions() -> None:
    t = dlkit.tensor([[1.5]])
    assert t.item() == 1.5 and float(t) == 1.5 and t.numel() == 1 and t.ndim == 2 and t.size(0) == 1
    with pytest.raises(ValueError, match="only one-element tensors"):
        dlkit.ones(2).item()
    with pytest.raises(RuntimeError, match="detach\\(\\).numpy\\(\\)"):
        dlkit.ones(2, requires_grad=True).numpy()
    assert dlkit.ones(2).double().dtype_name == "float64" and dlkit.ones(2).long().dtype_name == "int64"
    assert np.asarray(dlkit.arange(3)).tolist() == [0, 1, 2]
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(dlkit.ones(2))


def test_repr_looks_like_torch() -> None:
    assert repr(dlkit.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(dlkit.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert repr(dlkit.tensor([1.0], dtype="float64")) == "tensor([1.], dtype=float64)"
    assert "grad_fn=<MulBackward>" in repr(dlkit.tensor([1.0], requires_grad=True) * 2)


def test_comparisons_give_bool_tensors_without_grad() -> None:
    x = dlkit.tensor([1.0, 2.0, 3.0], requires_grad=True)
    m = x > 1.5
    assert m.dtype_name == "bool" and not m.requires_grad
    assert m.tolist() == [False, True, True]
    assert (x == x).all().item() and (2.0 < x).tolist() == [False, False, True]


def test_numpy_arrays_on_the_left_defer_to_tensors() -> None:
    x = dlkit.tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0], dtype=np.float32) * x
    assert isinstance(y, dlkit.Tensor) and y.requires_grad
    assert isinstance(np.ones(2) @ x, dlkit.Tensor)


def test_setitem_outside_autograd_and_refused_inside() -> None:
    t = dlkit.zeros(3)
    t[1] = 5.0
    assert t.tolist() == [0.0, 5.0, 0.0]
    x = dlkit.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="in-place assignment"):
        x[0] = 1.0
    with dlkit.no_grad():
        x[0] = 1.0
    assert x.detach().tolist()[0] == 1.0


@pytest.mark.parametrize(
    "make, pattern",
    [
        (lambda: dlkit.ones(3) + dlkit.ones(4), r"add: shapes \(3,\) and \(4,\) cannot be broadcast together"),
        (lambda: dlkit.ones(2, 3) * dlkit.ones(2, 2), r"mul: shapes \(2, 3\) and \(2, 2\) cannot be broadcast.*dimension -1"),
        (lambda: dlkit.ones(2, 3) @ dlkit.ones(2, 3), r"matmul: a.shape\[-1\] \(3\) must equal b.shape\[-2\] \(2\).*\(transposed\?\)"),
        (lambda: dlkit.ones(2, 3) @ dlkit.ones(4), r"matmul: a.shape\[-1\] \(3\) must equal b.shape\[0\] \(4\)"),
        (lambda: dlkit.ones(2, 3).reshape(4, 2), r"reshape: cannot reshape a tensor of shape \(2, 3\) \(6 elements\) into shape \(4, 2\)"),
        (lambda: dlkit.cat([dlkit.ones(2, 3), dlkit.ones(3, 3)], dim=1), r"cat: tensors must have the same shape except along dim 1.*\(2, 3\), \(3, 3\)"),
        (lambda: dlkit.stack([dlkit.ones(2), dlkit.ones(3)]), r"stack: all tensors must have the same shape"),
        (lambda: dlkit.ones(3, 1).expand(3, 4, 2), r"expand: cannot expand shape \(3, 1\) to \(3, 4, 2\)"),
        (lambda: dlkit.maximum(dlkit.ones(2), dlkit.ones(3)), r"maximum: shapes \(2,\) and \(3,\)"),
    ],
)
def test_shape_errors_name_the_op_and_the_shapes(make, pattern) -> None:
    with pytest.raises(ShapeError, match=pattern):
        make()


def test_other_argument_errors() -> None:
    with pytest.raises(IndexError, match="sum: dim 3 is out of range for a tensor with 2 dimension"):
        dlkit.ones(2, 2).sum(dim=3)
    with pytest.raises(IndexError, match=r"index: .*tensor shape \(2,\)"):
        dlkit.ones(2)[5]
    with pytest.raises(ValueError, match="permute: dims"):
        dlkit.ones(2, 3).permute(0, 0)
    with pytest.raises(ValueError, match="clamp: at least one of min and max"):
        F.clamp(dlkit.ones(2))


def test_axis_and_keepdims_spellings() -> None:
    x = dlkit.tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(x.sum(axis=1, keepdims=True).numpy(), x.sum(dim=1, keepdim=True).numpy())
    assert x.mean(axis=0).shape == (3,)


def test_stable_sigmoid_and_logsumexp() -> None:
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        s = dlkit.tensor([-1e4, 0.0, 1e4]).sigmoid().numpy()
        np.testing.assert_allclose(s, [0.0, 0.5, 1.0])
        lse = dlkit.tensor([[1e4, 1e4], [-1e4, -1e4]]).logsumexp(dim=1).numpy()
        np.testing.assert_allclose(lse, [1e4 + np.log(2), -1e4 + np.log(2)])


def test_leaf_tensors_pickle_and_deepcopy() -> None:
    import copy
    import pickle

    model = dlkit.nn.Linear(3, 2)
    clone = copy.deepcopy(model)
    assert type(clone.weight) is type(model.weight) and clone.weight.requires_grad
    assert clone.weight.data is not model.weight.data
    np.testing.assert_array_equal(clone.weight.data, model.weight.data)
    t = pickle.loads(pickle.dumps(dlkit.tensor([1.0, 2.0], requires_grad=True)))
    assert t.requires_grad and t.tolist() == [1.0, 2.0]
    with pytest.raises(RuntimeError, match="only leaf tensors"):
        copy.deepcopy(t * 2)
