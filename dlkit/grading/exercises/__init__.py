"""Exercise specs, one module per lesson topic; importing this registers them all."""
from . import activations, autodiff, conv, layers, linreg, losses, optim, regularization  # noqa: F401
