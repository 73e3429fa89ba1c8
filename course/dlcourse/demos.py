"""Which cells of a submission a grade cannot depend on: demonstrations (plots, training runs, widgets) whose
names nothing graded reads. The grader skips them, which is most of a lesson's run time.

A cell is kept when it is an answer or a test cell, when anything a kept cell after it reads is bound or
changed in it, or when it cannot be analysed (magics, exec/eval/globals(), a syntax error). Names bound by
``def``, ``class`` and ``import`` are only read by calling them, so a demo that calls the learner's function is
not kept for that alone; a demo that touches any other name a kept cell reads (``X.sort()``, ``w[0] = 1``) is.
The analysis runs on the submission itself, so a learner's function that reads a variable of a demo cell
keeps that cell.
"""

from __future__ import annotations

import ast
import builtins
import symtable
from dataclasses import dataclass, field

from nbformat import NotebookNode

from .notebooks import is_grade, is_solution

# Calls that change a module's global state (a seed, a default device, a print option): a cell making one is
# treated as changing that module, so it is kept whenever a later cell uses the module.
_STATE_CALLS = ("seed", "set_", "use", "setup", "configure", "reset", "enable", "disable")
_OPAQUE = {"exec", "eval", "globals", "locals", "vars", "get_ipython", "__import__", "setattr", "delattr"}


@dataclass
class _Names:
    stores: set[str] = field(default_factory=set)     # bound or changed at the top level
    loads: set[str] = field(default_factory=set)      # read anywhere in the cell
    readonly: set[str] = field(default_factory=set)   # bound by def / class / import
    opaque: bool = False                              # cannot be analysed, or imports only: always kept


def _base(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _names(source: str) -> _Names:
    out = _Names()
    lines = source.splitlines()
    if any(line.lstrip().startswith(("%", "!")) for line in lines) or source.lstrip().startswith("%%"):
        out.opaque = True
        return out
    try:
        tree = ast.parse(source)
    except SyntaxError:
        out.opaque = True
        return out
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.stores.add(stmt.name)
            out.readonly.add(stmt.name)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                name = (alias.asname or alias.name).split(".")[0]
                out.stores.add(name)
                out.readonly.add(name)
    if tree.body and all(isinstance(stmt, (ast.Import, ast.ImportFrom)) for stmt in tree.body):
        out.opaque = True  # cheap, and an import may set things up (a backend, a registry)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in _OPAQUE or isinstance(node, (ast.Global, ast.Nonlocal)):
            out.opaque = True
    for stmt in tree.body:  # top-level bindings, and the bases of top-level mutations (w[0] = 1, m.x = 2)
        for node in ast.walk(stmt):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                continue
            if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                out.stores.add(node.id)
            elif isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, (ast.Store, ast.Del)):
                base = _base(node)
                if base:
                    out.stores.add(base)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and any(k in node.func.attr.lower() for k in _STATE_CALLS):
                base = _base(node.func)
                if base:
                    out.stores.add(base)
    out.loads = _global_reads(symtable.symtable(source, "<cell>", "exec"))
    return out


def _global_reads(table: symtable.SymbolTable) -> set[str]:
    """Names read from the notebook's namespace anywhere in a cell: the module scope's references and every
    nested scope's global references (not its parameters or locals)."""
    reads = {s.get_name() for s in table.get_symbols()
             if s.is_referenced() and (table.get_type() == "module" or s.is_global())}
    for child in table.get_children():
        reads |= _global_reads(child)
    return reads


def skippable(nb: NotebookNode) -> set[int]:
    """Indices of the code cells no graded result can depend on."""
    cells = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]
    analysed = {i: _names(c.source) for i, c in cells}
    readonly = set().union(*(n.readonly for n in analysed.values())) if analysed else set()
    bound = set().union(*(n.stores for n in analysed.values())) if analysed else set()
    readonly |= {name for name in vars(builtins) if name not in bound}  # print, len, range: nobody rebinds them
    needed: set[str] = set()
    skip: set[int] = set()
    for i, cell in reversed(cells):
        names = analysed[i]
        keep = (is_grade(cell) or is_solution(cell) or names.opaque or bool(names.stores & needed)
                or bool((names.loads - readonly) & needed))
        if keep:
            needed |= names.loads
        else:
            skip.add(i)
    return skip
