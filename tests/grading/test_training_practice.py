"""Lesson 10's graders are right: the references agree with PyTorch, with finite differences and with hand-made
cases (a rotation by 90° is np.rot90), and the planted gradient bugs are what the gradient check finds."""
from __future__ import annotations

import numpy as np
import pytest

from dlgrade import get_exercise, numerical_gradient
from dlgrade.harness.functions import mlp_loss
from dlgrade.lessons.l10_training_in_practice import augment, gradcheck, layernorm, overfit, sanity

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install -e .[reference])")


def _all_cases(name: str) -> list[dict]:
    ex = get_exercise(name)
    return [case.fresh() for case in ex.make_cases(False) + ex.make_cases(True)]


def test_initial_loss_is_torchs_cross_entropy_and_log_c() -> None:
    for args in _all_cases("sanity.initial_loss"):
        loss, expected = sanity.initial_loss(args["logits"], args["y"])
        theirs = torch.nn.functional.cross_entropy(torch.tensor(np.asarray(args["logits"], dtype=np.float64)),
                                                   torch.tensor(args["y"]))
        assert loss == pytest.approx(float(theirs), rel=1e-12)
        assert expected == pytest.approx(np.log(args["logits"].shape[1]), rel=1e-15)


def test_mlp_gradients_are_the_gradients_of_the_test_function() -> None:
    rng = np.random.default_rng(0)
    params = [rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=(5, 4)), rng.normal(size=5),
              rng.normal(size=(2, 5)), rng.normal(size=2)]
    x, y = rng.normal(size=(6, 3)), rng.integers(0, 2, size=6)
    f = mlp_loss(x, y)
    for k, g in enumerate(gradcheck.mlp_gradients(params, x, y)):
        num = numerical_gradient(lambda p, k=k: f(params[:k] + [p] + params[k + 1:]), params[k].copy())
        np.testing.assert_allclose(g, num, rtol=1e-6, atol=1e-9, err_msg=f"array {k}")


def test_gradient_check_finds_exactly_the_planted_bugs() -> None:
    """Every array with a planted bug has a large error, every other one a tiny error (its step h's own)."""
    ex = get_exercise("sanity.gradient_check")
    for case in ex.make_cases(False) + ex.make_cases(True):
        args = case.fresh()
        errors = gradcheck.gradient_check(*args.values())
        bugs = {int(k) for k in case.label.split("arrays [")[1].split("]")[0].split(",")} if "[" in case.label \
            else set()
        for k, e in enumerate(errors):
            if k in bugs:
                assert e > 1e-3, (case.label, k, e)
            else:
                assert e < (1e-4 if args["h"] > 1e-3 else 1e-7), (case.label, k, e)


def test_adamw_step_is_torchs() -> None:
    for args in _all_cases("adamw.step"):
        w, m, v = (np.array(args[k], dtype=np.float64) for k in ("w", "m", "v"))
        p = torch.tensor(w, requires_grad=True)
        opt = torch.optim.AdamW([p], lr=args["lr"], betas=(args["beta1"], args["beta2"]), eps=args["eps"],
                                weight_decay=args["weight_decay"])
        p.grad = torch.tensor(np.array(args["dw"], dtype=np.float64))
        opt.state[p] = {"step": torch.tensor(float(int(args["t"]) - 1)), "exp_avg": torch.tensor(m),
                        "exp_avg_sq": torch.tensor(v)}
        opt.step()
        ours = get_exercise("adamw.step").reference(*args.values())
        np.testing.assert_allclose(ours[0], p.detach().numpy(), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(ours[1], opt.state[p]["exp_avg"].numpy(), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(ours[2], opt.state[p]["exp_avg_sq"].numpy(), rtol=1e-12, atol=1e-14)


def test_layernorm_references_are_torchs() -> None:
    for args in _all_cases("layernorm.forward"):
        x, g, b = (torch.tensor(np.asarray(args[k], dtype=np.float64)) for k in ("x", "gamma", "beta"))
        theirs = torch.nn.functional.layer_norm(x, (x.shape[1],), g, b, args["eps"]).numpy()
        np.testing.assert_allclose(layernorm.layernorm_forward(*args.values()), theirs, rtol=1e-12, atol=1e-12)
    for args in _all_cases("layernorm.backward"):
        x, g = (torch.tensor(np.asarray(args[k], dtype=np.float64), requires_grad=True) for k in ("x", "gamma"))
        b = torch.zeros_like(g, requires_grad=True)
        torch.nn.functional.layer_norm(x, (x.shape[1],), g, b, args["eps"]).backward(torch.tensor(args["dout"]))
        ours = layernorm.layernorm_backward(*args.values())
        for a, t in zip(ours, (x.grad, g.grad, b.grad)):
            np.testing.assert_allclose(a, t.numpy(), rtol=1e-10, atol=1e-12)


def test_overfit_reference_is_torchs_training_loop() -> None:
    for args in _all_cases("sanity.overfit"):
        params = args["params"]
        layers = []
        for w, b in zip(params[::2], params[1::2]):
            linear = torch.nn.Linear(w.shape[1], w.shape[0])
            with torch.no_grad():
                linear.weight.copy_(torch.tensor(w)), linear.bias.copy_(torch.tensor(b))
            layers += [linear, torch.nn.ReLU()]
        model = torch.nn.Sequential(*layers[:-1])
        opt = torch.optim.Adam(model.parameters(), lr=args["lr"])
        x, y = torch.tensor(args["x"]), torch.tensor(args["y"])
        theirs = []
        for _ in range(args["steps"]):
            loss = torch.nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            theirs.append(loss.item())
        np.testing.assert_allclose(overfit.overfit(*args.values()), theirs, rtol=1e-5, atol=1e-6)


def test_rotation_by_multiples_of_90_degrees_is_rot90() -> None:
    img = np.arange(2 * 6 * 6, dtype=np.float64).reshape(2, 6, 6) + 1
    odd = np.arange(7 * 7, dtype=np.float64).reshape(1, 7, 7) + 1
    for images in (img, odd):
        np.testing.assert_array_equal(augment.rotate_images(images, np.zeros(len(images))), images)
        for quarter in (1, 2, 3):  # positive angles turn the picture counter-clockwise, as np.rot90
            turned = augment.rotate_images(images, np.full(len(images), 90.0 * quarter))
            np.testing.assert_array_equal(turned, np.rot90(images, quarter, axes=(1, 2)))


def test_rotation_keeps_the_centre_and_fills_corners_with_zero() -> None:
    img = np.ones((1, 9, 9))
    out = augment.rotate_images(img, np.array([30.0]))
    assert out[0, 4, 4] == 1 and out[0, 0, 0] == 0 and out.dtype == img.dtype


def test_rotation_does_not_depend_on_how_the_formula_is_written() -> None:
    """A learner's rotation matrix product lands on the same pixels as the reference (no rounding ties)."""
    for args in _all_cases("augment.rotate"):
        images, angles = args["images"], args["angles"]
        n, h, w = images.shape
        out = np.zeros_like(images)
        centre = np.array([(h - 1) / 2, (w - 1) / 2])
        grid = np.indices((h, w)).reshape(2, -1).T - centre
        for k in range(n):
            a = np.radians(angles[k])
            src = np.rint(grid @ np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]) + centre).astype(int)
            ok = (src[:, 0] >= 0) & (src[:, 0] < h) & (src[:, 1] >= 0) & (src[:, 1] < w)
            flat = out[k].reshape(-1)
            flat[ok] = images[k][src[ok, 0], src[ok, 1]]
        np.testing.assert_array_equal(augment.rotate_images(images, angles), out)


def test_shift_by_hand() -> None:
    img = np.arange(1, 13, dtype=np.float32).reshape(1, 3, 4)
    down_left = augment.shift_images(img, np.array([1]), np.array([-1]))
    np.testing.assert_array_equal(down_left[0], [[0, 0, 0, 0], [2, 3, 4, 0], [6, 7, 8, 0]])
    assert down_left.dtype == np.float32
    np.testing.assert_array_equal(augment.shift_images(img, np.array([0]), np.array([0])), img)
    assert not augment.shift_images(img, np.array([3]), np.array([0])).any()
