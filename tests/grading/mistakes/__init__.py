"""The catalogue of typical mistakes: per exercise, correct implementations and wrong ones.

Each wrong entry is tagged with the diagnosis code a tutor would give it; the catalogue
test runs every check on every entry and measures the catch rate and diagnosis accuracy.
"""
from ._catalogue import ENTRIES, Entry  # noqa: F401
from . import activations, autodiff, cheating, conv, layers, linreg, losses, optim, regularization  # noqa: F401,E402
from . import linreg_extra, tensors  # noqa: F401,E402  (lessons 00 and 01)
from . import optim_extra  # noqa: F401,E402  (lesson 03)
from . import logreg  # noqa: F401,E402  (lesson 02)
from . import mlp  # noqa: F401,E402  (lesson 05)
from . import backprop  # noqa: F401,E402  (lesson 04)
from . import engine  # noqa: F401,E402  (lesson 06)
from . import init_reg  # noqa: F401,E402  (lesson 07)
from . import gpu, gpu_devices, gpu_roofline  # noqa: F401,E402  (lesson 09)
from . import cnn_basics  # noqa: F401,E402  (lesson 08)
from . import cnn_functions, cnn_training  # noqa: F401,E402  (lesson 08-cnn-training)
from . import batchnorm, penalties, pooling, cnn_pool_function, gpu_memory  # noqa: F401,E402  (lessons 07-09)
from . import training_practice  # noqa: F401,E402  (lesson 10)
from . import heldout  # noqa: F401,E402  (last: entries after this point are the held-out set)
