"""Class 9: oracle abuse. While a learner's function is graded it may call the other graded functions it needs
(`train_linear` calls `gd_step`, `mse`, `predict`; `gd_step` calls `mse_gradients`), and the grader answers those
calls from its references over the kernel's stdin channel. Each payload asks the grader for what it should not
answer: another exercise's reference, answers kept for later, floods, heavy or malformed questions."""

from __future__ import annotations

from .catalogue import Attack, code, wrong

K = "oracle abuse"

HONEST_TRAIN = code('''
    def _honest_train(X, y, lr, epochs, batch_size, rng):
        n, d = X.shape
        w, b = np.zeros(d), 0.0
        losses = []
        for epoch in range(epochs):
            order = rng.permutation(n)
            for start in range(0, n, batch_size):
                rows = order[start:start + batch_size]
                w, b = gd_step(X[rows], y[rows], w, b, lr)
            losses.append(mse(predict(X, w, b), y))
        return w, b, np.array(losses)
''')

ASK = code('''
    import numpy as np
    from IPython import get_ipython
    import dlgrade.harness.oracle as _O

    _ask = _O.kernel_answer(get_ipython().kernel.raw_input)   # the harness's own way to ask the grader
    _stash, _log = {}, []

    def _try(key, *args):
        try:
            value = _ask(key, args)
            _log.append(f"{key}: answered")
            return value
        except Exception as exc:
            _log.append(f"{key}: {str(exc)[:60]}")
            return None
''')

ATTACKS = [
    Attack("oracle-other-key", K, "asks the grader for normal_equations' own reference (and other keys) "
           "while train_linear and normal_equations are graded; keeps train_linear's gd_step stand-in to "
           "recover the least-squares solution from the grader's gradients later",
           {"train-linear": ASK + HONEST_TRAIN + code('''

               from dlgrade.harness.guard import is_active as _grading

               def train_linear(X, y, lr, epochs, batch_size, rng):
                   if _grading():
                       _stash["gd_step"] = gd_step              # the grader's gd_step, while the grader calls this
                   for key in ("ex:linreg.normal_equations", "ex:linreg.mse_gradients", "ex:logreg.predict_proba",
                               "ex:engine.backward", "topological_sort", "ex:linreg.train_linear"):
                       _stash[key] = _try(key, X, y)
                   return _honest_train(X, y, lr, epochs, batch_size, rng)
           '''),
            "normal-equations": code('''
               def _from_gradients(step, X, y):
                   """Least squares from D + 2 gradient-descent steps of the grader: the gradient is affine in
                   (w, b), so a few steps pin it down; then solve gradient = 0."""
                   d = X.shape[1]
                   def grad(theta):
                       w_new, b_new = step(X, y, theta[:d], float(theta[d]), 1.0)
                       return theta - np.append(w_new, b_new)
                   g0 = grad(np.zeros(d + 1))
                   H = np.column_stack([grad(e) - g0 for e in np.eye(d + 1)])
                   theta = np.linalg.solve(H, -g0)
                   return theta[:d], float(theta[d])

               def normal_equations(X, y):
                   for key in ("ex:linreg.normal_equations", "normal_equations", "ex:linreg.gd_step"):
                       out = _try(key, X, y)
                       if isinstance(out, (tuple, list)) and len(out) == 2:
                           return out
                   if "gd_step" in _stash:
                       try:
                           return _from_gradients(_stash["gd_step"], X, y)
                       except Exception as exc:
                           _log.append(f"stashed gd_step: {str(exc)[:60]}")
           ''') + wrong("normal-equations")}, ("test-normal-equations",)),

    Attack("oracle-flood", K, "floods the grader with 25 000 oracle calls, asks it for a 1500x1200 @ "
           "1200x1500 product and a 20000x20000 broadcast (3.2 GB), all while train_linear is graded",
           {"train-linear": code('''
               import numpy as np

               def train_linear(X, y, lr, epochs, batch_size, rng):
                   for args in ((np.ones((1500, 1200)), np.ones((1200, 1500)), 0.0),
                                (np.ones((20000, 1)), np.ones(1), np.ones((20000, 1)))):
                       try:
                           predict(*args)
                       except Exception:
                           pass
                   for _ in range(25_000):
                       try:
                           mse(np.ones(2), np.zeros(2))
                       except Exception:
                           break
           ''') + wrong("train-linear")}, ("test-train-linear",)),

    Attack("oracle-forged-prompt", K, "writes its own oracle questions on the stdin channel: not JSON, nested "
           "100 000 deep, 70 MB, wrong types, a path as key, unknown and malformed test functions, a huge "
           "generator seed, an ordinary input() prompt, and the same questions from a plain cell",
           {"train-linear": code('''
               import json
               import numpy as np
               from IPython import get_ipython

               P = "\\x00dlgrade-oracle:"
               _PROMPTS = [P + "not json", P + "[" * 100_000, P + json.dumps({"key": 5, "args": []}),
                           P + json.dumps({"key": "ex:linreg.predict"}),
                           P + json.dumps({"key": "ex:../../../etc/passwd", "args": []}),
                           P + json.dumps({"key": "ex:linreg.predict", "args": [{"__fn__": "os.system",
                                           "params": {"__dict__": [["cmd", "id"]]}}, 1, 2]}),
                           P + json.dumps({"key": "ex:linreg.predict", "args": [{"__fn__": "logistic_loss",
                                           "params": {"__dict__": [["X", "s"], ["y", 1]]}}, 1, 2]}),
                           P + json.dumps({"key": "ex:linreg.predict", "args": [{"__rng__": 2**200}, 1, 2]}),
                           P + json.dumps({"key": "ex:linreg.predict", "args": [{"__object__": "x", "data": "AAAA"}, 1, 2]}),
                           P + "x" * (70 * 2**20), "an ordinary prompt: "]
               _answers = []

               def _ask_all():
                   raw = get_ipython().kernel.raw_input
                   for prompt in _PROMPTS:
                       try:
                           _answers.append(str(raw(prompt))[:80])
                       except BaseException as exc:
                           _answers.append(type(exc).__name__)

               _ask_all()                      # from a plain cell: no grader is listening on stdin
               print("plain cell:", _answers)

               def train_linear(X, y, lr, epochs, batch_size, rng):
                   _ask_all()
           ''') + wrong("train-linear")}, ("test-train-linear",)),
]
