"""dlkit's import graph: the engine and the ops talk to arrays only through the array API (no direct
numpy/cupy imports), every import points down the layers of the house, and no modules import each
other in a circle (lazy imports inside functions count too)."""
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


# Each package may import only from packages in lower layers (and from itself).
LAYERS = [
    {"backend"},
    {"autograd", "cuda"},
    {"creation", "functional", "init", "hessian", "gradcheck", "serialization", "viz", "train"},
    {"nn", "optim", "data"},
]
PACKAGE_ROOT = ROOT.parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in ROOT.rglob("*.py")}


def _dlkit_imports(name: str) -> set[str]:
    """The dlkit modules ``name`` imports anywhere in its file (a package's name for ``from pkg import x``
    when x is not a module of its own)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                full = f"{target}.{alias.name}"
                found.add(full if full in MODULES else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _dlkit_imports(name) for name in MODULES}


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "dlkit"


def _layer(package: str) -> int:
    for rank, layer in enumerate(LAYERS):
        if package in layer:
            return rank
    return len(LAYERS)  # dlkit/__init__.py, which gathers everything


def test_every_package_has_a_layer() -> None:
    unplaced = {_package(m) for m in MODULES} - set().union(*LAYERS) - {"dlkit"}
    assert not unplaced, f"packages {sorted(unplaced)} have no layer in LAYERS; place them"


def test_imports_point_down_the_layers() -> None:
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if _package(target) != _package(module) and _layer(_package(target)) >= _layer(_package(module))
    )
    assert not upward, "imports that point up or sideways between packages:\n" + "\n".join(upward)


def test_no_import_cycles() -> None:
    # package __init__ files only gather names: an arrow into one is not a dependency on the whole package
    graph = {m: {t for t in ts if MODULES[t].name != "__init__.py"} for m, ts in GRAPH.items() if MODULES[m].name != "__init__.py"}
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                cycles.append(" -> ".join(path[path.index(target):] + [module, target]) if target in path else f"{module} -> {target}")
            elif target not in state:
                visit(target, path + [module])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])
    assert not cycles, "modules that import each other in a circle:\n" + "\n".join(cycles)


def test_the_graph_sees_the_layers() -> None:
    assert "dlkit.autograd.tensor" in GRAPH["dlkit.functional.arithmetic"] or any(
        t.startswith("dlkit.autograd") for t in GRAPH["dlkit.functional.arithmetic"]
    )
    assert "dlkit.backend.ops" in GRAPH["dlkit.functional.conv"]
