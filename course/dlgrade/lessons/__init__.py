"""The exercises of every lesson, one package per lesson; importing this registers them all."""
from . import (  # noqa: F401
    l00_tensors,
    l01_linear_regression,
    l02_logistic_regression,
    l03_optimizers,
    l04_backprop,
    l05_mlp,
    l06_autodiff,
    l07_making_it_work,
    l08_cnn,
    l09_gpu,
    l10_training_in_practice,
)
