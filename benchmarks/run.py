"""Training-step speed of dlkit, hand-written numpy and PyTorch (CPU), measured side by side.

    python benchmarks/run.py            # full: every case, 1 thread and all cores, memory probes
    python benchmarks/run.py --quick    # a smoke run: few steps, no memory probes

Libraries run interleaved in one process (see timing.py); results are medians with min–max,
ratios against torch and against numpy, samples per second, and the fraction of the machine's
measured matmul rate. Nothing here asserts on absolute time.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from numpy_models import NumpyCNN, NumpyConvLayer, NumpyMLP  # noqa: E402
from timing import interleaved, matmul_peak_gflops, summary  # noqa: E402
import framework_models  # noqa: E402

CASES: dict[str, dict[str, Any]] = {
    "mlp-b64": {"model": "mlp", "batch": 64, "shape": (784,)},
    "mlp-b256": {"model": "mlp", "batch": 256, "shape": (784,)},
    "cnn-b32": {"model": "cnn", "batch": 32, "shape": (1, 28, 28)},
    "conv-b64": {"model": "conv", "batch": 64, "shape": (32, 32, 32)},
}


def step_flops(case: dict[str, Any]) -> float:
    """Multiply-adds ×2 of one training step (forward + the backward matmuls actually needed)."""
    b = case["batch"]
    if case["model"] == "mlp":
        fwd = 2 * b * (784 * 256 + 256 * 128 + 128 * 10)
        return 3 * fwd
    if case["model"] == "cnn":
        conv1 = 2 * b * 26 * 26 * 16 * 9
        conv2 = 2 * b * 24 * 24 * 32 * 9 * 16
        fc = 2 * b * (4608 * 128 + 128 * 10)
        return 2 * conv1 + 3 * (conv2 + fc)  # the first conv needs no input gradient
    return 3 * 2 * b * 32 * 32 * 64 * 9 * 32


def make_data(case: dict[str, Any], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((case["batch"],) + case["shape"]).astype(np.float32)
    y = rng.integers(0, 10, size=case["batch"])
    return x, y


def numpy_stepper(case: dict[str, Any], x: np.ndarray, y: np.ndarray) -> Callable[[], Any]:
    if case["model"] == "mlp":
        model: Any = NumpyMLP()
        return lambda: model.step(x, y)
    nhwc = np.ascontiguousarray(x.transpose(0, 2, 3, 1))
    model = NumpyCNN() if case["model"] == "cnn" else NumpyConvLayer()
    return lambda: model.step(nhwc, y)


def torch_stepper(case: dict[str, Any], x: np.ndarray, y: np.ndarray) -> Callable[[], Any] | None:
    try:
        import torch
    except ImportError:
        return None
    return framework_models.stepper(case["model"], torch.nn, torch.optim, torch.from_numpy(x), torch.from_numpy(y))


def dlkit_stepper(case: dict[str, Any], x: np.ndarray, y: np.ndarray) -> Callable[[], Any] | None:
    try:
        import dlkit
        import dlkit.nn
        import dlkit.optim
    except ImportError:
        return None
    return framework_models.stepper(case["model"], dlkit.nn, dlkit.optim, dlkit.tensor(x), dlkit.tensor(y))


STEPPERS = {"dlkit": dlkit_stepper, "numpy": numpy_stepper, "torch": torch_stepper}


def set_threads(n: int) -> Any:
    """Limit BLAS (and torch) to ``n`` threads; returns the threadpoolctl limiter to keep alive."""
    from threadpoolctl import threadpool_limits

    try:
        import torch

        torch.set_num_threads(n)
    except ImportError:
        pass
    return threadpool_limits(limits=n)


def time_cases(names: list[str], threads: list[int], rounds: int, steps: int) -> list[dict[str, Any]]:
    rows = []
    for n in threads:
        limiter = set_threads(n)
        peak = matmul_peak_gflops()
        for name in names:
            case = CASES[name]
            x, y = make_data(case)
            steppers = {lib: make(case, x, y) for lib, make in STEPPERS.items()}
            available = {lib: fn for lib, fn in steppers.items() if fn is not None}
            samples = interleaved(available, rounds=rounds, steps=steps)
            stats = {lib: summary(s) for lib, s in samples.items()}
            for lib in STEPPERS:
                row: dict[str, Any] = {"case": name, "threads": n, "library": lib}
                if lib not in stats:
                    row["status"] = "not installed"
                    rows.append(row)
                    continue
                med = stats[lib]["median_ms"]
                row.update(stats[lib])
                row["samples_per_s"] = case["batch"] / (med / 1e3)
                row["matmul_peak_fraction"] = step_flops(case) / (med / 1e3) / (peak * 1e9)
                for ref in ("torch", "numpy"):
                    if ref in stats and lib != ref:
                        row[f"vs_{ref}"] = med / stats[ref]["median_ms"]
                rows.append(row)
        limiter.unregister() if hasattr(limiter, "unregister") else None
    return rows


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def probe_memory(lib: str, name: str, steps: int) -> dict[str, float]:
    """Run ``steps`` training steps of one library alone; report resident memory above the model's baseline.

    The baseline is taken after the model, optimizer and data exist (imports included), so the
    peak is what the steps themselves hold: activations, gradients, optimizer state. Resident
    memory is sampled after every step (an intra-step high-water mark is not visible this way).
    """
    case = CASES[name]
    x, y = make_data(case)
    step = STEPPERS[lib](case, x, y)
    if step is None:
        return {"status": "not installed"}
    base = _rss_mb()
    peak, rss = 0.0, {}
    for i in range(1, steps + 1):
        step()
        now = _rss_mb()
        peak = max(peak, now - base)
        if i in (10, steps):
            rss[i] = now
    return {"peak_mb": peak, "growth_mb_10_to_end": rss[steps] - rss[10]}


def memory_rows(names: list[str], steps: int) -> list[dict[str, Any]]:
    rows = []
    for name in names:
        for lib in STEPPERS:
            out = subprocess.run(
                [sys.executable, str(Path(__file__)), "--probe", f"{lib}:{name}", "--probe-steps", str(steps)],
                capture_output=True, text=True, check=True,
            )
            rows.append({"case": name, "library": lib, **json.loads(out.stdout.strip().splitlines()[-1])})
    return rows


def markdown(rows: list[dict[str, Any]], memory: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    lines = [
        f"Measured {meta['date']} on {meta['machine']} ({meta['cores']} cores), numpy {meta['numpy']}, "
        f"torch {meta['torch']}; medians of interleaved runs (`{meta['command']}`).",
        "",
        "| case | threads | library | median ms (min–max) | × torch | × numpy | samples/s | % matmul peak |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if "median_ms" not in r:
            lines.append(f"| {r['case']} | {r['threads']} | {r['library']} | {r['status']} | | | | |")
            continue
        fmt = lambda k: f"{r[k]:.2f}" if k in r else "—"  # noqa: E731
        lines.append(
            f"| {r['case']} | {r['threads']} | {r['library']} | {r['median_ms']:.2f} ({r['min_ms']:.2f}–{r['max_ms']:.2f}) "
            f"| {fmt('vs_torch')} | {fmt('vs_numpy')} | {r['samples_per_s']:.0f} | {100 * r['matmul_peak_fraction']:.0f}% |"
        )
    if memory:
        lines += ["", "| case | library | memory held by the steps, MB (max over 100 steps) | growth MB (step 10 → 100) |", "|---|---|---|---|"]
        for m in memory:
            if "peak_mb" in m:
                lines.append(f"| {m['case']} | {m['library']} | {m['peak_mb']:.0f} | {m['growth_mb_10_to_end']:+.1f} |")
    return "\n".join(lines) + "\n"


def _shown_args(argv: list[str]) -> list[str]:
    """The command-line arguments that shape the measurement (output paths left out)."""
    shown, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("--json", "--markdown"):
            skip = True
        elif not arg.startswith(("--json=", "--markdown=")):
            shown.append(arg)
    return shown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few steps, no memory probes (a smoke run)")
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated, from {', '.join(CASES)}")
    parser.add_argument("--threads", default=None, help="comma-separated thread counts (default: 1 and all cores)")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--json", default=str(HERE / "results" / "latest.json"))
    parser.add_argument("--markdown", default=None, help="also write the table here (e.g. benchmarks/RESULTS.md)")
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    parser.add_argument("--probe-steps", type=int, default=100, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.probe:
        lib, name = args.probe.split(":")
        print(json.dumps(probe_memory(lib, name, args.probe_steps)))
        return 0
    names = [c for c in args.cases.split(",") if c]
    unknown = [c for c in names if c not in CASES]
    if unknown:
        parser.error(f"--cases: unknown {unknown}; choose from {list(CASES)}")
    cores = os.cpu_count() or 1
    threads = [int(t) for t in args.threads.split(",")] if args.threads else sorted({1, cores})
    rounds = args.rounds or (2 if args.quick else 7)
    steps = args.steps or (1 if args.quick else 10)
    rows = time_cases(names, threads, rounds, steps)
    memory = [] if args.quick else memory_rows(names, 100)
    try:
        import torch

        torch_version = torch.__version__
    except ImportError:
        torch_version = "not installed"
    meta = {
        "date": time.strftime("%Y-%m-%d"), "machine": platform.machine(), "cores": cores,
        "numpy": np.__version__, "torch": torch_version, "rounds": rounds, "steps": steps,
        "command": " ".join(["python benchmarks/run.py"] + _shown_args(argv if argv is not None else sys.argv[1:])),
    }
    table = markdown(rows, memory, meta)
    print(table)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps({"meta": meta, "timings": rows, "memory": memory}, indent=2))
    if args.markdown:
        Path(args.markdown).write_text("# Benchmark results\n\n" + table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
