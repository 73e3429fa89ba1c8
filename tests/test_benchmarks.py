"""The benchmark script runs end to end (a smoke run: no timing is asserted)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_benchmark_writes_a_table_and_json(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    table = tmp_path / "RESULTS.md"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--cases", "mlp-b64,conv-b64",
         "--threads", "1", "--rounds", "1", "--steps", "1", "--json", str(out), "--markdown", str(table)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    libs = {(r["case"], r["library"]) for r in data["timings"] if "median_ms" in r}
    assert {("mlp-b64", "numpy"), ("conv-b64", "numpy")} <= libs
    assert all(r["median_ms"] > 0 for r in data["timings"] if "median_ms" in r)
    assert "| mlp-b64 | 1 | numpy |" in table.read_text()


def test_the_numpy_floor_computes_correct_gradients() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import numpy as np
    from numpy_models import _Conv

    rng = np.random.default_rng(0)
    conv = _Conv(rng, 2, 3, 3, padding=1)
    conv.W = conv.W.astype(np.float64)
    conv.b = conv.b.astype(np.float64)
    x = rng.standard_normal((2, 5, 4, 2))
    out = conv.forward(x)
    dout = rng.standard_normal(out.shape)
    dx = conv.backward(dout, need_input_grad=True)
    eps, k = 1e-6, (1, 2, 3, 1)
    xp, xm = x.copy(), x.copy()
    xp[k] += eps
    xm[k] -= eps
    numeric = ((conv.forward(xp) - conv.forward(xm)) * dout).sum() / (2 * eps)
    assert abs(numeric - dx[k]) < 1e-6
