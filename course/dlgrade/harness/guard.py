"""The reference-blocking guard: while a check runs a learner's function, the reference
it is compared with is unavailable, and so are torch and the numerical-gradient tools.

This is enforced at call time, not by reading source text:
- dlkit ops: every autograd ``Function`` forward passes through
  ``dlkit.autograd.function.set_apply_guard``; ours raises for the blocked ones;
- ``dlkit.functional`` / ``dlkit`` attributes named by the exercise are swapped for stubs, and so
  are the array helpers of ``dlkit.data``, ``dlkit.optim`` and ``dlkit.init`` whose names contain a
  blocked word (also where the learner bound them by name: ``from dlkit.data import one_hot``);
- references written in the grading package are wrapped with :func:`reference`;
- torch: every ``torch*`` entry of ``sys.modules`` and every torch object bound in the
  learner's globals or closure is swapped for a stub, so ``import torch`` inside the
  function and a ``torch`` imported earlier in the notebook both fail.
Everything is restored when the learner's function returns or raises.
"""
from __future__ import annotations

import functools
import operator
import sys
import types
from contextlib import contextmanager
from typing import Any, Callable, Iterator


class ReferenceBlocked(RuntimeError):
    """Raised when a learner's function calls the reference (dlkit or torch) it is being checked against."""


# Top-level packages a learner's function may not call while it is being checked.
BLOCKED_PACKAGES = ("torch",)


class _State:
    active: str | None = None      # exercise being checked while a learner's function runs
    violations: list[str] = []     # what the learner's function tried to call
    patches: Any = None            # what the running check patched, to undo
    suspended: int = 0             # > 0 while the check itself works inside the learner's call


_state = _State()


def _message(what: str) -> str:
    return (f"`{what}` is not available while the check runs your function for "
            f"'{_state.active}': it is the reference (or a tool that computes it) that your "
            "code is compared with. Implement this step yourself with numpy operations.")


def _refuse(what: str) -> ReferenceBlocked:
    _state.violations.append(what)
    return ReferenceBlocked(_message(what))


def is_active() -> bool:
    """True while a learner's function is running under the guard."""
    return _state.active is not None


def reference(label: str) -> Callable[[Callable], Callable]:
    """Mark a grading reference (or helper) as unavailable while the guard is active."""
    def deco(f: Callable) -> Callable:
        @functools.wraps(f)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if _state.active is not None and not _state.suspended:
                raise _refuse(label)
            return f(*args, **kwargs)
        del wrapper.__wrapped__  # no unguarded back door through functools' attribute
        return wrapper
    return deco


class _BlockedModule(types.ModuleType):
    """Stands in for a blocked module: any attribute access refuses."""

    def __init__(self, name: str, real: types.ModuleType | None = None) -> None:
        super().__init__(name)
        self._real = real

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)  # keep import machinery and introspection working
        if name[:1].isupper():  # a class: isinstance(x, torch.Tensor) (array libraries ask) answers False
            return _blocked_class(f"{self.__name__}.{name}")
        if _state.suspended and self._real is not None:
            return getattr(self._real, name)
        raise _refuse(f"{self.__name__}.{name}")


def _blocked_class(what: str) -> type:
    """A class nothing is an instance of, and which refuses to be instantiated."""
    def refuse(cls: type, *args: Any, **kwargs: Any) -> Any:
        raise _refuse(what)
    return type(what.rsplit(".", 1)[-1], (), {"__new__": refuse})


def _blocked_callable(what: str, original: Callable | None = None) -> Callable:
    def blocked(*args: Any, **kwargs: Any) -> Any:
        if _state.suspended and original is not None:  # the check's own work (an oracle answer)
            return original(*args, **kwargs)
        raise _refuse(what)
    blocked.__name__ = what.rsplit(".", 1)[-1]
    return blocked


def _package_of(value: Any) -> str | None:
    """The top-level package a module, function or class comes from, if blocked."""
    try:
        if isinstance(value, types.ModuleType):
            name = value.__name__
        elif callable(value):
            name = getattr(value, "__module__", None) or ""
        else:
            return None
    except Exception:  # exotic objects whose attribute access fails: leave them alone
        return None
    top = name.split(".", 1)[0] if isinstance(name, str) else ""
    return top if top in BLOCKED_PACKAGES else None


def _stub_for(value: Any) -> Any:
    if isinstance(value, types.ModuleType):
        return _BlockedModule(value.__name__, value)
    return _blocked_callable(f"{getattr(value, '__module__', '?')}.{getattr(value, '__name__', '?')}", value)


class _Patches:
    """Records (setter, restore) pairs so everything can be undone in reverse order."""

    def __init__(self) -> None:
        self._undo: list[Callable[[], None]] = []

    def setattr(self, obj: Any, name: str, value: Any) -> None:
        had = name in vars(obj) if isinstance(obj, (type, types.ModuleType)) else hasattr(obj, name)
        old = getattr(obj, name, None)
        setattr(obj, name, value)
        self._undo.append((lambda: setattr(obj, name, old)) if had else (lambda: delattr(obj, name)))

    def setitem(self, d: dict, key: Any, value: Any) -> None:
        had = key in d
        old = d.get(key)
        d[key] = value
        self._undo.append((lambda: d.__setitem__(key, old)) if had else (lambda: d.pop(key, None)))

    def add(self, undo: Callable[[], None]) -> None:
        self._undo.append(undo)

    def restore(self) -> None:
        while self._undo:
            try:
                self._undo.pop()()
            except Exception:  # restoring the rest matters more than one failed undo
                pass


def _matches(cls_name: str, blocked: tuple[str, ...]) -> str | None:
    key = cls_name.lower().replace("_", "")
    for b in blocked:
        if b.replace("_", "") in key:
            return b
    return None


def _install_apply_guard(p: _Patches, blocked: tuple[str, ...], allow_dlkit: bool) -> None:
    mod = sys.modules.get("dlkit.autograd.function")
    setter = getattr(mod, "set_apply_guard", None) if mod is not None else None
    if setter is None:
        return  # dlkit's engine is not loaded, so the learner cannot be calling it
    previous: Callable[[type], None] | None = None

    def guard(function_cls: type) -> None:
        name = getattr(function_cls, "__name__", str(function_cls))
        hit = _matches(name, blocked)
        if (hit is not None or not allow_dlkit) and not _state.suspended:
            raise _refuse(f"dlkit {name}")
        if previous is not None:
            previous(function_cls)

    previous = setter(guard)  # set_apply_guard returns the guard it replaces
    p.add(lambda: setter(previous))


def _patch_dlkit_attributes(p: _Patches, blocked: tuple[str, ...]) -> None:
    # Stubs on the modules learners reach references through; Tensor methods too (x.relu()).
    for modname in ("dlkit.functional", "dlkit.nn.functional", "dlkit"):
        mod = sys.modules.get(modname)
        if mod is None:
            continue
        for name in blocked:
            if name in vars(mod):
                p.setattr(mod, name, _blocked_callable(f"{modname}.{name}", vars(mod)[name]))
    tensor_cls = getattr(sys.modules.get("dlkit"), "Tensor", None)
    if isinstance(tensor_cls, type):
        for name in blocked:
            if name in vars(tensor_cls):
                p.setattr(tensor_cls, name, _blocked_callable(f"Tensor.{name}", vars(tensor_cls)[name]))
    _patch_dlkit_helpers(p, blocked)
    gc = sys.modules.get("dlkit.gradcheck")
    if gc is not None:  # numerical differentiation would "implement" any backward pass
        for name, value in list(vars(gc).items()):
            if isinstance(value, types.FunctionType) and value.__module__ == gc.__name__:
                p.setattr(gc, name, _blocked_callable(f"dlkit.gradcheck.{name}", value))


# dlkit helpers that compute an exercise's answer on plain arrays, outside autograd (so the apply
# guard never sees them): dlkit.data.one_hot, dlkit.optim.SGD's step, dlkit.init.xavier_uniform_…
HELPER_PACKAGES = ("dlkit.data", "dlkit.optim", "dlkit.init", "dlkit.nn.init", "dlkit.hessian")


def _is_blocked_helper(name: str, value: Any, blocked: tuple[str, ...]) -> bool:
    if isinstance(value, types.ModuleType) or not callable(value) or not blocked:
        return False
    origin = getattr(value, "__module__", None)
    if not isinstance(origin, str) or not origin.startswith("dlkit."):
        return False
    return _matches(name, blocked) is not None


# With torch imported sys.modules holds some 1500 modules, and a check makes a guarded call for every case it tries
# (thousands in the test suite): filtering every module name by prefix, then testing every attribute of each helper
# module, in Python on every call, was a quarter of the grader's time. What those filters pick depends on the names
# alone, so it is kept, keyed on the very name objects it was picked from: a hit needs the same objects in the same
# order (compared by identity: comparing by value could run a learner's __eq__), so any module or attribute added,
# removed or renamed misses. Values (modules, attributes) are always read afresh.
_picked: dict[Any, tuple[tuple[str, ...], tuple[str, ...]]] = {}
_PICKED_MAX = 4096  # a learner who keeps adding helper modules costs rescans, never unbounded memory


def _same(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    return len(a) == len(b) and all(map(operator.is_, a, b))


def _pick(key: Any, names: tuple[Any, ...], keep: Callable[[str], bool]) -> tuple[str, ...] | None:
    """The ``names`` that ``keep`` selects, in order (kept under ``key`` while ``names`` are the same objects), or
    None where one is not a plain str: its own methods might answer differently each time, so the caller scans."""
    kept = _picked.get(key)
    if kept is not None and _same(kept[0], names):
        return kept[1]
    if not all(type(name) is str for name in names):
        return None
    if len(_picked) >= _PICKED_MAX:
        _picked.clear()
    picked = _picked[key] = (names, tuple(name for name in names if keep(name)))
    return picked[1]


def _modules_copy() -> dict[str, Any] | None:
    """sys.modules copied at once (as ``list(sys.modules.items())`` read it), or None where it is not a dict."""
    modules = sys.modules
    return modules.copy() if type(modules) is dict else None


def _is_helper_module(modname: str) -> bool:
    return modname.startswith(HELPER_PACKAGES)


def _patch_dlkit_helpers(p: _Patches, blocked: tuple[str, ...]) -> None:
    modules = _modules_copy()
    modnames = _pick("helper modules", tuple(modules), _is_helper_module) if modules is not None else None
    if modnames is None:  # keys that are not plain str: the full scan, which answers as it always did
        _scan_dlkit_helpers(p, blocked)
        return
    plain_blocked = type(blocked) is tuple and all(type(b) is str for b in blocked)

    def may_be_blocked(name: str) -> bool:  # _is_blocked_helper is False for any other name, whatever its value
        return bool(blocked) and _matches(name, blocked) is not None

    for modname, mod in [(k, modules[k]) for k in modnames]:
        if mod is None:
            continue
        namespace = vars(mod)
        names = None
        if plain_blocked and type(namespace) is dict:
            namespace = namespace.copy()  # at once, as list(vars(mod).items()) read it
            names = _pick((modname, blocked), tuple(namespace), may_be_blocked)
        items = [(name, namespace[name]) for name in names] if names is not None else list(namespace.items())
        for name, value in items:
            if _is_blocked_helper(name, value, blocked):  # judged on the current value, every call
                p.setattr(mod, name, _blocked_callable(f"{modname}.{name}", value))


def _scan_dlkit_helpers(p: _Patches, blocked: tuple[str, ...]) -> None:
    for modname, mod in list(sys.modules.items()):
        if mod is None or not _is_helper_module(modname):
            continue
        for name, value in list(vars(mod).items()):
            if _is_blocked_helper(name, value, blocked):
                p.setattr(mod, name, _blocked_callable(f"{modname}.{name}", value))


def _learner_stub(value: Any, bound_as: str, blocked: tuple[str, ...], learners: bool) -> Any | None:
    """The stand-in for ``value`` (bound to the name ``bound_as``), or None to leave it: torch always; in the
    learner's own code also a dlkit helper matching the exercise (``from dlkit.data import one_hot``)."""
    if _package_of(value) is not None:
        return _stub_for(value)
    if not learners or not blocked:
        return None
    try:
        name = getattr(value, "__name__", bound_as)
    except Exception:  # exotic objects whose attribute access fails: leave them alone
        return None
    if isinstance(name, str) and _is_blocked_helper(name, value, blocked):
        return _blocked_callable(f"{value.__module__}.{name}", value)
    return None


def _patch_learner_namespace(p: _Patches, fn: Callable, blocked: tuple[str, ...] = ()) -> None:
    """Swap torch objects (and blocked dlkit helpers) bound in the learner's globals and closure cells for stubs."""
    seen: set[int] = set()
    todo = [fn]
    while todo:  # the function and the notebook helpers it closes over
        f = todo.pop()
        f = getattr(f, "__func__", f)  # bound methods
        if id(f) in seen:
            continue
        seen.add(id(f))
        learners = not str(getattr(f, "__module__", "") or "").startswith(("dlkit", "dlgrade"))  # not the library or the grader
        g = getattr(f, "__globals__", None)
        if isinstance(g, dict) and id(g) not in seen:
            seen.add(id(g))
            for k, v in list(g.items()):
                stub = _learner_stub(v, k, blocked, learners)
                if stub is not None:
                    p.setitem(g, k, stub)
        for cell in getattr(f, "__closure__", None) or ():
            try:
                v = cell.cell_contents
            except ValueError:  # empty cell
                continue
            stub = _learner_stub(v, "", blocked, learners)
            if stub is not None:
                cell.cell_contents = stub
                p.add(lambda cell=cell, old=v: setattr(cell, "cell_contents", old))
            elif isinstance(v, types.FunctionType):
                todo.append(v)


_BLOCKED_PREFIXES = tuple(f"{top}." for top in BLOCKED_PACKAGES)
# The stand-in of each blocked module, kept from one guarded call to the next: a process that has imported torch
# holds some 800 torch modules, and a check makes a guarded call for every case it tries (thousands in the test
# suite), so building 800 stand-ins per call was most of the guard's cost there.
_stand_ins: dict[str, tuple[types.ModuleType | None, _BlockedModule]] = {}


# The stand-ins swapped in by the last guarded call, with the (name, module) pairs they stand for: the next call
# swaps in the same dict when those pairs are the same objects, instead of looking up 800 stand-ins one by one.
_NO_SWAP: tuple[tuple[str, ...], tuple[Any, ...], dict[str, _BlockedModule]] = ((), (), {})
_last_swap = _NO_SWAP


def _stand_in(key: str, real: types.ModuleType | None) -> _BlockedModule:
    global _last_swap
    kept = _stand_ins.get(key)
    if kept is None or kept[0] is not real:
        kept = _stand_ins[key] = (real, _BlockedModule(key, real))
        _last_swap = _NO_SWAP  # it may hold the stand-in just replaced
    return kept[1]


def _stand_ins_for(real: dict[str, Any]) -> dict[str, _BlockedModule]:
    """``{name: _stand_in(name, module)}`` for ``real``'s entries: not to be changed (the next call may reuse it)."""
    global _last_swap
    keys, values = tuple(real), tuple(real.values())
    if _same(keys, _last_swap[0]) and _same(values, _last_swap[1]):
        return _last_swap[2]  # no stand-in of these names was replaced since (that empties _last_swap)
    swap = {k: _stand_in(k, v) for k, v in real.items()}
    _last_swap = (keys, values, swap)
    return swap


def _is_blocked_module(modname: str) -> bool:
    return modname in BLOCKED_PACKAGES or modname.startswith(_BLOCKED_PREFIXES)


def _blocked_modules() -> dict[str, Any]:
    """The entries of sys.modules that belong to a blocked package, in order."""
    modules = _modules_copy()
    picked = _pick("blocked modules", tuple(modules), _is_blocked_module) if modules is not None else None
    if picked is None:  # keys that are not plain str: the full scan, which answers as it always did
        return {k: v for k, v in list(sys.modules.items()) if _is_blocked_module(k)}
    return dict(zip(picked, map(modules.__getitem__, picked)))  # 800 torch modules: a loop in C


def _patch_sys_modules(p: _Patches) -> None:
    modules = sys.modules
    real = _blocked_modules()
    missing = [top for top in BLOCKED_PACKAGES if top not in real]  # a first import inside the call is blocked too
    swap = _stand_ins_for(real)
    modules.update(swap if type(modules) is dict else dict(swap))  # another kind's update could change the one kept
    modules.update({top: _stand_in(top, None) for top in missing})

    def restore() -> None:
        modules.update(real)
        for top in missing:
            modules.pop(top, None)

    p.add(restore)


def _install(p: "_Patches", fn: Callable, blocked: tuple[str, ...], allow_dlkit: bool) -> None:
    _install_apply_guard(p, blocked, allow_dlkit)
    _patch_dlkit_attributes(p, blocked)
    _patch_learner_namespace(p, fn, blocked)
    _patch_sys_modules(p)


@contextmanager
def blocking(
    exercise: str,
    fn: Callable,
    *,
    blocked: tuple[str, ...] = (),
    allow_dlkit: bool = False,
) -> Iterator[list[str]]:
    """Run the body with the references of ``exercise`` unavailable; yields the violations list.

    ``blocked`` names dlkit functional relatives of the exercise (e.g. ``("softmax",
    "log_softmax", "cross_entropy")``); with ``allow_dlkit=False`` (array exercises) every
    dlkit op is refused, since the learner's code is meant to be plain numpy.
    """
    if _state.active is not None:
        raise RuntimeError("dlgrade: a check is already running (nested checks are not supported)")
    p = _Patches()
    _state.active = exercise
    _state.violations = []
    _state.patches = p
    try:
        _install(p, fn, blocked, allow_dlkit)
        yield _state.violations
    finally:
        _state.patches.restore()
        _state.active = None


@contextmanager
def suspended() -> Iterator[None]:
    """Let the check's own work through the lock-out while it answers a call the learner's function made (an
    oracle: the grader's version of another graded function): every stand-in passes to what it replaced."""
    _state.suspended += 1
    try:
        yield
    finally:
        _state.suspended -= 1
