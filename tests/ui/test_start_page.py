"""The start page, lessons/README.md: every link works, every syllabus lesson is on the path, `dlcourse release`
leaves it alone, and JupyterLab started as `make lab` starts it opens it rendered, with links that open lessons.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest

from .conftest import LESSONS, REPO, Lab, copy_project, start_lab, stop_lab

README = REPO / "lessons" / "README.md"
LINK = re.compile(r"\]\(([^)\s]+)\)")
# What `make lab` passes to JupyterLab, and the settings override it installs into the venv
# ($VENV/share/jupyter/lab/settings/overrides.json) so that a Markdown file opens rendered, not in the editor.
MAKE_LAB_ARGS = ("--LabApp.default_url=/lab/tree/README.md",)
MAKE_LAB_OVERRIDES = {"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Markdown Preview"}}}


def _links() -> list[str]:
    return [unquote(t.split("#")[0]) for t in LINK.findall(README.read_text(encoding="utf-8"))
            if "://" not in t and not t.startswith(("#", "mailto:"))]


def test_start_page_links_resolve() -> None:
    """Every relative link on the start page points at a file under lessons/."""
    assert README.is_file(), "lessons/README.md (the course start page) is missing"
    broken = [t for t in _links() if not (README.parent / t).is_file()]
    assert not broken, f"lessons/README.md links to missing files: {broken}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_start_page_links_every_lesson(lesson: str) -> None:
    """Each lesson in the syllabus is linked from the path on the start page."""
    targets = {Path(t).parts[0] for t in _links() if t.endswith(".ipynb")}
    assert lesson in targets, (f"lessons/README.md does not link {lesson}: turn its line in 'The path' into "
                               f"a link to {lesson}/<notebook>.ipynb")


def test_release_and_check_leave_the_start_page_alone(tmp_path: Path) -> None:
    """`dlcourse release` rewrites lesson folders only: the README survives, and `check` does not flag it."""
    root = copy_project(tmp_path / "project")
    before = (root / "lessons" / "README.md").read_bytes()
    for args in (["release", LESSONS[0]], ["check", "--static", LESSONS[0]]):
        proc = subprocess.run([sys.executable, "-m", "dlcourse", "--project", str(root), *args],
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, f"dlcourse {' '.join(args)}: {proc.stdout}{proc.stderr}"
        assert "README" not in proc.stdout + proc.stderr
    assert (root / "lessons" / "README.md").read_bytes() == before


@pytest.fixture(scope="module")
def make_lab(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab started the way `make lab` starts it: rooted at lessons/, opening the start page."""
    settings = tmp_path_factory.mktemp("app-settings")
    (settings / "overrides.json").write_text(json.dumps(MAKE_LAB_OVERRIDES))
    lab = start_lab(project / "lessons", tmp_path_factory.mktemp("make-lab-jupyter"),
                    extra=(*MAKE_LAB_ARGS, f"--LabApp.app_settings_dir={settings}"))
    yield lab
    stop_lab(lab)


@pytest.mark.ui
def test_make_lab_opens_the_rendered_start_page(make_lab: Lab, page, screenshots: Path) -> None:
    """The first page a learner sees is the rendered README; its first lesson link opens that notebook."""
    page.goto(f"{make_lab.url}/?token={make_lab.token}")
    heading = page.locator(".jp-RenderedMarkdown h1").first
    heading.wait_for(timeout=60_000)
    assert "Start here" in heading.inner_text()
    assert page.url.endswith("/lab/tree/README.md"), page.url
    page.wait_for_timeout(300)
    page.screenshot(path=str(screenshots / "start-page.png"))
    first = next(t for t in _links() if t.endswith(".ipynb"))
    # JupyterLab rewrites the href to the file's /files/ URL and opens the link inside JupyterLab when clicked.
    page.locator(f'.jp-RenderedMarkdown a[href*="/{first}"]').first.click()
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=60_000)
    tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current").inner_text()
    assert Path(first).name in tab, f"clicking {first} on the start page opened {tab!r}"
