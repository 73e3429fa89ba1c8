"""Every solution notebook runs top to bottom (nbval, lax mode) in the current environment."""

from __future__ import annotations

import subprocess
import sys

from .conftest import REPO


def test_solution_notebooks_execute_with_nbval() -> None:
    """`pytest --nbval-lax --nbval-current-env solutions/`, in its own process so plugins stay isolated."""
    notebooks = sorted(str(p) for p in (REPO / "solutions").rglob("*.ipynb") if ".ipynb_checkpoints" not in str(p))
    assert notebooks
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider",
         "-o", "addopts=", "-q", *notebooks],
        cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
