"""Grading throughput on a Dask cluster (`dlcourse grade --cluster local:N`) against worker count, the overhead of
the cluster path per submission against the single-machine path (`--jobs`), and what 10,000 submissions take.

    python benchmarks/grading_cluster.py                       # 16 submissions, 2 rounds: the figures for #24
    python benchmarks/grading_cluster.py --count 40 --rounds 3 --workers 1 2 4

The class is benchmarks/grading_load.py's mix of lesson 01 without hostile notebooks (a sleeper or a looping cell
waits on a clock, not a core, and would flatter the scaling): half correct, a quarter partly correct, the rest
wrong. Each round grades the whole class once per set-up, in an order rotated from round to round so that a busy
spell on this shared machine does not always hit the same set-up: `--jobs 1` and `--jobs 2` (this machine, today's
path), then the cluster path with 1, 2 and 4 worker processes of one thread each. Every run goes through
`dlcourse.autograde.grade.grade` (what the command calls) with --force, so each grades every submission. A run's
time is split where the workers' containment is announced: *start* (a LocalCluster of N processes and each one's
containment probe, or this machine's probe) and *grading* (from then until the last result is committed);
throughput is submissions per minute of grading. The load average (`uptime`'s numbers) is recorded before and
after each run and printed beside it: on a loaded machine, trust the medians and the spread, not one run.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import grading_load as load  # noqa: E402  (it puts tests/course on the path: submissions, conftest)
import submissions as S  # noqa: E402

from dlcourse.autograde.limits import Limits  # noqa: E402

# grading_load's limits (--cell-timeout 10, --notebook-timeout 60, ...), as the grade() call takes them.
CELL_TIMEOUT = 10
LIMITS = Limits(wall_s=60, memory_mb=1024, max_procs=32, file_mb=16)
TARGET = 10_000  # submissions of one lesson in a MOOC cohort (#24)


def load_now() -> float:
    """The 1-minute load average, as `uptime` prints it."""
    return os.getloadavg()[0]


def timed_grade(project: Path, setup: str) -> dict[str, Any]:
    """Grade the whole class once with `setup` ('jobs:N' or 'local:N'); its start, grading time and load."""
    from dlcourse.autograde.grade import grade
    from dlcourse.project import Project
    from dlcourse.syllabus import resolve_lessons

    proj = Project(project)
    lesson = resolve_lessons(proj, [S.LESSON])[0]
    kind, n = setup.split(":")
    ready: list[float] = []
    load_before = load_now()
    start = time.monotonic()
    run = grade(proj, lesson, jobs=int(n), limits=LIMITS, force=True, cell_timeout=CELL_TIMEOUT, progress=False,
                cluster=setup if kind == "local" else None, announce=lambda _: ready.append(time.monotonic()))
    end = time.monotonic()
    if run.failed or not run.graded:
        raise SystemExit(f"{setup}: {len(run.graded)} graded, failed: {run.failed}")
    begun = ready[0] if ready else start
    return {"setup": setup, "count": len(run.graded), "start_s": begun - start, "grading_s": end - begun,
            "commit_s": run.commit_s, "load": [round(load_before, 2), round(load_now(), 2)],
            "per_min": len(run.graded) / (end - begun) * 60, "containment": run.containment}


def dask_round_trip(project: Path, repeats: int = 20) -> dict[str, float]:
    """Median time for a LocalCluster of one worker to take a real grading task's payload in, run nothing, and send
    an autograded-notebook-sized answer back: what Dask itself adds to each submission."""
    from dlcourse.autograde.cluster import open_client, student_key, student_task

    folder = next((project / "course" / "submitted").iterdir()) / S.LESSON
    task = student_task(S.LESSON, folder.parent.name, folder, "fp", student_key(b"k" * 32, "s"), LIMITS, None)
    answer = 3 * sum(len(b) for b in task["files"].values())  # the autograded notebook holds outputs too
    times = []
    with open_client("local:1") as client:
        client.submit(_echo, task, answer, pure=False).result()  # warm up: imports on the worker
        for _ in range(repeats):
            t = time.monotonic()
            client.submit(_echo, task, answer, pure=False).result()
            times.append(time.monotonic() - t)
    return {"median_ms": statistics.median(times) * 1000, "task_kb": len(pickle.dumps(task)) / 1024,
            "answer_kb": answer / 1024}


def _echo(task: dict[str, Any], size: int) -> bytes:
    """A task that does no grading: it returns `size` bytes."""
    return b"x" * size


def supervisor_start(repeats: int = 5) -> float:
    """Median seconds to start the job supervisor's interpreter and imports (one extra process per submission)."""
    times = []
    for _ in range(repeats):
        t = time.monotonic()
        subprocess.run([sys.executable, "-c", "import dlcourse.autograde.cluster, dlcourse.autograde.containment, "
                        "dlcourse.autograde.namespaces"], check=True)
        times.append(time.monotonic() - t)
    return statistics.median(times)


def spread(values: list[float], fmt: str = "{:.1f}") -> str:
    """Median (min-max) of repeated measurements."""
    med = fmt.format(statistics.median(values))
    return med if len(values) == 1 else f"{med} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def report(runs: list[dict[str, Any]], count: int, bundle_kb: float, trip: dict[str, float], supervisor_s: float,
           uptimes: list[str]) -> str:
    """The tables and the 10,000-submission calculation, as Markdown."""
    setups = list(dict.fromkeys(r["setup"] for r in runs))
    by = {s: [r for r in runs if r["setup"] == s] for s in setups}
    rate = {s: statistics.median(r["per_min"] for r in by[s]) for s in setups}
    lines = [f"`python benchmarks/grading_cluster.py --count {count} --rounds {len(by[setups[0]])}`: lesson 01, "
             f"{count} submissions per run, {os.cpu_count()} cores.", "", *[f"    {u}" for u in uptimes], "",
             "| set-up | start, s | grading, s | submissions/min | x over 1 | load (1-min average, before/after each "
             "run) |", "|---|---|---|---|---|---|"]
    for s in setups:
        base = "local:1" if s.startswith("local") else "jobs:1"
        gain = [r["per_min"] / rate[base] for r in by[s]] if base in rate else []
        label = f"--jobs {s[5:]} (this machine)" if s.startswith("jobs") else f"--cluster {s}"
        lines.append(f"| {label} | {spread([r['start_s'] for r in by[s]])} | "
                     f"{spread([r['grading_s'] for r in by[s]])} | {spread([r['per_min'] for r in by[s]])} | "
                     f"{spread(gain, '{:.2f}') if gain else '-'} | "
                     f"{', '.join(f'{a:.1f}/{b:.1f}' for a, b in (r['load'] for r in by[s]))} |")
    lines.append("")
    if "jobs:1" in by and "local:1" in by:
        pairs = list(zip(by["jobs:1"], by["local:1"]))  # the same round: the same spell of load
        per_sub = [(c["grading_s"] - h["grading_s"]) / c["count"] for h, c in pairs]
        fixed = [c["start_s"] - h["start_s"] for h, c in pairs]
        lines += [f"Overhead of the cluster path against the single-machine path, one job at a time, round by round "
                  f"(`--cluster local:1` minus `--jobs 1`): **{spread(per_sub, '{:+.2f}')} s per submission** and "
                  f"{spread(fixed, '{:+.1f}')} s once per run (starting the cluster; a scheduler you keep running "
                  "pays only its workers' first probe). Where it comes from, measured alone: a Dask task round trip "
                  f"with a real task ({trip['task_kb']:.0f} KB in, {trip['answer_kb']:.0f} KB back) "
                  f"{trip['median_ms']:.0f} ms; the job supervisor's interpreter {supervisor_s * 1000:.0f} ms; the "
                  f"lesson's material, {bundle_kb:.0f} KB, sent once per worker per run. A negative difference is "
                  "the machine's noise: the overhead is below what this load lets one measure.", ""]
    if "local:1" in by and "local:2" in by:
        lines.append(f"Scaling from 1 to 2 worker processes on {os.cpu_count()} cores: "
                     f"**{rate['local:2'] / rate['local:1']:.2f}x** (medians; the bar is 1.7x)."
                     + (f" 4 processes on {os.cpu_count()} cores: {rate['local:4'] / rate['local:1']:.2f}x (no more "
                        "cores, so no more throughput)." if "local:4" in rate else ""))
        lines.append("")
    if "local:1" in rate:
        lines += calculation(rate, runs, count)
    return "\n".join(lines)


def calculation(rate: dict[str, float], runs: list[dict[str, Any]], count: int) -> list[str]:
    """What 10,000 submissions take on N worker processes, from the rates measured here."""
    per_core = rate["local:1"]
    eff = min(1.0, rate.get("local:2", 2 * per_core) / (2 * per_core))
    commit = statistics.median(r["commit_s"] / r["count"] for r in runs)
    cap = 60 / commit  # the instructor's process commits one result at a time
    start = statistics.median(r["start_s"] for r in runs if r["setup"].startswith("local"))
    here = rate.get("jobs:2", rate.get("jobs:1", per_core))
    lines = [f"**{TARGET:,} submissions.** This machine today (`--jobs 2`, {os.cpu_count()} cores, "
             f"{here:.1f}/min): {TARGET / here / 60:.1f} h. On a cluster of N worker processes, one core each, at this "
             f"machine's {per_core:.1f} submissions/min per core and the {eff:.0%} efficiency measured from 1 to 2 "
             f"processes: minutes = {TARGET:,} / (N x {per_core:.1f} x {eff:.2f}) + {start:.0f} s to start. The "
             f"instructor's process commits each result itself ({commit * 1000:.0f} ms each here), so no cluster "
             f"grades faster than {cap:,.0f}/min ({TARGET / cap:.1f} min for {TARGET:,}).", "",
             "| worker processes (cores) | submissions/min | 10,000 take |", "|---|---|---|"]
    for n in (2, 8, 32, 64, 128, 256, 512):
        per_min = min(n * per_core * eff, cap)
        minutes = TARGET / per_min + start / 60
        took = f"{minutes / 60:.1f} h" if minutes >= 90 else f"{minutes:.0f} min"
        lines.append(f"| {n} | {per_min:,.0f}{' (commit-bound)' if per_min == cap else ''} | {took} |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=16, help="submissions per run (default: 16)")
    parser.add_argument("--rounds", type=int, default=2, help="times each set-up is measured (default: 2)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4],
                        help="cluster sizes, worker processes (default: 1 2 4)")
    parser.add_argument("--jobs", type=int, nargs="*", default=[1, 2],
                        help="single-machine --jobs to compare with (default: 1 2)")
    parser.add_argument("--json", metavar="FILE", default=str(HERE / "results" / "grading_cluster.json"),
                        help="where the raw runs go (default: benchmarks/results/grading_cluster.json)")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR (kept) instead of a temporary folder")
    args = parser.parse_args()
    from conftest import copy_course

    from dlcourse.autograde.cluster import lesson_bundle
    from dlcourse.project import Project

    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="grading-cluster-"))
    project = copy_course(base / "project") if not (base / "project").exists() else base / "project"
    cli = [sys.executable, "-m", "dlcourse", "--project", str(project)]
    subprocess.run([*cli, "release", S.LESSON], check=True, capture_output=True)
    inbox = load.generate(project, args.count, hostile_ok=False)
    subprocess.run([*cli, "collect", S.LESSON, str(inbox)], check=True, capture_output=True)
    uptimes = [subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()]
    trip = dask_round_trip(project)
    supervisor_s = supervisor_start()
    setups = [f"jobs:{j}" for j in args.jobs] + [f"local:{n}" for n in args.workers]
    runs = []
    for rnd in range(args.rounds):
        order = setups[rnd % len(setups):] + setups[:rnd % len(setups)]
        for setup in order:
            run = timed_grade(project, setup)
            runs.append(run)
            print(f"round {rnd + 1} {setup}: start {run['start_s']:.1f} s, grading {run['grading_s']:.1f} s, "
                  f"{run['per_min']:.1f}/min, load {run['load'][0]:.1f}/{run['load'][1]:.1f}", flush=True)
    uptimes.append(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    template = project / "course" / ".grade-state" / S.LESSON / "work" / "template.db"
    bundle_kb = sum(map(len, lesson_bundle(Project(project), S.LESSON, template)["files"].values())) / 1024
    text = report(runs, args.count, bundle_kb, trip, supervisor_s, uptimes)
    print("\n" + text)
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"runs": runs, "round_trip": trip, "supervisor_s": supervisor_s,
                               "bundle_kb": bundle_kb, "uptime": uptimes, "report": text}, indent=1))
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
