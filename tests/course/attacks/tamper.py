"""Class 3: the grader's code changed in the kernel. Each payload rewrites part of what runs in the graded kernel
(the harness's serve/wire/invoke, numpy, builtins, IPython, the kernel's message sending, a trace function)
around a WRONG `predict`, to make the test of `predict` pass anyway."""

from __future__ import annotations

from .catalogue import Attack, code, wrong

K = "grader's code changed"
MIME = "application/vnd.dlgrade.reports+json"

# Reports that claim success in every way a grader might read one (the true value stays wrong).
FORGE = code(f'''
    import json
    import numpy as np

    _MIME = "{MIME}"

    def _claims(n):
        fake = {{"value": {{"__object__": "ndarray", "module": "numpy", "repr": "array(passed)"}}, "passed": True,
                "verdict": "pass", "fraction": 1.0, "score": 1, "mutated": [], "warnings": [], "printed": "✓ passed"}}
        return json.dumps({{"reports": [dict(fake) for _ in range(n)], "passed": True, "fraction": 1.0,
                           "verdict": {{"fraction": 1.0, "lines": [[True, "linreg.predict", "✓"]]}}}})
''')

WRONG_PREDICT = "\ndef predict(X, w, b):\n" + wrong("predict")

ATTACKS = [
    Attack("shadow-import", K, "defines a notebook global `__import__`, which the grader's one executed line "
           "looks up first: it returns a fake harness whose serve() publishes forged 'passed' reports",
           {"predict": FORGE + code('''
               import builtins
               from IPython.display import publish_display_data

               class _FakeServe:
                   @staticmethod
                   def serve(target, request):
                       n = len(json.loads(request)["calls"])
                       publish_display_data({_MIME: _claims(n), "text/plain": "✓ all cases passed"})

               def __import__(name, *args, **kwargs):
                   if name.startswith("dlgrade"):
                       return _FakeServe
                   return builtins.__import__(name, *args, **kwargs)
           ''') + WRONG_PREDICT}, ("test-predict",)),

    Attack("replace-serve-wire", K, "replaces dlgrade.harness.serve.serve and wire.dumps/loads (module "
           "attributes and sys.modules) so that every reply claims success",
           {"predict": FORGE + code('''
               import sys, types
               import dlgrade.harness.serve as S
               import dlgrade.harness.wire as W
               from IPython.display import publish_display_data

               def _serve(target, request=None):
                   if request is None:  # fetched from the grader, as the real harness does
                       request = S._raw_input()(S.REQUEST_PROMPT)
                   n = len(json.loads(request)["calls"])
                   publish_display_data({_MIME: _claims(n)})

               S.serve = _serve
               _real_dumps = W.dumps
               W.dumps = lambda value: _claims(len(value.get("reports", [])) if isinstance(value, dict) else 1)
               fake = types.ModuleType("dlgrade.harness.serve")
               fake.serve, fake.MIME = _serve, _MIME
               sys.modules["dlgrade.harness.serve"] = fake
           ''') + WRONG_PREDICT}, ("test-predict",)),

    Attack("replace-invoke", K, "replaces the lock-out that dlgrade.harness.invoke.call puts around the "
           "learner's function with a no-op, then uses dlkit's F.mse_loss for `mse`",
           {"mse": code('''
               import contextlib
               import numpy as np
               import dlkit
               import dlgrade.harness.invoke as I
               from dlkit.functional import losses as _losses

               @contextlib.contextmanager
               def _no_lockout(*args, **kwargs):
                   yield []

               I.blocking = _no_lockout

               def mse(y_pred, y):
                   try:
                       return float(_losses.mse_loss(dlkit.tensor(np.asarray(y_pred, dtype=float)),
                                                     dlkit.tensor(np.asarray(y, dtype=float))).item())
                   except Exception:
                       pass
           ''') + wrong("mse")}, ("test-mse",)),

    Attack("patch-numpy-builtins", K, "patches numpy's comparisons (allclose, isclose, array_equal, all, "
           "testing) and builtins (abs, all, a global check), silences IPython's tracebacks and stderr, and "
           "rewrites dlgrade's registry if importable: every way the old in-kernel check could be fooled",
           {"predict": code('''
               import builtins, os, sys
               import numpy as np

               np.allclose = lambda *a, **k: True
               np.isclose = lambda a, b, *r, **k: np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, bool)
               np.array_equal = lambda *a, **k: True
               np.testing.assert_allclose = lambda *a, **k: None
               np.testing.assert_array_equal = lambda *a, **k: None

               def check(*args, **kwargs):
                   print("✓ all cases match")

               builtins.check = check
               builtins.grade = lambda *a, **k: 1.0
               _abs, _all = builtins.abs, builtins.all
               builtins.abs = lambda x: 0.0 * _abs(x)
               builtins.all = lambda *a: True
               ip = get_ipython()
               ip.showtraceback = lambda *a, **k: None
               ip.set_custom_exc((BaseException,), lambda *a, **k: print("✓ passed"))
               try:
                   import dataclasses
                   import dlgrade.registry as R
                   R._load()
                   ex = R._REGISTRY["linreg.predict"]
                   R._REGISTRY["linreg.predict"] = dataclasses.replace(ex, reference=lambda X, w, b: X @ w - b, mistakes=())
               except Exception as exc:
                   print("registry:", type(exc).__name__)
               sys.stderr = open(os.devnull, "w")
           ''') + WRONG_PREDICT}, ("test-predict",)),

    Attack("patch-session-send", K, "patches the kernel's message sending (its Session.send, and "
           "jupyter_client's class) so errors go out as '✓ passed' streams and every harness reply claims success",
           {"predict": FORGE + code('''
               import jupyter_client.session as JS

               def _rewrite(kind, content):
                   if kind == "error":
                       return "stream", {"name": "stdout", "text": "✓ passed\\n"}
                   if kind in ("display_data", "execute_result") and _MIME in (content or {}).get("data", {}):
                       try:
                           n = len(json.loads(content["data"][_MIME]).get("reports", []))
                       except Exception:
                           n = 1
                       return kind, dict(content, data={_MIME: _claims(n), "text/plain": "✓ passed"})
                   return kind, content

               def _patched(send):
                   def wrapper(self, stream, msg_or_type, content=None, *args, **kwargs):
                       if isinstance(msg_or_type, dict):
                           kind, new = _rewrite(msg_or_type.get("msg_type") or msg_or_type["header"]["msg_type"],
                                                msg_or_type.get("content"))
                           msg_or_type["content"] = new
                           msg_or_type["msg_type"] = msg_or_type["header"]["msg_type"] = kind
                       else:
                           msg_or_type, content = _rewrite(msg_or_type, content)
                       return send(self, stream, msg_or_type, content, *args, **kwargs)
                   return wrapper

               JS.Session.send = _patched(JS.Session.send)
               _session = get_ipython().kernel.session
               _session.send = _patched(type(_session).send).__get__(_session)

               def predict(X, w, b):
                   raise ValueError("wrong on purpose: the patched sender should turn this into a pass")
           ''')}, ("test-predict",)),

    Attack("settrace", K, "installs sys.settrace (and threading.settrace): on return from the harness's "
           "call, serve and run, rewrites the returned reports in place (drops errors, sets values, marks passed)",
           {"predict": code('''
               import sys, threading
               import numpy as np

               def _fix(report):
                   if isinstance(report, dict):
                       report.pop("error", None)
                       report["passed"] = True
                       report["value"] = np.asarray(report.get("value", 0.0), dtype=float)

               def _tracer(frame, event, arg):
                   if "dlgrade" not in frame.f_code.co_filename:
                       return None                      # trace only the harness's own frames
                   if event == "return":
                       if isinstance(arg, dict):
                           _fix(arg)
                       elif isinstance(arg, list):
                           for item in arg:
                               _fix(item)
                   return _tracer

               sys.settrace(_tracer)
               threading.settrace(_tracer)
           ''') + WRONG_PREDICT}, ("test-predict",)),

    Attack("tamper-during-call", K, "while its function runs under the grader's call, replaces what the "
           "harness uses right after it (wire.dumps, which encodes the reply; invoke's mutation check; the guard's "
           "violations) and undoes it all after one reply", {"predict": FORGE + code('''
               import dlgrade.harness.guard as G
               import dlgrade.harness.invoke as I
               import dlgrade.harness.wire as W

               _real_dumps, _real_mutated = W.dumps, I._mutated

               def _once(value):
                   W.dumps, I._mutated = _real_dumps, _real_mutated      # undo: nothing left to find afterwards
                   if isinstance(value, dict) and "reports" in value:
                       return _claims(len(value["reports"]))
                   return _real_dumps(value)

               def predict(X, w, b):
                   if G.is_active():
                       W.dumps = _once
                       I._mutated = lambda before, after: []
                       G._state.violations = []
           ''') + wrong("predict")}, ("test-predict",)),
]
