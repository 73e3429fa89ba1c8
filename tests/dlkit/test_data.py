"""dlkit.data: datasets, batching, shuffling, and the shipped data."""
from __future__ import annotations

import time

import numpy as np
import pytest

import dlkit
import dlkit.data as data


def _rows(x: dlkit.Tensor) -> list[float]:
    return x.numpy()[:, 0].tolist()


@pytest.mark.parametrize("n, batch_size, drop_last", [(10, 3, False), (10, 3, True), (9, 3, False), (5, 8, False), (1, 1, False)])
@pytest.mark.parametrize("shuffle", [False, True])
def test_every_sample_exactly_once_per_epoch(n: int, batch_size: int, drop_last: bool, shuffle: bool) -> None:
    x = dlkit.arange(n).float().reshape(n, 1)
    y = dlkit.arange(n)
    loader = data.DataLoader(data.TensorDataset(x, y), batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, seed=0)
    for _ in range(2):
        batches = list(loader)
        assert len(batches) == len(loader)
        seen = [int(v) for _, yb in batches for v in yb.numpy()]
        expected = (n // batch_size) * batch_size if drop_last else n
        assert len(seen) == expected and len(set(seen)) == expected
        if not drop_last:
            assert sorted(seen) == list(range(n))
        for xb, yb in batches:  # inputs and targets stay paired
            assert xb.shape == (yb.shape[0], 1) and _rows(xb) == yb.numpy().astype(float).tolist()
            assert yb.shape[0] == batch_size or (not drop_last and yb is batches[-1][1])


def test_shuffles_are_reproducible_and_differ_between_epochs() -> None:
    ds = data.TensorDataset(dlkit.arange(50))

    def epochs(loader: data.DataLoader) -> list[list[int]]:
        return [[int(v) for (b,) in loader for v in b.numpy()] for _ in range(3)]

    a, b = epochs(data.DataLoader(ds, 10, shuffle=True, seed=7)), epochs(data.DataLoader(ds, 10, shuffle=True, seed=7))
    assert a == b and a[0] != a[1] and a[0] != list(range(50))
    assert epochs(data.DataLoader(ds, 10, shuffle=True, seed=8)) != a
    dlkit.manual_seed(3)
    c = epochs(data.DataLoader(ds, 10, shuffle=True))
    dlkit.manual_seed(3)
    assert epochs(data.DataLoader(ds, 10, shuffle=True)) == c


class Squares(data.Dataset):
    """A dataset written the torch way: samples one by one, numbers and tensors mixed."""

    def __len__(self) -> int:
        return 7

    def __getitem__(self, i: int):
        return dlkit.tensor([float(i), float(i * i)]), i % 2


def test_a_custom_dataset_is_collated_sample_by_sample() -> None:
    batches = list(data.DataLoader(Squares(), batch_size=3))
    assert [b[0].shape for b in batches] == [(3, 2), (3, 2), (1, 2)]
    assert batches[0][1].dtype_name == "int64" and batches[0][1].tolist() == [0, 1, 0]
    assert batches[1][0].tolist() == [[3.0, 9.0], [4.0, 16.0], [5.0, 25.0]]
    shuffled = list(data.DataLoader(Squares(), batch_size=3, shuffle=True, seed=0))
    assert sorted(int(v) for xb, _ in shuffled for v in xb.numpy()[:, 0]) == list(range(7))


def test_tensor_dataset_checks_lengths_and_indexes_samples() -> None:
    with pytest.raises(ValueError, match="same size in dim 0"):
        data.TensorDataset(dlkit.zeros(3, 2), dlkit.zeros(4))
    ds = data.TensorDataset(dlkit.arange(6).reshape(3, 2), dlkit.tensor([7, 8, 9]))
    x, y = ds[1]
    assert len(ds) == 3 and x.tolist() == [2, 3] and int(y) == 8


def test_loader_rejects_a_bad_batch_size() -> None:
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        data.DataLoader(data.TensorDataset(dlkit.zeros(3)), batch_size=0)


def test_loader_batches_stay_in_the_data_namespace() -> None:
    xp = pytest.importorskip("array_api_strict")
    ds = data.TensorDataset(dlkit.Tensor(xp.reshape(xp.arange(12.0), (6, 2))), dlkit.Tensor(xp.arange(6)))
    for xb, yb in data.DataLoader(ds, batch_size=4, shuffle=True, seed=0):
        assert xb._xp is ds.tensors[0]._xp and yb._xp is ds.tensors[1]._xp


def test_mnist_subset_loads_offline_fast_with_the_right_shapes() -> None:
    start = time.perf_counter()
    x, y = data.load_mnist_subset()
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"load_mnist_subset took {elapsed:.2f} s"
    assert x.shape == (5000, 1, 28, 28) and x.dtype_name == "float32"
    assert y.shape == (5000,) and y.dtype_name == "int64"
    assert np.bincount(y.numpy()).tolist() == [500] * 10
    values = x.numpy()
    assert values.min() == 0.0 and values.max() == 1.0
    raw, _ = data.load_mnist_subset(flatten=True, normalize=False)
    assert raw.shape == (5000, 784) and raw.dtype_name == "uint8" and int(raw.numpy().max()) == 255
    assert len(set(y.numpy()[:50].tolist())) == 10, "the subset should not be sorted by label"


def test_digits_load_with_the_right_shapes() -> None:
    x, y = data.load_digits()
    assert x.shape == (1797, 1, 8, 8) and x.dtype_name == "float32" and float(x.numpy().max()) == 1.0
    assert np.bincount(y.numpy()).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    flat, _ = data.load_digits(flatten=True, normalize=False)
    assert flat.shape == (1797, 64) and flat.dtype_name == "uint8" and int(flat.numpy().max()) == 16
    np.testing.assert_allclose(flat.numpy() / 16.0, x.numpy().reshape(1797, 64), rtol=1e-6)


def test_height_weight_table() -> None:
    x, y = data.load_height_weight()
    assert x.shape == (len(data.HEIGHT_WEIGHT_ROWS), 2) and y.dtype_name == "int64"
    assert data.HEIGHT_WEIGHT_COLUMNS == ("height_cm", "weight_kg", "sex")
    assert set(y.tolist()) == {0, 1}


def test_pyproject_ships_the_datasets_in_the_wheel() -> None:
    """setuptools puts only .py files in a wheel unless package-data names the others."""
    import fnmatch
    import sys
    from pathlib import Path

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    root = Path(__file__).resolve().parents[2]
    globs = tomllib.loads((root / "pyproject.toml").read_text()).get("tool", {}).get("setuptools", {}).get(
        "package-data", {}).get("dlkit.data", [])
    for path in sorted((root / "dlkit" / "data").glob("*.npz")) + [root / "dlkit" / "data" / "README.md"]:
        assert any(fnmatch.fnmatch(path.name, g) for g in globs), (
            f"pyproject.toml: [tool.setuptools.package-data] \"dlkit.data\" must cover {path.name}"
        )
