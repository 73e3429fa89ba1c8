"""Integrity of the grading machinery inside a graded kernel (loaded as an IPython extension at kernel start).

Before any learner cell runs, `load_ipython_extension` records the pristine state of what a test cell relies
on: every dlkit module's attributes (so a monkeypatched reference is put back), builtins, and the IPython
machinery that turns an exception into an error output (showtraceback, custom exception handlers, AST and
input transformers, the display hook, sys.stdout/stderr). While grading, each autograded test cell starts with one
line calling `restore(globals(), grade_id)`: it puts everything back, rebinds the names the test uses
(`check`, `grade`) to the real functions, and reports each repair as a `dlcourse-integrity` line that the
grader turns into a flag.

This runs in the learner's process, so it defeats the usual tricks (a fake `check`, a patched reference, a
silenced traceback) but not a determined attacker who tampers with this module itself; the grader's
verdict check outside the kernel (a passing `check` must print its ✓ line) is the second layer.
"""

from __future__ import annotations

import builtins
import sys
import types
from typing import Any

MARK = "dlcourse-integrity:"
_snapshot: dict[str, Any] = {}
_SHELL_ATTRS = ("showtraceback", "_showtraceback", "showsyntaxerror", "custom_exceptions", "CustomTB",
                "run_cell", "run_cell_async", "run_ast_nodes", "run_code", "transform_cell", "ex", "system",
                "displayhook", "display_pub")


def _module_state() -> dict[str, tuple[types.ModuleType, dict[str, Any], dict[type, dict[str, Any]]]]:
    out = {}
    for name, mod in list(sys.modules.items()):
        if not isinstance(mod, types.ModuleType) or not name.split(".")[0] in ("dlkit", "dlgrade"):
            continue
        # The grading package holds no state a learner may change (its registry, the guard's state object):
        # every attribute is put back; elsewhere in dlkit only functions, classes and submodules.
        grading = name == "dlgrade" or name.startswith("dlgrade.")
        attrs = {k: v for k, v in vars(mod).items()
                 if grading and not k.startswith("__") or callable(v) or isinstance(v, types.ModuleType)}
        classes = {v: {k: a for k, a in vars(v).items()
                       if callable(a) or isinstance(a, (staticmethod, classmethod, property))}
                   for v in attrs.values()
                   if isinstance(v, type) and getattr(v, "__module__", "").startswith(("dlkit", "dlgrade"))}
        out[name] = (mod, attrs, classes)
    return out


OUTPUT_CAP = 1_000_000  # characters of stdout+stderr per cell; the rest is dropped in the kernel itself


def _cap_output(ip: Any) -> None:
    """Drop output past OUTPUT_CAP per cell in the kernel, so a print flood never reaches the grader."""
    state = {"used": 0, "noted": False}

    def reset(*_: Any) -> None:
        state["used"], state["noted"] = 0, False

    for stream in (sys.stdout, sys.stderr):
        write = stream.write

        def capped(text: str, _write: Any = write) -> int:
            n = len(text)
            room = OUTPUT_CAP - state["used"]
            state["used"] += min(n, max(room, 0))
            if n > room:
                if room > 0:
                    _write(text[:room])
                if not state["noted"]:
                    state["noted"] = True
                    _write(f"\n[output cut by the grader after {OUTPUT_CAP} characters]\n")
                return n
            return _write(text)

        stream.write = capped
    ip.events.register("pre_run_cell", reset)


def load_ipython_extension(ip: Any) -> None:
    """Take the snapshot (called once, at kernel start, before any notebook cell)."""
    _cap_output(ip)
    import dlkit  # noqa: F401 - the reference library and the grading toolkit, as the course installed them
    import dlgrade  # noqa: F401

    from dlgrade import registry

    registry._load()  # every exercise registered before any learner code runs
    _snapshot.update(
        modules=_module_state(),
        exercises={name: (ex, dict(vars(ex))) for name, ex in registry._REGISTRY.items()},
        registry=registry._REGISTRY, builtins=dict(vars(builtins)), shell=ip,
        shell_attrs={a: ip.__dict__.get(a, _MISSING) for a in _SHELL_ATTRS},
        class_attrs={(cls, a): vars(cls)[a] for cls in type(ip).__mro__ for a in _SHELL_ATTRS if a in vars(cls)},
        shell_class=type(ip), ast_transformers=list(ip.ast_transformers),
        input_transformers=list(ip.input_transformers_post),
        cleanup=list(ip.input_transformer_manager.cleanup_transforms),
        line_transforms=list(ip.input_transformer_manager.line_transforms),
        sys={k: getattr(sys, k) for k in ("stdout", "stderr")},
        check=dlgrade.check, grade=getattr(dlgrade, "grade", None),
        sys_modules=set(sys.modules),
    )


_MISSING = object()
# Builtins the kernel itself rebinds for every cell (stdin forwarding) or adds while a cell runs.
_KERNEL_BUILTINS = frozenset({"input", "raw_input", "getpass", "exit", "quit", "get_ipython", "display",
                              "_", "__", "___"})


def restore(namespace: dict[str, Any], grade_id: str = "", names: tuple[str, ...] = ("check",)) -> None:
    """Undo tampering with the grading machinery; print one integrity line per repair (run first in a test)."""
    if not _snapshot:
        return
    repairs: list[str] = []
    saved_builtins = _snapshot["builtins"]
    for key, value in saved_builtins.items():
        if key not in _KERNEL_BUILTINS and vars(builtins).get(key, _MISSING) is not value:
            setattr(builtins, key, value)
            repairs.append(f"builtin {key} was replaced")
    for name, (mod, attrs, classes) in _snapshot["modules"].items():
        if sys.modules.get(name) is not mod:
            sys.modules[name] = mod
            repairs.append(f"module {name} was replaced in sys.modules")
        current = vars(mod)
        for key, value in attrs.items():  # functions, classes and submodules (data may change legitimately)
            if current.get(key, _MISSING) is not value:
                setattr(mod, key, value)
                repairs.append(f"{name}.{key} was replaced")
        for cls, cattrs in classes.items():
            for key, value in cattrs.items():
                if key in ("__dict__", "__weakref__", "__doc__"):
                    continue
                if vars(cls).get(key, _MISSING) is not value:
                    try:
                        setattr(cls, key, value)
                        repairs.append(f"{cls.__qualname__}.{key} was replaced")
                    except (AttributeError, TypeError):
                        pass
    table = _snapshot["registry"]
    for name, (ex, fields) in _snapshot["exercises"].items():  # an exercise swapped, or its reference patched
        if table.get(name) is not ex:
            table[name] = ex
            repairs.append(f"exercise {name} was replaced in the registry")
        for key, value in fields.items():
            if vars(ex).get(key, _MISSING) is not value:
                object.__setattr__(ex, key, value)
                repairs.append(f"exercise {name}.{key} was replaced")
    for name in set(table) - set(_snapshot["exercises"]):
        del table[name]
        repairs.append(f"exercise {name} was added to the registry")
    ip = _snapshot["shell"]
    if type(ip) is not _snapshot["shell_class"]:
        ip.__class__ = _snapshot["shell_class"]
        repairs.append("the IPython shell's class was replaced")
    for (cls, attr), value in _snapshot["class_attrs"].items():
        if vars(cls).get(attr, _MISSING) is not value:
            setattr(cls, attr, value)
            repairs.append(f"{cls.__name__}.{attr} was replaced")
    for attr, value in _snapshot["shell_attrs"].items():
        if ip.__dict__.get(attr, _MISSING) is not value:
            if value is _MISSING:
                ip.__dict__.pop(attr, None)
            else:
                ip.__dict__[attr] = value
            repairs.append(f"IPython shell.{attr} was replaced")
    for attr, key in (("ast_transformers", "ast_transformers"), ("input_transformers_post", "input_transformers")):
        if list(getattr(ip, attr)) != _snapshot[key]:
            getattr(ip, attr)[:] = _snapshot[key]
            repairs.append(f"IPython {attr} were changed")
    manager = ip.input_transformer_manager
    for attr, key in (("cleanup_transforms", "cleanup"), ("line_transforms", "line_transforms")):
        if list(getattr(manager, attr)) != _snapshot[key]:
            getattr(manager, attr)[:] = _snapshot[key]
            repairs.append(f"IPython input {attr} were changed")
    for key, value in _snapshot["sys"].items():
        if getattr(sys, key) is not value:
            setattr(sys, key, value)
            repairs.append(f"sys.{key} was replaced")
    # The names a test cell calls are the real ones, whatever an answer cell bound to them (here or in builtins).
    for name in names:
        if name in vars(builtins) and name not in saved_builtins:
            delattr(builtins, name)
            repairs.append(f"builtin {name} was added")
        real = _snapshot.get(name)
        if real is not None and name in namespace and namespace[name] is not real:
            repairs.append(f"`{name}` was redefined in the notebook")
        if real is not None:
            namespace[name] = real
    for line in dict.fromkeys(repairs):
        print(f"{MARK} {grade_id}: {line}")
