"""Class 5: nbgrader's own scoring. nbgrader reads a test cell's outputs as its score (an `execute_result` number is
partial credit, no error is full marks); the grader must score from its verdict alone. Each payload tries to put a
score where nbgrader would read one, or to change which cells count as tests."""

from __future__ import annotations

import copy

from nbformat import NotebookNode

from .catalogue import Attack, code, wrong_function

K = "nbgrader partial credit"


def _index(nb: NotebookNode, grade_id: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)


def _edit_test(nb: NotebookNode) -> None:
    nb.cells[_index(nb, "test-predict")].source = "1.0  # full marks, as nbgrader reads an execute_result"


def _delete_test(nb: NotebookNode) -> None:
    del nb.cells[_index(nb, "test-predict")]


def _test_as_answer(nb: NotebookNode) -> None:
    """The test cell re-labelled as an answer cell (nbgrader would then leave its score to a human)."""
    meta = nb.cells[_index(nb, "test-predict")].metadata.nbgrader
    meta["solution"] = True
    meta["locked"] = False


def _forged_verdict(nb: NotebookNode) -> None:
    """The grader's own verdict written into the submitted cell's metadata, and a passing output beside it."""
    cell = nb.cells[_index(nb, "test-predict")]
    cell.metadata["dlcourse_verdict"] = {"fraction": 1.0}
    cell.outputs = [NotebookNode(output_type="stream", name="stdout", text="✓ linreg.predict — all cases passed\n")]
    cell.execution_count = 1


def _duplicate_test(nb: NotebookNode) -> None:
    """A second copy of test-predict after test-train-linear: by then train_linear has asked the grader's own
    predict (an oracle of that exercise) for the hidden inputs the first copy sent; the copy would pass."""
    copy_cell = copy.deepcopy(nb.cells[_index(nb, "test-predict")])
    copy_cell["id"] = "test-predict-again"
    nb.cells.insert(_index(nb, "test-train-linear") + 1, copy_cell)


def _fake_test(nb: NotebookNode) -> None:
    """A graded test cell of the learner's own, worth 5 points, checking something that passes."""
    cell = copy.deepcopy(nb.cells[_index(nb, "test-predict")])
    cell["id"] = "bonus"
    cell.source = 'check("linreg.predict", lambda X, w, b: X @ w + b)'
    cell.metadata.nbgrader.update(grade_id="test-bonus", points=5)
    nb.cells.insert(_index(nb, "test-predict") + 1, cell)


HARVEST_PREDICT = code('''
    import numpy as np

    SEEN = {}          # inputs predict was called with -> the grader's answer, once known

    def predict(X, w, b):
        key = (np.asarray(X).tobytes(), np.asarray(w).tobytes(), float(b))
        if SEEN.get(key) is not None:
            return SEEN[key]
        SEEN[key] = None
        return X @ w - b
''')

HARVEST_TRAIN = code('''
    import numpy as np

    def train_linear(X, y, lr, epochs, batch_size, rng):
        # Here `predict` is the grader's (an oracle of this exercise): ask it about every input seen so far.
        for key in [k for k, v in SEEN.items() if v is None]:
            Xk, wk, bk = key
            d = len(wk) // 8
            try:
                SEEN[key] = predict(np.frombuffer(Xk).reshape(-1, d), np.frombuffer(wk), bk)
            except Exception:
                pass
        n, d = X.shape
        w, b = np.zeros(d), 0.0
        losses = []
        for epoch in range(epochs):
            order = rng.permutation(n)
            for start in range(0, n, batch_size):
                rows = order[start:start + batch_size]
                w, b = gd_step(X[rows], y[rows], w, b, lr)
            losses.append(mse(predict(X, w, b), y))
        return w, b, np.array(losses)
''')

ATTACKS = [
    Attack("execute-result", K, "a wrong predict whose answer cell ends with `1.0` and displays 1.0 (an "
           "execute_result nbgrader would read as partial credit)",
           {"predict": wrong_function("predict") + code('''
               from IPython.display import display
               display(1.0)
               1.0
           ''')}, ("test-predict",)),

    Attack("edit-test-cell", K, "replaces the locked test cell's code with `1.0` (nbgrader: an execute_result "
           "worth full marks)", {"predict": wrong_function("predict")}, ("test-predict",), edit=_edit_test),

    Attack("delete-test-cell", K, "deletes test-predict (nbgrader would have nothing to fail)",
           {"predict": wrong_function("predict")}, ("test-predict",), edit=_delete_test),

    Attack("test-cell-as-answer", K, "re-labels test-predict in its metadata as an answer cell (solution: "
           "true, unlocked), so nbgrader would leave it to a human or run it as the learner's code",
           {"predict": wrong_function("predict")}, ("test-predict",), edit=_test_as_answer),

    Attack("forged-verdict-metadata", K, "writes the grader's verdict key (dlcourse_verdict: fraction 1.0) and a "
           "passing output into the submitted test cell", {"predict": wrong_function("predict")},
           ("test-predict",), edit=_forged_verdict),

    Attack("duplicate-test-cell", K, "records predict's hidden inputs, has train_linear ask the grader's "
           "predict (an oracle there) for their answers, and repeats test-predict after test-train-linear",
           {"predict": HARVEST_PREDICT, "train-linear": HARVEST_TRAIN}, ("test-predict",), edit=_duplicate_test),

    Attack("fake-test-cell", K, "adds a graded test cell of its own (5 points) that checks a correct lambda",
           {"predict": wrong_function("predict")}, ("test-predict",), edit=_fake_test),

]
