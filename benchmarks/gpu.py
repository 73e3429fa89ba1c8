"""Training-step speed on a GPU: dlkit on cupy against dlkit on the CPU, and against torch CUDA.

    python benchmarks/gpu.py                 # needs cupy and an NVIDIA GPU (pip install -e .[gpu])
    python benchmarks/gpu.py --quick         # a smoke run
    python benchmarks/gpu.py --device array_api_strict --quick   # the same code path without a GPU

Without a GPU it says so and exits cleanly (status 0). Models and steps are the same as in
``run.py`` (``framework_models.py``): one training step is zero_grad, forward, loss, backward,
SGD update. Each library is timed in turn, with the device synchronized before and after every
timed block (GPU kernels run asynchronously: timing without a sync measures only the launches).
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import framework_models  # noqa: E402
from run import CASES as CPU_CASES, make_data  # noqa: E402
from timing import summary  # noqa: E402

# The CPU benchmark's cases plus larger batches, where a GPU pulls ahead.
CASES: dict[str, dict[str, Any]] = {
    "mlp-b256": CPU_CASES["mlp-b256"],
    "mlp-b1024": {**CPU_CASES["mlp-b256"], "batch": 1024},
    "cnn-b32": CPU_CASES["cnn-b32"],
    "cnn-b128": {**CPU_CASES["cnn-b32"], "batch": 128},
}


def dlkit_stepper(case: dict[str, Any], x: np.ndarray, y: np.ndarray, where: str) -> tuple[Callable[[], Any], Callable[[], None]]:
    """A dlkit training step on device ``where`` and the function that waits for that device."""
    import dlkit
    import dlkit.cuda
    import dlkit.nn
    import dlkit.optim

    with dlkit.backend.device(where):  # the model's parameters are made on the device
        step = framework_models.stepper(case["model"], dlkit.nn, dlkit.optim, dlkit.tensor(x), dlkit.tensor(y))
    sync = dlkit.cuda.synchronize if where.startswith("cuda") else (lambda: None)
    return step, sync


def torch_stepper(case: dict[str, Any], x: np.ndarray, y: np.ndarray, where: str) -> tuple[Callable[[], Any], Callable[[], None]] | None:
    try:
        import torch
    except ImportError:
        return None
    if where == "cuda" and not torch.cuda.is_available():
        return None
    with torch.device(where):
        step = framework_models.stepper(case["model"], torch.nn, torch.optim, torch.tensor(x), torch.tensor(y))
    return step, (torch.cuda.synchronize if where == "cuda" else (lambda: None))


def timed(step: Callable[[], Any], sync: Callable[[], None], rounds: int, steps: int, warmup: int = 3) -> list[float]:
    """Seconds per step, one sample per round of ``steps`` steps, the device synchronized around each round."""
    for _ in range(warmup):
        step()
    sync()
    samples = []
    for _ in range(rounds):
        sync()
        start = time.perf_counter()
        for _ in range(steps):
            step()
        sync()
        samples.append((time.perf_counter() - start) / steps)
    return samples


def run_case(name: str, device: str, rounds: int, steps: int) -> list[dict[str, Any]]:
    case = CASES[name]
    x, y = make_data(case)
    contenders: dict[str, Any] = {
        f"dlkit-{device}": dlkit_stepper(case, x, y, device),
        "dlkit-cpu": dlkit_stepper(case, x, y, "cpu"),
    }
    if device == "cuda":
        contenders["torch-cuda"] = torch_stepper(case, x, y, "cuda")
    contenders["torch-cpu"] = torch_stepper(case, x, y, "cpu")
    stats = {}
    for label, made in contenders.items():
        if made is not None:
            stats[label] = summary(timed(made[0], made[1], rounds, steps))
    rows = []
    for label, made in contenders.items():
        row: dict[str, Any] = {"case": name, "library": label}
        if label not in stats:
            row["status"] = "not available"
        else:
            row.update(stats[label])
            row["steps_per_s"] = 1e3 / stats[label]["median_ms"]
            for ref in ("dlkit-cpu", "torch-cuda"):
                if ref in stats and ref != label:
                    row[f"speedup_vs_{ref}"] = stats[ref]["median_ms"] / stats[label]["median_ms"]
        rows.append(row)
    return rows


def markdown(rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    lines = [
        f"Measured {meta['date']} on {meta['device_name']}; cupy {meta['cupy']}, torch {meta['torch']} "
        f"(`{meta['command']}`).",
        "",
        "| case | library | median ms (min–max) | steps/s | speed-up vs dlkit-cpu | vs torch-cuda |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        if "median_ms" not in r:
            lines.append(f"| {r['case']} | {r['library']} | {r['status']} | | | |")
            continue
        fmt = lambda k: f"{r[k]:.2f}×" if k in r else "—"  # noqa: E731
        lines.append(
            f"| {r['case']} | {r['library']} | {r['median_ms']:.2f} ({r['min_ms']:.2f}–{r['max_ms']:.2f}) | "
            f"{r['steps_per_s']:.0f} | {fmt('speedup_vs_dlkit-cpu')} | {fmt('speedup_vs_torch-cuda')} |"
        )
    return "\n".join(lines) + "\n"


def _versions(device: str) -> dict[str, str]:
    meta = {"cupy": "not installed", "torch": "not installed", "device_name": platform.processor() or platform.machine()}
    try:
        import cupy

        meta["cupy"] = cupy.__version__
        if device == "cuda":
            props = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)
            meta["device_name"] = props["name"].decode() if isinstance(props["name"], bytes) else str(props["name"])
    except ImportError:
        pass
    try:
        import torch

        meta["torch"] = torch.__version__
    except ImportError:
        pass
    if device != "cuda":
        meta["device_name"] = f"{device} (no GPU: a smoke run of the GPU code path)"
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda", help="cuda (default), or array_api_strict for a smoke run without a GPU")
    parser.add_argument("--quick", action="store_true", help="one small round (a smoke run)")
    parser.add_argument("--cases", default=None, help=f"comma-separated, from {', '.join(CASES)}")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--json", default=None, help="write the rows here as JSON")
    parser.add_argument("--markdown", default=None, help="write the table here")
    args = parser.parse_args(argv)

    import dlkit.cuda

    if args.device.startswith("cuda") and not dlkit.cuda.is_available():
        print("benchmarks/gpu.py: no GPU available (dlkit.cuda.is_available() is False: cupy is missing or sees no "
              "NVIDIA GPU); install cupy with `pip install -e .[gpu]` on a GPU machine. Nothing to measure.")
        return 0
    device = "cuda" if args.device.startswith("cuda") else args.device
    names = args.cases.split(",") if args.cases else (["mlp-b256", "cnn-b32"] if args.quick else list(CASES))
    rounds = args.rounds or (1 if args.quick else 7)
    steps = args.steps or (2 if args.quick else 20)
    rows = [row for name in names for row in run_case(name, device, rounds, steps)]
    meta = {"date": time.strftime("%Y-%m-%d"), "command": "python benchmarks/gpu.py " + " ".join(argv or sys.argv[1:]),
            **_versions(device)}
    table = markdown(rows, meta)
    print(table)
    if args.json:
        Path(args.json).write_text(json.dumps({"meta": meta, "timings": rows}, indent=2))
    if args.markdown:
        Path(args.markdown).write_text(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
