"""The lesson's references kept out of the graded kernel, as files: dlkit with this lesson's exercises removed.

Where dlkit has an exercise's operation, dlkit's op *is* the reference. The in-kernel lock-out
(`dlgrade.harness.guard`) refuses calling it while a check runs, but it runs in the learner's process, where
determined code can get around it (a saved alias, calling `forward` directly, reloading the module, exec'ing its
source). So while a lesson is graded, the kernel's dlkit is a copy in which every definition an exercise of
the lesson blocks (a function of `dlkit.functional`, an autograd Function class, an optimizer or initialiser)
only raises: the real code is neither in the kernel's memory nor in any file it can read. Each folder holding such
a file is shown in the kernel's root as a snapshot with the copies in place of the originals and no compiled
copy of them in its `__pycache__` (`rootfs.RootSpec.overlays`); the rest of dlkit, and every other lesson, is
untouched.
"""

from __future__ import annotations

import ast
import threading
from functools import lru_cache
from pathlib import Path

import dlkit

from dlgrade.registry import get_exercise
from dlgrade.testcell import TestCellError, parse

from ..notebooks import is_grade, is_solution, read_notebook

# Where an exercise's reference can live in dlkit (not nn/: its layers call these, and lessons use them).
SCOPES = ("functional", "optim", "init.py", "nn/init.py", "data", "gradcheck.py", "hessian.py")
# Backend files whose every definition that merely CONTAINS a blocked word is stubbed (their private variants,
# _im2col_numpy, compute the same thing); nothing outside the blocked operation calls them.
LOOSE_SCOPES = ("backend/convolution.py",)
MESSAGE = ("`dlkit.{name}` is not available while the check runs your function: it is an exercise of this "
           "lesson, graded here. Implement it yourself.")


_SUFFIXES = ("function", "fn")
_SHAPES = ("", "1d", "2d")


def _matches(name: str, blocked: tuple[str, ...]) -> bool:
    """The definition *is* a blocked operation: its name (case and underscores aside, a Function/Fn suffix
    dropped) is a blocked word, possibly with a 1d/2d suffix (conv -> conv2d). Stricter than the in-kernel
    lock-out's substring rule, so that the rest of dlkit (add_scaled, LinearLR, Adamax) keeps working."""
    key = name.lower().replace("_", "")
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
    return any(key == b.lower().replace("_", "") + shape for b in blocked if b for shape in _SHAPES)


def _exercises(sources: list[Path]):
    """The exercises the test cells of these source notebooks check."""
    for path in sources:
        for cell in read_notebook(path).cells:
            if cell.cell_type != "code" or not is_grade(cell) or is_solution(cell):
                continue
            try:
                calls = parse(cell.source)
            except TestCellError:
                continue
            for call in calls:
                try:
                    yield get_exercise(call.exercise)
                except KeyError:
                    continue


def _names(exercises: list, field: str) -> tuple[str, ...]:
    return tuple(sorted({name for ex in exercises for name in getattr(ex, field)}))


def blocked_names(sources: list[Path]) -> tuple[str, ...]:
    """Every name the exercises graded by these source notebooks block."""
    return _names(list(_exercises(sources)), "blocked")


def _stub(name: str, node: ast.AST) -> list[ast.stmt]:
    """A body that raises, keeping the definition's docstring."""
    doc = ast.get_docstring(node, clean=False) if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else None
    raise_ = ast.parse(f"raise RuntimeError({MESSAGE.format(name=name)!r})").body
    return ([ast.Expr(ast.Constant(doc))] if doc else []) + raise_


def _contains(name: str, blocked: tuple[str, ...]) -> bool:
    """The name contains a blocked word of four letters or more (short ones, like add, are in too many names)."""
    key = name.lower().replace("_", "")
    return any(len(b) >= 4 and b.lower().replace("_", "") in key for b in blocked)


def rewrite(source: str, module: str, blocked: tuple[str, ...], loose: bool = False,
            allowed: tuple[str, ...] = ()) -> str | None:
    """`source` with every top-level function, and every method of a top-level class, whose name matches a
    blocked word turned into a raise; None when nothing matches."""
    tree = ast.parse(source)

    def matches(name: str, words: tuple[str, ...]) -> bool:
        return (_contains if loose else _matches)(name, words) and not _matches(name, allowed)

    changed = False
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and matches(node.name, blocked):
            node.body = _stub(f"{module}.{node.name}", node)
            changed = True
        elif isinstance(node, ast.ClassDef) and matches(node.name, blocked):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    item.body = _stub(f"{module}.{node.name}.{item.name}", item)
                    changed = True
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n" if changed else None


def overlays(blocked: tuple[str, ...], allowed: tuple[str, ...] = ()) -> dict[str, str]:
    """Path of each dlkit file that holds a blocked definition -> its rewritten source."""
    if not blocked:
        return {}
    root = Path(dlkit.__file__).resolve().parent
    out: dict[str, str] = {}
    for scope in SCOPES + LOOSE_SCOPES:
        where = root / scope
        files = [where] if where.is_file() else sorted(where.rglob("*.py")) if where.is_dir() else []
        for path in files:
            module = ".".join(path.relative_to(root.parent).with_suffix("").parts).replace(".__init__", "")
            text = rewrite(path.read_text(encoding="utf-8"), module.removeprefix("dlkit."), blocked,
                           loose=scope in LOOSE_SCOPES, allowed=allowed)
            if text is not None:
                out[str(path)] = text
    return out


_ONE_AT_A_TIME = threading.Lock()


def for_lesson(project_root: str, lesson: str) -> dict[str, str]:
    """The overlays (dlkit file -> its replacement) for grading `lesson`: from its source notebooks, or, where only the
    released lesson is at hand (a cluster worker), from the checks its student version shows."""
    # Jobs start in threads; CPython 3.11's ast.parse is not safe in two threads at once (SystemError:
    # "AST constructor recursion depth mismatch"), and one computation serves every job anyway.
    with _ONE_AT_A_TIME:
        return _for_lesson(project_root, lesson)


@lru_cache(maxsize=8)
def _for_lesson(project_root: str, lesson: str) -> dict[str, str]:
    root = Path(project_root)
    notebooks = sorted((root / "solutions" / lesson).glob("*.ipynb")) or sorted((root / "lessons" / lesson).glob("*.ipynb"))
    exercises = list(_exercises(notebooks))  # the notebooks read and their checks parsed once
    return overlays(_names(exercises, "blocked"), _names(exercises, "allows"))
