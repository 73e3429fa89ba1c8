"""The attack suite of issue #19 (item 8): learners' submissions of lesson 01 written to take points they have
not earned, or to reach what a graded kernel must not reach, each graded through the instructor's real commands
(`dlcourse collect` → `grade` → `feedback` → `export`) beside honest controls graded before, during and after.

    python -m tests.course.attacks            # run it all, print the table (exit 1 if an attack got through)
    python -m tests.course.attacks --only read-secret --only fake-reply    # a few

`tests/course/test_attacks.py` runs the same suite under pytest (slow). Each module holds one class of attack;
`catalogue.py` says what an attack is and when it has failed; `pipeline.py` runs the commands; `verdicts.py`
judges and prints.
"""

from __future__ import annotations

from . import (
    collect,
    collusion,
    credit,
    expected,
    feedback,
    files,
    forged,
    lockout,
    oracle,
    resources,
    round2,
    tamper,
)
from .catalogue import Attack

ATTACKS: list[Attack] = [
    *expected.ATTACKS, *lockout.ATTACKS, *tamper.ATTACKS, *forged.ATTACKS, *credit.ATTACKS, *files.ATTACKS,
    *collusion.ATTACKS, *feedback.ATTACKS, *collect.ATTACKS, *oracle.ATTACKS, *resources.ATTACKS,
    *round2.ATTACKS,
]
assert len({a.name for a in ATTACKS}) == len(ATTACKS), "attack names must be unique"


def select(names: list[str] | None) -> list[Attack]:
    """The attacks named (with their colluding partners), or all of them."""
    if not names:
        return list(ATTACKS)
    unknown = set(names) - {a.name for a in ATTACKS}
    if unknown:
        raise SystemExit(f"unknown attack(s): {', '.join(sorted(unknown))}")
    groups = {a.group for a in ATTACKS if a.name in names and a.group != "main"}
    return [a for a in ATTACKS if a.name in names or a.group in groups]
