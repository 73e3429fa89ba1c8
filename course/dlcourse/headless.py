"""Running a notebook without a browser, with nbclient's stand-in for the Output widget made one-way.

A browser keeps an Output widget's model in step with the kernel: every output the widget captures (each call of
the function behind `ipywidgets.interact` prints and draws into one) is echoed back to the kernel. nbclient
imitates that echo by sending a comm message on the shell channel, from the task that reads IOPub, while the
task waiting for the cell's execute_reply is reading that same socket. The send can use up the socket's wake-up:
the reply then sits unread until the cell's timeout (nbgrader's 60 s, after which the kernel is interrupted and
the reply is found at last) or for ever when there is none (`jupyter nbconvert --execute`). See nbclient issue
#312. On this project's lessons, about one validation in ten lost a minute this way with three side by side.

Nothing we run needs that echo: the captured outputs still go to the widget and into the saved widget state, as
before; only the message to the kernel is left out. Every place that executes notebooks uses these classes.
"""

from __future__ import annotations

from typing import Any

from nbclient.output_widget import OutputWidget
from nbconvert.preprocessors import ExecutePreprocessor
from nbgrader.preprocessors import Execute
from traitlets import Bool

OUTPUT_MODEL = ("@jupyter-widgets/output", "OutputModel")


class OneWayOutputWidget(OutputWidget):
    """nbclient's Output widget, which records what it captures but sends nothing back to the kernel."""

    def _publish_msg(self, msg_type: str, data: dict[str, Any] | None = None,
                     metadata: dict[str, Any] | None = None, buffers: list[Any] | None = None, **keys: Any) -> None:
        """Send nothing: the echo shares the shell socket with the wait for the cell's reply (module docstring)."""


class OneWayWidgets:
    """Mixin for an nbclient executor (nbconvert's or nbgrader's): its Output widgets are one-way.

    nbclient fills its widget registry in __init__, and nbconvert's preprocess calls that __init__ again before
    every notebook, so the registry is a property that swaps the Output widget in whenever it is set."""

    @property
    def widget_registry(self) -> dict[str, dict[str, Any]]:
        return self._one_way_registry

    @widget_registry.setter
    def widget_registry(self, registry: dict[str, dict[str, Any]]) -> None:
        module, model = OUTPUT_MODEL
        self._one_way_registry = {**registry, module: {**registry.get(module, {}), model: OneWayOutputWidget}}


class HeadlessExecutePreprocessor(OneWayWidgets, ExecutePreprocessor):
    """nbconvert's ExecutePreprocessor with one-way Output widgets (for `jupyter nbconvert --execute` runs:
    pass `--NotebookExporter.preprocessors=dlcourse.headless.HeadlessExecutePreprocessor`)."""

    enabled = Bool(True, help="run when listed (nbconvert's own needs --execute)").tag(config=True)


class HeadlessExecute(OneWayWidgets, Execute):
    """nbgrader's Execute preprocessor with one-way Output widgets."""
