"""The course models written once against torch's API, so the same code builds them in dlkit and in torch."""
from __future__ import annotations

from typing import Any, Callable


def build(case: str, nn: Any) -> Any:
    """The model for ``case`` (mlp, cnn or conv) from a torch-like ``nn`` module."""
    if case == "mlp":
        return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    if case == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 16, 3), nn.ReLU(),
            nn.Conv2d(16, 32, 3), nn.ReLU(),
            nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(),
            nn.Linear(4608, 128), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(128, 10),
        )
    if case == "conv":
        return nn.Conv2d(32, 64, 3, padding=1)
    raise ValueError(f"case: expected mlp, cnn or conv, got {case!r}")


def stepper(case: str, nn: Any, optim: Any, x: Any, y: Any) -> Callable[[], Any]:
    """A function running one training step (zero_grad, forward, loss, backward, SGD step)."""
    model = build(case, nn)
    model.train()
    opt = optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()

    def step() -> Any:
        opt.zero_grad()
        out = model(x)
        loss = (out * out).mean() if case == "conv" else loss_fn(out, y)
        loss.backward()
        opt.step()
        return loss

    return step
