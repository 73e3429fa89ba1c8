"""The graders' references are right: backward references agree with numerical gradients of
the forward references, and forward references with PyTorch where it has the op."""
import numpy as np
import pytest

from dlgrade import exercise_names, get_exercise, numerical_gradient
from dlgrade.calling import answer
from dlgrade.harness.graphs import value_graph
from dlgrade.lessons.l04_backprop import graphs as autodiff


def _ref(name):
    return get_exercise(name).reference


# backward exercise -> (forward as a function of the backward's arguments, the inputs its
# outputs are gradients of, in output order). Losses are scalar: no dout.
BACKWARDS = {
    "layers.linear_backward": (lambda a: _ref("layers.linear_forward")(a["x"], a["W"], a["b"]), ["x", "W", "b"]),
    "activations.relu_backward": (lambda a: _ref("activations.relu_forward")(a["x"]), ["x"]),
    "activations.sigmoid_backward": (lambda a: _ref("activations.sigmoid_forward")(a["x"]), ["x"]),
    "activations.tanh_backward": (lambda a: _ref("activations.tanh_forward")(a["x"]), ["x"]),
    "regularization.dropout_backward": (
        lambda a: _ref("regularization.dropout_forward")(a["x"], a["mask"], a["p"]), ["x"]),
    "regularization.batchnorm_backward": (
        lambda a: _ref("regularization.batchnorm_forward")(a["x"], a["gamma"], a["beta"], a["eps"]),
        ["x", "gamma", "beta"]),
    "cnn.conv2d_backward": (
        lambda a: _ref("cnn.conv2d_forward")(a["x"], a["weight"], a["b"], a["stride"], a["padding"]),
        ["x", "weight", "b"]),
    "cnn.max_pool_backward": (
        lambda a: _ref("cnn.max_pool_forward")(a["x"], a["kernel_size"], a["stride"]), ["x"]),
    "losses.cross_entropy_backward": (lambda a: _ref("losses.cross_entropy")(a["logits"], a["y"]), ["logits"]),
    "losses.mse_backward": (lambda a: np.mean((a["y_pred"] - a["y"]) ** 2), ["y_pred"]),
    "linreg.mse_gradients": (lambda a: np.mean((a["X"] @ a["w"] + a["b"] - a["y"]) ** 2), ["w", "b"]),
}


def _pool_ties(x, k, s):
    """True when some k × k window (stride s) of x holds its maximum more than once."""
    win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]
    return bool(np.any((win == win.max(axis=(4, 5), keepdims=True)).sum(axis=(4, 5)) > 1))


def _rel_to_scale(num, grad):
    """rel_error with a floor at 1e-3 of the gradient's largest entry: a centered difference rounds near 1e-11,
    which is a large RELATIVE error only for an entry far below the rest (a probability of 1e-6 beside 0.1)."""
    floor = max(1e-8, 1e-3 * float(np.max(np.abs(grad), initial=0.0)))
    return float(np.max(np.abs(num - grad) / np.maximum(floor, np.abs(num) + np.abs(grad)), initial=0.0))


def _float64(args):
    """The case's float arrays in float64: the references compute in float64 whatever the learner is given."""
    return {k: v.astype(np.float64) if isinstance(v, np.ndarray) and v.dtype.kind == "f" else v
            for k, v in args.items()}


@pytest.mark.parametrize("name", sorted(BACKWARDS))
def test_backward_reference_matches_numerical_gradient(name):
    forward, wrt = BACKWARDS[name]
    ex = get_exercise(name)
    rng = np.random.default_rng(0)
    for case in ex.make_cases(False) + ex.make_cases(True):
        if case.stress:  # huge logits: finite differences lose all precision there
            continue
        args = _float64(case.fresh())  # a float32 case's dtype is checked elsewhere; differences need float64
        if name == "cnn.max_pool_backward" and _pool_ties(args["x"], args["kernel_size"], args["stride"]):
            continue  # a tie is a kink of the max: no derivative to estimate (the tie rule is checked against torch)
        if name == "activations.relu_backward" and np.any(args["x"] == 0):
            # the kink at 0: no derivative to estimate; the lesson's rule (0 there, as torch's) is checked instead
            assert np.all(ex.reference(*args.values())[args["x"] == 0] == 0), case.label
            continue
        out = ex.reference(*args.values())
        out = out if isinstance(out, tuple) else (out,)
        full = dict(args)
        if name == "regularization.dropout_backward":
            full["x"] = rng.normal(size=args["dout"].shape)
        if name == "regularization.batchnorm_backward":
            full["beta"] = rng.normal(size=args["gamma"].shape)
        for k, grad in zip(wrt, out):
            def f(v, k=k):
                return forward({**full, k: v})
            num = numerical_gradient(f, np.array(full[k], dtype=float), args.get("dout"))
            assert _rel_to_scale(num, grad) < 1e-6, (name, case.label, k)


TORCH_FORWARD = {
    "losses.softmax": lambda t, F, a: F.softmax(t(a["x"]), dim=1),
    "losses.cross_entropy": lambda t, F, a: F.cross_entropy(t(a["logits"]), t(a["y"])),
    "activations.sigmoid_forward": lambda t, F, a: t(a["x"]).sigmoid(),
    "regularization.batchnorm_forward": lambda t, F, a: F.batch_norm(
        t(a["x"]), None, None, t(a["gamma"]), t(a["beta"]), training=True, eps=a["eps"]),
    "cnn.conv2d_forward": lambda t, F, a: F.conv2d(t(a["x"]), t(a["weight"]), t(a["b"]),
                                                   stride=a["stride"], padding=a["padding"]),
    "cnn.max_pool_forward": lambda t, F, a: F.max_pool2d(t(a["x"]), a["kernel_size"], a["stride"]),
}


@pytest.mark.parametrize("name", sorted(TORCH_FORWARD))
def test_forward_reference_matches_torch(name):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F
    ex = get_exercise(name)
    for case in ex.make_cases(False) + ex.make_cases(True):
        a = _float64(case.fresh())
        got = TORCH_FORWARD[name](torch.as_tensor, F, a).numpy()
        assert np.allclose(ex.reference(*a.values()), got, rtol=1e-10, atol=1e-10), (name, case.label)


def test_max_pool_backward_reference_matches_torch_with_ties():
    """The tie rule the lesson teaches: a window's gradient goes to its first maximum, as torch's does."""
    torch = pytest.importorskip("torch")
    ex = get_exercise("cnn.max_pool_backward")
    cases = ex.make_cases(False) + ex.make_cases(True)
    assert any(_pool_ties(c.args["x"], c.args["kernel_size"], c.args["stride"]) for c in cases)
    for case in cases:
        a = _float64(case.fresh())  # exact for float32 cases: their ties stay ties, and sums are not rounded
        x = torch.tensor(a["x"], requires_grad=True)
        torch.nn.functional.max_pool2d(x, a["kernel_size"], a["stride"]).backward(torch.tensor(a["dout"]))
        assert np.allclose(ex.reference(*a.values()), x.grad.numpy(), rtol=1e-12, atol=1e-12), case.label


@pytest.mark.parametrize("opt", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_optimizer_references_match_torch(opt):
    torch = pytest.importorskip("torch")
    ex = get_exercise(f"optim.{opt}")
    for case in ex.make_cases(False):
        a = _float64(case.fresh())
        p = torch.tensor(a["w"].copy(), requires_grad=True)
        if opt == "sgd":
            o = torch.optim.SGD([p], lr=a["lr"])
        elif opt in ("momentum", "nesterov"):
            o = torch.optim.SGD([p], lr=a["lr"], momentum=a["mu"], nesterov=opt == "nesterov")
            o.state[p]["momentum_buffer"] = torch.tensor(a["v"].copy())
        elif opt == "adagrad":
            o = torch.optim.Adagrad([p], lr=a["lr"], eps=a["eps"])
        elif opt == "rmsprop":
            o = torch.optim.RMSprop([p], lr=a["lr"], alpha=a["alpha"], eps=a["eps"])
        else:
            o = torch.optim.Adam([p], lr=a["lr"], betas=(a["beta1"], a["beta2"]), eps=a["eps"])
        if opt in ("adagrad", "rmsprop", "adam"):
            # create the state with one zero-gradient step at lr 0, then overwrite it
            for g in o.param_groups:
                lr, g["lr"] = g["lr"], 0.0
            p.grad = torch.zeros_like(p)
            o.step()
            for g in o.param_groups:
                g["lr"] = lr
            st = o.state[p]
            if opt == "adagrad":
                st["sum"].copy_(torch.tensor(a["s"]))
                st["step"].fill_(0)
            elif opt == "rmsprop":
                st["square_avg"].copy_(torch.tensor(a["s"]))
            else:
                st["exp_avg"].copy_(torch.tensor(a["m"]))
                st["exp_avg_sq"].copy_(torch.tensor(a["v"]))
                st["step"].fill_(a["t"] - 1)
        p.grad = torch.tensor(a["dw"])
        o.step()
        want = ex.reference(*a.values())
        want = want[0] if isinstance(want, tuple) else want
        assert np.allclose(p.detach().numpy(), want, rtol=1e-10, atol=1e-12), (opt, case.label)


def test_autodiff_reference_matches_numerical_gradient():
    for kind in ["chain", "diamond", "square", "shared"]:
        vals = np.array([0.3, -0.7, 1.1, 0.4])
        _, nodes = value_graph(kind, vals, answer)
        grads = autodiff.backward(kind, vals)
        leaves = {v.label: g for v, g in zip(nodes, grads) if not v._prev}
        num = numerical_gradient(lambda v: value_graph(kind, v, answer)[0].data, vals.copy())
        for i, name in enumerate("abcd"):
            if name in leaves:
                assert abs(leaves[name] - num[i]) < 1e-7, (kind, name)


def test_every_exercise_has_cases_with_batch_or_shape_variety():
    for name in exercise_names():
        ex = get_exercise(name)
        vis, hid = ex.make_cases(False), ex.make_cases(True)
        assert len(vis) >= 3 and len(hid) >= 3, name
