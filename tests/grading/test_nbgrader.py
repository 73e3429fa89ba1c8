"""In a real Jupyter kernel, graded by nbgrader's own determine_grade: a passing check earns
full points with HTML output and nothing on stderr, a failing one zero, grade() partial credit."""
import nbformat
import pytest
from nbgrader.utils import determine_grade

nbclient = pytest.importorskip("nbclient")

SETUP = '''
import numpy as np
from dlgrade import check, grade
def predict(X, w, b):
    return X @ w + b
def blank(X, w, b):
    raise NotImplementedError()
def linear_backward(dout, x, W, b):
    return dout @ W.T, x.T @ dout, dout          # db not summed: 2 of 3 parts right
def sigmoid(x):
    return 1 / (1 + np.exp(-x))                   # overflows (warns) on large |x|: the lesson asks for no overflow
'''

TESTS = {  # cell source -> (points, expected score)
    'check("linreg.predict", predict)\ncheck("linreg.predict", predict, hidden=True)': (2, 2.0),
    'check("linreg.predict", blank)': (2, 0.0),
    'check("activations.sigmoid_forward", sigmoid)': (1, 0.0),
    'grade("layers.linear_backward", linear_backward, points=3)': (3, 2.0),
    'grade("linreg.predict", blank, points=3)': (3, 0.0),
}


@pytest.fixture(scope="module")
def executed():
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(SETUP))
    for i, (src, (points, _)) in enumerate(TESTS.items()):
        cell = nbformat.v4.new_code_cell(src)
        cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True,
                                     "points": points, "grade_id": f"test{i}", "schema_version": 3}
        nb.cells.append(cell)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True)
    client.execute()
    return nb


def test_scores_as_nbgrader_computes_them(executed):
    for cell, (src, (points, expected)) in zip(executed.cells[1:], TESTS.items()):
        score, max_points = determine_grade(cell)
        assert (score, max_points) == (expected, points), (src, cell.outputs)


def test_no_stderr_and_html_ticks(executed):
    setup = executed.cells[0]
    assert not any(o.get("name") == "stderr" for o in setup.outputs)
    ok = executed.cells[1].outputs
    assert [o.output_type for o in ok] == ["display_data", "display_data"]
    assert "✓" in ok[0].data["text/html"] and "color:#1a7f37" in ok[0].data["text/html"]
    assert ok[0].data["text/plain"].startswith("✓ linreg.predict")
    for cell in executed.cells[1:]:
        assert not any(o.get("name") == "stderr" for o in cell.outputs), cell.source


def test_failure_traceback_is_short(executed):
    err = [o for o in executed.cells[2].outputs if o.output_type == "error"][0]
    assert err.ename == "CheckFailed" and "not implemented yet" in err.evalue
    assert len(err.traceback) <= 2, err.traceback  # no frames of grading internals
