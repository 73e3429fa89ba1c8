"""The failure message: the cause first in at most three lines, then where to look, the case with its seed (which
rebuilds it), and the details."""
import numpy as np
import pytest

import dlgrade
from dlgrade import CheckFailed, check, exercise_names, get_exercise
from dlgrade.diagnosis import Diagnosis
from dlgrade.diagnosis.message import MAX_LINES, cause_lines, render


def _failure(name, fn, hidden=False):
    with pytest.raises(CheckFailed) as info:
        check(name, fn, hidden=hidden)
    return info.value


def test_cause_first_then_case_seed_and_details():
    exc = _failure("linreg.mse_gradients", lambda X, y, w, b: (X.T @ (X @ w + b - y), np.sum(X @ w + b - y)))
    lines = str(exc).splitlines()
    assert lines[0].startswith("linreg.mse_gradients: ") and "factor" in lines[0]
    case_line = next(line for line in lines if "case 1 of" in line)
    assert "seed " in case_line and "dlgrade.case_inputs(" in case_line
    assert lines.index(case_line) <= MAX_LINES and any("worst element" in line for line in lines)


def test_the_printed_seed_rebuilds_the_case():
    ex = get_exercise("linreg.predict")
    exc = _failure("linreg.predict", lambda X, w, b: X @ w, hidden=True)
    text = str(exc)
    call = text[text.index("dlgrade.case_inputs("):].split("\n")[0]
    args = eval(call, {"dlgrade": dlgrade})  # the learner pastes this line
    seed = ex.seed(True)
    first = ex.cases_from_seed(seed, True)[0]
    assert "hidden case 1 of" in text and "hidden=True" in call
    assert all(np.array_equal(args[k], first.args[k]) for k in first.args)


def test_not_implemented_stays_one_line():
    def blank(*args):
        raise NotImplementedError()
    assert len(str(_failure("linreg.mse", blank)).splitlines()) == 1


def _head(text):
    """The lines before the first indented detail."""
    lines = text.splitlines()
    return lines[:next((i for i, line in enumerate(lines) if line.startswith("  ")), len(lines))]


@pytest.mark.parametrize("name", exercise_names())
def test_known_mistake_causes_render_in_three_lines(name):
    for m in get_exercise(name).mistakes:
        text = render(name, Diagnosis(m.code, m.message, "worst element ..."), hidden=False, index=0, n_cases=3,
                      label="x (2,)", seed=1)
        assert sum(len(cause_lines(line)) for line in _head(text)) <= MAX_LINES, m.code
        assert " ".join(text.split()).replace(" … … ", " ").startswith(" ".join(f"{name}: {m.message}".split())[:80])


def test_generic_causes_fit_in_three_lines():
    cases = [
        ("linreg.predict", lambda X, w, b: X @ w),
        ("linreg.mse", lambda y_pred, y: float(np.sum((y_pred - y) ** 2))),
        ("layers.linear_backward", lambda dout, x, W, b: (dout @ W.T, x.T @ dout, dout)),
        ("tensors.standardize", lambda X: np.full(X.shape, np.nan)),
        ("optim.ema", lambda xs, beta: np.repeat(xs[-1:], len(xs), axis=0) * 0.3),
    ]
    for name, fn in cases:
        assert sum(len(cause_lines(line)) for line in _head(str(_failure(name, fn)))) <= MAX_LINES
