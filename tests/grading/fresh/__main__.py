"""Run the fresh set through dlgrade's check and report how well the feedback fits.

    python -m tests.grading.fresh                 # everything, 2 worker processes
    python -m tests.grading.fresh --lesson 03     # one lesson
    python -m tests.grading.fresh --jobs 1 --json /tmp/fresh.json

For every entry: check(name, obj), then check(name, obj, hidden=True) if the visible run passed.
Wrong answers: caught = fails visible or hidden; named = the failing message contains one of the
entry's expected phrases; full marks = passes both. Correct answers: a false alarm is any failure.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import subprocess
import sys
import time
from collections import defaultdict

from ._fresh import Outcome, first_lines, load_entries, run_entry


def _work(index: int) -> dict:
    entry = load_entries()[index]
    out = run_entry(entry)
    return {"index": index, "passed_visible": out.passed_visible, "passed_hidden": out.passed_hidden,
            "message": out.message, "failed_in": out.failed_in, "error": out.error, "seconds": out.seconds}


def run_all(entries=None, jobs: int = 2, progress: bool = False) -> list[Outcome]:
    all_entries = load_entries()
    wanted = all_entries if entries is None else entries
    indices = [all_entries.index(e) for e in wanted]
    results: dict[int, dict] = {}
    if jobs > 1:
        ctx = mp.get_context("fork")
        with ctx.Pool(jobs, maxtasksperchild=20) as pool:
            for k, res in enumerate(pool.imap_unordered(_work, indices), 1):
                results[res["index"]] = res
                if progress:
                    print(f"\r{k}/{len(indices)}", end="", file=sys.stderr, flush=True)
    else:
        for k, i in enumerate(indices, 1):
            results[i] = _work(i)
            if progress:
                print(f"\r{k}/{len(indices)}", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    outcomes = []
    for i in indices:
        r = results[i]
        out = Outcome(all_entries[i])
        for key in ("passed_visible", "passed_hidden", "message", "failed_in", "error", "seconds"):
            setattr(out, key, r[key])
        outcomes.append(out)
    return outcomes


def summarize(outcomes: list[Outcome]) -> dict:
    rows: dict[str, dict] = defaultdict(lambda: {"wrong": 0, "caught": 0, "named": 0, "full_marks": 0, "correct": 0,
                                                 "false_alarms": 0})
    for o in outcomes:
        for key in (o.entry.lesson, "total"):
            row = rows[key]
            if o.entry.kind == "wrong":
                row["wrong"] += 1
                row["caught"] += o.caught
                row["named"] += o.named
                row["full_marks"] += o.full_marks
            else:
                row["correct"] += 1
                row["false_alarms"] += o.caught
    return dict(sorted(rows.items(), key=lambda kv: (kv[0] == "total", kv[0])))


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}%" if b else "    –"


def report(outcomes: list[Outcome], file=sys.stdout, details: bool = True) -> None:
    rows = summarize(outcomes)
    p = lambda *a: print(*a, file=file)
    p("lesson | wrong | caught % | named % | full-marks wrong | correct | false alarms")
    p("-------|-------|----------|---------|------------------|---------|-------------")
    for lesson, r in rows.items():
        p(f"{lesson:>6} | {r['wrong']:5d} | {_pct(r['caught'], r['wrong']):>8} | {_pct(r['named'], r['wrong']):>7} | "
          f"{r['full_marks']:16d} | {r['correct']:7d} | {r['false_alarms']:12d}")
    p("(named % is over all wrong answers: caught and naming the cause)")
    if not details:
        return

    def show(o: Outcome, why: str) -> None:
        e = o.entry
        p(f"\n[{why}] {e.id}\n    what: {e.description}")
        if e.kind == "wrong":
            p(f"    expected one of: {e.expect}")
        if o.message:
            where = f" ({o.failed_in})" if o.failed_in else ""
            p(f"    message{where}:")
            for line in first_lines(o.message, 3).splitlines():
                p(f"      | {line}")

    wrong_full = [o for o in outcomes if o.entry.kind == "wrong" and o.full_marks]
    wrong_unnamed = [o for o in outcomes if o.entry.kind == "wrong" and o.caught and not o.named]
    alarms = [o for o in outcomes if o.entry.kind == "correct" and o.caught]
    crashes = [o for o in outcomes if o.error]
    p(f"\n=== wrong answers with full marks ({len(wrong_full)}) ===")
    for o in wrong_full:
        show(o, "FULL MARKS")
    p(f"\n=== wrong answers caught but the cause not named ({len(wrong_unnamed)}) ===")
    for o in wrong_unnamed:
        show(o, "NOT NAMED")
    p(f"\n=== false alarms on correct answers ({len(alarms)}) ===")
    for o in alarms:
        show(o, "FALSE ALARM")
    if crashes:
        p(f"\n=== check() raised something other than CheckFailed ({len(crashes)}) ===")
        for o in crashes:
            p(f"  {o.entry.id}: {first_lines(o.error, 1)}")


def _revision() -> str:
    """Where dlgrade was imported from, and its git revision when that is a checkout."""
    import os

    import dlgrade

    where = os.path.dirname(os.path.dirname(os.path.abspath(dlgrade.__file__)))
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=where, capture_output=True,
                              text=True, check=False).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "dlgrade"], cwd=where, capture_output=True,
                               text=True, check=False).stdout.strip()
    except OSError:
        head, dirty = "", ""
    if not head:
        return f"dlgrade from {where} (not a git checkout)"
    return f"dlgrade from {where} at {head}" + (" with uncommitted changes" if dirty else "")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.grading.fresh", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lesson", action="append", help="only this lesson (00 ... 09); may repeat")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--json", help="also write every outcome to this JSON file")
    ap.add_argument("--quiet", action="store_true", help="no progress counter")
    args = ap.parse_args(argv)

    entries = load_entries()
    if args.lesson:
        entries = [e for e in entries if e.lesson in set(args.lesson)]
    start = time.perf_counter()
    outcomes = run_all(entries, jobs=args.jobs, progress=not args.quiet)
    print(f"fresh set: {sum(e.kind == 'wrong' for e in entries)} wrong and {sum(e.kind == 'correct' for e in entries)} "
          f"correct answers; {_revision()}; {time.perf_counter() - start:.0f} s\n")
    report(outcomes)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump([{"id": o.entry.id, "exercise": o.entry.exercise, "lesson": o.entry.lesson, "kind": o.entry.kind,
                        "description": o.entry.description, "expect": o.entry.expect,
                        "passed_visible": o.passed_visible, "passed_hidden": o.passed_hidden, "caught": o.caught,
                        "named": o.named, "failed_in": o.failed_in, "message": o.message, "error": o.error,
                        "seconds": round(o.seconds, 3)} for o in outcomes], fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
