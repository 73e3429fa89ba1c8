"""Lesson 10, data augmentation as array operations on a batch of images (N, H, W).

- augment.shift(images, dy, dx) -> (N, H, W): image n moved dy[n] rows down and dx[n] columns right (negative
  values move it up and left); pixels that come in from outside are 0 and what leaves the frame is lost:
  out[n, i, j] = images[n, i − dy[n], j − dx[n]] where that index is inside the image, else 0.
- augment.rotate(images, angles) -> (N, H, W): image n turned by angles[n] degrees about its centre
  c = ((H − 1)/2, (W − 1)/2), nearest neighbour: each output pixel (i, j) takes the input pixel at
  r = round(c_i + (i − c_i)·cos θ + (j − c_j)·sin θ), s = round(c_j − (i − c_i)·sin θ + (j − c_j)·cos θ),
  or 0 where (r, s) falls outside. With rows counted downwards, a positive angle turns the picture
  counter-clockwise on the screen, as np.rot90 does for 90°.

Both keep the dtype of ``images``. There is no dlkit op for these; the references are numpy, checked in
tests/grading/test_training_practice.py against np.rot90 and hand-made slices.
"""
from __future__ import annotations

import numpy as np

from ...harness.guard import reference
from ...registry import Exercise, KnownMistake, Output, register
from .._common import make_case
from .._draw import drawn

_BLOCKED = ("rotate", "shift", "roll", "affine")

# (N, H, W, dtype): non-square images, a batch of one, shifts larger than the image (everything leaves).
_SHIFT = ([(3, 6, 5, "float32"), (1, 4, 7, "float64"), (4, 5, 5, "float64"), (2, 3, 4, "float64")],
          [(2, 7, 5, "float32"), (1, 5, 6, "float64"), (5, 4, 4, "float64"), (3, 6, 3, "float64")])
_ROTATE = ([(3, 8, 8, "float32"), (1, 7, 9, "float64"), (4, 6, 5, "float64"), (2, 9, 9, "float64")],
           [(2, 9, 7, "float32"), (1, 8, 6, "float64"), (3, 7, 7, "float64"), (4, 6, 9, "float64")])


def _images(rng: np.random.Generator, n: int, h: int, w: int, dtype: str) -> np.ndarray:
    """Positive values everywhere (the borders too), all distinct: every moved or filled pixel shows."""
    return (0.5 + rng.permutation(n * h * w).reshape(n, h, w) / (n * h * w)).astype(dtype)


@reference("augment.shift reference")
def shift_images(images, dy, dx):
    """out[n, i, j] = images[n, i − dy[n], j − dx[n]] inside the image, else 0."""
    n, h, w = images.shape
    out = np.zeros_like(images)
    for k in range(n):
        a, b = int(dy[k]), int(dx[k])
        rows, cols = slice(max(a, 0), min(h + a, h)), slice(max(b, 0), min(w + b, w))
        src_rows, src_cols = slice(max(-a, 0), min(h - a, h)), slice(max(-b, 0), min(w - b, w))
        if rows.start < rows.stop and cols.start < cols.stop:
            out[k, rows, cols] = images[k, src_rows, src_cols]
    return out


def _shift_cases(rng: np.random.Generator, hidden: bool) -> list:
    cases = []
    rows = _SHIFT[1] + [(*drawn(rng, 1, [(2, 6), (3, 9), (3, 9)])[0], "float64")] if hidden else _SHIFT[0]
    for i, (n, h, w, dtype) in enumerate(rows):
        dy = rng.integers(-2, 3, size=n)
        dx = rng.integers(-2, 3, size=n)
        dy[0], dx[0] = (1, -2) if i % 2 == 0 else (-1, 2)    # rows and columns move by different amounts
        if n > 1:
            dy[1], dx[1] = (0, 1) if i < 2 or i > 3 else (h, 0)   # a pure column shift, or the whole image leaves
        note = f"{dtype}, shifts up to ±2" + (", one image shifted out of the frame" if n > 1 and 2 <= i <= 3 else "")
        cases.append(make_case({"images": _images(rng, n, h, w, dtype), "dy": dy, "dx": dx},
                               factors={"N": n}, note=note))
    return cases


def _shift_with(move=None, fill=None, same=False):
    """The shift done another way: ``move(image, a, b)`` per image, or a different fill."""
    def run(images, dy, dx):
        x = np.asarray(images)
        out = np.zeros_like(x)
        for k in range(len(x)):
            a, b = (int(dy[0]), int(dx[0])) if same else (int(dy[k]), int(dx[k]))
            if move is not None:
                out[k] = move(x[k], a, b)
            else:
                h, w = x.shape[1:]
                padded = np.pad(x[k], ((h, h), (w, w)), mode=fill or "constant")
                out[k] = padded[h - a:2 * h - a, w - b:2 * w - b]
        return out
    return run


def _zero_shift(img: np.ndarray, a: int, b: int) -> np.ndarray:
    return shift_images(img[None], np.array([a]), np.array([b]))[0]


_MOVE = "the line that moves each image"
_SHIFT_MISTAKES = (
    KnownMistake("wrap_around", "np.roll wraps around: what leaves at the bottom comes back at the top. A shift "
                 "fills the incoming rows and columns with 0 (pad, then slice).",
                 _shift_with(move=lambda img, a, b: np.roll(img, (a, b), axis=(0, 1))), _MOVE, r"roll\("),
    KnownMistake("direction", "the images moved the wrong way: positive dy moves an image DOWN (out[i] = in[i − dy]), "
                 "positive dx moves it right.", _shift_with(move=lambda img, a, b: _zero_shift(img, -a, -b)), _MOVE,
                 r"\+\s*d[yx]|H\s*\+|W\s*\+"),
    KnownMistake("rows_direction", "the rows moved the wrong way: positive dy moves an image DOWN, out[i] = in[i − dy] "
                 "(the columns are right).", _shift_with(move=lambda img, a, b: _zero_shift(img, -a, b)), _MOVE,
                 r"d[y]"),
    KnownMistake("columns_direction", "the columns moved the wrong way: positive dx moves an image RIGHT, out[j] = "
                 "in[j − dx] (the rows are right).", _shift_with(move=lambda img, a, b: _zero_shift(img, a, -b)),
                 _MOVE, r"d[x]"),
    KnownMistake("dy_dx_swapped", "dy and dx are swapped: dy moves the rows (axis 1 of the batch, down), dx the "
                 "columns (axis 2, right).", _shift_with(move=lambda img, a, b: _zero_shift(img, b, a)), _MOVE,
                 r"d[yx]"),
    KnownMistake("one_shift_for_all", "every image got the first image's shift: image n moves by dy[n], dx[n].",
                 _shift_with(same=True), _MOVE, r"\[\s*0\s*\]"),
    KnownMistake("edge_fill", "the incoming pixels copy the edge (np.pad mode 'edge'): fill them with 0, the "
                 "background of a digit (np.pad's default).", _shift_with(fill="edge"), "the np.pad line",
                 r"mode\s*="),
    KnownMistake("reflect_fill", "the incoming pixels mirror the image (np.pad mode 'reflect' or 'symmetric'): fill "
                 "them with 0 (np.pad's default).", _shift_with(fill="symmetric"), "the np.pad line", r"mode\s*="),
    KnownMistake("transposed", "the images came back transposed (rows and columns exchanged): keep (N, H, W).",
                 lambda images, dy, dx: np.swapaxes(shift_images(images, dy, dx), 1, 2), "the return line",
                 r"\.T\b|transpose|swapaxes"),
)

register(Exercise(
    "augment.shift", "shift_images(images (N, H, W), dy (N,), dx (N,)) -> (N, H, W), zeros where nothing comes in",
    shift_images, _shift_cases, outputs=(Output("images", keep_dtype=True),), blocked=_BLOCKED, mistakes=_SHIFT_MISTAKES,
    rtol=0.0, atol=0.0,
))


# ------------------------------------------------------------------------------------------------------ rotate

def _source(h: int, w: int, theta: float, ci: float, cj: float, rounding=np.rint, swap=False):
    i, j = np.indices((h, w), dtype=np.float64)
    if swap:  # the roles of rows and columns exchanged in the formula
        r = ci + (j - cj) * np.cos(theta) + (i - ci) * np.sin(theta)
        s = cj - (j - cj) * np.sin(theta) + (i - ci) * np.cos(theta)
    else:
        r = ci + (i - ci) * np.cos(theta) + (j - cj) * np.sin(theta)
        s = cj - (i - ci) * np.sin(theta) + (j - cj) * np.cos(theta)
    return rounding(r).astype(int), rounding(s).astype(int)


def _rotate_with(to_radians=np.deg2rad, centre=lambda h, w: ((h - 1) / 2, (w - 1) / 2), rounding=np.rint,
                 outside="zero", swap=False, same=False, scatter=False, bilinear=False):
    """The rotation done another way (the defaults are the reference)."""
    def run(images, angles):
        x = np.asarray(images)
        n, h, w = x.shape
        out = np.zeros_like(x)
        ci, cj = centre(h, w)
        for k in range(n):
            theta = float(to_radians(float(angles[0] if same else angles[k])))
            if bilinear:
                out[k] = _bilinear(x[k], theta, ci, cj)
                continue
            if scatter:  # forward mapping: send each input pixel to where it lands
                r, s = _source(h, w, -theta, ci, cj, rounding)
                inside = (r >= 0) & (r < h) & (s >= 0) & (s < w)
                out[k][r[inside], s[inside]] = x[k][inside]
                continue
            r, s = _source(h, w, theta, ci, cj, rounding, swap)
            inside = (r >= 0) & (r < h) & (s >= 0) & (s < w)
            if outside == "clip":
                out[k] = x[k][r.clip(0, h - 1), s.clip(0, w - 1)]
            elif outside == "wrap":
                out[k] = x[k][r % h, s % w]
            else:
                out[k] = np.where(inside, x[k][r.clip(0, h - 1), s.clip(0, w - 1)], 0)
        return out
    return run


def _bilinear(img: np.ndarray, theta: float, ci: float, cj: float) -> np.ndarray:
    h, w = img.shape
    i, j = np.indices((h, w), dtype=np.float64)
    r = ci + (i - ci) * np.cos(theta) + (j - cj) * np.sin(theta)
    s = cj - (i - ci) * np.sin(theta) + (j - cj) * np.cos(theta)
    r0, s0 = np.floor(r).astype(int), np.floor(s).astype(int)
    fr, fs = r - r0, s - s0
    padded = np.pad(img.astype(np.float64), 1)

    def at(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ok = (a >= -1) & (a <= h) & (b >= -1) & (b <= w)
        return np.where(ok, padded[(a + 1).clip(0, h + 1), (b + 1).clip(0, w + 1)], 0.0)

    return ((1 - fr) * (1 - fs) * at(r0, s0) + (1 - fr) * fs * at(r0, s0 + 1) + fr * (1 - fs) * at(r0 + 1, s0)
            + fr * fs * at(r0 + 1, s0 + 1))


@reference("augment.rotate reference")
def rotate_images(images, angles):
    """Each image turned by its angle (degrees) about its centre, nearest neighbour, 0 outside."""
    return _rotate_with()(images, angles)


def _angles(rng: np.random.Generator, n: int) -> np.ndarray:
    """Angles between 7 and 40 degrees either way, none a multiple of 45 (no pixel sits on a rounding tie)."""
    a = rng.uniform(7, 40, size=n) * rng.choice([-1, 1], size=n)
    a[0] = abs(a[0])
    if n > 1:
        a[1] = -abs(a[1])
    return a


def _rotate_cases(rng: np.random.Generator, hidden: bool) -> list:
    cases = []
    rows = _ROTATE[1] + [(*drawn(rng, 1, [(2, 5), (5, 11), (5, 11)])[0], "float64")] if hidden else _ROTATE[0]
    for n, h, w, dtype in rows:
        angles = _angles(rng, n)
        note = f"{dtype}, angles {', '.join(f'{a:.0f}°' for a in angles)}"
        cases.append(make_case({"images": _images(rng, n, h, w, dtype), "angles": angles}, factors={"N": n},
                               note=note))
    return cases


_COORDS, _INSIDE = "the lines that compute the source row and column", "the line that keeps the pixels inside"
_ROTATE_MISTAKES = (
    KnownMistake("degrees_as_radians", "the angles are in DEGREES: convert them with np.deg2rad (or · π/180) before "
                 "np.cos and np.sin.", _rotate_with(to_radians=lambda a: a), _COORDS, r"cos\(|sin\("),
    KnownMistake("clockwise", "the images turned the other way: a positive angle turns the picture "
                 "counter-clockwise (the source row is c_i + (i − c_i)·cos θ + (j − c_j)·sin θ).",
                 _rotate_with(to_radians=lambda a: -np.deg2rad(a)), _COORDS, r"sin\("),
    KnownMistake("centre_not_middle", "the centre of an H-pixel axis is (H − 1)/2 (between the middle two pixels when "
                 "H is even), not H/2.", _rotate_with(centre=lambda h, w: (h / 2, w / 2)), _COORDS, r"/\s*2"),
    KnownMistake("centre_at_corner", "the images were turned about pixel (0, 0): subtract the centre "
                 "((H − 1)/2, (W − 1)/2) before rotating and add it back after.",
                 _rotate_with(centre=lambda h, w: (0.0, 0.0)), _COORDS, r"cos\("),
    KnownMistake("truncated", "astype(int) cuts 2.7 down to 2: round to the NEAREST pixel first (np.rint or "
                 "np.round), then convert.", _rotate_with(rounding=np.trunc), _COORDS, r"astype\(\s*int"),
    KnownMistake("floored", "np.floor takes the pixel below: take the NEAREST pixel, np.rint (or np.round).",
                 _rotate_with(rounding=np.floor), _COORDS, r"floor\("),
    KnownMistake("rows_and_columns_swapped", "rows and columns play swapped roles in the formula: the source row is "
                 "c_i + (i − c_i)·cos θ + (j − c_j)·sin θ, the source column c_j − (i − c_i)·sin θ + (j − c_j)·cos θ.",
                 _rotate_with(swap=True), _COORDS, r"cos\("),
    KnownMistake("outside_clipped", "pixels that come from outside the image repeat the edge (the indices were "
                 "clipped but not masked): set them to 0.", _rotate_with(outside="clip"), _INSIDE, r"clip\("),
    KnownMistake("outside_wraps", "indices outside the image wrapped around (the modulo): set those pixels to 0.",
                 _rotate_with(outside="wrap"), _INSIDE, r"%"),
    KnownMistake("one_angle_for_all", "every image got the first image's angle: image n turns by angles[n].",
                 _rotate_with(same=True), _COORDS, r"\[\s*0\s*\]"),
    KnownMistake("forward_mapping", "each INPUT pixel was sent to where it lands: some output pixels get two inputs "
                 "and some none (holes). Go the other way: for each OUTPUT pixel, look up where it comes from.",
                 _rotate_with(scatter=True), "the line that writes the output", r"\]\s*=\s*"),
    KnownMistake("bilinear", "this interpolates between four pixels (bilinear): the exercise takes the NEAREST pixel, "
                 "np.rint of the source coordinates.", _rotate_with(bilinear=True), _COORDS, r"floor\("),
)

register(Exercise(
    "augment.rotate", "rotate_images(images (N, H, W), angles (N,) in degrees) -> (N, H, W), nearest neighbour, 0 "
    "outside", rotate_images, _rotate_cases, outputs=(Output("images", keep_dtype=True),), blocked=_BLOCKED,
    mistakes=_ROTATE_MISTAKES, rtol=1e-6, atol=1e-9,
))
