"""Layers and models, as in torch.nn: ``Module``, ``Parameter``, layers, containers and loss modules."""
from .module import IncompatibleKeys, Module, RemovableHandle
from .parameter import Parameter
from .linear import Identity, Linear
from .activation import GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .batchnorm import BatchNorm1d, BatchNorm2d
from .layernorm import LayerNorm
from .container import ModuleList, Sequential
from .conv import Conv1d, Conv2d
from .dropout import Dropout
from .flatten import Flatten
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, MultiMarginLoss, NLLLoss
from .pooling import AvgPool2d, MaxPool2d
from .summary import Summary, summary
from . import functional, init

__all__ = [
    "AvgPool2d", "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d", "Conv1d", "Conv2d",
    "CrossEntropyLoss", "Dropout", "Flatten", "GELU", "Identity", "IncompatibleKeys", "L1Loss", "LayerNorm", "LeakyReLU",
    "Linear", "LogSoftmax", "MSELoss", "MaxPool2d", "Module", "ModuleList", "MultiMarginLoss", "NLLLoss",
    "Parameter", "ReLU", "RemovableHandle", "Sequential", "Sigmoid", "Softmax", "Summary", "Tanh",
    "functional", "init", "summary",
]
