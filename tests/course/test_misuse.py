"""Every misuse ends in one clear message naming the path, with exit status 2 (never a traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlcourse.cli import build_parser
from dlcourse.errors import CourseError
from dlcourse.notebooks import read_notebook

from .conftest import LESSONS, copy_course, dlcourse

COMMANDS = ["release", "check", "collect", "grade", "feedback", "export", "report", "status"]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_course(tmp_path_factory.mktemp("misuse") / "project")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([command, "--help"])
    assert exit_info.value.code == 0
    assert f"usage: dlcourse {command}" in capsys.readouterr().out


@pytest.mark.parametrize("args", [["release", "99-nope"], ["grade", "99-nope"], ["collect", "99-nope", "."]])
def test_unknown_lesson_names_the_syllabus(project: Path, args: list[str]) -> None:
    proc = dlcourse(project, *args)
    assert proc.returncode == 2
    assert "unknown lesson '99-nope'" in proc.stderr and str(project / "course" / "syllabus.toml") in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_submissions_folder_is_named(project: Path) -> None:
    missing = project / "no-such-folder"
    proc = dlcourse(project, "collect", LESSONS[0], str(missing))
    assert proc.returncode == 2 and f"{missing}: submissions folder or zip not found" in proc.stderr


def test_grade_before_release_says_what_to_run(project: Path) -> None:
    proc = dlcourse(project, "grade", LESSONS[0])
    assert proc.returncode == 2
    assert str(project / "course" / "gradebook.db") in proc.stderr and "dlcourse release" in proc.stderr


def test_not_a_checkout_is_named(tmp_path: Path) -> None:
    proc = dlcourse(tmp_path, "export")
    assert proc.returncode == 2 and str(tmp_path) in proc.stderr


def test_non_json_notebook_names_the_path(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json")
    with pytest.raises(CourseError, match=str(bad)):
        read_notebook(bad)


def test_zip_of_submissions(project: Path, tmp_path: Path) -> None:
    """Collect also takes a zip (as an LMS exports it) and reports a corrupt entry by name."""
    import zipfile

    student = sorted((project / "lessons" / LESSONS[0]).glob("*.ipynb"))[0]
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(student, "zoe.ipynb")
        zf.writestr("yan/whatever.ipynb", student.read_bytes())
        zf.writestr("xi.ipynb", b"\x00\xff binary")
        zf.writestr("__MACOSX/._zoe.ipynb", b"junk")
    proc = dlcourse(project, "collect", LESSONS[0], str(archive))
    assert proc.returncode == 0, proc.stderr
    assert "yan, zoe" in proc.stdout
    assert "xi.ipynb: not a notebook" in proc.stderr and "__MACOSX/._zoe.ipynb" in proc.stderr
    assert (project / "course" / "submitted" / "yan" / LESSONS[0] / student.name).is_file()


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """`dlcourse --version` names dlcourse, nbgrader and Python."""
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["--version"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("dlcourse ") and "nbgrader" in out and "Python" in out


@pytest.mark.parametrize("args, message", [
    (["grade", "01", "--jobs", "0"], "argument -j/--jobs: expected a whole number >= 1, got 0"),
    (["grade", "01", "--jobs", "-3"], "argument -j/--jobs: expected a whole number >= 1, got -3"),
    (["grade", "01", "-j", "two"], "argument -j/--jobs: expected a whole number >= 1, got 'two'"),
    (["grade", "01", "--cell-timeout", "0"], "argument --cell-timeout: expected a whole number >= 1, got 0"),
    (["grade", "01", "--memory-mb", "10"], "argument --memory-mb: expected a whole number >= 64, got 10"),
    (["check", "--jobs", "0"], "argument -j/--jobs: expected a whole number >= 1, got 0"),
    (["report", "01", "--top", "0"], "argument --top: expected a whole number >= 1, got 0"),
    (["grade", "01", "--student", "template.db"], "reserved by the grading tools"),
])
def test_bad_arguments_are_refused_by_name(args: list[str], message: str, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    """argparse refuses a bad value with exit 2 and a message naming the argument, expected and actual."""
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(args)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_lesson_prefix_is_accepted(project: Path) -> None:
    """`dlcourse check --static 01` means the one lesson whose id starts with 01."""
    proc = dlcourse(project, "check", "--static", "--no-progress", "01")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"ok   {LESSONS[1]}" in proc.stdout


def test_static_check_ignores_jupyterlab_checkpoints(project: Path) -> None:
    """Opening a lesson in JupyterLab leaves .ipynb_checkpoints/ beside it; check --static must not call it stale,
    and release must leave it alone."""
    lesson = project / "lessons" / LESSONS[1]
    checkpoints = lesson / ".ipynb_checkpoints"
    checkpoints.mkdir(exist_ok=True)
    student = sorted(lesson.glob("*.ipynb"))[0]
    (checkpoints / f"{student.stem}-checkpoint.ipynb").write_bytes(student.read_bytes())
    proc = dlcourse(project, "check", "--static", LESSONS[1])
    assert proc.returncode == 0 and "stale" not in proc.stdout, proc.stdout
    dlcourse(project, "release", LESSONS[1], check=True)
    assert (checkpoints / f"{student.stem}-checkpoint.ipynb").is_file()


def test_unknown_student_is_named(project: Path) -> None:
    """`grade --student` with an id nobody submitted names the folder and who did submit."""
    dlcourse(project, "release", LESSONS[1], check=True)
    inbox = project.parent / "inbox-unknown"
    inbox.mkdir(exist_ok=True)
    (inbox / "ada.ipynb").write_bytes(sorted((project / "lessons" / LESSONS[1]).glob("*.ipynb"))[0].read_bytes())
    dlcourse(project, "collect", LESSONS[1], str(inbox), check=True)
    proc = dlcourse(project, "grade", LESSONS[1], "--student", "zed")
    assert proc.returncode == 2 and "no submission from 'zed'" in proc.stderr and "ada" in proc.stderr
    dry = dlcourse(project, "grade", LESSONS[1], "--dry-run", "--student", "ada")
    assert dry.returncode == 0 and "would grade 1 submission of" in dry.stdout and "Nothing was run" in dry.stdout


# The modules whose messages reach the instructor (raised, printed, or shown in `status`, a grade run's
# "grading refused: ... (why)" or a worker log), and the functions that return problems as text.
MESSAGE_MODULES = ["cli.py", "project.py", "syllabus.py", "notebooks.py", "gradebook.py", "nbconfig.py",
                   "autograde/collect.py", "autograde/grade.py", "autograde/identify.py", "autograde/cluster.py",
                   "autograde/containment.py", "autograde/rootfs.py", "release/check.py",
                   "release/metadata.py", "release/validate.py", "release/release.py", "release/generate.py",
                   "release/leaks.py", "reports/export.py", "reports/csvfile.py", "reports/report.py",
                   "reports/status.py", "feedback/pages.py", "feedback/page.py"]
RAISED = {"CourseError", "ValueError", "ArgumentTypeError", "RuntimeError"}
PROBLEM_FUNCTIONS = {"_failure_reason", "_zip_refusal", "metadata_problems", "sync_problems", "validate",
                     "validate_apart", "unusable", "wrong_lesson", "no_grading_metadata", "public_reason",
                     "find_leaks", "static_problems", "leaks_in", "lesson_status"}


def _fixed_part(node: object) -> str | None:
    """The longest literal run of a message (placeholders cut out), first 25 characters: what the guide quotes."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        runs = [node.value]
    elif isinstance(node, ast.JoinedStr):
        runs, current = [], ""
        for value in node.values:
            if isinstance(value, ast.Constant):
                current += value.value
            else:
                runs, current = runs + [current], ""
        runs.append(current)
    else:
        return None
    runs = [r.strip(" :;,().'\"0123456789") for r in runs]
    runs = [r for r in runs if len(r) >= 10 and " " in r]  # words, not a module name or a path
    return max(runs, key=len)[:25].strip() if runs else None


def _messages() -> set[tuple[str, str]]:
    """(module, fixed part) of every error message and problem line the tooling prints."""
    import ast

    from .conftest import REPO

    found = set()
    for module in MESSAGE_MODULES:
        tree = ast.parse((REPO / "course" / "dlcourse" / module).read_text(encoding="utf-8"))
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Module)) and n.body
                      and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            candidates = []
            if isinstance(node, ast.Call) and node.args:
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in RAISED:
                    candidates.append(node.args[0])
            if isinstance(node, ast.FunctionDef) and node.name in PROBLEM_FUNCTIONS:
                candidates += [n for n in ast.walk(node) if isinstance(n, ast.JoinedStr) or (
                    isinstance(n, ast.Constant) and isinstance(n.value, str) and len(n.value) > 15
                    and id(n) not in docstrings)]
            found |= {(module, part) for part in map(_fixed_part, candidates) if part}
    return found


def test_every_message_has_a_troubleshooting_entry() -> None:
    """course/README.md's Troubleshooting quotes every error message and problem line the commands print."""
    from .conftest import REPO

    readme = (REPO / "course" / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Troubleshooting"):]
    messages = _messages()
    assert len(messages) > 60, "the message scan found too little: did the modules move?"
    missing = sorted(f"{module}: {part!r}" for module, part in messages if part not in section)
    assert not missing, "add these messages to course/README.md, Troubleshooting:\n" + "\n".join(missing)
