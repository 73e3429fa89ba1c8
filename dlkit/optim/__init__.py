"""Optimizers and learning-rate schedules with torch.optim's names, arguments, defaults and numbers.

    optimizer = dlkit.optim.Adam(model.parameters(), lr=1e-3)
    for x, y in loader:
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()

Every optimizer is one short file: the update rule for a single parameter, written with exponential
moving averages (``ema_``) of the gradient and of its square.
"""
from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .clip import clip_grad_norm_
from .nadam import NAdam
from .newton import newton_step
from .optimizer import Optimizer, ema_
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = [
    "SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "NAdam", "Optimizer", "RMSprop",
    "clip_grad_norm_", "ema_", "lr_scheduler", "newton_step",
]
