"""The speed-minded paths keep their promises: no shared gradient arrays, graphs freed by reference
counting (memory flat over many training steps with the cycle collector off), and the pooling
shortcut for tiling windows giving what the general offset loop gives. (Kernel fast paths against
their portable fallbacks: ``test_kernels.py``.)"""
from __future__ import annotations

import gc
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
