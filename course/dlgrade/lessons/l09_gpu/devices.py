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


def _train(weight, bias, x, y, lr, steps):
    import dlkit

    model = linear_classifier(weight, bias)
    losses = fit(model, dlkit.tensor(x), dlkit.tensor(y), lr, steps)
    return np.array(losses), model.weight.detach().numpy(), model.bias.detach().numpy()


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


_MISTAKES = (
    KnownMistake("initial_parameters", "the weight and bias returned are the ones you were given: return the "
                 "TRAINED parameters, read from the model after fit (model.weight.detach().cpu().numpy()).",
                 lambda device, x, y, w, b, lr, steps: (_train(w, b, x, y, lr, steps)[0], w, b)),
    KnownMistake("one_step", "that is one step of training: pass `steps` on to fit.",
                 lambda device, x, y, w, b, lr, steps: _train(w, b, x, y, lr, 1)),
    KnownMistake("lr_ignored", "the learning rate is not the one given: pass `lr` on to fit.",
                 lambda device, x, y, w, b, lr, steps: _train(w, b, x, y, 0.1, steps)),
    KnownMistake("last_loss_only", "return every step's loss, as an array of `steps` numbers (fit returns "
                 "them), not only the last.",
                 lambda device, x, y, w, b, lr, steps: (np.array(_train(w, b, x, y, lr, steps)[0][-1]),
                                                        *_train(w, b, x, y, lr, steps)[1:])),
    KnownMistake("mean_loss", "return every step's loss, as an array of `steps` numbers, not their mean.",
                 lambda device, x, y, w, b, lr, steps: (np.array(np.mean(_train(w, b, x, y, lr, steps)[0])),
                                                        *_train(w, b, x, y, lr, steps)[1:])),
    KnownMistake("trained_twice", "the model was trained twice (fit called two times, or a model already "
                 "trained): build a fresh one from the given weight and bias and call fit once.",
                 lambda device, x, y, w, b, lr, steps: (_train(w, b, x, y, lr, steps)[0],
                                                        *_train(w, b, x, y, lr, 2 * steps)[1:])),
)

register(Exercise(
    "gpu.fit_on",
    "fit_on(device, x, y, weight, bias, lr, steps) -> (losses (steps,), weight (C, D), bias (C,)) as numpy",
    fit_on, _cases, outputs=(Output("losses"), Output("weight"), Output("bias")), mistakes=_MISTAKES,
    allow_dlkit=True, rtol=1e-5, atol=1e-6,
))
