"""The optimizer lesson's graded update rules reproduce dlkit.optim: the same trajectory, step by step.

The learner's functions are checked against the grading references; this proves that those references
are the update rules dlkit.optim (and so torch.optim) applies, so a learner who passes the checks has
written the optimizers dlkit trains with.
"""
import numpy as np
import pytest

import dlkit
from dlkit import optim
from dlgrade import get_exercise

A = np.array([[1.0, 0.0], [0.0, 10.0]])  # an ill-conditioned quadratic, f(w) = ½ wᵀAw


def _grad(w):
    return A @ w


def _dlkit_path(make, steps=25):
    w = dlkit.tensor(np.array([-2.0, 1.0]), requires_grad=True)
    opt = make([w])
    path = [w.data.copy()]
    for _ in range(steps):
        opt.zero_grad()
        loss = 0.5 * (dlkit.tensor(np.diag(A)) * w * w).sum()  # A is diagonal
        loss.backward()
        opt.step()
        path.append(w.data.copy())
    return np.array(path)


def _reference_path(name, hyper, n_state, steps=25, with_t=False):
    ref = get_exercise(name).reference
    w = np.array([-2.0, 1.0])
    state = [np.zeros(2) for _ in range(n_state)]
    path = [w.copy()]
    for t in range(1, steps + 1):
        args = [w, _grad(w), *state] + ([t] if with_t else []) + list(hyper)
        out = ref(*args)
        w, state = (out[0], list(out[1:])) if isinstance(out, tuple) else (out, [])
        path.append(w.copy())
    return np.array(path)


CASES = {
    "optim.sgd": (lambda p: optim.SGD(p, lr=0.05), (0.05,), 0, False),
    "optim.momentum": (lambda p: optim.SGD(p, lr=0.05, momentum=0.8), (0.05, 0.8), 1, False),
    "optim.nesterov": (lambda p: optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True), (0.05, 0.8), 1, False),
    "optim.adagrad": (lambda p: optim.Adagrad(p, lr=0.5, eps=1e-8), (0.5, 1e-8), 1, False),
    "optim.rmsprop": (lambda p: optim.RMSprop(p, lr=0.05, alpha=0.9, eps=1e-8), (0.05, 0.9, 1e-8), 1, False),
    "optim.adam": (lambda p: optim.Adam(p, lr=0.1, betas=(0.9, 0.99), eps=1e-8), (0.1, 0.9, 0.99, 1e-8), 2, True),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_reference_update_rule_matches_dlkit_optim(name):
    make, hyper, n_state, with_t = CASES[name]
    expected = _dlkit_path(make)
    got = _reference_path(name, hyper, n_state, with_t=with_t)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_ema_reference_matches_dlkit_ema_():
    xs = np.random.default_rng(0).normal(size=(9, 3))
    avg, rows = np.zeros(3), []
    for x in xs:
        optim.ema_(avg, x, 0.8)
        rows.append(avg.copy())
    np.testing.assert_allclose(get_exercise("optim.ema").reference(xs, 0.8), np.array(rows), rtol=1e-12)


def test_newton_reference_matches_dlkit_newton_step():
    w0 = np.array([-1.2, 1.0])

    def rosenbrock(w):
        x, y = w[0], w[1]
        return (1 - x) ** 2 + 100 * (y - x * x) ** 2

    def grad(w):
        x, y = w
        return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])

    def hess(w):
        x, y = w
        return np.array([[2 - 400 * (y - x * x) + 800 * x * x, -400 * x], [-400 * x, 200.0]])

    ref = get_exercise("optim.newton_step").reference
    w_ref = w0.copy()
    w_dl = dlkit.tensor(w0.copy())
    for _ in range(6):
        w_ref = ref(w_ref, grad(w_ref), hess(w_ref), 1.0)
        w_dl = optim.newton_step(rosenbrock, w_dl, lr=1.0,
                                 hessian_fn=lambda t: dlkit.tensor(hess(np.asarray(t.data))))
        np.testing.assert_allclose(w_ref, np.asarray(w_dl.data), rtol=1e-6, atol=1e-8)
