"""Exercise specs, one module per lesson topic; importing this registers them all."""
from . import activations, autodiff, conv, layers, linreg, losses, optim, regularization  # noqa: F401
from . import linreg_extra, tensors  # noqa: F401,E402  (lessons 00 and 01)
from . import optim_extra  # noqa: F401,E402  (lesson 03)
from . import logreg  # noqa: F401,E402  (lesson 02)
from . import mlp  # noqa: F401,E402  (lesson 05)
from . import backprop  # noqa: F401,E402  (lesson 04)
from . import engine  # noqa: F401,E402  (lesson 06)
from . import init_reg  # noqa: F401,E402  (lesson 07)
from . import gpu  # noqa: F401,E402  (lesson 09)
from . import cnn_basics  # noqa: F401,E402  (lesson 08)
