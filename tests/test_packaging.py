"""The set-up files agree with each other: pyproject, environment.yml, the Makefile, CI and the README."""
from __future__ import annotations

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _conda_packages() -> set[str]:
    names = set()
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("dependencies:", 1)[1].splitlines():
        m = re.match(r"^\s+-\s+([A-Za-z0-9_.\-]+)", line)
        if m and m.group(1) not in {"pip", "python", "-e"}:
            names.add(_name(m.group(1)))
    return names


def test_environment_yml_lists_the_same_dependencies_as_pyproject() -> None:
    project = _pyproject()["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    wanted |= {_name(r) for r in project["optional-dependencies"]["dev"] if "python_version" not in r}
    conda = _conda_packages()
    assert conda == wanted, f"only in environment.yml: {sorted(conda - wanted)}; only in pyproject: {sorted(wanted - conda)}"


def test_environment_yml_uses_conda_forge_only() -> None:
    text = (ROOT / "environment.yml").read_text()
    channels = re.search(r"channels:\n((?:\s+-.*\n)+)", text).group(1)
    assert [c.strip(" -") for c in channels.splitlines()] == ["conda-forge"]
    assert "python=3.11" in text


def test_runtime_dependencies_stay_small() -> None:
    runtime = {_name(r) for r in _pyproject()["project"]["dependencies"]}
    assert runtime == {"numpy", "array-api-compat", "matplotlib", "ipywidgets", "tqdm"}


def test_readme_gives_the_two_commands_and_the_makefile_has_them() -> None:
    readme = (ROOT / "README.md").read_text()
    first_screen = "\n".join(readme.splitlines()[:40])
    assert "make lab" in first_screen and "make test" in first_screen
    makefile = (ROOT / "Makefile").read_text()
    for target in ("lab:", "test:", "install:"):
        assert re.search(rf"^{target}", makefile, re.M), target


def test_ci_installs_and_runs_make_test() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci and "torch==" in ci
