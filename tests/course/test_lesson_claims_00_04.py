"""Lessons 00-04: what the prose states matches what the code computes, and each lesson's budget line agrees
with syllabus.toml, the graded cells and the time estimate of course/tools/lesson_minutes.py.

Numbers about the lessons' data, models and runs are printed by the cells themselves (course/README.md,
"Numbers"). This file covers what the prose states on its own (worked arithmetic, check-your-understanding
answers) and the few sentences that describe a run's outcome in words ("the next step jumps out of the
valley"): each claim names the exact text the lesson shows, built from the computed value where there is one,
so editing the text or the code without the other fails here. Claims about a run execute the lesson's own cells
(solutions, with plotting switched off) in a fresh namespace.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest


REPO = Path(__file__).resolve().parents[2]
LESSONS = ["00-tensors", "01-linear-regression", "02-logistic-regression", "03-optimizers", "04-backprop"]


def _notebook(lesson: str) -> dict[str, Any]:
    return json.loads((REPO / "solutions" / lesson / f"{lesson}.ipynb").read_text(encoding="utf-8"))


def _cells(lesson: str) -> dict[str, str]:
    return {c["id"]: "".join(c["source"]) for c in _notebook(lesson)["cells"]}


def _run(lesson: str, cell_ids: list[str]) -> dict[str, Any]:
    """Execute these code cells of the solution notebook, in order, with figures off; return the namespace."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cells = _cells(lesson)
    namespace: dict[str, Any] = {"__name__": f"lesson_{lesson.replace('-', '_')}"}
    show = plt.show
    plt.show = lambda *args, **kwargs: plt.close("all")
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            for cell_id in cell_ids:
                exec(compile(cells[cell_id], f"{lesson}:{cell_id}", "exec"), namespace)
    finally:
        plt.show = show
        plt.close("all")
    return namespace


def _fmt(x: float, digits: int = 2) -> str:
    """A number as the lessons write it: fixed decimals, a real minus sign."""
    return f"{x:.{digits}f}".replace("-", "−")


# --------------------------------------------------------------------------------------------------------------
# (lesson, cell id, the text as the lesson writes it, built from the computed value)

def _shape_claims() -> list[tuple[str, str, str]]:
    sig = 1 / (1 + math.exp(-1.0))
    t = 2 * -1 + -3 * -2 + -3                       # lesson 04's neuron: w = (2, -3, -3), x = (-1, -2)
    return [
        # 00: the broadcasting table and the answers
        ("00-tensors", "broadcast-intro", f"| `(10, 2)` | `(2,)` | `{np.broadcast_shapes((10, 2), (2,))}` |"),
        ("00-tensors", "broadcast-intro", f"| `(10, 2)` | `(10, 1)` | `{np.broadcast_shapes((10, 2), (10, 1))}` |"),
        ("00-tensors", "broadcast-intro",
         f"| `(4, 1, 3)` | `(1, 5, 3)` | `{np.broadcast_shapes((4, 1, 3), (1, 5, 3))}` |"),
        ("00-tensors", "broadcast-intro", f"| `(10, 1)` | `(10,)` | `{np.broadcast_shapes((10, 1), (10,))}` |"),
        ("00-tensors", "summary", f"1. `{(64, 1, 28, 28)}` and `{(64, 28, 28, 1)}`"),
        ("00-tensors", "summary", f"2. `{np.broadcast_shapes((5, 1), (3,))}`; error (3 meets 4); "
                                  f"`{np.broadcast_shapes((2, 1, 6), (7, 1))}`"),
        # 01: the iterations of an epoch
        ("01-linear-regression", "summary",
         f"$\\lceil 1000/32 \\rceil = {math.ceil(1000 / 32)}$ iterations (the last batch has {1000 % 32} examples); "
         f"{10 * math.ceil(1000 / 32)} updates"),
        # 02: the arithmetic of the prose and of the answers
        ("02-logistic-regression", "sigmoid-intro", f"float64 stops near $e^{{{int(np.log(np.finfo(np.float64).max))}}}$"),
        ("02-logistic-regression", "bce-intro", f"$-\\log 0.001 \\approx {-math.log(0.001):.1f}$"),
        ("02-logistic-regression", "softmax-intro", f"$e \\approx {math.e:.1f}$"),
        ("02-logistic-regression", "summary", f"$-\\log\\tfrac12 = \\log 2 \\approx {math.log(2):.2f}$"),
        ("02-logistic-regression", "summary", f"$0.7 - 1 = {0.7 - 1:.1f}$"),
        ("02-logistic-regression", "summary",
         f"$\\max(0, 1 - 5 + 1) + \\max(0, 0 - 5 + 1) = {max(0, 1 - 5 + 1) + max(0, 0 - 5 + 1)}$"),
        ("02-logistic-regression", "summary",
         f"$\\log(e^5 + e^1 + e^0) - 5 \\approx {math.log(math.e ** 5 + math.e + 1) - 5:.3f}$"),
        # 03: the arithmetic of the prose and of the answers
        ("03-optimizers", "momentum-intro", f"an EMA learning rate of 0.1 is a PyTorch learning\nrate of {(1 - 0.9) * 0.1:g}"),
        ("03-optimizers", "adam-intro", f"$m/\\sqrt v = 0.1/\\sqrt{{0.001}} \\approx {0.1 / math.sqrt(0.001):.1f}$"),
        ("03-optimizers", "adam-friends", f"$1/(1-\\beta_1) = {1 / (1 - 0.9):.0f}$"),
        ("03-optimizers", "adam-friends", f"$1/(1-\\beta_2) = {1 / (1 - 0.999):.0f}$"),
        ("03-optimizers", "newton-drawbacks",
         f"$10^{{{round(math.log10((1e6) ** 2))}}}$ entries:\n   {4 * 1e12 / 1e12:.0f} terabytes in float32"),
        ("03-optimizers", "newton-drawbacks", f"$n^3 = 10^{{{round(math.log10(1e6 ** 3))}}}$"),
        ("03-optimizers", "summary", f"About $1/(1-0.99) = {1 / (1 - 0.99):.0f}$ steps. $v_1 = 0.01 \\cdot 5 = {0.01 * 5:g}$"),
        ("03-optimizers", "summary", f"$\\eta = (1-\\beta)\\,\\eta' = 0.1 \\cdot 0.1 = {0.1 * 0.1:g}$"),
        ("03-optimizers", "summary", f"\\approx {0.1 / math.sqrt(0.001):.1f}\\,\\eta$"),
        # 04: the worked numbers
        ("04-backprop", "chain-intro", f"an extra hour is worth $2 \\times 3 = {2 * 3}$ dollars"),
        ("04-backprop", "chain-intro", f"At $x = 1$, $u = {3 * 1 + 1}$, so\n$\\frac{{dy}}{{du}} = 2u = {2 * 4}$"),
        ("04-backprop", "chain-intro", f"the chain rule says $\\frac{{dy}}{{dx}} = {8 * 3}$"),
        ("04-backprop", "graph-intro", f"$q = {-2 + 5}$ and $f = {(-2 + 5) * -4}$"),
        ("04-backprop", "graph-intro", f"= ({-4}, {-4}, {(-2 + 5)})$"),
        ("04-backprop", "neuron-intro", f"plus the bias: $t = {t}$"),
        ("04-backprop", "neuron-intro", f"$e^{{-1}} = {math.exp(-1):.2f}$, $1 + {math.exp(-1):.2f} = {1 + math.exp(-1):.2f}$, "
                                        f"and $1/{1 + math.exp(-1):.2f} = {sig:.2f}$"),
        ("04-backprop", "neuron-intro", f"$-1/u^2 = -1/1.37^2 = {-1 / (1 + math.exp(-1)) ** 2:.2f}$"),
        ("04-backprop", "neuron-intro", f"the gradient at $r = -1$ is $0.37 \\times -0.53 = "
                                        f"{math.exp(-1) * -1 / (1 + math.exp(-1)) ** 2:.2f}$"),
        ("04-backprop", "neuron-intro", f"x_0 \\cdot 0.20 = {-1 * sig * (1 - sig):.2f}$"),
        ("04-backprop", "neuron-intro", f"w_0 \\cdot 0.20 = {2 * sig * (1 - sig):.2f}$"),
        ("04-backprop", "neuron-intro", f"x_1 \\cdot 0.20 = {-2 * sig * (1 - sig):.2f}$"),
        ("04-backprop", "neuron-intro", f"w_1 \\cdot 0.20 = {-3 * sig * (1 - sig):.2f}$"),
        ("04-backprop", "sigmoid-gate", f"$0.73 \\times 0.27 = {sig * (1 - sig):.2f}$"),
        ("04-backprop", "engine-intro", f"output {sig:.2f}, input gradients ({_fmt(2 * sig * (1 - sig))}, "
                                        f"{_fmt(-3 * sig * (1 - sig))}) and weight gradients ({_fmt(-sig * (1 - sig))}, "
                                        f"{_fmt(-2 * sig * (1 - sig))}, {_fmt(sig * (1 - sig))})"),
        ("04-backprop", "summary", f"$a$'s gradient is $2b = {2 * 0.01:g}$ and $b$'s is $2a = {2 * 10}$"),
    ]


CLAIMS = _shape_claims()


@pytest.mark.parametrize("lesson, cell, text", CLAIMS, ids=[f"{c[0]}:{c[1]}:{i}" for i, c in enumerate(CLAIMS)])
def test_text_states_the_computed_number(lesson: str, cell: str, text: str) -> None:
    assert text in _cells(lesson)[cell], f"solutions/{lesson} cell {cell!r} should say {text!r}"


# --------------------------------------------------------------------------------------------------------------
# Claims about runs: execute the lesson's cells and check what the prose says about them.

def test_00_orthogonal_rotation_reflection_determinants() -> None:
    text = _cells("00-tensors")["reflection-intro"]
    ns = _run("00-tensors", ["setup", "rotation-widget", "reflection-demo"])
    rot, ref = ns["rotation"](0.7), ns["reflection"](0.7)
    assert "rotates\n(determinant $+1$) or reflects" in text
    assert round(np.linalg.det(rot)) == 1 and round(np.linalg.det(ref)) == -1
    assert np.allclose(ref.T @ ref, np.eye(2)) and np.allclose(ref @ ref, np.eye(2))
    theta = 0.7                                      # the closed form the text gives for F_theta
    assert np.allclose(ref, [[np.cos(2 * theta), np.sin(2 * theta)], [np.sin(2 * theta), -np.cos(2 * theta)]])
    assert np.allclose(np.linalg.svd(ref, compute_uv=False), 1.0)      # answer 6: singular values all 1
    assert "All\n   its singular values are 1." in _cells("00-tensors")["summary"]


def test_00_distance_race_size() -> None:
    ns = _run("00-tensors", ["setup"])
    source = _cells("00-tensors")["distance-race"]
    sizes = [int(n) for n in re.findall(r"rng.normal\(size=\((\d+), 16\)\)", source)]
    assert sizes == [150, 200] and "np" in ns
    assert f"Now race the two on 150 × 200 points in 16 dimensions ({150 * 200:,} distances)".replace(",", " ") in \
        _cells("00-tensors")["timing-intro"]


def test_01_learning_rate_regimes_and_the_question_about_them() -> None:
    ns = _run("01-linear-regression", ["setup", "predict", "mse", "mse-gradients", "autograd-check", "gd-step", "gd-demo", "lr-demo"])
    limit_oscillate, limit_diverge = 1 / ns["curvature"], 2 / ns["curvature"]
    labels = dict(ns["settings"])
    assert "too small" in labels[0.02] and labels[0.2] == "about right"
    assert 0.2 < limit_oscillate < 0.6 < limit_diverge < 0.9                        # the four labels' regimes
    assert "oscillates" in labels[0.6] and "diverges" in labels[0.9]
    slopes = [0.0] + [float(w[0]) for w, _ in ns["run_gd"](0.6)[0][:5]]
    quoted = ", ".join(f"{s:.1f}".rstrip("0").rstrip(".") if s == 0 else f"{s:.1f}" for s in slopes)
    summary = _cells("01-linear-regression")["summary"]
    assert f"the slope goes {quoted}, …" in summary, quoted
    assert f"best\n   value is {ns['w_best']:.1f}." in summary
    assert "it is the run with lr = 0.6" in summary
    slow = ns["run_gd"](0.02)[1]                      # "after 40 steps we are still far from the bottom"
    assert len(slow) == 40 and slow[-1] > 2 * ns["run_gd"](0.2)[1][-1]
    assert "after 40 steps we are still\n  far from the bottom" in _cells("01-linear-regression")["lr-intro"]
    # the demo lands near the line the text names
    assert abs(float(ns["w"][0]) - 3) < 0.2 and abs(ns["b"] + 1) < 0.2
    assert "near slope 3 and intercept −1" in _cells("01-linear-regression")["gd-demo-intro"]


def test_01_batch_sizes_behave_as_described() -> None:
    ns = _run("01-linear-regression", ["setup", "predict", "mse", "mse-gradients", "autograd-check", "gd-step", "gd-demo",
                                       "train-linear", "normal-equations", "batch-size-demo"])
    text = _cells("01-linear-regression")["batch-size-intro"]
    assert "$B = 10$ (five per epoch) and $B = 1$ (fifty per epoch" in text
    full = np.array(ns["losses"])                    # 100 full-batch steps, one loss per step
    b10 = ns["runs"][10][2]                          # one loss per epoch of 5 iterations
    for epoch in range(4):                           # "per update, batches of 10 make about the progress of an exact step"
        assert abs(b10[epoch] / full[5 * (epoch + 1) - 1] - 1) < 0.15
    best = ns["mse"](ns["predict"](ns["X_demo"], *ns["normal_equations"](ns["X_demo"], ns["y_demo"])), ns["y_demo"])
    b1 = ns["runs"][1][2]
    assert b1[0] < 1.3 * best and np.all(b1 > best) and np.any(np.diff(b1) > 0)   # close at once, then jitters above


def test_02_gradient_check_step_size_and_slider() -> None:
    text = _cells("02-logistic-regression")["numgrad-intro"]
    assert "below $h \\approx 10^{-5}$ it wins" in text
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    exact = sig(0.5) * (1 - sig(0.5))
    hs = np.logspace(-13, -1, 49)
    centered = np.abs((sig(0.5 + hs) - sig(0.5 - hs)) / (2 * hs) - exact)
    assert 1e-7 <= hs[np.argmin(centered)] <= 1e-3                  # the best h for the centered difference
    assert f"{np.log10(1 / np.finfo(np.float64).eps):.0f}" == "16" and "about 16 digits" in text
    assert f"{np.log10(1 / np.finfo(np.float32).eps):.0f}" == "7" and "float32's 7 digits" in text
    demo, intro = _cells("02-logistic-regression")["reg-demo"], _cells("02-logistic-regression")["reg-widget-intro"]
    top = float(re.search(r"min=-3, max=(-?[\d.]+)", demo).group(1))
    assert f"the slider stops at {10 ** top:.1f}" in intro and "lr=1.0" in demo and 10 ** top * 1.0 < 1
    assert "trains your\nclassifier on 70 % of two small datasets and prints the accuracy on the other 30 %" in \
        _cells("02-logistic-regression")["boundary-intro"]
    assert "train_fraction=0.7" in _cells("02-logistic-regression")["boundary-demo"]


def test_03_newton_path_is_as_the_text_reads_it() -> None:
    ns = _run("03-optimizers", ["setup", "sgd-momentum-step", "canyon-demo", "newton-step", "newton-demo"])
    path = np.array(ns["newton_path"])
    f = np.array([ns["rosenbrock"](w) for w in path])
    rises = [k for k in range(1, len(f)) if f[k] > f[k - 1]]
    assert np.linalg.norm(path[1] - path[0]) < 0.5                            # "its first step stays near the start"
    assert int(np.argmax(f)) == 2 and f[2] > 10 * f[0]                      # "the next one jumps far out ... many times larger"
    assert path[2][1] < ns["ROSEN_BOX"]["ylim"][0]                          # "(below the plotted box)"
    assert rises[0] == 2 and len(rises) == 2                                # "f goes up once more"
    assert np.allclose(path[-1], [1.0, 1.0])                                # "before the method settles"
    text = _cells("03-optimizers")["newton-drawbacks"]
    assert ("Its first step stays near the start, but the next one jumps far out of the\nvalley (below the plotted box) "
            "where $f$ is many times larger than where it began, and $f$ goes up once more") in text


def test_03_bias_correction_run() -> None:
    ns = _run("03-optimizers", ["setup", "adam-step", "bias-demo"])
    lengths = np.array(ns["len_u"])
    assert round(lengths[0]) == 3 and 10 <= int(np.argmax(lengths)) + 1 <= 14   # "3 times ... growing for a dozen steps"
    assert np.allclose(ns["len_c"], 1.0)
    assert "the printed first step is about 3 times too long and the steps keep growing for a\ndozen steps" in \
        _cells("03-optimizers")["adam-friends"]


def test_04_gates_and_training() -> None:
    text = _cells("04-backprop")["activation-intro"]
    z = np.linspace(-10, 10, 20001)
    s = 1 / (1 + np.exp(-z))
    assert round(1 / (s * (1 - s)).max()) == 4 and "is at most\n$\\tfrac14$" in text
    ns = _run("04-backprop", ["setup", "zero-centred-demo"])
    w_best, w_start = ns["w_best"], ns["w_start"]
    paths = {name: ns["one_neuron_path"](xs, xs @ w_best, w_start, lr=1.0)
             for name, xs in (("positive", ns["positive"]), ("centred", ns["centred"]))}
    same = {k: np.mean(np.sign(np.diff(p, axis=0)[:, 0]) == np.sign(np.diff(p, axis=0)[:, 1])) for k, p in paths.items()}
    assert same["positive"] == 1.0 and same["centred"] < 1.0     # "every gradient step moves all ... together"
    length = {k: np.sum(np.linalg.norm(np.diff(p, axis=0), axis=1)) for k, p in paths.items()}
    assert length["positive"] > length["centred"]                 # "the only way there is a zig-zag"


def test_04_relu_race_reads_as_the_text_says() -> None:
    ns = _run("04-backprop", ["setup", "relu-race"])
    relu, tanh = ns["race"]["ReLU"], ns["race"]["tanh"]
    first = lambda errors: next(k for k, e in enumerate(errors) if e <= 0.25)  # noqa: E731
    assert first(relu) < first(tanh) and relu[-1] < tanh[-1]
    assert "load_digits(flatten=True, normalize=False)" in _cells("04-backprop")["relu-race"]
    assert "pixels left unscaled (values up to 16)" in _cells("04-backprop")["activation-intro"]
    assert float(ns["images"].numpy().max()) == 16.0
