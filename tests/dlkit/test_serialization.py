"""dlkit.save / dlkit.load: .npz without pickle, state dicts and nested containers, round trips into models."""
from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

import dlkit
import dlkit.nn as nn
from dlkit.serialization import load, save


def test_state_dict_round_trip_restores_a_model(tmp_path) -> None:
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(8, 3))
    model(dlkit.randn(4, 1, 4, 4))  # move the running statistics
    path = tmp_path / "model.pt"
    save(model.state_dict(), path)
    assert path.exists() and not (tmp_path / "model.pt.npz").exists()  # the name is kept as given
    state = load(path)
    assert list(state) == list(model.state_dict())
    assert state["1.num_batches_tracked"].dtype_name == "int64" and state["0.weight"].dtype_name == "float32"
    fresh = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(8, 3))
    fresh.load_state_dict(state)
    fresh.eval(), model.eval()
    x = dlkit.randn(2, 1, 4, 4)
    np.testing.assert_array_equal(fresh(x).detach().numpy(), model(x).detach().numpy())


def test_files_are_plain_npz_readable_without_pickle(tmp_path) -> None:
    path = tmp_path / "w.npz"
    save({"weight": dlkit.ones(2, 2)}, path)
    with np.load(path, allow_pickle=False) as files:
        assert "__dlkit__" in files.files
        arrays = [files[k] for k in files.files]
    assert all(a.dtype != object for a in arrays)
    with zipfile.ZipFile(path) as z:
        assert all(name.endswith(".npy") for name in z.namelist())


def test_nested_containers_keys_and_plain_values_round_trip() -> None:
    obj = {
        "model": {"layer.0.weight": dlkit.arange(6).reshape(2, 3).float(), "odd/key": dlkit.tensor(1.5, dtype="float64")},
        "optimizer": {"lr": 0.01, "betas": (0.9, 0.999), "step": 3, "nesterov": False, "name": None},
        "history": [1.0, 0.5, np.arange(3)],
        7: "int key",
    }
    buffer = io.BytesIO()
    save(obj, buffer)
    buffer.seek(0)
    back = load(buffer)
    assert back["optimizer"] == obj["optimizer"] and back[7] == "int key"
    np.testing.assert_array_equal(back["model"]["layer.0.weight"].numpy(), obj["model"]["layer.0.weight"].numpy())
    assert back["model"]["odd/key"].dtype_name == "float64" and back["model"]["odd/key"].item() == 1.5
    assert isinstance(back["history"][2], np.ndarray) and back["history"][:2] == [1.0, 0.5]


def test_saving_unsupported_objects_and_loading_foreign_files_fail_clearly(tmp_path) -> None:
    with pytest.raises(TypeError, match=r"cannot store a object at \['a'\]"):
        save({"a": object()}, tmp_path / "x.npz")
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, a=np.ones(2))
    with pytest.raises(ValueError, match="not a file written by dlkit.save"):
        load(foreign)
