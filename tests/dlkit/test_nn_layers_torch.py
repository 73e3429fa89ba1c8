"""nn layers against torch.nn: default initialization statistics, and the same outputs, gradients,
running statistics and state-dict keys when the weights are copied over."""
from __future__ import annotations

import math

import numpy as np
import pytest

import dlkit
import dlkit.nn as nn

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install -e .[reference])")
pytestmark = [pytest.mark.torch, pytest.mark.filterwarnings("ignore:Implicit dimension choice")]


def copy_from_torch(ours: nn.Module, theirs) -> None:
    """Load torch's state dict (weights and buffers) into ours; the keys must match exactly."""
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def _tensors(x: np.ndarray, dtype: str):
    return dlkit.tensor(x, dtype=dtype, requires_grad=True), torch.tensor(x, dtype=getattr(torch, dtype), requires_grad=True)


def _compare(ours: nn.Module, theirs, x: np.ndarray, dtype: str = "float64", tol: float | None = None) -> None:
    ours.to(dtype)
    theirs.to(getattr(torch, dtype))
    a, b = _tensors(x, dtype)
    out, ref = ours(a), theirs(b)
    direction = np.random.default_rng(1).standard_normal(tuple(ref.shape))
    out.backward(dlkit.tensor(direction, dtype=dtype))
    ref.backward(torch.tensor(direction, dtype=getattr(torch, dtype)))
    tol = tol or (1e-10 if dtype == "float64" else 2e-5)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=tol, atol=tol)
    named = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), named[name].grad.numpy(), rtol=tol, atol=tol, err_msg=name)
    buffers = dict(theirs.named_buffers())
    for name, buf in ours.named_buffers():
        np.testing.assert_allclose(buf.numpy(), buffers[name].numpy(), rtol=tol, atol=tol, err_msg=name)


LAYERS = [
    ("linear", lambda m: m.Linear(5, 3), (4, 5)),
    ("linear_no_bias_3d", lambda m: m.Linear(5, 2, bias=False), (2, 3, 5)),
    ("conv2d", lambda m: m.Conv2d(3, 4, 3, stride=2, padding=1), (2, 3, 7, 6)),
    ("conv2d_rect_same", lambda m: m.Conv2d(2, 3, (3, 5), padding="same"), (1, 2, 6, 7)),
    ("conv1d", lambda m: m.Conv1d(3, 2, 4, stride=2, padding=1), (2, 3, 9)),
    ("maxpool", lambda m: m.MaxPool2d(3, stride=2, padding=1), (2, 2, 7, 5)),
    ("avgpool", lambda m: m.AvgPool2d(2), (2, 2, 6, 5)),
    ("batchnorm1d", lambda m: m.BatchNorm1d(4), (6, 4)),
    ("batchnorm1d_3d", lambda m: m.BatchNorm1d(3, momentum=0.3), (4, 3, 5)),
    ("batchnorm2d", lambda m: m.BatchNorm2d(3), (4, 3, 3, 2)),
    ("batchnorm2d_no_affine_no_tracking", lambda m: m.BatchNorm2d(3, affine=False, track_running_stats=False), (4, 3, 2, 2)),
    ("layernorm", lambda m: m.LayerNorm(4), (6, 4)),
    ("layernorm_2_axes_3d", lambda m: m.LayerNorm((3, 2), eps=1e-3), (4, 3, 2)),
    ("layernorm_no_bias", lambda m: m.LayerNorm(5, bias=False), (2, 3, 5)),
    ("layernorm_no_affine", lambda m: m.LayerNorm(3, elementwise_affine=False), (4, 3)),
    ("relu", lambda m: m.ReLU(), (3, 4)),
    ("leaky_relu", lambda m: m.LeakyReLU(0.1), (3, 4)),
    ("sigmoid", lambda m: m.Sigmoid(), (3, 4)),
    ("tanh", lambda m: m.Tanh(), (3, 4)),
    ("gelu", lambda m: m.GELU(), (3, 4)),
    ("softmax_default_dim", lambda m: m.Softmax(), (3, 4)),
    ("log_softmax_default_dim_3d", lambda m: m.LogSoftmax(), (2, 3, 4)),
    ("flatten", lambda m: m.Flatten(), (2, 3, 2, 2)),
    ("identity", lambda m: m.Identity(), (2, 3)),
    ("sequential", lambda m: m.Sequential(m.Linear(4, 6), m.Tanh(), m.Linear(6, 2)), (5, 4)),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name, make, shape", LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_matches_torch_with_copied_weights(name, make, shape, dtype) -> None:
    theirs = make(torch.nn)
    ours = make(nn)
    assert list(ours.state_dict()) == list(theirs.state_dict()), "state-dict keys differ from torch's"
    copy_from_torch(ours, theirs)
    x = np.random.default_rng(0).standard_normal(shape)
    _compare(ours, theirs, x, dtype)
    if any(True for _ in ours.buffers()):  # batch norm: a second step, then evaluation mode
        _compare(ours, theirs, x * 2 + 1, dtype)
        ours.eval(), theirs.eval()
        _compare(ours, theirs, x - 1, dtype)


@pytest.mark.parametrize(
    "make, args",
    [
        (lambda m, w: m.MSELoss(), "regression"),
        (lambda m, w: m.L1Loss(reduction="sum"), "regression"),
        (lambda m, w: m.BCEWithLogitsLoss(pos_weight=w(np.array([0.5, 2.0, 1.0]))), "binary"),
        (lambda m, w: m.BCELoss(weight=w(np.array([0.5, 2.0, 1.0]))), "probability"),
        (lambda m, w: m.CrossEntropyLoss(weight=w(np.array([1.0, 0.5, 2.0])), label_smoothing=0.05), "classes"),
        (lambda m, w: m.NLLLoss(reduction="none"), "log_probs"),
        (lambda m, w: m.MultiMarginLoss(margin=0.5), "classes"),
    ],
)
def test_loss_modules_match_torch(make, args) -> None:
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 3))
    ours = make(nn, lambda a: dlkit.tensor(a, dtype="float64"))
    theirs = make(torch.nn, lambda a: torch.tensor(a))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    if args in ("classes", "log_probs"):
        target = np.array([2, 0, 1, 2])
        t_ours, t_theirs = dlkit.tensor(target), torch.tensor(target)
    else:
        y = rng.uniform(0, 1, (4, 3)) if args != "regression" else rng.standard_normal((4, 3))
        t_ours, t_theirs = dlkit.tensor(y), torch.tensor(y)
    a, b = _tensors(x, "float64")
    if args == "probability":
        out, ref = ours(a.sigmoid(), t_ours), theirs(b.sigmoid(), t_theirs)
    elif args == "log_probs":
        out, ref = ours(dlkit.functional.log_softmax(a, 1), t_ours), theirs(torch.log_softmax(b, 1), t_theirs)
    else:
        out, ref = ours(a, t_ours), theirs(b, t_theirs)
    out.sum().backward()
    ref.sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    "make, fan_in",
    [(lambda m: m.Linear(400, 300), 400), (lambda m: m.Conv2d(16, 32, 3), 144), (lambda m: m.Conv1d(8, 64, 5), 40)],
)
def test_default_initialization_has_torch_statistics(make, fan_in) -> None:
    dlkit.manual_seed(0)
    torch.manual_seed(0)
    ours, theirs = make(nn), make(torch.nn)
    bound = 1 / math.sqrt(fan_in)
    for name in ("weight", "bias"):
        mine = getattr(ours, name).detach().numpy()
        yours = getattr(theirs, name).detach().numpy()
        assert mine.shape == yours.shape and mine.dtype == np.float32
        assert np.abs(mine).max() <= bound and np.abs(mine).max() > 0.9 * bound
        if mine.size > 1000:  # U(-b, b): std b/√3, mean 0 — as torch's draws
            assert abs(mine.std() - bound / math.sqrt(3)) < 0.03 * bound
            assert abs(mine.std() - yours.std()) < 0.03 * bound
            assert abs(mine.mean()) < 0.03 * bound


def test_batchnorm_default_state_matches_torch() -> None:
    ours, theirs = nn.BatchNorm2d(5), torch.nn.BatchNorm2d(5)
    for (k, v), (k2, v2) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        assert k == k2
        np.testing.assert_array_equal(v.numpy(), v2.numpy(), err_msg=k)
        assert v.numpy().dtype == v2.numpy().dtype, k


def test_batchnorm_cumulative_average_with_momentum_none() -> None:
    ours, theirs = nn.BatchNorm1d(2, momentum=None), torch.nn.BatchNorm1d(2, momentum=None)
    rng = np.random.default_rng(4)
    for _ in range(3):
        x = rng.standard_normal((5, 2))
        ours(dlkit.tensor(x, dtype="float32"))
        theirs(torch.tensor(x, dtype=torch.float32))
    np.testing.assert_allclose(ours.running_var.numpy(), theirs.running_var.numpy(), rtol=1e-5)
    assert ours.num_batches_tracked.item() == 3


def test_dropout_module_follows_the_mode() -> None:
    drop = nn.Dropout(0.5)
    x = dlkit.ones(50, 50)
    assert np.any(drop(x).numpy() == 0)
    drop.eval()
    assert drop(x) is x
    with pytest.raises(ValueError, match="p must be a probability"):
        nn.Dropout(2.0)
