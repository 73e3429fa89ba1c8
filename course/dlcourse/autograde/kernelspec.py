"""The graded kernel's kernelspec: `python3`, for one job only, started through the containing launcher."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def install_kernel(box: dict, work: Path) -> None:
    """Point this process's `python3` kernelspec at `python -m dlcourse.autograde.kernel` with the job's box.

    nbgrader starts the kernel by name; JUPYTER_PATH makes this job's spec the one it finds, and the launcher
    reads the box (user, mounts, limits) from the file named in DLCOURSE_KERNEL_BOX.
    """
    spec = work / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "dlcourse.autograde.kernel", "-f", "{connection_file}"],
        "display_name": "Python 3 (graded)", "language": "python", "metadata": {"debugger": False},
    }), encoding="utf-8")
    box_file = work / "kernel-box.json"
    box_file.write_text(json.dumps(box), encoding="utf-8")
    os.environ["JUPYTER_PATH"] = str(work / "jupyter")
    os.environ["DLCOURSE_KERNEL_BOX"] = str(box_file)
