"""Load test for `dlcourse grade`: N generated submissions of lesson 01, graded with --jobs 1 and --jobs 2.

    python benchmarks/grading_load.py --count 200 --jobs 1 2            # figures for the issue
    python benchmarks/grading_load.py --count 200 --jobs 2 --kill-at 0.5  # SIGKILL halfway, then resume

The mix (by student index): 50% correct, 25% partly correct, 10% wrong, 15% hostile (a loop, a fork bomb, memory
hogs, an output flood, a 1 GB file, a sleeper). Hostile cases are only generated when the machine gives the
containment they need (`dlcourse.autograde.containment.probe`); otherwise they are replaced by wrong answers and the run says
so. Prints wall time, submissions per minute, peak memory (the whole process tree, sampled), and the speed-up.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "course"))
import submissions as S  # noqa: E402

HOSTILE_CYCLE = ("loop", "fork-bomb", "memory-50g", "memory-creep", "print-flood", "file-1gb", "sleep")
LIMITS = ["--cell-timeout", "10", "--notebook-timeout", "60", "--memory-mb", "1024", "--max-procs", "32",
          "--file-mb", "16"]


def generate(project: Path, count: int, hostile_ok: bool) -> Path:
    student, solution = S.load(project)
    inbox = project.parent / "inbox"
    shutil.rmtree(inbox, ignore_errors=True)
    for i in range(count):
        kind = i % 20
        if kind < 10:
            nb = S.correct(student, solution)
        elif kind < 15:
            nb = S.partly(student, solution, S.ANSWERS[: 1 + i % 3])
        elif kind < 17:
            nb = S.partly(student, solution, ())
        elif hostile_ok:
            case = HOSTILE_CYCLE[(i // 20) % len(HOSTILE_CYCLE)]
            nb = S.hostile(student, solution, case, "all" if case == "sleep" else "normal-equations")
        else:
            nb = S.partly(student, solution, ("predict",))
        S.write(nb, inbox / f"s{i:03d}.ipynb")
    return inbox


def dlcourse(project: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dlcourse", "--project", str(project), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _processes() -> tuple[dict[int, list[int]], dict[int, int]]:
    """Every live process's children and resident memory (bytes), read from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[1].split()
            if fields[0] == "Z":  # a zombie is dead already; nobody may have reaped it yet
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    return children, rss


def descendants(pid: int, children: dict[int, list[int]] | None = None) -> list[int]:
    """A live process and all its live descendants (pids), parents first."""
    if children is None:
        children = _processes()[0]
    found, todo = [], [pid]
    while todo:
        p = todo.pop(0)
        found.append(p)
        todo += children.get(p, [])
    return found


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants (bytes)."""
    children, rss = _processes()
    return sum(rss.get(p, 0) for p in descendants(pid, children))


def timed_grade(project: Path, jobs: int, kill_at: float | None = None, count: int = 0) -> dict:
    start = time.monotonic()
    proc = dlcourse(project, "grade", S.LESSON, "--jobs", str(jobs), "--no-progress", "--force", *LIMITS)
    peak = 0
    results = project / "course" / ".grade-state" / S.LESSON / "results"
    killed = False
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        if kill_at is not None and not killed and len(list(results.glob("*.json"))) >= kill_at * count:
            os.killpg(proc.pid, signal.SIGKILL)
            killed = True
        time.sleep(0.5)
    out, err = proc.communicate()
    return {"jobs": jobs, "seconds": time.monotonic() - start, "peak_mb": peak / 2**20, "rc": proc.returncode,
            "stdout": out, "stderr": err, "killed": killed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--kill-at", type=float, default=None, help="SIGKILL the run after this share is graded")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR (kept) instead of a temporary folder")
    args = parser.parse_args()
    from dlcourse.autograde.containment import probe
    from conftest import copy_course

    box = probe(2)
    hostile_ok = box.nproc_enforced and box.memory_cgroup is not None or bool(box.users)
    print(f"containment: {box.describe()}\nhostile submissions: {'yes' if hostile_ok else 'no (not contained)'}")
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="grading-load-"))
    project = copy_course(base / "project") if not (base / "project").exists() else base / "project"
    subprocess.run([sys.executable, "-m", "dlcourse", "--project", str(project), "release", S.LESSON], check=True,
                   capture_output=True)
    inbox = generate(project, args.count, hostile_ok)
    subprocess.run([sys.executable, "-m", "dlcourse", "--project", str(project), "collect", S.LESSON, str(inbox)],
                   check=True, capture_output=True)
    runs = []
    for jobs in args.jobs:
        run = timed_grade(project, jobs, args.kill_at, args.count)
        runs.append(run)
        print(f"--jobs {jobs}: {run['seconds']:.1f} s, {args.count / run['seconds'] * 60:.1f} submissions/min, "
              f"peak memory {run['peak_mb']:.0f} MB (grader, workers and kernels), exit {run['rc']}"
              + (" (SIGKILLed)" if run["killed"] else ""))
        if run["killed"]:
            results = project / "course" / ".grade-state" / S.LESSON / "results"
            before = len(list(results.glob("*.json")))
            again = dlcourse(project, "grade", S.LESSON, "--jobs", str(jobs), "--no-progress", *LIMITS)
            out, _ = again.communicate()
            after = sorted(p.stem for p in results.glob("*.json"))
            print(f"resumed: {before} results before, {len(after)} after; last line: {out.strip().splitlines()[-2]}")
    if len(runs) == 2 and not any(r["killed"] for r in runs):
        few, many = sorted(runs, key=lambda r: r["jobs"])  # whichever order they ran in
        print(f"speed-up --jobs {many['jobs']} over --jobs {few['jobs']}: {few['seconds'] / many['seconds']:.2f}x")
    flags = json.loads(json.dumps([r["stdout"].count("\n  s") for r in runs]))
    print(f"flag lines per run: {flags}; workdir: {base}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
