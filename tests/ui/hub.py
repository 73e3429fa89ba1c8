"""The course's JupyterHub for the browser tests, and what its users do in it.

The hub is course/hub/jupyterhub_config.py as `make hub` runs it, with a thin layer on top: free loopback ports,
its state (database, homes, exchange) in a temporary folder, a temporary copy of the course, known passwords, and
JupyterLab settings for the tests. Every process the hub starts carries a marker in its environment, so that
stopping the hub can make sure that none of them outlives the test (each is ended by its own process id).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .conftest import REPO, _isolated_env, free_port, terminate
from .notebook import click_menu

if TYPE_CHECKING:  # Playwright is imported only where the browser tests run
    from playwright.sync_api import Locator, Page

HUB = REPO / "course" / "hub"
# nbgrader's exchange steps (fetch, submit, fetch feedback) run in the user's server; beside a grading run on
# 2 shared cores one can take many seconds.
EXCHANGE_STEP_MS = 120_000
PROXY = HUB / "node_modules" / ".bin" / "configurable-http-proxy"

# What the test adds to the course's hub configuration: the JupyterLab settings of the other browser tests plus
# terminals that keep xterm's screen-reader rows (the text a terminal shows, readable from the page) and one
# BLAS thread per kernel (three servers, their kernels, the grader and the browser share 2 cores).
_LAYER = """c = get_config()
load_subconfig({config!r})
c.Spawner.environment = {{**c.Spawner.environment, **{env!r}}}
"""
TERMINAL_SETTINGS = {"@jupyterlab/terminal-extension/plugin.jupyterlab-settings": {"screenReaderMode": True}}


def hub_missing() -> str | None:
    """Why the hub cannot start here, or None when it can."""
    if importlib.util.find_spec("jupyterhub") is None:
        return "JupyterHub is not installed (pip install -e '.[hub]')"
    if not PROXY.exists():
        return f"configurable-http-proxy is not installed ({PROXY}; run `npm ci --prefix course/hub`)"
    return None


@dataclass
class Hub:
    """A running course hub: its address, users and passwords, state folder and process."""

    url: str
    state: Path
    proc: subprocess.Popen
    log: Path
    marker: str
    instructor: str
    passwords: dict[str, str]

    def password(self, name: str) -> str:
        """The password `name` logs in with: the instructor's own, else the learners' shared one."""
        return self.passwords["instructor" if name == self.instructor else "learners"]

    def log_tail(self, n: int = 6000) -> str:
        """The end of the hub's log (the proxy's and the servers' lines are in it too)."""
        return self.log.read_text(errors="replace")[-n:]


def _health(url: str) -> bool:
    """Whether the hub answers through its proxy."""
    try:
        with urllib.request.urlopen(f"{url}/hub/health", timeout=5) as resp:
            return resp.status == 200
    except (urllib.error.URLError, ConnectionError, OSError):
        return False


def start_hub(project: Path, state: Path, learners: list[str], instructor: str = "instructor") -> Hub:
    """Start the course hub for `project` on free loopback ports; wait until it answers; return it."""
    state.mkdir(parents=True, exist_ok=True)
    env = _isolated_env(state / "hub-jupyter")
    settings = Path(env["JUPYTERLAB_SETTINGS_DIR"])
    for rel, content in TERMINAL_SETTINGS.items():
        (settings / rel).parent.mkdir(parents=True, exist_ok=True)
        (settings / rel).write_text(json.dumps(content))
    marker = secrets.token_hex(8)
    passwords = {"learners": secrets.token_urlsafe(12), "instructor": secrets.token_urlsafe(32)}
    env.update(DLCOURSE_PROJECT=str(project), DLCOURSE_HUB_STATE=str(state), DLCOURSE_HUB_INSTRUCTOR=instructor,
               DLCOURSE_HUB_LEARNERS=",".join(learners), DLCOURSE_HUB_PASSWORD=passwords["learners"],
               DLCOURSE_HUB_ADMIN_PASSWORD=passwords["instructor"], DLCOURSE_HUB_TEST=marker)
    layer = state / "test_jupyterhub_config.py"
    layer.write_text(_LAYER.format(config=str(HUB / "jupyterhub_config.py"), env={
        "JUPYTERLAB_SETTINGS_DIR": str(settings), "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1", "DLCOURSE_HUB_TEST": marker}))
    log = state / "hub.log"
    for attempt in range(3):  # a free port can be taken between finding it and binding it: try others
        url = f"http://127.0.0.1:{free_port()}"
        cmd = [sys.executable, "-m", "jupyterhub", "-f", str(layer), f"--JupyterHub.bind_url={url}",
               f"--JupyterHub.hub_bind_url=http://127.0.0.1:{free_port()}",
               f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{free_port()}"]
        with open(log, "w") as out:
            proc = subprocess.Popen(cmd, cwd=state, env=env, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        hub = Hub(url, state, proc, log, marker, instructor, passwords)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if _health(url):
                return hub
            time.sleep(0.25)
        stop_hub(hub)
        if "address already in use" not in hub.log_tail().lower() or attempt == 2:
            raise RuntimeError(f"JupyterHub did not start (exit status {proc.returncode}):\n{hub.log_tail()}")
    raise AssertionError("unreachable")


def _started_by(marker: str) -> list[int]:
    """Process ids of every process whose environment carries the marker (the hub, its proxy, servers, kernels)."""
    found: list[int] = []
    if not Path("/proc").is_dir():  # no /proc to read (not Linux): the hub's own clean-up is all there is
        return found
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if f"DLCOURSE_HUB_TEST={marker}".encode() in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:  # gone already, or not ours to read
            continue
    return found


def stop_hub(hub: Hub) -> None:
    """Stop the hub by its process id (it stops the proxy and every server), then end anything it left behind."""
    if hub.proc.poll() is None:
        terminate(hub.proc, grace=60)
    for pid in _started_by(hub.marker):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# ---------------------------------------------------------------------------------------------------------------
# in the browser


def log_in(page: Page, hub: Hub, name: str) -> None:
    """Log in on the hub's page as a person does; wait until their own JupyterLab has loaded."""
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", hub.password(name))
    page.click("#login_submit")
    # The first log-in starts the user's server: the hub shows its progress page until JupyterLab answers.
    page.wait_for_url(re.compile(rf"/user/{re.escape(name)}/lab"), timeout=240_000)
    page.locator("#jp-menu-panel, #jp-MainMenu").get_by_text("File", exact=True).first.wait_for(timeout=120_000)


class Terminal:
    """A JupyterLab terminal (File → New → Terminal), read through xterm's screen-reader rows."""

    def __init__(self, page: Page) -> None:
        self.page = page
        click_menu(page, "File", "New")
        page.locator(".lm-Menu:visible .lm-Menu-itemLabel").get_by_text("Terminal", exact=True).first.click()
        self.rows = page.locator(".jp-Terminal:visible .xterm-accessibility-tree").first
        self.rows.wait_for(state="attached", timeout=60_000)
        deadline = time.monotonic() + 60  # the shell's prompt says it is ready for input
        while not self.text().strip() and time.monotonic() < deadline:
            page.wait_for_timeout(250)

    def text(self) -> str:
        """What the terminal shows now."""
        return self.rows.inner_text().replace("\xa0", " ")

    def run(self, command: str, timeout: float = 600) -> str:
        """Type a command as a person does; wait until it has finished; return what it printed. A command that
        exits with a non-zero status fails the test with its output."""
        token = secrets.token_hex(4)
        self.page.locator(".jp-Terminal:visible").first.click()
        self.page.keyboard.type("clear\n")
        # The marker line is printed only after the command ends, with its exit status; the typed line itself
        # shows `$?`, so it never matches.
        self.page.keyboard.type(f'{command}; echo "done-{token} $?"\n')
        done = re.compile(rf"^done-{token} (\d+)\s*$", re.M)
        deadline = time.monotonic() + timeout
        while not done.search(self.text()):
            if time.monotonic() > deadline:
                raise AssertionError(f"`{command}` did not finish within {timeout:.0f} s; the terminal shows:\n"
                                     f"{self.text()}")
            self.page.wait_for_timeout(500)
        shown = self.text()
        output = shown[:done.search(shown).start()]
        status = int(done.search(shown).group(1))
        assert status == 0, f"`{command}` exited with status {status}:\n{output}"
        return output


class Assignments:
    """nbgrader's Assignment List in JupyterLab (Nbgrader → Assignment List), as a learner uses it."""

    def __init__(self, page: Page) -> None:
        self.page = page
        click_menu(page, "Nbgrader", "Assignment List")
        self.panel = page.locator("#nbgrader-assignment-list")
        self.panel.wait_for()

    def show(self) -> None:
        """Bring the Assignments tab to the front."""
        self.page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="Assignments").first.click()
        self.panel.wait_for()

    def row(self, section: str, lesson: str) -> Locator:
        """The lesson's row in one list: released, fetched (Downloaded assignments) or submitted."""
        return self.panel.locator(f"#{section}_assignments_list > .list_item", has_text=lesson).first

    def fetch(self, lesson: str) -> None:
        """Fetch: the lesson moves from Released to Downloaded assignments."""
        self.show()
        self.row("released", lesson).get_by_role("button", name="Fetch").click()
        self.row("fetched", lesson).wait_for(timeout=EXCHANGE_STEP_MS)

    def open_notebook(self, lesson: str, notebook: str) -> None:
        """Expand the downloaded lesson and open one of its notebooks; wait until its cells are shown."""
        self.show()
        row = self.row("fetched", lesson)
        row.locator("a.assignment-notebooks-link").click()
        row.locator(".nested_list_item a", has_text=notebook).first.click()
        self.page.locator(".jp-NotebookPanel:visible .jp-Cell").first.wait_for(timeout=60_000)

    def submit(self, lesson: str) -> str:
        """Submit: return the submission's time as the Submitted list shows it."""
        self.show()
        self.row("fetched", lesson).get_by_role("button", name="Submit").click()
        submitted = self.row("submitted", lesson)
        submitted.wait_for(timeout=EXCHANGE_STEP_MS)
        return submitted.inner_text()

    def fetch_feedback(self, lesson: str) -> None:
        """Fetch Feedback, then (view feedback), which shows the feedback folder in the file browser."""
        self.show()
        # The list is read when the tab opens: refresh it, as the instructor released the feedback since.
        self.panel.locator("#refresh_assignments_list").click()
        row = self.row("submitted", lesson)
        row.get_by_role("button", name="Fetch Feedback").click()
        row.get_by_text("(view feedback)").click(timeout=EXCHANGE_STEP_MS)


def write_answer(page: Page, function: str, code: str) -> None:
    """Replace the answer cell that defines `function` with `code`, typed into its editor."""
    cell = page.locator(".jp-NotebookPanel:visible .jp-CodeCell", has_text=f"def {function}(").first
    editor = cell.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    # insert_text puts the text in as one input, like a paste: no auto-indent of the typed lines.
    page.keyboard.insert_text(code)
    shown = editor.inner_text().replace("\xa0", " ")
    assert shown.strip() == code.strip(), f"the {function} cell shows\n{shown}\ninstead of\n{code}"


def wait_for_kernel(page: Page, timeout: float = 240) -> None:
    """Wait until the status bar says the notebook's kernel is Idle, as a learner waits before running cells.

    A cell run before the notebook is connected to its kernel is skipped without a word (JupyterLab clears it and
    goes on), so a Run All clicked too early leaves the checks blank.
    """
    bar = page.locator("#jp-main-statusbar")
    deadline = time.monotonic() + timeout
    while not re.search(r"\bIdle\b", bar.inner_text()):
        if time.monotonic() > deadline:
            shown = bar.inner_text().replace("\n", " | ")
            raise AssertionError(f"the kernel was not Idle within {timeout:.0f} s; the status bar shows: {shown!r}")
        page.wait_for_timeout(250)


def cell_output(page: Page, source: str, timeout: float = 180) -> str:
    """What the output area of the code cell containing `source` shows, once it shows anything."""
    area = page.locator(".jp-NotebookPanel:visible .jp-CodeCell", has_text=source).first.locator(".jp-OutputArea")
    deadline = time.monotonic() + timeout
    while not area.inner_text().strip():
        if time.monotonic() > deadline:
            # What the learner would see, for whoever reads the failure: the status bar names the kernel's state.
            status = page.locator("#jp-main-statusbar").inner_text(timeout=5_000).replace("\n", " | ")
            raise AssertionError(f"the cell with {source!r} showed no output within {timeout:.0f} s; the status "
                                 f"bar shows: {status!r}; the page: {page.url}")
        page.wait_for_timeout(250)
    return area.inner_text()


def save_notebook(page: Page) -> None:
    """Save with Ctrl+S; wait until the tab, marked as changed before, no longer is."""
    changed = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current.jp-mod-dirty")
    changed.wait_for()
    page.keyboard.press("Control+s")
    changed.wait_for(state="detached")
