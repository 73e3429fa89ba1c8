"""The graded kernel's kernelspec: `python3`, for one job only, started through the containing launcher."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

IPC_PARENT = "/tmp"  # short: a unix socket path must fit in 107 bytes, a job's work folder often does not


def _socket_folder() -> str:
    """A fresh folder (this user's only) where the kernel's launcher links the kernel's sockets; removed when the
    worker exits. The kernel never sees it."""
    folder = tempfile.mkdtemp(prefix="dlcourse-ipc-", dir=IPC_PARENT)
    atexit.register(shutil.rmtree, folder, True)
    return folder


def install_kernel(box: dict, work: Path) -> dict[str, str]:
    """Point this process's `python3` kernelspec at `python -m dlcourse.autograde.kernel` with the job's box;
    return the KernelManager settings for the connection to that kernel.

    nbgrader starts the kernel by name; JUPYTER_PATH makes this job's spec the one it finds, and the launcher
    reads the box (user, layers, limits) from the file named in DLCOURSE_KERNEL_BOX. A kernel in its own
    network namespace has no network, so it talks to the worker over unix sockets (ZMQ ipc): the kernel binds
    them in its own /run/kernel, and the launcher links them into a fresh folder here (through
    /proc/PID/root); the settings are then transport "ipc" and that folder's path prefix as `ip`.
    """
    settings: dict[str, str] = {}
    if box.get("namespaces"):
        settings = {"transport": "ipc", "ip": os.path.join(_socket_folder(), "kernel")}
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
    return settings
