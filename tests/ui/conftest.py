"""The learner's view in a real browser: JupyterLab on a free loopback port, driven by Playwright in Chromium.

Everything runs against temporary copies (the lessons and the course), never the checkout: running a notebook in
JupyterLab saves outputs and checkpoints next to it, and `lessons/` must stay output-free. Each server gets its own
Jupyter config, data, runtime, settings and workspace folders, token authentication, and is shut down by its own
process id. The browser is the suite's one (tests/browser.py, the `browser` fixture of tests/conftest.py). Without
Playwright or Chromium every browser test is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dlcourse.project import Project
from dlcourse.syllabus import load_syllabus

from ..browser import browser_missing

REPO = Path(__file__).resolve().parents[2]
LESSONS = [lesson.id for lesson in load_syllabus(Project(REPO))]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"  # git-ignored

# JupyterLab preferences for the tests only (a user settings folder of the test's own): no news or update toast
# over the notebook, every cell attached to the DOM (the default windowing detaches cells outside the viewport,
# which would hide outputs from the checks and from full-page screenshots).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                         "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "ui: browser tests in JupyterLab (skipped without Chromium and Playwright)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip (with the reason) every test that needs the browser when Chromium or Playwright is missing."""
    reason = browser_missing()
    if reason is None:
        return
    for item in items:
        if item.get_closest_marker("ui") is not None:
            item.add_marker(pytest.mark.skip(reason=f"browser tests skipped: {reason}"))


# ---------------------------------------------------------------------------------------------------------------
# JupyterLab


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    """A running JupyterLab: its address, token, root folder and process."""

    url: str
    token: str
    root: Path
    proc: subprocess.Popen
    log: Path

    def api(self, method: str, path: str) -> object:
        """Call the server's REST API with the token; return the decoded JSON (None for an empty body)."""
        req = urllib.request.Request(f"{self.url}/api/{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Shut every kernel down (between lessons, so kernels do not pile up on a 2-core machine)."""
        for kernel in self.api("GET", "kernels"):
            self.api("DELETE", f"kernels/{kernel['id']}")

    def log_tail(self, n: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-n:]


def _isolated_env(home: Path) -> dict[str, str]:
    """Environment for a server whose config, data, runtime, settings and workspaces are all under home."""
    env = dict(os.environ)
    dirs = {"JUPYTER_CONFIG_DIR": "config", "JUPYTER_DATA_DIR": "data", "JUPYTER_RUNTIME_DIR": "runtime",
            "JUPYTERLAB_SETTINGS_DIR": "settings", "JUPYTERLAB_WORKSPACES_DIR": "workspaces", "IPYTHONDIR": "ipython"}
    for var, sub in dirs.items():
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(home / sub)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    # As in an activated venv: nbgrader's gradebook runs `alembic` by name, so the formgrader needs our bin/ on PATH.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.pop("JUPYTER_PATH", None)
    env.pop("JUPYTER_CONFIG_PATH", None)
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # no debugger warning on stderr at kernel start
    env["OMP_NUM_THREADS"] = env["OPENBLAS_NUM_THREADS"] = "1"  # kernels and the browser share 2 cores
    for rel, content in LAB_SETTINGS.items():
        path = home / "settings" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content))
    return env


def start_lab(root: Path, home: Path, *, cwd: Path | None = None, extra: tuple[str, ...] = ()) -> Lab:
    """Start JupyterLab serving root on a free loopback port; wait until it answers; return it."""
    token = secrets.token_hex(16)
    env = _isolated_env(home)
    log = home / "lab.log"
    for attempt in range(3):  # a free port can be taken between finding it and binding it: try another
        port = free_port()
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
               "--ServerApp.terminals_enabled=False", *extra]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        with open(log, "w") as out:
            proc = subprocess.Popen(cmd, cwd=cwd or root, env=env, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        lab = Lab(f"http://127.0.0.1:{port}", token, root, proc, log)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                lab.api("GET", "status")
                return lab
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.25)
        if proc.poll() is None:
            stop_lab(lab)
            raise RuntimeError(f"JupyterLab did not answer within 90 s:\n{lab.log_tail()}")
        if "already in use" not in lab.log_tail() or attempt == 2:
            raise RuntimeError(f"JupyterLab exited with status {proc.returncode}:\n{lab.log_tail()}")
    raise AssertionError("unreachable")


def stop_lab(lab: Lab) -> None:
    """Stop the server by its own process id (SIGTERM shuts its kernels down too), then make sure it is gone."""
    if lab.proc.poll() is not None:
        return
    try:
        lab.shutdown_kernels()
    except (urllib.error.URLError, OSError):
        pass
    terminate(lab.proc, grace=15)


def terminate(proc: subprocess.Popen, grace: float) -> None:
    """SIGTERM a process by its id; SIGKILL it if it has not exited within `grace` seconds."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def copy_project(dest: Path) -> Path:
    """A throw-away copy of the course (course config and syllabus, solutions, lessons) under dest."""
    (dest / "course").mkdir(parents=True)
    for name in ("nbgrader_config.py", "syllabus.toml"):
        shutil.copy(REPO / "course" / name, dest / "course" / name)
    for folder in ("solutions", "lessons"):
        shutil.copytree(REPO / folder, dest / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return dest


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The course copy the learner's and the instructor's JupyterLab serve."""
    return copy_project(tmp_path_factory.mktemp("ui") / "project")


@pytest.fixture(scope="session")
def learner_lab(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab as `make lab` starts it for a learner: rooted at lessons/."""
    lab = start_lab(project / "lessons", tmp_path_factory.mktemp("learner-jupyter"))
    yield lab
    stop_lab(lab)


@pytest.fixture(scope="session")
def instructor_lab(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab as an instructor starts it: from course/ (where nbgrader finds its config), rooted at the project."""
    lab = start_lab(project, tmp_path_factory.mktemp("instructor-jupyter"), cwd=project / "course")
    yield lab
    stop_lab(lab)


# ---------------------------------------------------------------------------------------------------------------
# the browser


def new_page(browser: object) -> object:
    """A page in a fresh browser context (no cookies or storage shared), collecting console errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    pg.console_errors = []  # type: ignore[attr-defined]
    pg.on("console", lambda msg: msg.type == "error" and pg.console_errors.append(msg.text))
    pg.on("pageerror", lambda exc: pg.console_errors.append(f"uncaught: {exc}"))
    return pg


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh browser context and page per test (no cookies or storage shared between tests)."""
    pg = new_page(browser)
    yield pg
    pg.context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
