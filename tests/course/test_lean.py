"""dlcourse's processes load nbgrader without its Jupyter server extensions (dlcourse/lean.py), and nothing else."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import copy_course


def _python(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.strip().splitlines()[-1]


def test_a_command_loads_no_server_extension(tmp_path: Path) -> None:
    root = copy_course(tmp_path / "project")
    out = _python("import sys\nfrom dlcourse.cli import main\n"
                  f"rc = main(['--project', {str(root)!r}, 'status'])\n"
                  "import nbgrader.api, nbgrader.converters\n"
                  "from nbgrader._version import __version__\n"
                  "print(rc in (0, 1), 'nbgrader.server_extensions.formgrader' in sys.modules,"
                  " sys.modules['nbgrader'].__version__ == __version__)")
    assert out == "True False True", out


def test_an_imported_nbgrader_is_left_whole() -> None:
    """A process that has the real package (a Jupyter server with the formgrader) keeps it."""
    out = _python("import nbgrader\nfrom dlcourse.lean import without_server_extensions\n"
                  "without_server_extensions()\nimport sys\n"
                  "print(sys.modules['nbgrader'] is nbgrader, hasattr(nbgrader, '_jupyter_server_extension_points'))")
    assert out == "True True", out
