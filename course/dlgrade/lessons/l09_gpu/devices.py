"""Lesson 09 (the same network on a GPU): one training run, on whichever device it is given.

- fit_on(device, x, y, weight, bias, lr, steps) -> (losses, weight, bias): the learner builds the lesson's
  linear classifier from ``weight`` (C, D) and ``bias`` (C,) (dlkit's (out, in) layout, with the lesson's
  ``linear_classifier``), moves it and the data ``x`` (N, D) float32, ``y`` (N,) int64 to ``device``, trains it
  with the lesson's ``fit`` (``steps`` full-batch SGD steps of cross-entropy at learning rate ``lr``) and
  returns the losses as a numpy array (steps,) and the trained weight and bias as numpy arrays on the CPU.

The cases run on "cpu" and, where ``array_api_strict`` is installed, on "array_api_strict:device1": a strict
stand-in for a second device on which every mix-up fails, as it would on a GPU (model on one device, data on
another; a result handed back without an explicit copy to the CPU). The numbers are the same on both, so
the reference trains on the CPU.

``linear_classifier`` and ``fit`` are given in locked cells of the lesson (not graded); the reference uses the
same code.
"""
from __future__ import annotations

import importlib.util

import numpy as np

from ...harness.guard import reference
from ...registry import Case, Exercise, KnownMistake, Output, register

STRICT = "array_api_strict:device1"

# (N, D, C, lr, steps, device): batch 1 and odd, more classes than features and fewer.
_FIT = ([(8, 5, 3, 0.5, 4, "cpu"), (6, 7, 4, 0.3, 3, STRICT), (1, 4, 2, 1.0, 2, STRICT)],
        [(5, 3, 4, 0.8, 3, STRICT), (9, 6, 2, 0.2, 5, "cpu"), (2, 8, 5, 0.6, 2, STRICT)])


def _strict_available() -> bool:
    return importlib.util.find_spec("array_api_strict") is not None


@reference("gpu.fit_on helper")
def linear_classifier(weight, bias):
    """An nn.Linear holding copies of weight (C, D) and bias (C,), on the CPU (the lesson's helper)."""
    from dlkit import nn

    layer = nn.Linear(weight.shape[1], weight.shape[0])
    layer.load_state_dict({"weight": weight, "bias": bias})
    return layer


@reference("gpu.fit_on helper")
def fit(model, x, y, lr, steps):
    """``steps`` full-batch SGD steps of cross-entropy on (x, y); the losses (the lesson's helper)."""
    from dlkit import nn, optim

    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def _fit(device, x, y, w, b, lr, steps, *, move=("model", "x", "y")):
    """The lesson's fit on ``device`` with only the named parts moved there: (losses, weight, bias) as numpy."""
    import dlkit

    model = linear_classifier(w, b)
    model = model.to(device) if "model" in move else model
    xb, yb = dlkit.tensor(x), dlkit.tensor(y)
    losses = fit(model, xb.to(device) if "x" in move else xb, yb.to(device) if "y" in move else yb, lr, steps)
    return np.array(losses), model.weight.detach().cpu().numpy(), model.bias.detach().cpu().numpy()


def _train(weight, bias, x, y, lr, steps):
    """The lesson's training on the CPU (the same numbers as on any device)."""
    return _fit("cpu", x, y, weight, bias, lr, steps)


@reference("gpu.fit_on reference")
def fit_on(device, x, y, weight, bias, lr, steps):
    """The losses and the trained parameters (the same numbers on every device)."""
    return _train(weight, bias, x, y, lr, steps)


def _warm_array_probe() -> None:
    """Let array_api_compat look at a strict array once, outside the lock-out.

    array_api_compat asks ``sys.modules["torch"].Tensor`` whether an unknown array is a torch tensor, and caches
    the answer per array type. While a check runs, the lock-out puts a refusing stand-in at ``sys.modules["torch"]``,
    so that first question would be refused as if the learner had called torch. Asking it once here, before the
    learner's function runs, caches the honest answer (in the learner's kernel the lesson's own cells have
    already used the strict device before this exercise).
    """
    import dlkit

    dlkit.tensor(np.zeros(1, dtype=np.float32)).to(STRICT)


def _cases(rng: np.random.Generator, hidden: bool):
    rows = _FIT[1] if hidden else _FIT[0]
    if _strict_available():
        _warm_array_probe()
    cases = []
    for n, d, c, lr, steps, device in rows:
        if device == STRICT and not _strict_available():
            device = "cpu"
        args = {"device": device, "x": rng.normal(size=(n, d)).astype(np.float32),
                "y": rng.integers(0, c, size=n).astype(np.int64),
                "weight": (0.5 * rng.normal(size=(c, d))).astype(np.float32),
                "bias": (0.1 * rng.normal(size=c)).astype(np.float32), "lr": lr, "steps": steps}
        cases.append(Case(args=args, label=f"device {device!r}, x ({n}, {d}), {c} classes, {steps} steps",
                          factors={"N": n}))
    return cases


def _with(**change):
    """A mistake: the right training with some of its results replaced (see ``change``'s keys)."""
    def run(device, x, y, w, b, lr, steps):
        losses, tw, tb = _train(w, b, x, y, change.get("lr", lr), change.get("steps", lambda s: s)(steps))
        if "twice" in change:
            tw, tb = _train(w, b, x, y, lr, 2 * steps)[1:]
        losses = change.get("losses", lambda l: l)(losses)
        return losses, (w if change.get("given_weight") else tw), (b if change.get("given_bias") else tb)
    return run


def _moved(*parts):
    """A mistake that leaves the other parts on the CPU: it raises what dlkit raises for a mix of devices."""
    return lambda device, x, y, w, b, lr, steps: _fit(device, x, y, w, b, lr, steps, move=parts)


_RETURN, _CALL, _MOVE = "the return line", "the fit call", "the lines that move the model and the data"
_MISTAKES = tuple(KnownMistake(code, msg, fn, look, rx) for code, msg, fn, look, rx in (
    ("initial_parameters", "the weight and bias returned are the ones you were given: return the TRAINED "
     "parameters, read from the model after fit (model.weight.detach().cpu().numpy()).",
     _with(given_weight=True, given_bias=True), _RETURN, r"return.*\bweight\s*,\s*bias"),
    ("weight_not_trained", "the weight returned is the one you were given: read the trained one from the model "
     "after fit, model.weight.detach().cpu().numpy().", _with(given_weight=True), _RETURN, r"return.*\bweight\b"),
    ("bias_not_trained", "the bias returned is the one you were given: read the trained one from the model after "
     "fit, model.bias.detach().cpu().numpy().", _with(given_bias=True), _RETURN, r"return.*\bbias\s*$"),
    ("one_step", "that is one step of training: pass `steps` on to fit.", _with(steps=lambda s: 1), _CALL,
     r"fit\("),
    ("lr_ignored", "the learning rate is not the one given: pass `lr` on to fit.", _with(lr=0.1), _CALL, r"fit\("),
    ("last_loss_only", "return every step's loss, as an array of `steps` numbers (fit returns them), not only "
     "the last.", _with(losses=lambda l: np.array(l[-1])), _RETURN, r"\[\s*-1\s*\]"),
    ("mean_loss", "return every step's loss, as an array of `steps` numbers, not their mean.",
     _with(losses=lambda l: np.array(np.mean(l))), _RETURN, r"mean"),
    ("trained_twice", "the model was trained twice (fit called two times, or a model already trained): build a "
     "fresh one from the given weight and bias and call fit once.", _with(twice=True), _CALL, r"fit\("),
    ("data_not_moved", "the model is on the device but x stayed on the CPU: move the data too, "
     "dlkit.tensor(x).to(device); an operation needs all its inputs on one device.", _moved("model", "y"), _MOVE,
     r"tensor\(\s*x\s*\)"),
    ("labels_not_moved", "the labels y stayed on the CPU: the loss compares the scores (on the device) with them, "
     "so move them too, dlkit.tensor(y).to(device).", _moved("model", "x"), _MOVE, r"tensor\(\s*y\s*\)"),
    ("model_not_moved", "the data is on the device but the model stayed on the CPU: move it with "
     "model.to(device) (before training).", _moved("x", "y"), _MOVE, r"linear_classifier\("),
))

register(Exercise(
    "gpu.fit_on",
    "fit_on(device, x, y, weight, bias, lr, steps) -> (losses (steps,), weight (C, D), bias (C,)) as numpy",
    fit_on, _cases, outputs=(Output("losses"), Output("weight"), Output("bias")), mistakes=_MISTAKES,
    allow_dlkit=True, rtol=1e-5, atol=1e-6,
))
