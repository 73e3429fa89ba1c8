"""JupyterHub for the course on one machine: learners log in, fetch a lesson, work and submit; the instructor
collects, grades with `dlcourse` and returns feedback, all through nbgrader's exchange.

`make hub` starts it at http://127.0.0.1:8000 (course/README.md, "Large classes", walks through a lesson).
It is the local and test set-up: every learner's server runs as the Unix user that started the hub and anyone
with the learners' password can log in under any learner's name, so learners are NOT protected from each other.
For a real class keep the exchange and the per-user settings below and swap the two plug-ins (README: a
university log-in instead of the shared password, one Unix account or container per learner instead of
SimpleLocalProcessSpawner).

Settings, all optional, from the environment:
  DLCOURSE_PROJECT          the course checkout the instructor's server serves (default: this checkout)
  DLCOURSE_HUB_STATE        the hub's own files: database, cookie secret, passwords, learners' homes
                            (default: course/hub/state, git-ignored)
  DLCOURSE_EXCHANGE         nbgrader's exchange folder (default: exchange/ in the state folder)
  DLCOURSE_HUB_INSTRUCTOR   the instructor's log-in name (default: instructor)
  DLCOURSE_HUB_LEARNERS     learners allowed to log in, comma-separated (default: any valid name)
  DLCOURSE_HUB_PASSWORD, DLCOURSE_HUB_ADMIN_PASSWORD
                            the learners' and the instructor's passwords (at least 8 and 32 characters;
                            default: drawn once and kept in passwords.json in the state folder)
Addresses are JupyterHub's own options: `make hub ARGS="--JupyterHub.bind_url=http://127.0.0.1:8010"`.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

from jupyterhub.spawner import SimpleLocalProcessSpawner, Spawner

c = get_config()  # noqa: F821 - injected by traitlets when it loads this file

HERE = Path(__file__).resolve().parent
PROJECT = Path(os.environ.get("DLCOURSE_PROJECT") or HERE.parents[1]).resolve()
STATE = Path(os.environ.get("DLCOURSE_HUB_STATE") or HERE / "state").resolve()
EXCHANGE = Path(os.environ.get("DLCOURSE_EXCHANGE") or STATE / "exchange").resolve()
INSTRUCTOR = os.environ.get("DLCOURSE_HUB_INSTRUCTOR", "instructor")
LEARNERS = {name.strip() for name in os.environ.get("DLCOURSE_HUB_LEARNERS", "").split(",") if name.strip()}
# The nbgrader settings every user's server reads: the course id, the exchange, a learner's student id.
USER_CONFIG = HERE / "user-config"
VENV_BIN = Path(sys.executable).parent


def passwords(state: Path) -> dict[str, str]:
    """The learners' and the instructor's passwords: from the environment, else drawn once and kept in state."""
    kept = state / "passwords.json"
    stored = json.loads(kept.read_text()) if kept.is_file() else {}
    found = {"learners": os.environ.get("DLCOURSE_HUB_PASSWORD") or stored.get("learners"),
             "instructor": os.environ.get("DLCOURSE_HUB_ADMIN_PASSWORD") or stored.get("instructor")}
    if not all(found.values()):
        found = {"learners": found["learners"] or secrets.token_urlsafe(9),
                 "instructor": found["instructor"] or secrets.token_urlsafe(32)}
        kept.touch(mode=0o600)
        kept.write_text(json.dumps(found, indent=1))
        print(f"dlcourse hub: passwords kept in {kept}: learners {found['learners']!r}, "
              f"{INSTRUCTOR} {found['instructor']!r}", file=sys.stderr)
    return found


def configure_server(spawner: Spawner) -> None:
    """The instructor's server serves the course checkout with its nbgrader config; a learner's, their home."""
    name = spawner.user.name
    env: dict[str, str] = {}
    if name == INSTRUCTOR:
        spawner.notebook_dir = str(PROJECT)
        # course/nbgrader_config.py first, so nbgrader and the formgrader find the course from any folder.
        env["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(PROJECT / "course"), str(USER_CONFIG)])
        env["DLCOURSE_PROJECT"] = str(PROJECT)
    else:
        # nbgrader names a submission by the Unix account, and here every learner shares the hub's: the hub
        # name (a valid student id, see username_pattern) is what tells learners apart.
        env["JUPYTER_CONFIG_PATH"] = str(USER_CONFIG)
        env["DLCOURSE_STUDENT_ID"] = name
    spawner.environment = {**spawner.environment, **env}  # a copy: the configured dict is shared by all spawners


class CourseSpawner(SimpleLocalProcessSpawner):
    """SimpleLocalProcessSpawner that starts each server in its notebook_dir, where its terminals open."""

    def make_preexec_fn(self, name: str) -> Callable[[], None]:
        """Make the home folder, then enter the served folder (the instructor's is the course checkout)."""
        home, start = self.home_dir, self.notebook_dir or self.home_dir

        def preexec() -> None:
            os.makedirs(home, 0o755, exist_ok=True)
            os.chdir(start)

        return preexec

    def user_env(self, env: dict[str, str]) -> dict[str, str]:
        """SimpleLocalProcessSpawner's environment, and a flag: every server here runs as the same Unix account."""
        env = super().user_env(env)
        env["DLCOURSE_HUB_ONE_ACCOUNT"] = "1"
        return env


STATE.mkdir(parents=True, exist_ok=True)
# World-writable with the sticky bit, like /tmp: learners write their submissions, nobody removes another's.
EXCHANGE.mkdir(parents=True, exist_ok=True)
EXCHANGE.chmod(0o1777)
PASSWORDS = passwords(STATE)

# Loopback only: this set-up is for one machine (see above).
c.JupyterHub.bind_url = "http://127.0.0.1:8000"
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
# configurable-http-proxy from course/hub/node_modules (`make hub` and CI run `npm ci` here), else from PATH.
LOCAL_PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
if LOCAL_PROXY.exists():
    c.ConfigurableHTTPProxy.command = [str(LOCAL_PROXY)]

# Log-in: one shared password for learners, a separate one (32+ characters) for the instructor, who is the
# hub's admin and so cannot be impersonated with the learners' password.
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = PASSWORDS["learners"]
c.SharedPasswordAuthenticator.admin_password = PASSWORDS["instructor"]
c.Authenticator.admin_users = {INSTRUCTOR}
if LEARNERS:
    c.Authenticator.allowed_users = LEARNERS
else:
    c.Authenticator.allow_all = True
# A hub name becomes the learner's nbgrader student id: only what dlcourse accepts as an id, and never '+',
# which separates the fields of a submission's name in the exchange.
c.Authenticator.username_pattern = r"^[a-z0-9][a-z0-9._@-]{0,63}$"

# Servers: JupyterLab from this venv (dlkit, the checks, nbgrader's Assignments tab and formgrader), each user
# in a home under the state folder.
c.JupyterHub.spawner_class = CourseSpawner
c.CourseSpawner.home_dir_template = str(STATE / "home" / "{username}")
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
# Jupyter refuses to run as root unless told; root is the usual user of a container or a CI machine.
c.Spawner.args = ["--allow-root"] if os.geteuid() == 0 else []
# The venv's bin/ first, so a terminal's `dlcourse` and `nbgrader` (and the `alembic` nbgrader calls) are ours.
c.Spawner.environment = {"PATH": os.pathsep.join([str(VENV_BIN), os.environ.get("PATH", "")]),
                         "DLCOURSE_EXCHANGE": str(EXCHANGE)}
c.Spawner.pre_spawn_hook = configure_server
# JupyterLab starts in seconds on an idle machine, but several at once next to a grading run can take a minute.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
