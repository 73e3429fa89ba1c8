"""Plots for the lessons (matplotlib): learning curves, decision boundaries, optimizer paths, image grids, gradients.

    from dlkit import viz
    viz.plot_history(history)
    viz.plot_decision_boundary(model, X, y)
    paths = {name: viz.trajectory(f, opt, start=(-1.5, 1.0), lr=0.1) for name, opt in optimizers.items()}
    viz.plot_loss_surface(f, trajectories=paths)
    viz.show_images(X[:16], labels=y[:16])
    viz.plot_grad_norms(model)
"""
from .boundary import plot_decision_boundary
from .curves import plot_history
from .gradients import grad_norms, plot_grad_norms
from .images import show_images
from .surface import plot_loss_surface, trajectory

__all__ = [
    "grad_norms", "plot_decision_boundary", "plot_grad_norms", "plot_history", "plot_loss_surface",
    "show_images", "trajectory",
]
