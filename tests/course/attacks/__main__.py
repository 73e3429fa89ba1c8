"""`python -m tests.course.attacks`: run the attack suite and print the table (see the package docstring)."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from . import select
from .pipeline import CONTROLS, keep, run_suite
from .verdicts import SUCCEEDS, judge, judge_control, table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.course.attacks", description=__doc__)
    parser.add_argument("--only", action="append", metavar="ATTACK", help="run only this attack (repeat)")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temporary folder)")
    parser.add_argument("--quiet", action="store_true", help="do not print each command as it starts")
    args = parser.parse_args(argv)
    attacks = select(args.only)
    say = (lambda line: None) if args.quiet else (lambda line: print("…", line, file=sys.stderr, flush=True))
    with tempfile.TemporaryDirectory(prefix="dlcourse-attacks-") as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        run = run_suite(folder, attacks, say)
        if args.keep:
            keep(run, folder / "run.json")
        rows = [judge(run, a) for a in attacks]
        controls = [judge_control(run, s) for s in CONTROLS]
        print(table(rows + controls))
        graded = [a for a in attacks if not a.collect_only and not a.helper]
        print(f"\n{len(attacks)} attacks ({len(graded)} graded notebooks, {len(attacks) - len(graded)} other), "
              f"{len(controls)} controls, in {run.seconds:.0f} s; project: {run.root if args.keep else '(removed)'}")
        wins = [r for r in rows if r.verdict == SUCCEEDS]
        bad = [r for r in controls if r.verdict != "ok"]
        for r in wins:
            print(f"\nSUCCEEDS {r.name} ({r.klass}): {r.detail}")
        for r in bad:
            print(f"\nCONTROL DISTURBED {r.name}: {r.points} ({r.detail}); {r.flagged}")
        for r in rows:
            if r.verdict != SUCCEEDS and r.detail:
                print(f"  held {r.name}: {r.detail}")
    return 1 if wins or bad else 0


if __name__ == "__main__":
    sys.exit(main())
