"""The learner cannot call the reference: dlkit ops, torch, grader references, numerical gradients.

Every blocked path must fail with reference_called while the learner's function runs, and
everything must work again afterwards, also when the learner's function raised.
"""
import sys

import numpy as np
import pytest

import dlkit
import dlkit.functional as F
from dlkit.autograd import function as function_module
from dlgrade import CheckFailed, ReferenceBlocked, check, get_exercise, numerical_gradient
from dlgrade.harness.guard import blocking, is_active

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402


def code_of(name, fn):
    try:
        check(name, fn)
    except CheckFailed as exc:
        return exc.code, str(exc)
    return None, ""


def test_dlkit_functional_is_refused_and_restored():
    code, msg = code_of("activations.relu_forward", lambda x: F.relu(dlkit.tensor(x)).numpy())
    assert code == "reference_called" and "Implement this step yourself" in msg
    assert F.relu(dlkit.tensor([1.0, -1.0])).numpy().tolist() == [1.0, 0.0]
    assert function_module._apply_guard is None


def test_dlkit_op_bound_before_the_check_is_refused():
    relu = F.relu  # a name bound before the check: only the apply guard can stop it
    code, _ = code_of("activations.relu_forward", lambda x: relu(dlkit.tensor(x)).numpy())
    assert code == "reference_called"


def test_tensor_methods_and_autograd_are_refused():
    def back(dout, x):
        t = dlkit.tensor(x, requires_grad=True)
        t.relu().backward(dlkit.tensor(dout))
        return t.grad.numpy()
    assert code_of("activations.relu_backward", back)[0] == "reference_called"


def test_torch_imported_at_top_is_refused_and_restored():
    code, msg = code_of("losses.softmax", lambda x: TF.softmax(torch.tensor(x), dim=1).numpy())
    assert code == "reference_called" and "torch" in msg
    assert torch.tensor([1.0]).item() == 1.0 and TF.relu is not None
    assert sys.modules["torch"] is torch


def test_torch_imported_inside_is_refused():
    def sm(x):
        import torch as th
        return th.softmax(th.tensor(x), 1).numpy()
    assert code_of("losses.softmax", sm)[0] == "reference_called"


def test_torch_function_bound_by_name_is_refused():
    from torch import tanh as ttanh
    assert code_of("activations.tanh_forward", lambda x: ttanh(torch.tensor(x)).numpy())[0] == "reference_called"


def test_swallowed_refusal_still_fails():
    def sneaky(x):
        try:
            return torch.tanh(torch.tensor(x)).numpy()
        except Exception:
            return np.tanh(x)
    assert code_of("activations.tanh_forward", sneaky)[0] == "reference_called"


def test_grader_reference_and_numerical_gradient_are_refused():
    ref = get_exercise("linreg.predict").reference
    assert code_of("linreg.predict", lambda X, w, b: ref(X, w, b))[0] == "reference_called"
    assert not hasattr(ref, "__wrapped__")

    def numeric(dout, x):
        return numerical_gradient(lambda z: np.tanh(z), x.copy(), dout)
    assert code_of("activations.tanh_backward", numeric)[0] == "reference_called"
    assert numerical_gradient(lambda z: np.sum(z ** 2), np.ones(2)).tolist() == pytest.approx([2.0, 2.0])


def test_gradcheck_module_is_refused_and_restored():
    import dlkit.gradcheck as gc
    original = gc.numerical_grad
    with blocking("x.y", lambda: None):
        with pytest.raises(ReferenceBlocked):
            gc.numerical_grad(lambda: None, None)
    assert gc.numerical_grad is original


def test_everything_restored_after_learner_exception():
    def boom(x):
        raise ValueError("learner bug")
    before = (dict(vars(F)), sys.modules["torch"], function_module._apply_guard)
    assert code_of("activations.relu_forward", boom)[0] == "exception"
    assert (dict(vars(F)), sys.modules["torch"], function_module._apply_guard) == before
    assert not is_active()


def test_plain_numpy_is_not_affected():
    check("activations.relu_forward", lambda x: np.maximum(x, 0))


def test_an_existing_apply_guard_is_kept():
    seen = []
    previous = function_module.set_apply_guard(lambda cls: seen.append(cls.__name__))
    try:
        check("activations.relu_forward", lambda x: np.maximum(x, 0))
        seen.clear()  # the reference (dlkit's F.relu, run by the check itself) went through it too
        F.relu(dlkit.tensor([1.0]))
        assert seen == ["ReLU"] and function_module._apply_guard is not None
    finally:
        function_module.set_apply_guard(previous)


def test_nested_checks_are_refused():
    with blocking("a.b", lambda: None):
        with pytest.raises(RuntimeError, match="already running"):
            with blocking("c.d", lambda: None):
                pass


def test_array_helpers_of_data_optim_and_init_are_refused_and_restored():
    import dlkit.data
    import dlkit.optim
    from dlkit.data import one_hot  # bound by name before the check, as a notebook would

    def via_module(labels, num_classes):
        return dlkit.data.one_hot(dlkit.tensor(labels), num_classes).numpy()

    def via_name(labels, num_classes):
        return one_hot(dlkit.tensor(labels), num_classes).numpy()

    for fn in (via_module, via_name):
        code, msg = code_of("tensors.one_hot", fn)
        assert code == "reference_called" and "one_hot" in msg, (fn.__name__, code, msg)

    def ema_via_optim(xs, beta):
        avg, out = dlkit.zeros(xs.shape[1:], dtype="float64"), []
        for x in xs:
            dlkit.optim.ema_(avg, dlkit.tensor(x), beta)
            out.append(avg.numpy().copy())
        return np.stack(out)
    assert code_of("optim.ema", ema_via_optim)[0] == "reference_called"
    assert dlkit.data.one_hot is one_hot and one_hot.__module__.startswith("dlkit.data")
    assert one_hot(dlkit.tensor(np.array([1, 0])), 2).numpy().tolist() == [[0, 1], [1, 0]]


def test_a_class_of_a_blocked_package_answers_isinstance_and_refuses_to_be_made():
    """Array libraries ask isinstance(x, torch.Tensor) of every array: that must answer, not refuse."""
    def fn(x):
        import torch
        assert not isinstance(x, torch.Tensor)
        return torch.Tensor(3)

    with blocking("linreg.mse", fn, blocked=()):
        with pytest.raises(ReferenceBlocked):
            fn(np.ones(2))
