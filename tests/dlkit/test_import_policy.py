"""The engine and the ops talk to arrays only through the array API: no direct numpy/cupy imports."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "dlkit"
GUARDED = ["autograd", "functional", "nn", "optim"]
FORBIDDEN = {"numpy", "cupy", "cupyx", "torch"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


FILES = [p for d in GUARDED if (ROOT / d).exists() for p in sorted((ROOT / d).rglob("*.py"))]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_direct_array_library_imports(path: Path) -> None:
    bad = _imports(path) & FORBIDDEN
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)} directly; go through dlkit.backend"


def test_the_policy_sees_the_engine() -> None:
    assert any(p.parent.name == "autograd" for p in FILES) and any(p.parent.name == "functional" for p in FILES)
