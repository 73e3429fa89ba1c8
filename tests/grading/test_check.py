"""check() and grade(): output, messages, partial credit, not-implemented, stderr silence."""
import numpy as np
import pytest

from dlgrade import CheckFailed, Score, check, exercise_names, get_exercise, grade


def predict(X, w, b):
    return X @ w + b


def blank(*args):
    raise NotImplementedError()


def test_pass_prints_tick_to_stdout_only(capsys):
    check("linreg.predict", predict)
    out, err = capsys.readouterr()
    assert out.startswith("✓ linreg.predict") and "cases passed" in out
    assert err == ""


def test_hidden_uses_other_inputs():
    ex = get_exercise("linreg.predict")
    vis, hid = ex.make_cases(False), ex.make_cases(True)
    assert [c.shapes() for c in vis] != [c.shapes() for c in hid]
    assert not np.array_equal(vis[0].args["X"], hid[0].args["X"][: len(vis[0].args["X"])])
    assert any(c.shapes()[0][0] == 1 for c in vis), "batch 1 is among the visible cases"


def test_cases_are_deterministic():
    ex = get_exercise("layers.linear_backward")
    a, b = ex.make_cases(False), ex.make_cases(False)
    assert all(np.array_equal(x.args["x"], y.args["x"]) for x, y in zip(a, b))


def test_not_implemented_is_short_and_friendly():
    with pytest.raises(CheckFailed) as info:
        check("linreg.mse", blank)
    exc = info.value
    assert isinstance(exc, AssertionError)
    assert exc.code == "not_implemented" and "not implemented yet" in str(exc)
    assert exc.__cause__ is None and exc.__suppress_context__  # raised from None
    assert len(str(exc).splitlines()) == 1
    assert exc._render_traceback_()[0].startswith("\x1b[31m✗ CheckFailed")


def test_failure_message_has_case_and_worst_element():
    with pytest.raises(CheckFailed) as info:
        check("linreg.mse_gradients", lambda X, y, w, b: (X.T @ (X @ w + b - y), np.sum(X @ w + b - y)))
    msg = str(info.value)
    assert "case 1 of" in msg and "worst element" in msg and "relative error" in msg
    assert info.value.code == "scale"


def test_learner_warnings_never_reach_stderr(capsys):
    with pytest.raises(CheckFailed, match="overflow") as failure:   # the lesson asks for a stable sigmoid
        check("activations.sigmoid_forward", lambda x: 1 / (1 + np.exp(-x)))
    out, err = capsys.readouterr()
    assert err == "" and failure.value.code == "unstable"


def test_an_overflow_hint_names_the_stable_form_of_its_own_exercise():
    """The sigmoid's hint is about exp(-|x|), softmax's about the max: never the other's."""
    with pytest.raises(CheckFailed) as sig:
        check("activations.sigmoid_backward", lambda dout, x: dout * 0.25 / np.cosh(0.5 * x) ** 2)

    def softmax(z):  # right values, plus an overflow on the side
        np.exp(np.abs(z).max() * 10.0)
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    with pytest.raises(CheckFailed) as soft:
        check("losses.softmax", softmax)
    assert sig.value.code == "unstable" and "exp(-|x|)" in str(sig.value) and "max" not in str(sig.value)
    assert soft.value.code == "unstable" and "max before exp" in str(soft.value) and "|x|" not in str(soft.value)


def test_unknown_name_suggests(capsys):
    with pytest.raises(KeyError, match="linreg.predict"):
        check("linreg.predcit", predict)
    with pytest.raises(CheckFailed, match="must be your function"):
        check("linreg.predict", 3)


def test_names_are_topic_dot_name():
    names = exercise_names()
    assert {"linreg.predict", "linreg.mse", "linreg.mse_gradients", "linreg.normal_equations"} <= set(names)
    assert all(n.count(".") == 1 for n in names)
    assert exercise_names("linreg") == sorted(n for n in names if n.startswith("linreg."))


def lin_back_db_wrong(dout, x, W, b):
    return dout @ W.T, x.T @ dout, dout


def test_grade_partial_credit_by_parts(capsys):
    s = grade("layers.linear_backward", lin_back_db_wrong, points=3)
    assert isinstance(s, Score) and float(s) == 2.0 and repr(s) == "2.0"
    assert grade("layers.linear_backward", blank, points=3) == 0.0
    out, err = capsys.readouterr()
    assert "✗ layers.linear_backward" in out and "score: 2 / 3" in out and err == ""


def test_grade_several_exercises():
    s = grade({"linreg.predict": predict, "linreg.mse": blank}, points=2)
    assert float(s) == 1.0
    with pytest.raises(TypeError):
        grade({"linreg.predict": predict}, predict, points=1)
    with pytest.raises(ValueError):
        grade("linreg.predict", predict, points=0)


def test_exception_message_shows_learner_line():
    def bad(X, w, b):
        return X @ w + b[0]  # b is a float: no known mistake, a plain exception
    with pytest.raises(CheckFailed) as info:
        check("linreg.predict", bad)
    msg = str(info.value)
    assert info.value.code == "exception" and "return X @ w + b[0]" in msg and "X (6, 3)" in msg
