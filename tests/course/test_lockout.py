"""The graded kernel's dlkit without the lesson's exercises (dlcourse/autograde/lockout.py): which definitions
become raising stubs for a lesson, and which stay (the rest of dlkit must keep working)."""
from __future__ import annotations

import ast
from pathlib import Path

import dlkit
import pytest

from dlcourse.autograde import lockout

REPO = Path(__file__).resolve().parents[2]
DLKIT = Path(dlkit.__file__).resolve().parent


def _stubbed(lesson: str) -> dict[str, set[str]]:
    """dlkit file (relative) -> the names of its top-level definitions that raise in the lesson's kernel."""
    files = lockout.for_lesson(str(REPO), lesson)
    out: dict[str, set[str]] = {}
    for path, text in files.items():
        names = set()
        for node in ast.parse(text).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and _raises(node):
                names.add(node.name)
        out[Path(path).relative_to(DLKIT).as_posix()] = names
    return out


def _raises(node: ast.AST) -> bool:
    bodies = [node] if isinstance(node, ast.FunctionDef) else [n for n in node.body if isinstance(n, ast.FunctionDef)]
    return bool(bodies) and all(isinstance(b.body[-1], ast.Raise) and len(b.body) <= 2 for b in bodies)


def test_lesson_01_kernel_has_no_mse_loss_sgd_or_numerical_gradient() -> None:
    stubs = _stubbed("01-linear-regression")
    assert "mse_loss" in stubs["functional/losses.py"]
    assert "SGD" in stubs["optim/sgd.py"]
    assert "numerical_grad" in stubs["gradcheck.py"]
    assert "backend/convolution.py" not in stubs


def test_lesson_08_kernel_has_no_im2col_of_any_name() -> None:
    stubs = _stubbed("08-cnn")["backend/convolution.py"]
    assert {"im2col", "_im2col_numpy", "col2im", "_col2im_numpy"} <= stubs
    assert not stubs & {"pad", "window_slices", "channels_last", "add_into_"}


@pytest.mark.parametrize("lesson", ["06-autodiff", "10-training-in-practice"])
def test_short_blocked_words_leave_the_convolution_kernels_alone(lesson: str) -> None:
    # lesson 06 blocks `add`; add_into_ serves every convolution's backward and must keep working
    assert "backend/convolution.py" not in _stubbed(lesson)


def test_what_an_exercise_allows_stays_though_another_blocks_it() -> None:
    # lesson 10's overfit trains with dlkit's Adam and cross-entropy; adamw.step and initial_loss block them
    stubs = _stubbed("10-training-in-practice")
    assert "optim/adam.py" not in stubs and "functional/cross_entropy.py" not in stubs
    assert "LayerNorm" in stubs["functional/layernorm.py"]
