"""dlcourse.headless: notebooks run without a browser never echo Output-widget contents back to the kernel.

The echo is what can make nbclient miss a cell's reply (a minute lost per `dlcourse check`, now and then; for ever
under `jupyter nbconvert --execute`). It cannot be made to happen on demand, so these tests look at its cause: the
kernel's Output widget hears about what it captured only when the executor echoes it. With nbconvert's own
executor it does (the control: the test can fail); with ours it never does, also after nbconvert re-runs the
executor's __init__ for a second notebook.
"""

from __future__ import annotations

import nbformat
import pytest
from nbconvert.preprocessors import ExecutePreprocessor
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config

from dlcourse.headless import HeadlessExecute, HeadlessExecutePreprocessor, OneWayOutputWidget
from dlcourse.release import validate

CELLS = [
    "import ipywidgets as widgets\nfrom IPython.display import display\nout = widgets.Output()\ndisplay(out)",
    "with out:\n    print('captured')",
    "print('echoed outputs:', len(out.outputs))",
]


def _echoed(executor) -> str:
    nb = new_notebook(cells=[new_code_cell(src) for src in CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    executor.preprocess(nb, {})
    return "".join(o.get("text", "") for o in nb.cells[-1].outputs).strip()


def test_nbconverts_own_executor_echoes_what_the_widget_captured() -> None:
    assert _echoed(ExecutePreprocessor(kernel_name="python3", timeout=60)) == "echoed outputs: 1"


@pytest.mark.parametrize("executor", [HeadlessExecutePreprocessor, HeadlessExecute])
def test_headless_executors_echo_nothing_also_on_their_second_notebook(executor) -> None:
    ex = executor(kernel_name="python3", timeout=60)
    assert _echoed(ex) == "echoed outputs: 0"
    assert _echoed(ex) == "echoed outputs: 0"  # preprocess calls NotebookClient.__init__ again
    assert ex.widget_registry["@jupyter-widgets/output"]["OutputModel"] is OneWayOutputWidget


def test_what_the_widget_captured_is_still_kept_in_the_widget_state() -> None:
    """The saved notebook still carries the widget's outputs (as a browser would save them)."""
    nb = new_notebook(cells=[new_code_cell(src) for src in CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    HeadlessExecutePreprocessor(kernel_name="python3", timeout=60).preprocess(nb, {})
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    outputs = [m["state"].get("outputs") for m in state.values() if m["model_name"] == "OutputModel"]
    assert outputs and outputs[0][0]["text"] == "captured\n", outputs


def test_dlcourse_check_validates_with_the_headless_executor(tmp_path, monkeypatch) -> None:
    """`dlcourse check` runs nbgrader's Validator with HeadlessExecute in place of its Execute."""
    seen = []

    def record(self, nb, resources):
        seen.append(self)
        return nb, resources

    monkeypatch.setattr(validate.CheckExecute, "preprocess", record)
    path = tmp_path / "n.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("1")]), path)
    validate.validate(path, Config())
    assert seen and isinstance(seen[0], HeadlessExecute)
