"""Optimizers on a 2-D loss surface: contour lines of the loss and the path each optimizer takes."""
from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ._common import axes, to_numpy


def trajectory(
    fn: Callable[[Tensor], Tensor], optimizer: Callable[..., Any], start: Any, steps: int = 50, **kwargs: Any
) -> np.ndarray:
    """The points an optimizer visits minimizing ``fn`` from ``start``: an array of shape (steps + 1, 2).

    ``optimizer`` is a class such as ``dlkit.optim.Adam`` (``kwargs`` go to it), ``fn`` maps a tensor
    ``p`` of shape (2,) to a scalar loss.
    """
    p = Tensor(np.asarray(start, dtype=np.float64), requires_grad=True)
    opt = optimizer([p], **kwargs)
    points = [to_numpy(p.data).copy()]
    for _ in range(steps):
        opt.zero_grad()
        fn(p).backward()
        opt.step()
        points.append(to_numpy(p.data).copy())
    return np.stack(points)


def _surface(fn: Callable[[Tensor], Tensor], gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """``fn`` on every grid point: one call on a (2, H, W) tensor when fn broadcasts, else point by point."""
    with no_grad():
        try:
            z = to_numpy(fn(Tensor(np.stack([gx, gy]))))
            if z.shape == gx.shape:
                return z
        except Exception:  # fn written for a single point only
            pass
        flat = [float(fn(Tensor(np.array([a, b])))) for a, b in zip(gx.ravel(), gy.ravel())]
    return np.asarray(flat).reshape(gx.shape)


def plot_loss_surface(
    fn: Callable[[Tensor], Tensor],
    xlim: tuple[float, float] = (-2.0, 2.0),
    ylim: tuple[float, float] = (-2.0, 2.0),
    trajectories: Mapping[str, Any] | None = None,
    ax: Any = None,
    resolution: int = 100,
    levels: int = 30,
    log: bool = False,
) -> Any:
    """Contour lines of ``fn`` over the box, and each named trajectory as a line of points from its start.

    ``fn(p)`` gets a float64 tensor with p[0], p[1] the coordinates; write it with broadcasting ops
    (e.g. ``p[0]**2 + 10 * p[1]**2``) and the whole grid is evaluated in one call. ``log=True`` spaces
    the contour levels logarithmically (for valleys like Rosenbrock's). Returns the Axes.
    """
    gx, gy = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    z = _surface(fn, gx, gy)
    ax = axes(ax, (6, 5))
    if log:
        lo = max(float(z.min()), 1e-12)
        ax.contour(gx, gy, z, levels=np.geomspace(lo, float(z.max()) + lo, levels), cmap="viridis", linewidths=0.8)
    else:
        ax.contour(gx, gy, z, levels=levels, cmap="viridis", linewidths=0.8)
    for name, path in (trajectories or {}).items():
        path = to_numpy(path)
        ax.plot(path[:, 0], path[:, 1], marker="o", ms=2.5, lw=1.2, label=name)
        ax.plot(path[0, 0], path[0, 1], marker="x", color="k", ms=6)
    if trajectories:
        ax.legend()
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    return ax
