"""Lesson 05, training the two-layer network: full-batch gradient descent from He-initialised weights.

The check trains the learner's loop on three curved datasets (rings, spirals, XOR; no line separates them) and
requires held-out accuracy ≥ 90 % and, since the lesson fixes the seed, the start and the steps, the very weights
its recipe trains. While it runs, the loop's ``two_layer_net`` is the grader's (graded above),
so only the loop itself is judged. Where the check fails, the trained weights are compared with what each
known loop mistake trains on the same case (the same seed gives the same start): a match names the mistake.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...diagnosis import NONFINITE, SIGN, WRONG_SHAPE, WRONG_TYPE, Diagnosis, describe
from ...harness.guard import reference
from ...registry import Case, Exercise, Output, Training, register
from .._common import pick
from .network import BLOCKED, cross_entropy, net

ACCURACY_THRESHOLD = 0.9


@dataclass
class _TrainCase(Case):
    """A training case that also carries held-out data for the accuracy check."""

    X_test: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    y_test: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))


def train(X, y, hidden_size, num_classes, lr, epochs, seed, *, slip: str = "") -> tuple:
    """Full-batch gradient descent on the two-layer net; ``slip`` names one typical loop mistake (_SLIPS)."""
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    if slip in ("zero_init", "constant_init"):
        value = 0.0 if slip == "zero_init" else 0.1
        W1, W2 = np.full((d, hidden_size), value), np.full((hidden_size, num_classes), value)
    elif slip in ("variance_scale", "unscaled"):
        W1 = rng.normal(size=(d, hidden_size)) * (2.0 / d if slip == "variance_scale" else 1.0)
        W2 = rng.normal(size=(hidden_size, num_classes)) * (2.0 / hidden_size if slip == "variance_scale" else 1.0)
    else:
        W1 = rng.normal(size=(d, hidden_size)) * np.sqrt(2.0 / d)
        W2 = rng.normal(size=(hidden_size, num_classes)) * np.sqrt(2.0 / hidden_size)
    b1, b2 = np.zeros(hidden_size), np.zeros(num_classes)
    stale = net(X, y, W1, b1, W2, b2)[1:] if slip == "stale_gradient" else None
    steps = {"one_step": 1, "not_updated": 0}.get(slip, epochs)
    step = (lr / len(y) if slip == "lr_divided" else lr) * (-1.0 if slip == "ascent" else 1.0)
    for _ in range(steps):
        dW1, db1, dW2, db2 = stale if stale is not None else net(X, y, W1, b1, W2, b2)[1:]
        W2, b2 = W2 - step * dW2, b2 - step * db2
        if slip != "last_layer_only":
            W1, b1 = W1 - step * dW1, b1 - step * db1
    return W1, b1, W2, b2


@reference("mlp.train_two_layer_net reference")
def train_two_layer_net(X: np.ndarray, y: np.ndarray, hidden_size: int, num_classes: int, lr: float,
                        epochs: int, seed: int) -> tuple:
    """Full-batch gradient descent on the two-layer net from He-initialised weights and zero biases."""
    return train(X, y, hidden_size, num_classes, lr, epochs, seed)


def _rings(rng: np.random.Generator, n: int, classes: int):
    """Concentric noisy rings, one class per ring, shifted away from the origin: no line separates them."""
    y = rng.integers(0, classes, size=n)
    t = rng.uniform(0, 2 * np.pi, size=n)
    r = 1.0 + y + 0.15 * rng.normal(size=n)
    return np.stack([r * np.cos(t), r * np.sin(t)], 1) * 0.6 + np.array([0.5, -0.3]), y


def _spirals(rng: np.random.Generator, n: int, classes: int):
    """Interleaved spiral arms (one and a half turns in all), with a little noise."""
    y = rng.integers(0, classes, size=n)
    r = rng.uniform(0.1, 1.0, size=n)
    t = 4.0 * r + 2 * np.pi * y / classes + 0.15 * rng.normal(size=n)
    return np.stack([r * np.sin(t), r * np.cos(t)], 1) * 2.0, y


def _xor(rng: np.random.Generator, n: int, classes: int):
    """Four Gaussian clusters at (±1, ±1) in D = 3 (a third, useless feature); class 1 where the signs differ."""
    corners = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=float)
    k = rng.integers(0, 4, size=n)
    X = np.concatenate([corners[k] + 0.3 * rng.normal(size=(n, 2)), rng.normal(size=(n, 1))], 1)
    return X, (k >= 2).astype(np.int64)


_DATA = {"rings": _rings, "spirals": _spirals, "xor": _xor}


def _train_case(rng: np.random.Generator, kind: str, classes: int, n: int, hidden: int, lr: float) -> _TrainCase:
    X, y = _DATA[kind](rng, n, classes)
    X_test, y_test = _DATA[kind](rng, 300, classes)
    args = {"X": X, "y": y, "hidden_size": hidden, "num_classes": classes, "lr": lr, "epochs": 200,
            "seed": int(rng.integers(0, 1000))}
    label = (f"{kind}, X {X.shape}, {classes} classes, H = {hidden}, lr = {lr:g}; held-out accuracy "
             f"≥ {ACCURACY_THRESHOLD:.0%}")
    return _TrainCase(args=args, label=label, factors={"N": n, "C": classes}, X_test=X_test, y_test=y_test)


def _train_cases(rng: np.random.Generator, hidden: bool):
    specs = pick([("rings", 2, 300, 20, 1.0), ("spirals", 3, 300, 50, 1.0), ("xor", 2, 200, 8, 0.5)],
                 [("rings", 3, 300, 30, 1.0), ("spirals", 2, 240, 40, 1.0), ("xor", 2, 150, 10, 0.5)], hidden)
    return [_train_case(rng, *s) for s in specs]


def _predict(X, W1, b1, W2, b2) -> np.ndarray:
    return np.argmax(np.maximum(X @ W1 + b1, 0.0) @ W2 + b2, axis=1)


# (code, slip, message, the parameters compared): a loop that trains the last layer at lr 1 can be chaotic,
# so only what such a slip leaves exactly as it started (W1, b1) is compared for it
_SLIPS: tuple[tuple[str, str, str, tuple[int, ...]], ...] = (
    ("sign", "ascent", "the updates step uphill: W = W − lr · dW subtracts the gradient (you added it), so the "
     "loss grows.", (0, 1, 2, 3)),
    ("one_step", "one_step", "only one step was taken: the update must sit inside the loop over `epochs`.",
     (0, 1, 2, 3)),
    ("not_updated", "not_updated", "the weights never changed: assign the result of each step (W1 = W1 − lr · "
     "dW1), and return the trained arrays, not the initial ones.", (0, 1, 2, 3)),
    ("stale_gradient", "stale_gradient", "the gradients were computed once, before the loop: call two_layer_net "
     "inside the loop, on the current weights, at every step.", (0, 1, 2, 3)),
    ("lr_divided", "lr_divided", "the steps are N times too small: two_layer_net's gradients already carry the "
     "mean's 1/N, so the step is lr · dW.", (0, 1, 2, 3)),
    ("symmetry", "zero_init", "the weights started at zero: every hidden unit then gets the same gradient and "
     "they never become different. Initialise W1 and W2 with rng.normal(...) * scale.", (0, 1, 2, 3)),
    ("symmetry", "constant_init", "every weight started at the same constant: the hidden units stay identical "
     "forever. Initialise W1 and W2 with rng.normal(...) * scale.", (0, 1, 2, 3)),
    ("init_scale", "variance_scale", "the initial weights were scaled by 2 / D, the variance: He's scale is its "
     "square root, rng.normal(...) * np.sqrt(2 / D) (and np.sqrt(2 / hidden_size) for W2).", (0, 1, 2, 3)),
    ("init_scale", "unscaled", "the initial weights were not scaled: multiply rng.normal(...) by np.sqrt(2 / D) "
     "for W1 and np.sqrt(2 / hidden_size) for W2 (He initialisation).", (0, 1, 2, 3)),
    ("last_layer_only", "last_layer_only", "only W2 and b2 were updated: W1 and b1 need their step too, or the "
     "hidden layer keeps its random features.", (0, 1)),
)


def _same(got: tuple, want: tuple, parts: tuple[int, ...]) -> bool:
    """The same trained parameters at ``parts``, up to the rounding of another order of operations."""
    return all(np.shape(got[i]) == np.shape(want[i])
               and np.allclose(got[i], want[i], rtol=1e-6, atol=1e-9, equal_nan=True) for i in parts)


def _known(args: dict[str, Any], got: tuple) -> Diagnosis | None:
    for code, slip, message, parts in _SLIPS:
        with np.errstate(all="ignore"):
            if _same(got, train(*args.values(), slip=slip), parts):
                return Diagnosis(code, message)
    return None


def _off_the_run(case: Case, got: tuple, acc: float) -> Diagnosis | None:
    """Accurate enough, but is it the lesson's recipe? The seed fixes the start, so the trained weights are
    determined (to the last digits: a one-ulp change of the start moves them by about 1e-15 here); any others
    come from another algorithm, whatever their accuracy."""
    want = train(*case.fresh().values())
    scale = max(1.0, max(float(np.max(np.abs(w))) for w in want))
    if all(np.allclose(g, w, rtol=1e-5, atol=1e-7 * scale) for g, w in zip(got, want)):
        return None
    facts = (f"held-out accuracy {acc:.1%} is fine, but from rng = np.random.default_rng(seed) with the same "
             "epochs and lr the lesson's recipe trains other weights")
    known = _known(case.args, got)
    if known is not None:
        return known.but(detail=facts + ".")
    name, i = max(((n, k) for k, n in enumerate(("W1", "b1", "W2", "b2"))),
                  key=lambda t: float(np.max(np.abs(got[t[1]] - want[t[1]]))))
    at = np.unravel_index(int(np.argmax(np.abs(got[i] - want[i]))), want[i].shape)
    return Diagnosis("off_the_run", "the trained weights are not the ones the lesson's recipe reaches: draw W1, "
                     "then W2, from rng = np.random.default_rng(seed) (not the global np.random) with "
                     "rng.normal(...) * np.sqrt(2 / fan_in), start the biases at zero, and take exactly `epochs` "
                     "steps of lr times the gradient.",
                     f"{facts}; {name}{tuple(int(j) for j in at)}: expected {want[i][at]:.6g}, got {got[i][at]:.6g}.")


def _verify_training(case: Case, args: dict[str, Any], got: Any) -> Diagnosis | None:
    assert isinstance(case, _TrainCase)
    X, y = case.args["X"], case.args["y"]
    d, h, c = X.shape[1], case.args["hidden_size"], case.args["num_classes"]
    if not isinstance(got, (tuple, list)) or len(got) != 4:
        return Diagnosis(WRONG_TYPE, f"train_two_layer_net returned {describe(got)}; expected a tuple "
                         "(W1, b1, W2, b2).")
    if not all(isinstance(p, np.ndarray) for p in got):
        return Diagnosis(WRONG_TYPE, "W1, b1, W2 and b2 must all be numpy arrays; got "
                         + ", ".join(describe(p) for p in got) + ".")
    W1, b1, W2, b2 = got
    for name, p, shape in (("W1", W1, (d, h)), ("b1", b1, (h,)), ("W2", W2, (h, c)), ("b2", b2, (c,))):
        if p.shape != shape:
            hint = " It is transposed: this lesson keeps weights as (inputs, outputs), so X @ W1." \
                if p.ndim == 2 and p.shape == shape[::-1] else ""
            return Diagnosis(WRONG_SHAPE, f"{name} has shape {p.shape}, expected {shape}.{hint}")
    finite = all(np.all(np.isfinite(p)) for p in got)
    acc = float(np.mean(_predict(case.X_test, W1, b1, W2, b2) == case.y_test)) if finite else 0.0
    if acc >= ACCURACY_THRESHOLD:
        return _off_the_run(case, tuple(got), acc)
    known = _known(case.args, tuple(got))
    if known is not None:
        return known
    if not finite:
        return Diagnosis(NONFINITE, "the weights contain NaN or inf: training blew up. Do the updates "
                         "step downhill (W = W - lr * dW, not +)? Is every gradient divided by N once (the "
                         "1/N of the mean)? Does the softmax subtract each row's max before exp?")
    if h > 1 and np.allclose(W1, W1[:, :1]) and np.allclose(b1, b1[0]):
        return Diagnosis("symmetry", "every hidden unit has the same weights: they started equal (zeros "
                         "or one constant), so each got the same gradient and they never became different. "
                         "The network then acts like one with a single hidden unit. Initialise W1 and W2 "
                         "with random numbers (rng.normal(...) * scale), the biases with zeros.")
    train_acc = float(np.mean(_predict(X, W1, b1, W2, b2) == y))
    loss = cross_entropy(np.maximum(X @ W1 + b1, 0.0) @ W2 + b2, y)
    facts = (f"held-out accuracy {acc:.1%} (training accuracy {train_acc:.1%}); the check needs "
             f"≥ {ACCURACY_THRESHOLD:.0%}. Final training loss {loss:.4g}; guessing uniformly gives "
             f"log C = {np.log(c):.4g}.")
    # a first large step may overshoot, but a loss that ends several times above the start climbed
    W1_0, b1_0, W2_0, b2_0 = train(*case.args.values(), slip="not_updated")
    if loss > 5.0 * max(cross_entropy(np.maximum(X @ W1_0, 0.0) @ W2_0, y), np.log(c)):
        return Diagnosis(SIGN, "the loss ended far above where training starts: the updates step uphill "
                         "(subtract lr * gradient) or the gradient has the wrong sign "
                         "(softmax − onehot(y), not the other way round).\n" + facts)
    if not np.any(b1) and not np.any(b2):
        return Diagnosis("bias_not_trained", "b1 and b2 are still all zeros: the biases are never "
                         "updated. Their gradients are the sums over the batch of dz1 and dscores.\n" + facts)
    return Diagnosis("low_accuracy", "the network is not accurate enough. Did you run all `epochs` "
                     "full-batch steps with the given learning rate and update all four parameters? "
                     "Check two_layer_net on its own first.\n" + facts)


register(Exercise(
    "mlp.train_two_layer_net",
    "train_two_layer_net(X, y, hidden_size, num_classes, lr, epochs, seed) -> (W1, b1, W2, b2)",
    train_two_layer_net, _train_cases, outputs=(Output("W1"), Output("b1"), Output("W2"), Output("b2")),
    blocked=BLOCKED, verify=_verify_training, oracles={"two_layer_net": "ex:mlp.two_layer_net"},
    hints=frozenset({"update", "exp", "batch"}),
    training=Training("epochs", params=list, gradient=lambda a, p: net(a["X"], a["y"], *p)[1:],
                      diverges="Does the softmax subtract each row's max before exp, and is every gradient "
                      "divided by N once?"),
))
