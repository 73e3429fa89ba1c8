"""Lesson 10, sanity check: overfit a handful of examples, with the training loop written by the learner.

- sanity.overfit(params, x, y, lr, steps) -> losses (steps,): build the lesson's MLP from ``params`` (the list
  [weight1, bias1, weight2, bias2, ...] in dlkit's (out, in) layout) with the lesson's ``make_mlp``, train it with
  ``optim.Adam(model.parameters(), lr=lr)`` for ``steps`` full-batch steps of ``F.cross_entropy`` on ``x`` (N, D)
  float32 and ``y`` (N,) int64 (numpy arrays), and return the loss of each step, computed before that step's
  update, as a numpy array.

``make_mlp`` is given in a locked cell of the lesson (not graded); the reference builds the same network here.
The learner's loop runs dlkit (the lock-out allows it); only the numbers it returns are compared.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...harness.guard import reference
from ...registry import Case, Exercise, KnownMistake, Output, register


@reference("sanity.overfit helper")
def make_mlp(params: list[np.ndarray]) -> Any:
    """nn.Sequential of Linear layers holding copies of params, with a ReLU between them (the lesson's helper)."""
    from dlkit import nn

    layers: list[Any] = []
    for w, b in zip(params[::2], params[1::2]):
        linear = nn.Linear(w.shape[1], w.shape[0], dtype=w.dtype)
        linear.load_state_dict({"weight": w, "bias": b})
        layers += [linear, nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def _run(params, x, y, lr, steps, *, opt="Adam", lr_used=None, zero_grad="before", record="before", steps_run=None,
         reduction="mean", softmax=False, rebuild=None, only_last=False, last_only=False) -> np.ndarray:
    """The loop with one thing done another way (the catalogued mistakes); the defaults are the reference."""
    import dlkit
    import dlkit.functional as F
    from dlkit import optim

    model = make_mlp(params)
    xt, yt = dlkit.tensor(x), dlkit.tensor(y)

    def new_optimizer():
        chosen = list(model[-1].parameters()) if only_last else model.parameters()
        if opt == "SGD":
            return optim.SGD(chosen, lr=lr)
        if opt == "AdamW":
            return optim.AdamW(chosen, lr=lr)
        return optim.Adam(chosen, lr=lr if lr_used is None else lr_used)

    def loss_of():
        scores = model(xt)
        return F.cross_entropy(F.softmax(scores, dim=1) if softmax else scores, yt, reduction=reduction)

    optimizer = new_optimizer()
    losses = []
    for _ in range(steps if steps_run is None else steps_run(steps)):
        if rebuild == "optimizer":
            optimizer = new_optimizer()
        loss = loss_of()
        if zero_grad == "before":
            optimizer.zero_grad()
        loss.backward()
        if zero_grad == "between":
            optimizer.zero_grad()
        optimizer.step()
        losses.append(loss_of().item() if record == "after" else loss.item())
    out = np.array(losses)
    return out[-1] if last_only else out


@reference("sanity.overfit reference")
def overfit(params, x, y, lr, steps):
    """The loss before each of ``steps`` full-batch Adam steps (lr) on (x, y), from make_mlp(params)."""
    return _run(params, x, y, lr, steps)


# (D, hidden sizes, C, N, lr, steps): a batch of one, two hidden layers, more classes than examples; no lr is
# Adam's default 1e-3, so a loop that ignores lr shows.
_CASES = ([(6, (5,), 3, 20, 0.05, 6), (4, (3,), 2, 1, 0.02, 4), (5, (4, 4), 4, 8, 0.03, 5), (3, (6,), 5, 4, 0.01, 7)],
          [(7, (4,), 3, 20, 0.04, 5), (3, (5,), 2, 1, 0.03, 6), (4, (3, 5), 4, 9, 0.02, 4), (5, (2,), 6, 3, 0.05, 5)])


def _cases(rng: np.random.Generator, hidden: bool) -> list:
    cases = []
    for d, hiddens, c, n, lr, steps in _CASES[1] if hidden else _CASES[0]:
        sizes = (d, *hiddens, c)
        params = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            params += [(rng.normal(size=(b, a)) / np.sqrt(a)).astype(np.float32),
                       (0.1 * rng.normal(size=b)).astype(np.float32)]
        x, y = rng.normal(size=(n, d)).astype(np.float32), rng.integers(0, c, size=n).astype(np.int64)
        label = (f"an MLP {' → '.join(map(str, sizes))}, x ({n}, {d}) float32, y ({n},), lr={lr}, steps={steps}")
        cases.append(Case(args={"params": params, "x": x, "y": y, "lr": lr, "steps": steps}, label=label,
                          factors={"N": n, "steps": steps}))
    return cases


def _variant(**how: Any):
    return lambda params, x, y, lr, steps: _run(params, x, y, lr, steps, **how)


_LOOP, _OPT = "the training loop", "the line that makes the optimizer"
_MISTAKES = (
    KnownMistake("no_zero_grad", "the gradients add up from step to step: call optimizer.zero_grad() before each "
                 "loss.backward() (dlkit, like PyTorch, accumulates .grad until it is zeroed).",
                 _variant(zero_grad="never"), _LOOP, r"backward\(\)"),
    KnownMistake("weights_never_move", "every step's loss is the loss of the given weights: nothing was learned. "
                 "Either optimizer.zero_grad() sits between loss.backward() and optimizer.step() (it erases the "
                 "gradient the step needs: zero the gradients BEFORE backward), or the model is rebuilt from params "
                 "inside the loop (build it once, before).", _variant(zero_grad="between"), _LOOP,
                 r"zero_grad\(\)|make_mlp\("),
    KnownMistake("loss_after_step", "each recorded loss was computed AFTER the step: record loss.item() of the "
                 "forward pass the step was computed from, so the first number is the loss of the given weights.",
                 _variant(record="after"), "the line that records the loss", r"append\("),
    KnownMistake("sgd", "this is plain SGD: the sanity check trains with optim.Adam(model.parameters(), lr=lr).",
                 _variant(opt="SGD"), _OPT, r"SGD"),
    KnownMistake("adamw_default_decay", "optim.AdamW decays the weights (weight_decay=0.01 by default): the check "
                 "uses optim.Adam, without any decay.", _variant(opt="AdamW"), _OPT, r"AdamW"),
    KnownMistake("lr_ignored", "the learning rate is Adam's default 1e-3, not the lr given: optim.Adam(..., lr=lr).",
                 _variant(lr_used=1e-3), _OPT, r"Adam\("),
    KnownMistake("optimizer_in_loop", "a new Adam is made at every step, so its moving averages start from zero each "
                 "time: make the optimizer once, before the loop.", _variant(rebuild="optimizer"), _OPT, r"Adam\("),
    KnownMistake("last_layer_only", "only the last layer's parameters were given to the optimizer: pass "
                 "model.parameters(), every layer's.", _variant(only_last=True), _OPT, r"\[\s*-1\s*\]"),
    KnownMistake("sum_reduction", "the loss is the MEAN over the examples (F.cross_entropy's default), not the sum.",
                 _variant(reduction="sum"), "the loss line", r"reduction"),
    KnownMistake("softmax_before_loss", "F.cross_entropy takes the raw scores (logits) and applies the log-softmax "
                 "itself: a softmax before it squashes the scores twice.", _variant(softmax=True), "the loss line",
                 r"softmax"),
    KnownMistake("one_step_short", "the loop ran steps − 1 times: take exactly `steps` steps, one loss each.",
                 _variant(steps_run=lambda s: s - 1), _LOOP, r"range\("),
    KnownMistake("one_step_long", "the loop ran steps + 1 times: take exactly `steps` steps, one loss each.",
                 _variant(steps_run=lambda s: s + 1), _LOOP, r"range\("),
    KnownMistake("last_loss_only", "return every step's loss (an array of `steps` numbers), not only the last.",
                 _variant(last_only=True), "the return line", r"return"),
)

register(Exercise(
    "sanity.overfit", "overfit(params (list of arrays), x (N, D), y (N,), lr, steps) -> losses (steps,)",
    overfit, _cases, outputs=(Output("losses"),), mistakes=_MISTAKES, allow_dlkit=True, rtol=1e-4, atol=1e-6,
    allows=("Adam", "AdamW", "SGD", "cross_entropy", "nll", "softmax", "log_softmax", "logsumexp"),
    hints=frozenset(),
))
