"""Class 2: the reference runs where the lock-out does not look. lesson 01's `mse` (and `mse_gradients`) exist in
dlkit as `F.mse_loss`; while the grader calls the learner's function, the in-kernel lock-out
(dlgrade.harness.guard) is meant to refuse every dlkit op. Each payload computes the answer with dlkit anyway."""

from __future__ import annotations

from .catalogue import Attack, code, wrong

K = "reference past the lock-out"

TENSOR_MSE = "float(({loss})(dlkit.tensor(np.asarray(y_pred, dtype=float)), dlkit.tensor(np.asarray(y, dtype=float))).item())"

ATTACKS = [
    Attack("child-process", K, "computes F.mse_loss in a child process (subprocess, multiprocessing, os.fork), "
           "where no lock-out is installed", {"mse": code('''
               import os, subprocess, sys, json
               import numpy as np

               def F_mse(a, b):
                   import dlkit, dlkit.functional as F
                   return float(F.mse_loss(dlkit.tensor(np.asarray(a)), dlkit.tensor(np.asarray(b))).item())

               _CHILD = ("import sys, json, numpy as np, dlkit, dlkit.functional as F; a, b = json.load(sys.stdin); "
                         "print(F.mse_loss(dlkit.tensor(np.array(a)), dlkit.tensor(np.array(b))).item())")

               from dlgrade.harness.guard import is_active as _grading

               def mse(y_pred, y):
                   if not _grading():                  # the demo cells: no children, a quick (wrong) answer
                       return 0.0
                   data = json.dumps([np.asarray(y_pred).tolist(), np.asarray(y).tolist()])
                   try:
                       out = subprocess.run([sys.executable, "-c", _CHILD], input=data, capture_output=True, text=True,
                                            timeout=10)
                       return float(out.stdout)
                   except Exception:
                       pass
                   try:
                       import multiprocessing
                       ctx = multiprocessing.get_context("fork")
                       queue = ctx.Queue()
                       child = ctx.Process(target=lambda: queue.put(F_mse(y_pred, y)))
                       child.start()
                       return queue.get(timeout=5)
                   except Exception:
                       pass
                   try:
                       r, w = os.pipe()
                       if os.fork() == 0:
                           import dlkit.functional as F, dlkit
                           os.write(w, str(F.mse_loss(dlkit.tensor(y_pred), dlkit.tensor(y)).item()).encode())
                           os._exit(0)
                       return float(os.read(r, 100))
                   except Exception:
                       pass
           ''') + wrong("mse")}, ("test-mse",), needs="seccomp"),

    Attack("thread-reference", K, "hands the inputs to a thread started earlier, which calls F.mse_loss "
           "while the learner's function waits", {"mse": code('''
               import queue, threading
               import numpy as np
               import dlkit, dlkit.functional as F

               _jobs, _answers = queue.Queue(), queue.Queue()

               def _worker():
                   while True:
                       a, b = _jobs.get()
                       try:
                           _answers.put(float(F.mse_loss(dlkit.tensor(a), dlkit.tensor(b)).item()))
                       except BaseException as exc:
                           _answers.put(exc)

               threading.Thread(target=_worker, daemon=True).start()

               def mse(y_pred, y):
                   _jobs.put((np.asarray(y_pred, dtype=float), np.asarray(y, dtype=float)))
                   value = _answers.get(timeout=5)
                   if isinstance(value, float):
                       return value
           ''') + wrong("mse")}, ("test-mse",)),

    Attack("call-torch", K, "imports torch inside its function and calls torch.nn.functional.mse_loss",
           {"mse": code('''
               import numpy as np

               def mse(y_pred, y):
                   try:
                       import torch
                       return float(torch.nn.functional.mse_loss(torch.as_tensor(np.asarray(y_pred, dtype=float)),
                                                                 torch.as_tensor(np.asarray(y, dtype=float))))
                   except Exception:
                       pass
           ''') + wrong("mse")}, ("test-mse",)),

    Attack("saved-aliases", K, "keeps torch's mse_loss and F.mse_loss where the lock-out's patching does "
           "not reach (a dict, a default argument, a closure, a class attribute, an unwrapped stub) and calls each",
           {"mse": code('''
               import inspect
               import numpy as np
               import dlkit, dlkit.functional as F
               from dlkit.functional import losses

               _stash = {"mse_loss": F.mse_loss, "apply": losses.MSELoss.apply}
               try:
                   import torch                               # imported before any check runs, kept in a dict
                   _stash["torch"], _stash["as_tensor"] = torch.nn.functional.mse_loss, torch.as_tensor
               except Exception as exc:
                   print("torch:", type(exc).__name__)

               class _Holder:
                   loss = staticmethod(F.mse_loss)

               def _make():
                   loss = F.mse_loss
                   def inner(a, b):
                       return loss(a, b)
                   return inner

               _closure = _make()

               def _candidates(_default=F.mse_loss):
                   if "torch" in _stash:
                       yield lambda a, b: _stash["torch"](_stash["as_tensor"](a.numpy()), _stash["as_tensor"](b.numpy()))
                   yield _default
                   yield _closure
                   yield _stash["mse_loss"]
                   yield _Holder.loss
                   yield lambda a, b: _stash["apply"](a, b, None, reduction="mean")
                   stub = F.mse_loss  # the lock-out's stub while the check runs: unwrap it
                   yield inspect.unwrap(stub)
                   yield getattr(stub, "__wrapped__", None)
                   for cell in getattr(stub, "__closure__", None) or ():
                       yield cell.cell_contents

               def mse(y_pred, y):
                   a, b = dlkit.tensor(np.asarray(y_pred, dtype=float)), dlkit.tensor(np.asarray(y, dtype=float))
                   for fn in _candidates():
                       try:
                           return float(fn(a, b).item())
                       except BaseException:
                           continue
           ''') + wrong("mse")}, ("test-mse",)),

    Attack("apply-guard-off", K, "switches dlkit's apply guard off inside the function "
           "(dlkit.autograd.function.set_apply_guard(None)), calls F.mse_loss, then puts the guard back",
           {"mse": code('''
               import numpy as np
               import dlkit
               import dlkit.autograd.function as _fn
               from dlkit.functional import losses as _losses

               def mse(y_pred, y):
                   old = _fn.set_apply_guard(None)
                   try:
                       return ''' + TENSOR_MSE.format(loss="_losses.mse_loss") + '''
                   except Exception:
                       pass
                   finally:
                       _fn.set_apply_guard(old)
           ''') + wrong("mse")}, ("test-mse",)),

    Attack("forward-direct", K, "calls the op's own forward on raw arrays (MSELoss.forward with a fresh "
           "Context), which never goes through Function.apply and so never meets the guard",
           {"mse": code('''
               import numpy as np
               import dlkit.autograd.function as _fn
               from dlkit.functional import losses as _losses

               def mse(y_pred, y):
                   try:
                       ctx = _fn.Context(_losses.MSELoss, np)
                       ctx.needs_input_grad = (False, False)
                       return float(_losses.MSELoss.forward(ctx, np.asarray(y_pred, dtype=float),
                                                            np.asarray(y, dtype=float), None, "mean"))
                   except Exception:
                       pass
           ''') + wrong("mse")}, ("test-mse",)),

    Attack("reload-module", K, "importlib.reload(dlkit.autograd.function) inside the function: the module "
           "runs again and its guard is None again; then dlkit.functional.losses.mse_loss (not patched)",
           {"mse": code('''
               import importlib
               import numpy as np
               import dlkit
               import dlkit.autograd.function as _fn
               from dlkit.functional import losses as _losses

               def mse(y_pred, y):
                   try:
                       importlib.reload(_fn)
                       return ''' + TENSOR_MSE.format(loss="_losses.mse_loss") + '''
                   except Exception:
                       pass
           ''') + wrong("mse")}, ("test-mse",)),

    Attack("exec-source", K, "execs dlgrade's lesson source (the reference) if any copy is readable, else a "
           "fresh copy of dlkit's autograd/function.py and functional/losses.py (whose apply has no guard)",
           {"mse": code('''
               import os, sys, types
               import numpy as np
               import dlkit, dlgrade

               def _fresh(name, path, package):
                   module = types.ModuleType(name)
                   module.__file__, module.__package__ = path, package
                   with open(path) as fh:
                       exec(compile(fh.read(), path, "exec"), module.__dict__)
                   return module

               _ref = None
               for base in {os.path.dirname(dlgrade.__file__), "/work/main/course/dlgrade"}:
                   try:
                       _lesson = _fresh("dlgrade.lessons.l01_linear_regression.model",
                                        os.path.join(base, "lessons", "l01_linear_regression", "model.py"),
                                        "dlgrade.lessons.l01_linear_regression")
                       _ref = _lesson.mse.__closure__[0].cell_contents
                       break
                   except Exception as exc:
                       print("dlgrade source:", type(exc).__name__)

               _root = os.path.dirname(dlkit.__file__)
               _real = sys.modules["dlkit.autograd.function"]
               sys.modules["dlkit.autograd.function"] = _fresh("dlkit.autograd.function",
                                                              os.path.join(_root, "autograd", "function.py"), "dlkit.autograd")
               try:
                   _losses = _fresh("dlkit.functional.losses", os.path.join(_root, "functional", "losses.py"),
                                    "dlkit.functional")
               finally:
                   sys.modules["dlkit.autograd.function"] = _real

               def mse(y_pred, y):
                   if _ref is not None:
                       try:
                           return float(_ref(y_pred, y))
                       except Exception:
                           pass
                   try:
                       return ''' + TENSOR_MSE.format(loss="_losses.mse_loss") + '''
                   except Exception:
                       pass
           ''') + wrong("mse")}, ("test-mse",)),
]
