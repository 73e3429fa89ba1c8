"""The speed-minded paths keep their promises: no shared gradient arrays, graphs freed by reference
counting (memory flat over many training steps with the cycle collector off), the pooling shortcut
for tiling windows giving what the general offset loop gives, parameter layouts that survive every
way of replacing values, and process-wide tuning that waits for first use. (The backend's fast
paths against their portable versions: ``test_backend_ops.py``.)"""
from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import weakref

import numpy as np
import pytest

import dlkit
import dlkit.functional as F
from dlkit import nn, optim
from dlkit.autograd import Function
from dlkit.functional import pooling


def test_leaf_gradients_never_share_an_array() -> None:
    a = dlkit.randn(3, 4, requires_grad=True)
    b = dlkit.randn(3, 4, requires_grad=True)
    c = dlkit.randn(4, requires_grad=True)
    (a + b + c).sum().backward()  # add hands the same gradient array to every input
    assert a.grad.data is not b.grad.data
    assert not np.shares_memory(a.grad.data, b.grad.data)
    a.grad.data[...] = 0
    np.testing.assert_array_equal(b.grad.numpy(), np.ones((3, 4)))


def test_a_gradient_that_is_a_saved_array_is_copied_for_the_leaf() -> None:
    class PassSaved(Function):  # a backward returning an array the graph also holds
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(b)
            return a * 1.0

        @staticmethod
        def backward(ctx, grad):
            (b,) = ctx.saved_tensors
            return b, None

    a = dlkit.randn(3, requires_grad=True)
    b = dlkit.randn(3)
    PassSaved.apply(a, b).backward(dlkit.ones(3))
    assert not np.shares_memory(a.grad.data, b.data)


def _cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Conv2d(4, 8, 3), nn.ReLU(),
        nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(), nn.Linear(8 * 4 * 4, 16), nn.ReLU(), nn.Linear(16, 10),
    )


def _tensors() -> int:
    return sum(type(o) is dlkit.Tensor for o in gc.get_objects())  # type(), not isinstance: no proxy lookups


def test_a_training_step_graph_is_freed_by_reference_counting() -> None:
    dlkit.manual_seed(0)
    model = _cnn()
    opt = optim.SGD(model.parameters(), lr=0.01)
    x, y = dlkit.randn(4, 1, 12, 12), dlkit.randint(0, 10, (4,))
    dlkit.backend.tune_process()  # the first step's one-time process tuning (a module import), not part of any graph
    gc.collect()
    gc.disable()
    try:
        out = model(x)
        probe = weakref.ref(out)
        F.cross_entropy(out, y).backward()
        del out
        assert probe() is None, "the step's graph outlived the step: a reference cycle keeps it alive"
        opt.step()
        before = _tensors()
        for _ in range(100):
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
        after = _tensors()
        unreachable = gc.collect()
    finally:
        gc.enable()
    assert unreachable == 0, f"{unreachable} objects were only freed by the cycle collector"
    assert after <= before, f"{after - before} tensors piled up over 100 steps"


def test_memory_stays_flat_over_100_cnn_steps_without_the_cycle_collector() -> None:
    tracemalloc = pytest.importorskip("tracemalloc")
    dlkit.manual_seed(0)
    model = _cnn()
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = dlkit.randn(8, 1, 12, 12), dlkit.randint(0, 10, (8,))

    def step() -> None:
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    def array_bytes() -> int:
        # numpy reports its data buffers to tracemalloc in a domain of their own (Python objects'
        # memory would also count free lists filling up, which is not growth).
        only_arrays = [tracemalloc.DomainFilter(True, np.lib.tracemalloc_domain)]
        return sum(t.size for t in tracemalloc.take_snapshot().filter_traces(only_arrays).traces)

    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        for _ in range(10):
            step()
        after_10 = array_bytes()
        for _ in range(90):
            step()
        after_100 = array_bytes()
    finally:
        tracemalloc.stop()
        gc.enable()
    assert after_100 <= after_10, f"array memory grew by {after_100 - after_10} bytes over 90 steps"


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("shape, kernel", [((2, 3, 6, 8), (2, 2)), ((1, 2, 7, 5), (2, 2)), ((2, 2, 6, 6), (3, 2))])
@pytest.mark.parametrize("layout", ["nchw", "nhwc"])
def test_tiling_pool_shortcut_equals_the_offset_loop(kind: str, shape, kernel, layout: str, monkeypatch) -> None:
    rng = np.random.default_rng(2)
    data = rng.integers(-2, 3, size=shape).astype(np.float64)  # many ties
    if layout == "nhwc":  # the memory order of a conv output
        data = np.ascontiguousarray(data.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    direction = rng.standard_normal((shape[0], shape[1], shape[2] // kernel[0], shape[3] // kernel[1]))

    def run() -> tuple[np.ndarray, np.ndarray]:
        x = dlkit.tensor(data, requires_grad=True)
        out = getattr(F, f"{kind}_pool2d")(x, kernel)
        out.backward(dlkit.tensor(direction))
        return out.detach().numpy(), x.grad.numpy()

    fast = run()
    monkeypatch.setattr(pooling, "_tiles", lambda ctx: False)
    slow = run()
    np.testing.assert_array_equal(fast[0], slow[0])
    np.testing.assert_array_equal(fast[1], slow[1])


def test_linear_weights_are_column_major_and_stay_so() -> None:
    """Column-major storage (backend/storage.py) is invisible to results and survives re-initialization,
    loading a checkpoint and training; its gradient comes out column-major and is kept without a copy."""
    layer = nn.Linear(5, 3)
    assert layer.weight.data.flags.f_contiguous and layer.weight.shape == (3, 5)
    nn.init.xavier_uniform_(layer.weight)
    assert layer.weight.data.flags.f_contiguous
    layer.load_state_dict({"weight": np.arange(15, dtype=np.float32).reshape(3, 5), "bias": np.zeros(3, np.float32)})
    assert layer.weight.data.flags.f_contiguous
    np.testing.assert_array_equal(layer.weight.data, np.arange(15).reshape(3, 5))
    x = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    out = layer(dlkit.tensor(x))
    np.testing.assert_allclose(out.data, x @ np.arange(15, dtype=np.float32).reshape(3, 5).T, rtol=1e-6)
    out.sum().backward()
    grad = layer.weight.grad.data
    assert grad.flags.f_contiguous and grad.base is None  # written in place by BLAS: no view, no copy
    np.testing.assert_allclose(grad, np.ones((4, 3), np.float32).T @ x, rtol=1e-6)
    optim.SGD(layer.parameters(), lr=0.1).step()
    assert layer.weight.data.flags.f_contiguous


@pytest.mark.parametrize("make", [lambda: nn.Linear(5, 3), lambda: nn.Conv2d(2, 4, 3), lambda: nn.BatchNorm1d(6)])
def test_parameters_start_on_a_cache_line_and_stay_there(make) -> None:
    """64-byte aligned storage (what torch's allocator guarantees) through creation, re-initialization,
    loading a checkpoint and optimizer steps; values unchanged by the move."""
    layer = make()
    aligned = lambda: all(p.data.ctypes.data % 64 == 0 for p in layer.parameters())  # noqa: E731
    assert aligned()
    for p in layer.parameters():
        nn.init.uniform_(p, -1.0, 1.0)
    assert aligned()
    state = {k: np.array(v.data, copy=True) for k, v in layer.state_dict().items()}
    layer.load_state_dict(state)
    assert aligned()
    for key, value in layer.state_dict().items():
        np.testing.assert_array_equal(value.data, state[key])
    for p in layer.parameters():
        p.grad = dlkit.ones_like(p)
    optim.SGD(layer.parameters(), lr=0.1).step()
    assert aligned()


def test_a_row_major_weight_still_gets_a_row_major_gradient() -> None:
    layer = nn.Linear(5, 3)
    layer.weight.data = np.ascontiguousarray(layer.weight.data)  # e.g. set by hand
    layer(dlkit.randn(4, 5)).sum().backward()
    assert layer.weight.grad.data.flags.c_contiguous


def test_sequential_forward_follows_replaced_appended_and_deleted_layers() -> None:
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    x = dlkit.tensor([[-1.0, 2.0]])
    model(x)  # fills the cached layer tuple
    model[1] = nn.Identity()
    model.append(nn.Linear(2, 1))
    assert len(model) == 3 and isinstance(model[1], nn.Identity)
    expected = model[2](model[0](x))
    np.testing.assert_allclose(model(x).data, expected.data)
    delattr(model, "2")
    assert [type(m).__name__ for m in model] == ["Linear", "Identity"]
    np.testing.assert_allclose(model(x).data, model[0](x).data)
    assert "_layers" not in dict(model.named_children())


_FAULTS_SCRIPT = """
import resource, numpy as np, dlkit
from dlkit import nn, optim
rng = np.random.default_rng(0)
x = dlkit.tensor(rng.standard_normal((32, 1, 28, 28)).astype(np.float32))
y = dlkit.tensor(rng.integers(0, 10, 32))
model = nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Flatten(), nn.Linear(4608, 128), nn.ReLU(), nn.Linear(128, 10))
opt, loss_fn = optim.SGD(model.parameters(), lr=0.01), nn.CrossEntropyLoss()
def step():
    opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
for _ in range(5):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    step()
print(dlkit.backend.tuning.malloc_tuned(), (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 10)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the allocator tuning is for glibc on Linux")
def test_training_steps_reuse_freed_memory_instead_of_faulting_pages_in() -> None:
    """With dlkit's malloc tuning (backend/malloc.py, applied on the first optimizer step) a CNN step
    touches no fresh pages; turned off, glibc hands the same arrays back to the kernel and faults them in
    every step.

    Both runs start from glibc's documented default thresholds (mmap and trim at 128 KiB), set explicitly: left
    alone, glibc raises its mmap threshold on its own after some frees, depending on the process's history, so
    the untuned run faulted on one machine and not on another and the control proved nothing there."""
    def faults_per_step(keep: str) -> tuple[str, float]:
        env = {**os.environ, "DLKIT_KEEP_FREED_MEMORY": keep, "MALLOC_MMAP_THRESHOLD_": "131072",
               "MALLOC_TRIM_THRESHOLD_": "131072"}
        out = subprocess.run([sys.executable, "-c", _FAULTS_SCRIPT], env=env, capture_output=True, text=True, check=True)
        applied, faults = out.stdout.split()
        return applied, float(faults)

    applied, tuned = faults_per_step("1")
    assert applied == "True" and tuned < 20, f"{tuned} page faults per step with the tuning on"
    applied, default = faults_per_step("0")
    assert applied == "False" and default > 10 * max(tuned, 1), f"{default} faults per step without it: the check proves nothing"


_IMPORT_SCRIPT = """
import builtins, ctypes, json, sys
opened, loaded = [], []
real_open, real_cdll = builtins.open, ctypes.CDLL
def spy_open(file, *args, **kwargs):
    opened.append(str(file))
    return real_open(file, *args, **kwargs)
class SpyCDLL(real_cdll):
    def __init__(self, name, *args, **kwargs):
        loaded.append(str(name))
        super().__init__(name, *args, **kwargs)
builtins.open, ctypes.CDLL = spy_open, SpyCDLL
def seen():
    return {"maps_read": "/proc/self/maps" in opened, "libraries_loaded": list(loaded),
            "malloc_tuned": dlkit.backend.tuning.malloc_tuned(),
            "modules": sorted(m for m in ("dlkit.backend.malloc", "dlkit.backend.blas") if m in sys.modules)}
import dlkit
from dlkit import nn, optim
at_import = seen()
layer = nn.Linear(256, 128)  # a weight large enough for the fused BLAS update
opt = optim.SGD(layer.parameters(), lr=0.1)
layer(dlkit.randn(4, 256)).sum().backward()
opt.step()
print(json.dumps([at_import, seen()]))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc tuning and the library scan are Linux-only")
@pytest.mark.parametrize("keep", ["1", "0"])
def test_importing_dlkit_changes_nothing_outside_it(keep: str) -> None:
    """Import tunes no allocator and scans no loaded-library list (both spied on in a fresh interpreter);
    the first optimizer step does, unless DLKIT_KEEP_FREED_MEMORY=0 turns the malloc tuning off."""
    env = {**os.environ, "DLKIT_KEEP_FREED_MEMORY": keep}
    out = subprocess.run([sys.executable, "-c", _IMPORT_SCRIPT], env=env, capture_output=True, text=True, check=True)
    at_import, after_step = json.loads(out.stdout.strip().splitlines()[-1])
    assert at_import == {"maps_read": False, "libraries_loaded": [], "malloc_tuned": None, "modules": []}
    assert after_step["maps_read"], "the first large SGD update looks up numpy's BLAS"
    libc_loaded = "None" in after_step["libraries_loaded"]  # CDLL(None): the symbols the interpreter links, libc's
    if keep == "1":
        assert after_step["malloc_tuned"] is True and libc_loaded
    else:
        assert after_step["malloc_tuned"] is False and not libc_loaded


def test_import_time_shows_no_process_tuning() -> None:
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import dlkit"], capture_output=True, text=True, check=True)
    imported = {line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines() if "|" in line}
    assert "dlkit.nn" in imported, "the import-time listing was not read"
    assert not imported & {"dlkit.backend.malloc", "dlkit.backend.blas"}
