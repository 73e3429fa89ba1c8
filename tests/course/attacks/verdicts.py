"""Judge each attack and each control from a finished run, and print the table."""

from __future__ import annotations

from dataclasses import dataclass

from .catalogue import MAX_AUTO, POINTS, Attack
from .pipeline import CONTROLS, Run

HELD = "held"
SUCCEEDS = "SUCCEEDS"


@dataclass
class Row:
    """One line of the table."""

    name: str
    klass: str
    points: str      # targeted points got / at stake ("-" when the attack targets none)
    flagged: str     # "yes: <first flag>" / "failed: <reason>" / "no"
    verdict: str     # HELD or SUCCEEDS (or "helper: ..." for a colluding partner)
    detail: str = ""

    @property
    def succeeded(self) -> bool:
        return self.verdict == SUCCEEDS


def _short(text: str, n: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def flagged(run: Run, student: str) -> tuple[bool, str]:
    """Told to the instructor: a flag in the worker's result and the grade summary, or a failed grading."""
    why = run.failed(student)
    if why:
        return True, "failed: " + why
    flags = run.flags(student)
    if flags and run.in_summary(student):
        return True, "yes: " + flags[0].split(": ", 1)[-1]
    return False, "no" if not flags else "only in the result file: " + flags[0]


def judge(run: Run, attack: Attack) -> Row:
    """Held: the targeted points are 0 (or the instructor is told), and the attack's own check holds."""
    if attack.collect_only:
        held, detail = attack.check.passed(run, attack)
        return Row(attack.name, attack.klass, "-", "skipped" if held else "no", HELD if held else SUCCEEDS, detail)
    scores = run.scores(attack.student)
    told, flag_text = flagged(run, attack.student)
    got = sum(scores.get(t) or 0 for t in attack.targets)
    if attack.helper:
        total = sum(v or 0 for k, v in scores.items() if k in POINTS)
        return Row(attack.name, attack.klass, f"{total:g}/{MAX_AUTO}", flag_text, "helper",
                   "an honest partner of the attack below it")
    held = got == 0 or told
    detail = ", ".join(f"{t} {scores.get(t) if scores.get(t) is not None else '-'}" for t in attack.targets)
    if attack.check is not None:
        ok, why = attack.check.passed(run, attack)
        held = held and ok if attack.targets else ok
        detail = f"{detail}; {why}" if detail else why
    points = f"{got:g}/{attack.target_points}" if attack.targets else "-"
    return Row(attack.name, attack.klass, points, _short(flag_text), HELD if held else SUCCEEDS, detail)


def judge_control(run: Run, student: str) -> Row:
    """A control keeps exactly its points, unflagged, and its submission is untouched."""
    scores = run.scores(student)
    total = sum(v or 0 for k, v in scores.items() if k in POINTS)
    want = CONTROLS[student]
    told, flag_text = flagged(run, student)
    untouched = student not in run.changed_submissions()
    totals = run.totals(student)          # every run that graded it: before and after the attackers, or during
    steady = bool(totals) and all(t == f"{want}/{MAX_AUTO}" for t in totals.values())
    ok = total == want and steady and not told and untouched and not run.flags(student)
    detail = (f"expected {want}; graded in " + ", ".join(f"{k}: {t}" for k, t in totals.items())
              + ("" if untouched else "; its submission was changed"))
    return Row(student, "control", f"{total:g}/{MAX_AUTO}", flag_text, "ok" if ok else "DISTURBED", detail)


def table(rows: list[Row]) -> str:
    """The rows as an aligned text table, with a line of totals."""
    head = ("attack", "class", "points", "flagged", "verdict")
    cells = [head] + [(r.name, r.klass, r.points, r.flagged, r.verdict) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    lines = ["  ".join(c[i].ljust(widths[i]) for i in range(len(head))).rstrip() for c in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
