"""The line to look at (look_at / look_for), the grader's source hook, and stale definitions in IPython."""
import numpy as np
import pytest

from dlgrade import learner
from dlgrade import diagnosis as dg
from dlgrade.diagnosis.source import Source, definition_in_cells, look_at, source_of, staleness
from dlgrade.registry import Case, KnownMistake, Output
from dlgrade.testcell import CheckCall
from dlgrade.verdict import judge
from dlgrade.calling import InProcessCaller

from .synthetic import exercise, run

rng = np.random.default_rng(6)


def ema(xs, beta):
    out, v = [], np.zeros(xs.shape[1:])
    for x in xs:
        v = beta * v + (1 - beta) * x
        out.append(v)
    return np.array(out)


def _no_dampening(xs, beta):
    out, v = [], np.zeros(xs.shape[1:])
    for x in xs:
        v = beta * v + x
        out.append(v)
    return np.array(out)


EMA = exercise(ema, [Case({"xs": rng.normal(size=(5, 2)) + 1, "beta": 0.8}, "xs (5, 2)")], outputs=(Output("v"),),
               mistakes=(KnownMistake("dampening", "the (1 − β) factor on x is missing.", _no_dampening,
                                      look_at="the line that updates v", look_for=r"v\s*=.*beta"),))


def learner_ema(xs, beta):
    out, v = [], np.zeros(xs.shape[1:])
    for x in xs:
        v = beta * v + x  # the mistake
        out.append(v)
    return np.array(out)


def test_known_mistake_quotes_the_line_in_the_learners_code():
    msg = run(EMA, learner_ema).message()
    first, look = msg.splitlines()[:2]
    assert "(1 − β) factor" in first
    line = source_of(learner_ema).first_line + 3
    assert look.strip() == f"look at line {line}: `v = beta * v + x  # the mistake`"


def test_without_the_source_the_description_is_shown():
    from dlgrade.runner import run_exercise
    msg = run_exercise(EMA, InProcessCaller(learner_ema)).message()
    assert "look at: the line that updates v" in msg


def test_look_at_skips_comments_and_bad_patterns():
    src = Source("# v = beta * v\nv = beta * v + x\n", 10)
    assert look_at(src, r"v\s*=.*beta", "") == "look at line 11: `v = beta * v + x`"
    assert look_at(src, "(", "the update") == "look at: the update"


def test_definition_in_cells_finds_the_last_cell_defining_the_target():
    cells = ["import numpy as np", "def predict(X, w, b):\n    return X @ w", "x = 1",
             "def predict(X, w, b):\n    return X @ w + b", "class Add:\n    pass"]
    assert definition_in_cells(cells, "predict").text == cells[3]
    assert definition_in_cells(cells, 'one_op(Add, "add")').text == cells[4]
    assert definition_in_cells(cells, "missing") is None


def test_verdict_passes_the_source_hook_to_the_runner():
    seen = []

    def source_for(target):
        seen.append(target)
        return source_of(learner_ema)
    from dlgrade import registry
    registry._REGISTRY.setdefault(EMA.name, EMA)
    try:
        v = judge([CheckCall("check", EMA.name, "learner_ema")], lambda t: InProcessCaller(learner_ema), None,
                  source_for)
    finally:
        registry._REGISTRY.pop(EMA.name, None)
    assert seen == ["learner_ema"] and "look at line" in v.failure


# ------------------------------------------------------------------------------------------------- staleness

def test_staleness_from_plain_history():
    old = "def f(x):\n    return x\n"
    broken = "def f(x):\n    return x +\n"
    assert staleness("f", old, [(1, old)], {}) is None
    assert "stale" in staleness("f", old, [(1, old), (2, broken)], {2: "SyntaxError: invalid syntax"})
    assert "raised ValueError" in staleness("f", old, [(1, old)], {1: "ValueError: late"})
    assert staleness("g", old, [(1, old)], {}) is None


@pytest.fixture()
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    sh = InteractiveShell.instance()
    learner.watch(sh)
    yield sh
    sh.events.unregister("post_run_cell", learner._record)
    InteractiveShell.clear_instance()


def test_check_refuses_a_definition_left_by_a_syntax_error(shell):
    shell.run_cell("def predict(X, w, b):\n    return X @ w + b\n", store_history=True)
    fn = shell.user_ns["predict"]
    assert learner.stale(fn, shell) is None
    shell.run_cell("def predict(X, w, b):\n    return X @ w +\n", store_history=True)
    assert shell.user_ns["predict"] is fn  # the old definition is still there
    why = learner.stale(fn, shell)
    assert why is not None and "stale" in why and "SyntaxError" in why


def test_check_refuses_a_cell_that_raised_after_the_def(shell):
    shell.run_cell("def predict(X, w, b):\n    return X @ w + b\nraise ValueError('later')\n", store_history=True)
    why = learner.stale(shell.user_ns["predict"], shell)
    assert why is not None and "ValueError" in why
    shell.run_cell("def predict(X, w, b):\n    return X @ w + b\n", store_history=True)
    assert learner.stale(shell.user_ns["predict"], shell) is None


def test_check_raises_the_stale_diagnosis(shell, monkeypatch):
    shell.run_cell("def predict(X, w, b):\n    return X @ w + b\n", store_history=True)
    shell.run_cell("def predict(X, w, b):\n    return X @ w + b)\n", store_history=True)
    monkeypatch.setattr(learner, "_shell", lambda: shell)
    with pytest.raises(learner.CheckFailed) as info:
        learner.check("linreg.predict", shell.user_ns["predict"])
    assert info.value.code == dg.STALE and "run it again" in str(info.value)
