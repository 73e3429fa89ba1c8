"""A graded test cell, read as a declaration: which exercises it checks, on which function, visible or hidden.

A test cell is a list of calls, one per line, and nothing else::

    check("linreg.predict", predict)
    check("engine.add", one_op(Add, "add"), hidden=True)
    grade("layers.linear_backward", linear_backward, points=3)

The grader never executes a test cell: it reads it here (in its own process) and runs each call itself,
sending only the target's inputs to the learner's kernel. The *target* (second argument) is kept as source
text, evaluated in the learner's notebook when the grader asks for it.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass


class TestCellError(ValueError):
    """A test cell that is not a list of check(...) / grade(...) calls (an instructor's mistake)."""


@dataclass(frozen=True)
class CheckCall:
    """One ``check(name, target, hidden=...)`` or ``grade(name, target, points=..., hidden=...)`` line."""

    kind: str            # "check" (all or nothing) or "grade" (partial credit by parts)
    exercise: str
    target: str          # source text of the function (or adapter call) to check
    hidden: bool = False


def _literal(node: ast.AST, what: str, source: str) -> object:
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise TestCellError(f"{what} must be a literal in {ast.get_source_segment(source, node)!r}") from None


def parse(source: str) -> list[CheckCall]:
    """The calls of a test cell, in order; raises TestCellError for anything else."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise TestCellError(f"the test cell is not valid Python: {exc}") from None
    calls = []
    for stmt in tree.body:
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in ("check", "grade")):
            line = ast.get_source_segment(source, stmt) or ""
            raise TestCellError(f"a test cell holds only check(...) and grade(...) calls; found {line[:80]!r}")
        kind = call.func.id
        if len(call.args) != 2:
            raise TestCellError(f"{kind}(...) takes the exercise name and the function: "
                                f"{ast.get_source_segment(source, call)!r}")
        name = _literal(call.args[0], "the exercise name", source)
        if not isinstance(name, str):
            raise TestCellError(f"the exercise name must be a string, got {name!r}")
        options = {k.arg: _literal(k.value, k.arg or "**", source) for k in call.keywords}
        unknown = set(options) - {"hidden", "points"}
        if unknown:
            raise TestCellError(f"{kind}(...) got unknown option(s) {sorted(unknown)}")
        target = ast.get_source_segment(source, call.args[1])
        calls.append(CheckCall(kind, name, target, bool(options.get("hidden", False))))
    if not calls:
        raise TestCellError("the test cell has no check(...) or grade(...) call")
    return calls
