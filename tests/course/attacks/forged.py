"""Class 4: forged replies. The kernel answers the grader with data; each payload sends data built to be
misread: a forged reply sent after the real one, floods, oversized and overdeep JSON, NaN and infinities, and
objects whose comparison methods lie."""

from __future__ import annotations

from .catalogue import Attack, code, wrong
from .tamper import FORGE

K = "forged replies"

# Counts the calls of the current request, and sends a reply of its own after the harness's (the last reply of a
# request is the one the grader reads) from IPython's post_run_cell event.
AFTER = code('''
    from IPython.display import publish_display_data
    from dlgrade.harness.guard import is_active as _grading   # True while the grader's call runs
    _calls = {"n": 0}
    _ip = get_ipython()
    _ip.events.register("pre_run_cell", lambda *a: _calls.update(n=0))

    def _request(result):
        """True after one of the grader's requests (its one line calls the harness's serve)."""
        return "dlgrade.harness.serve" in (getattr(getattr(result, "info", None), "raw_cell", "") or "")

    def _after(reply):
        def hook(result):
            if _calls["n"] and _request(result):
                publish_display_data({_MIME: reply(_calls["n"])})
        _ip.events.register("post_run_cell", hook)
''')

ATTACKS = [
    Attack("fake-reply", K, "prints fake replies with the harness's MIME type (display(raw), print of the JSON) "
           "and sends one more reply after the harness's from IPython's post_run_cell: forged reports",
           {"predict": FORGE + AFTER + code('''
               from IPython.display import display
               _after(_claims)

               def predict(X, w, b):
                   _calls["n"] += 1
                   display({_MIME: _claims(1)}, raw=True)
                   print(json.dumps({_MIME: _claims(1)}))
           ''') + wrong("predict")}, ("test-predict",)),

    Attack("display-flood", K, "floods the grader with 20 000 display messages (harness MIME and HTML) during "
           "each request, then 5 000 forged replies after the real one",
           {"predict": FORGE + AFTER + code('''
               _junk = _claims(1)

               def predict(X, w, b):
                   _calls["n"] += 1
                   if _calls["n"] == 1 and _grading():
                       for i in range(10_000):
                           publish_display_data({_MIME: _junk, "text/html": f"<b>{i}</b>"})
                           publish_display_data({"text/plain": "✓ passed"})
           ''') + wrong("predict") + code('''

               def _flood_after(result):
                   if _calls["n"] and _request(result):
                       for _ in range(5_000):
                           publish_display_data({_MIME: _junk})

               _ip.events.register("post_run_cell", _flood_after)
           ''')}, ("test-predict",)),

    Attack("malformed-reply", K, "replies after the harness with a 70 MB JSON text (predict's requests) and "
           "with JSON nested 200 000 deep (mse's requests), to exhaust or crash the grader's decoder",
           {"predict": FORGE + AFTER + code('''
               _which = {"fn": None}
               _HUGE = '{"reports": ["' + "x" * (70 * 2**20) + '"]}'
               _DEEP = "[" * 200_000 + "]" * 200_000

               def _malformed(n):
                   return _HUGE if _which["fn"] == "predict" else _DEEP

               _after(_malformed)

               def predict(X, w, b):
                   _calls["n"] += 1
                   _which["fn"] = "predict"
           ''') + wrong("predict"),
            "mse": code('''
               def mse(y_pred, y):
                   _calls["n"] += 1
                   _which["fn"] = "mse"
           ''') + wrong("mse")}, ("test-predict", "test-mse")),

    Attack("odd-values", K, "returns NaN with a payload (predict, every other call), objects whose __eq__, "
           "__array__, __float__, __len__ and comparisons lie (a class posing as a dlkit Tensor, an ndarray subclass, "
           "a float subclass, a tuple subclass), and infinities (gd_step)",
           {"predict": code('''
               import numpy as np

               class _Liar:
                   __module__ = "dlkit.autograd.tensor"     # poses as a dlkit Tensor
                   shape = property(lambda self: (self.n,))
                   def __init__(self, n): self.n = n
                   def __eq__(self, other): return True
                   def __ne__(self, other): return False
                   def __array__(self, dtype=None, copy=None): return np.zeros(self.n)
                   def __float__(self): return 0.0
                   def __len__(self): return self.n
                   def __sub__(self, other): return np.zeros(self.n)
                   __rsub__ = __sub__
                   def __abs__(self): return np.zeros(self.n)
                   def backward(self): pass
                   def detach(self): return self
                   def cpu(self): return self
                   def numpy(self): return np.zeros(self.n)

               class _EvilArray(np.ndarray):
                   def __eq__(self, other): return np.ones(np.shape(other), bool)
                   def __sub__(self, other): return np.zeros(np.shape(other))
                   __rsub__ = __sub__

               _turn = {"n": 0}

               def predict(X, w, b):
                   _turn["n"] += 1
                   if _turn["n"] % 3 == 1:
                       return _Liar(X.shape[0])
                   if _turn["n"] % 3 == 2:
                       out = np.full(X.shape[0], np.nan)
                       out.view(np.uint64)[:] |= 0x1234      # NaNs with a payload
                       return out
                   return (X @ w - b).view(_EvilArray)
           '''),
            "mse": code('''
               class _EvilFloat(float):
                   def __eq__(self, other): return True
                   def __sub__(self, other): return 0.0
                   __rsub__ = __sub__
                   def __abs__(self): return 0.0
                   def __le__(self, other): return True
                   def __lt__(self, other): return True

               def mse(y_pred, y):
                   return _EvilFloat(-1.0)
           '''),
            "mse-gradients": code('''
               class _EvilTuple(tuple):
                   def __getitem__(self, i): return 0.0
                   def __iter__(self): return iter((np.zeros(3), 0.0))
                   def __len__(self): return 2

               def mse_gradients(X, y, w, b):
                   return _EvilTuple((np.zeros(X.shape[1]) + 1.0, 1.0))
           '''),
            "gd-step": code('''
               def gd_step(X, y, w, b, lr):
                   return np.full(X.shape[1], np.inf), float("-inf")
           ''')}, ("test-predict", "test-mse", "test-mse-gradients", "test-gd-step")),
]
