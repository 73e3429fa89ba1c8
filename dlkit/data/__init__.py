"""Data: datasets, batching, and preprocessing, with torch.utils.data's names.

    X, y = dlkit.data.load_digits(flatten=True)
    X_train, X_test, y_train, y_test = dlkit.data.train_test_split(X, y, test_size=0.2)
    loader = dlkit.data.DataLoader(dlkit.data.TensorDataset(X_train, y_train), batch_size=32, shuffle=True, seed=0)
    for xb, yb in loader:   # one epoch; each batch is one iteration
        ...
"""
from .collate import default_collate
from .dataloader import DataLoader
from .dataset import Dataset, TensorDataset
from .datasets import HEIGHT_WEIGHT_COLUMNS, HEIGHT_WEIGHT_ROWS, load_digits, load_height_weight, load_mnist_subset
from .idx import load_mnist, read_idx
from .preprocessing import one_hot, standardize, train_test_split
from .synthetic import make_blobs, make_circles, make_linear_regression, make_moons, make_spirals, make_xor

__all__ = [
    "DataLoader", "Dataset", "HEIGHT_WEIGHT_COLUMNS", "HEIGHT_WEIGHT_ROWS", "TensorDataset", "default_collate",
    "load_digits", "load_height_weight", "load_mnist", "load_mnist_subset", "make_blobs", "make_circles",
    "make_linear_regression", "make_moons", "make_spirals", "make_xor", "one_hot", "read_idx", "standardize",
    "train_test_split",
]
