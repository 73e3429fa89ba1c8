"""nbgrader without its Jupyter server extensions, in the processes of the `dlcourse` command.

nbgrader's package `__init__` imports the handlers of its four Jupyter server extensions (tornado, jupyter_server,
the exchange): about 0.35 s of CPU before a command reads anything. No dlcourse process serves Jupyter, and the
command starts many of them (a command, a fork server per grading slot, a process per notebook `check` runs), so
their entry points call `without_server_extensions()` first: the package is registered bare, with the version
nbgrader's apps print, and its modules (`nbgrader.api`, `nbgrader.converters`, ...) import as before. A Jupyter
server loads the real package (it never runs these entry points), and where nbgrader is already imported this
does nothing.
"""

from __future__ import annotations

import importlib.util
import sys


def without_server_extensions() -> None:
    """Register the nbgrader package without running its `__init__` (see the module docstring)."""
    if "nbgrader" in sys.modules:
        return
    spec = importlib.util.find_spec("nbgrader")
    if spec is None or spec.loader is None or not spec.submodule_search_locations:
        return  # not installed (the learner's side), or not a regular package: import it the usual way
    package = importlib.util.module_from_spec(spec)
    sys.modules["nbgrader"] = package
    try:
        from nbgrader._version import __version__
    except ImportError:
        del sys.modules["nbgrader"]
        return
    package.__version__ = __version__
