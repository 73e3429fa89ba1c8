"""dlkit.viz draws the expected artists (matplotlib's Agg backend, nothing shown)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import dlkit  # noqa: E402
import dlkit.data as data  # noqa: E402
import dlkit.functional as F  # noqa: E402
import dlkit.nn as nn  # noqa: E402
import dlkit.optim as optim  # noqa: E402
from dlkit import viz  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def rosenbrock(p: dlkit.Tensor) -> dlkit.Tensor:
    return (1 - p[0]) ** 2 + 10 * (p[1] - p[0] ** 2) ** 2


def test_history_gives_one_panel_per_quantity_with_train_and_validation_lines() -> None:
    history = {"loss": [1.0, 0.5, 0.3], "accuracy": [0.5, 0.7, 0.8], "val_loss": [1.1, 0.7, 0.6],
               "val_accuracy": [0.4, 0.6, 0.7], "lr": [0.1] * 3}
    fig = viz.plot_history(history)
    assert [ax.get_ylabel() for ax in fig.axes] == ["loss", "accuracy"]
    assert all(len(ax.lines) == 2 for ax in fig.axes)
    np.testing.assert_array_equal(fig.axes[0].lines[1].get_ydata(), history["val_loss"])
    assert len(viz.plot_history({"loss": [1.0, 0.5]}).axes[0].lines) == 1
    with pytest.raises(KeyError, match="it has"):
        viz.plot_history(history, keys=["f1"])


def test_decision_boundary_fills_the_plane_and_shows_every_point() -> None:
    x, y = data.make_moons(n_samples=50, seed=0)
    model = nn.Linear(2, 2)
    ax = viz.plot_decision_boundary(model, x, y, resolution=30)
    assert len(ax.collections) >= 2  # the filled contour set and the scatter
    scatter = ax.collections[-1]
    assert scatter.get_offsets().shape == (50, 2)
    assert model.training  # the mode is restored
    binary = viz.plot_decision_boundary(lambda t: t[:, :1] - t[:, 1:], x, y, resolution=20)
    assert binary.collections


def test_loss_surface_draws_contours_and_each_trajectory() -> None:
    paths = {name: viz.trajectory(rosenbrock, cls, start=(-1.5, 1.5), steps=20, lr=lr)
             for name, cls, lr in [("SGD", optim.SGD, 1e-3), ("Adam", optim.Adam, 0.1)]}
    assert paths["SGD"].shape == (21, 2)
    np.testing.assert_allclose(paths["Adam"][0], [-1.5, 1.5])
    assert rosenbrock(dlkit.tensor(paths["Adam"][-1])).item() < rosenbrock(dlkit.tensor([-1.5, 1.5])).item()
    ax = viz.plot_loss_surface(rosenbrock, (-2, 2), (-1, 3), trajectories=paths, resolution=40, log=True)
    assert ax.collections, "no contour lines"
    labelled = [line.get_label() for line in ax.lines if not line.get_label().startswith("_")]
    assert labelled == ["SGD", "Adam"]
    assert len(ax.lines[0].get_xdata()) == 21


def test_loss_surface_falls_back_to_point_by_point_evaluation() -> None:
    def pointwise(p):
        if p.shape != (2,):
            raise ValueError("one point at a time")
        return (p * p).sum()

    ax = viz.plot_loss_surface(pointwise, resolution=8)
    assert ax.collections


@pytest.mark.parametrize(
    "shape, panels",
    [((5, 1, 8, 8), 5), ((3, 28, 28), 3), ((6, 1, 3, 3), 6), ((2, 3, 5, 5), 2), ((8, 8), 1)],
)
def test_image_grid_shows_one_image_per_panel(shape, panels) -> None:
    images = np.random.default_rng(0).random(shape).astype(np.float32)
    fig = viz.show_images(dlkit.tensor(images), ncols=4)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == panels
    assert shown[0].images[0].get_array().shape[:2] == shape[-2:]


def test_image_grid_titles_are_the_labels() -> None:
    x, y = data.load_digits()
    fig = viz.show_images(x[:6], labels=y[:6], ncols=3)
    assert [ax.get_title() for ax in fig.axes] == [str(v) for v in y[:6].tolist()]
    with pytest.raises(ValueError, match="2 labels for 6 images"):
        viz.show_images(x[:6], labels=[1, 2])


def test_gradient_norms_get_one_bar_per_parameter() -> None:
    model = nn.Linear(3, 2)
    F.cross_entropy(model(dlkit.randn(4, 3)), dlkit.tensor([0, 1, 1, 0])).backward()
    norms = viz.grad_norms(model)
    assert set(norms) == {"weight", "bias"} and all(v > 0 for v in norms.values())
    ax = viz.plot_grad_norms(model)
    assert len(ax.patches) == 2 and [t.get_text() for t in ax.get_xticklabels()] == ["weight", "bias"]
    with pytest.raises(ValueError, match="backward"):
        viz.plot_grad_norms(nn.Linear(2, 2))
