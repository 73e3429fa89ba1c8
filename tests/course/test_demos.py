"""The grader skips only the cells no graded answer can depend on (dlcourse.demos)."""
from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from dlcourse.demos import skippable


def _nb(*cells: tuple[str, dict]) -> nbformat.NotebookNode:
    return new_notebook(cells=[new_code_cell(src, metadata={"nbgrader": meta} if meta else {}) for src, meta in cells])


ANSWER = {"solution": True, "grade": False, "grade_id": "f", "locked": False}
TEST = {"solution": False, "grade": True, "grade_id": "test-f", "points": 1, "locked": True}


def test_a_plot_of_the_learners_function_is_skipped_and_the_setup_is_kept():
    nb = _nb(("import numpy as np\nimport matplotlib.pyplot as plt\nrng = np.random.default_rng(0)", None),
             ("def f(x):\n    return np.sum(x)", ANSWER),
             ("xs = np.linspace(0, 1)\nplt.plot(xs, [f(x) for x in xs])\nprint(len(xs))", None),
             ('check("ex.f", f)', TEST))
    assert skippable(nb) == {2}


def test_a_demo_whose_variable_the_learners_function_reads_is_kept():
    nb = _nb(("import numpy as np", None), ("scale = 3.0", None),
             ("def f(x):\n    return x * scale", ANSWER), ('check("ex.f", f)', TEST))
    assert skippable(nb) == set()


def test_a_demo_that_draws_from_a_generator_used_later_is_kept():
    nb = _nb(("import numpy as np\nrng = np.random.default_rng(0)", None), ("noise = rng.normal()", None),
             ("data = rng.normal(size=3)\ndef f(x):\n    return x + data", ANSWER), ('check("ex.f", f)', TEST))
    assert skippable(nb) == set()


def test_a_demo_that_changes_a_variable_in_place_or_a_module_state_is_kept():
    nb = _nb(("import numpy as np\nw = np.zeros(3)", None), ("w[0] = 1.0", None), ("np.random.seed(1)", None),
             ("def f(x):\n    return x @ w + np.random.rand()", ANSWER), ('check("ex.f", f)', TEST))
    assert skippable(nb) == set()


def test_cells_that_cannot_be_analysed_are_kept():
    nb = _nb(("%matplotlib inline", None), ("exec('y = 1')", None), ("def (", None),
             ("globals()['z'] = 2", None), ("def f(x):\n    return x", ANSWER), ('check("ex.f", f)', TEST))
    assert skippable(nb) == set()


def test_names_local_to_a_function_do_not_keep_a_demo():
    nb = _nb(("import numpy as np", None), ("X = np.ones(3)\nw = 2.0\nprint(X * w)", None),
             ("def f(X, w):\n    return X * w", ANSWER), ('check("ex.f", f)', TEST))
    assert skippable(nb) == {1}
