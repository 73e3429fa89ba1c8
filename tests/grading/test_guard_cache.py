"""The guard keeps which modules and attribute names its scans pick from one guarded call to the next: whatever a
learner changes between calls (a helper reassigned, renamed, added or deleted; a module replaced, added or removed
in sys.modules), each call patches exactly what a fresh scan of everything patches."""
from __future__ import annotations

import random
import sys
import types

import pytest

from dlgrade.harness import guard
from dlgrade.harness.guard import ReferenceBlocked, blocking

BLOCKED = ("one_hot", "xavier_uniform")
HELPERS = "dlkit.data._guard_cache_test"  # under dlkit.data: a helper module the guard scans
TORCHY = "torch._guard_cache_test"        # under torch.: a blocked module


class Recording(guard._Patches):
    """_Patches that also lists what it patched: (object, name, value it replaced, the stub's name)."""

    def __init__(self) -> None:
        super().__init__()
        self.done: list[tuple[int, str, int, str]] = []

    def setattr(self, obj, name, value) -> None:
        self.done.append((id(obj), name, id(vars(obj).get(name)), value.__name__))
        super().setattr(obj, name, value)


def helper(name: str, module: str = HELPERS) -> types.FunctionType:
    def f(*args):
        return "real"
    f.__name__, f.__module__ = name, module
    return f


def helper_module(name: str = HELPERS, **attrs) -> types.ModuleType:
    mod = types.ModuleType(name)
    vars(mod).update(attrs)
    return mod


def patches_of(patch, blocked=BLOCKED) -> list[tuple[int, str, int, str]]:
    p = Recording()
    try:
        patch(p, blocked)
        return p.done
    finally:
        p.restore()


def assert_as_a_fresh_scan(blocked=BLOCKED) -> None:
    """The cached helper patching does what the full scan does, also on a second call (from the cache)."""
    for _ in range(2):
        expected = patches_of(guard._scan_dlkit_helpers, blocked)
        assert patches_of(guard._patch_dlkit_helpers, blocked) == expected
    fresh = {k: v for k, v in list(sys.modules.items()) if k in guard.BLOCKED_PACKAGES
             or k.startswith(guard._BLOCKED_PREFIXES)}
    real = guard._blocked_modules()
    assert list(real) == list(fresh) and all(real[k] is fresh[k] for k in fresh)
    swap = guard._stand_ins_for(real)
    assert all(swap[k] is guard._stand_in(k, v) for k, v in real.items())


@pytest.fixture
def modules():
    """sys.modules, without the fake helper and torch modules the test added, afterwards."""
    yield sys.modules
    for k in [k for k in sys.modules if isinstance(k, str) and "_guard_cache_test" in k]:
        del sys.modules[k]


def test_changes_between_guarded_calls_are_seen(modules):
    mod = helper_module(one_hot=helper("one_hot"), plain=helper("plain"))
    modules[HELPERS] = mod
    assert_as_a_fresh_scan()

    def guarded_sees_blocked(name: str, module: types.ModuleType = mod) -> bool:
        with blocking("tensors.one_hot", lambda: None, blocked=BLOCKED):
            try:
                getattr(module, name)()
            except ReferenceBlocked:
                return True
        return False

    assert guarded_sees_blocked("one_hot") and not guarded_sees_blocked("plain")
    real = mod.one_hot
    mod.one_hot = lambda: "mine"          # reassigned, same names: a learner's own function is not a helper
    assert not guarded_sees_blocked("one_hot")
    assert_as_a_fresh_scan()
    mod.one_hot = real                    # and back
    assert guarded_sees_blocked("one_hot")
    real.__module__ = "notdlkit"          # the same object, now from elsewhere
    assert not guarded_sees_blocked("one_hot")
    real.__module__ = HELPERS
    mod.OneHot_v2 = helper("OneHot_v2")   # a new name that matches
    assert guarded_sees_blocked("OneHot_v2") and guarded_sees_blocked("one_hot")
    assert_as_a_fresh_scan()
    del mod.one_hot                       # renamed
    mod.one_hot_renamed = real
    assert guarded_sees_blocked("one_hot_renamed") and not hasattr(mod, "one_hot")
    assert_as_a_fresh_scan()

    other = helper_module(one_hot=helper("one_hot"))
    modules[HELPERS] = other              # replaced under the same key
    assert guarded_sees_blocked("one_hot", other) and not guarded_sees_blocked("one_hot_renamed", mod)
    assert_as_a_fresh_scan()
    modules[HELPERS] = None
    assert not guarded_sees_blocked("one_hot", other)
    assert_as_a_fresh_scan()
    assert mod.one_hot_renamed is real and other.one_hot() == "real"  # all restored


def test_a_replaced_blocked_module_gets_its_own_stand_in(modules):
    first, second = types.ModuleType(TORCHY), types.ModuleType(TORCHY)
    for real in (first, second, first):
        modules[TORCHY] = real
        for _ in range(2):
            with blocking("x.y", lambda: None):
                stand_in = sys.modules[TORCHY]
                assert isinstance(stand_in, guard._BlockedModule) and stand_in._real is real
            assert sys.modules[TORCHY] is real
            assert_as_a_fresh_scan()
    del modules[TORCHY]
    with blocking("x.y", lambda: None):
        assert TORCHY not in sys.modules
    assert_as_a_fresh_scan()


def test_random_changes_patch_as_a_fresh_scan(modules):
    """Random edits of helper modules and sys.modules, each followed by a cached and a fresh scan."""
    rand = random.Random(7)
    names = ["one_hot", "oneHot", "one_hot_", "xavier_uniform_", "Xavier_Uniform", "relu", "plain", "data"]
    keys = [HELPERS, HELPERS + "2", "dlkit.optim._guard_cache_test", "dlkit.datasets_guard_cache_test",
            TORCHY, TORCHY + "2"]

    def value():
        return rand.choice([helper(rand.choice(names)), helper("x", module="elsewhere"), 3, None,
                            types.ModuleType("dlkit.inner"), lambda: None])

    for _ in range(300):
        key = rand.choice(keys)
        mod = modules.get(key)
        action = rand.randrange(6)
        if action == 0 or mod is None:
            modules[key] = helper_module(key, **{n: value() for n in rand.sample(names, 3)})
        elif action == 1:
            setattr(mod, rand.choice(names), value())
        elif action == 2:
            vars(mod).pop(rand.choice(names), None)
        elif action == 3 and callable(getattr(mod, "one_hot", None)):
            mod.one_hot.__module__ = rand.choice([HELPERS, "elsewhere"])
        elif action == 4:
            modules[key] = None
        else:
            del modules[key]
        assert_as_a_fresh_scan(rand.choice([BLOCKED, (), ("relu",), BLOCKED + ("data",)]))


def test_exotic_names_are_scanned_as_always(modules):
    """Names that are not plain str (their methods could answer anything) skip the cache: the full scan runs."""
    class Name(str):
        def lower(self):
            return "onehot"

    mod = helper_module()
    vars(mod)[Name("disguised")] = helper("disguised")
    modules[HELPERS] = mod
    assert_as_a_fresh_scan()
    assert patches_of(guard._patch_dlkit_helpers)  # the disguised name matched, as in the full scan
    modules[12] = mod                     # a key the full scan cannot read: both fail alike
    try:
        for patch in (guard._scan_dlkit_helpers, guard._patch_dlkit_helpers):
            with pytest.raises(AttributeError, match="startswith"):
                patches_of(patch)
        with pytest.raises(AttributeError, match="startswith"):
            with blocking("x.y", lambda: None):
                pass
    finally:
        del modules[12]
    assert_as_a_fresh_scan()
