"""`dlcourse`: the instructor's command (release, check, collect, grade, feedback, export, report, status)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from . import say
from .autograde.limits import Limits
from .errors import CourseError
from .lean import without_server_extensions
from .project import Project, find_project
from .syllabus import load_syllabus, resolve_lessons

if TYPE_CHECKING:
    from .feedback.pages import FeedbackRun

EPILOG = "Run `dlcourse COMMAND --help` for a command's options. The course guide is course/README.md."


def lesson_ids(project: Project, names: list[str]) -> list[str]:
    """Expand a unique prefix ('01' or '01-lin') to the syllabus id; other names pass through unchanged."""
    ids = [lesson.id for lesson in load_syllabus(project)]
    out = []
    for name in names:
        bare = name.strip("/").split("/")[-1]
        matches = [i for i in ids if i.startswith(bare)]
        out.append(matches[0] if bare not in ids and len(matches) == 1 else name)
    return out


def _lessons(project: Project, names: list[str]):
    return resolve_lessons(project, lesson_ids(project, names))


def _one_lesson(project: Project, name: str):
    return _lessons(project, [name])[0]


def cmd_release(args: argparse.Namespace, project: Project) -> int:
    """Regenerate lessons/ from solutions/ and verify nothing leaked."""
    from .release.release import release

    lessons = _lessons(project, args.lessons)
    changed = release(project, lessons, progress=not args.no_progress)
    for lesson, files in changed.items():
        print(f"released {lesson}: {', '.join(files) if files else 'unchanged'}; "
              "no solution or hidden test in the student version")
    touched = [lesson for lesson, files in changed.items() if files]
    print(say.paragraph(
        f"Released {say.count(len(lessons), 'lesson')}: {say.count(len(touched), 'lesson')} changed in lessons/, "
        "nothing leaked, and the gradebook records every graded cell.",
        f"Next: `dlcourse check {' '.join(touched)}`, then commit solutions/ and lessons/ together." if touched
        else "Nothing changed, so there is nothing to commit. Next: hand out lessons/ and, once learners submit, "
        "`dlcourse collect LESSON SOURCE`."))
    return 0


def cmd_check(args: argparse.Namespace, project: Project) -> int:
    """Prove each lesson's grader: solution passes, blank fails, lessons/ in sync, metadata sane."""
    from .release.check import check_lessons

    lessons = _lessons(project, args.lessons)
    start = time.monotonic()
    failed = []
    for lesson, problems, took in check_lessons(project, lessons, execute=not args.static, jobs=args.jobs,
                                                progress=not args.no_progress):
        print(f"{'FAIL' if problems else 'ok  '} {lesson.id} ({took:.1f} s)")
        for problem in problems:
            print(f"  - {problem}")
        if problems:
            failed.append(lesson.id)
    what = "metadata, sync and leaks" if args.static else "metadata, sync, leaks, solution and blank version"
    print(say.paragraph(
        f"Checked {say.count(len(lessons), 'lesson')} ({what}) in {time.monotonic() - start:.1f} s:",
        f"{len(lessons) - len(failed)} ok, {len(failed)} failed ({say.names(failed)})." if failed else "all ok.",
        "Next: fix each problem listed above, then run `dlcourse check` on those lessons again (course/README.md, "
        "Troubleshooting, explains each message)." if failed else
        "Next: commit solutions/ and lessons/ together; learners can start."))
    return 1 if failed else 0


def cmd_collect(args: argparse.Namespace, project: Project) -> int:
    """Import submissions from a folder or zip."""
    from .autograde.collect import collect

    lesson = _one_lesson(project, args.lesson)
    result = collect(project, lesson, Path(args.source))
    print(f"collected {len(result.imported)} submission(s) for {lesson.id} into "
          f"{project.submitted}: {', '.join(result.imported) or 'none'}")
    if result.skipped:
        print(f"skipped {len(result.skipped)} file(s):", file=sys.stderr)
        for name, why in result.skipped:
            print(f"  {name}: {why}", file=sys.stderr)
    print(say.paragraph(
        f"Read {say.count(result.files, 'file')} from {args.source}: {len(result.imported)} imported, "
        f"{len(result.skipped)} skipped (each with its reason above).",
        "Nothing was collected: check that the files are named by student id (<student>.ipynb or "
        "<student>/<notebook>.ipynb) and belong to this lesson." if not result.imported else
        f"Next: `dlcourse grade {lesson.id}`" + (", and ask the learners whose files were skipped for a "
                                                   "readable notebook of this lesson." if result.skipped else ".")))
    return 1 if (args.strict and result.skipped) or not result.imported else 0


def cmd_grade(args: argparse.Namespace, project: Project) -> int:
    """Autograde submissions in parallel and print the summary table."""
    from .autograde.grade import grade
    from .reports.summary import grade_paragraph, summary_table

    if args.cluster and args.jobs is not None:
        raise CourseError(f"--jobs {args.jobs} grades on this machine; with --cluster {args.cluster} each Dask "
                          "worker thread grades one submission at a time (local:N starts N of them)")
    lesson = _one_lesson(project, args.lesson)
    limits = Limits(memory_mb=args.memory_mb, cpu_s=args.cpu_seconds, wall_s=args.notebook_timeout,
                    file_mb=args.file_mb, max_procs=args.max_procs)
    start = time.monotonic()
    run = grade(project, lesson, jobs=args.jobs or 2, limits=limits, force=args.force,
                cell_timeout=args.cell_timeout, progress=not args.no_progress, students=args.student,
                dry_run=args.dry_run, cluster=args.cluster,
                announce=lambda text: print(f"containment: {text}", file=sys.stderr, flush=True),
                uncontained=args.uncontained)
    if args.dry_run:
        print(say.paragraph(
            f"Dry run: would grade {say.count(len(run.would_grade), 'submission')} of {lesson.id}"
            + (f" ({say.names(run.would_grade)})" if run.would_grade else "") + ";",
            f"{len(run.skipped)} unchanged since the last run;",
            f"{len(run.failed)} cannot be graded ({say.names(run.failed)})." if run.failed else "none failed.",
            "Nothing was run or written."))
        return 0
    print(summary_table(project, lesson.id, run))
    print(f"\n{len(run.graded)} graded, {len(run.skipped)} unchanged since the last run, "
          f"{len(run.failed)} failed, in {time.monotonic() - start:.1f} s")
    if run.containment:
        print(f"containment: {run.containment}")
    print(grade_paragraph(project, lesson.id, run))
    return 1 if run.failed else 0


def cmd_feedback(args: argparse.Namespace, project: Project) -> int:
    """Write feedback HTML per student."""
    from .feedback.pages import feedback

    lesson = _one_lesson(project, args.lesson)
    run = feedback(project, lesson, students=args.student, progress=not args.no_progress)
    print(f"wrote {len(run.pages)} feedback page(s) under {project.feedback}")
    if run.pending:
        print("manual grades pending (shown as pending on the page):")
        for student, cells in run.pending.items():
            print(f"  {student}: {', '.join(cells)}")
    if run.failed:
        print("no feedback page (not graded):")
        for student, why in run.failed.items():
            print(f"  {student}: {why}")
    print(feedback_paragraph(lesson.id, run))
    return 0


def feedback_paragraph(lesson: str, run: FeedbackRun) -> str:
    """What `feedback` wrote, who got no page and what to do next (each sentence starts with a capital)."""
    steps = [
        "grade the pending answers in formgrader and run `dlcourse feedback` again" if run.pending else "",
        "fix or re-collect the failed submissions and grade them" if run.failed else "",
        "send the pages through your LMS or `nbgrader release_feedback`.",
    ]
    return say.paragraph(
        f"Wrote {say.count(len(run.pages), 'page')} for {lesson}:",
        f"{say.count(len(run.pending), 'student')} waiting for a manual grade;" if run.pending else "",
        f"{say.count(len(run.failed), 'student')} got no page ({say.names(run.failed)})." if run.failed else
        "every graded student has a page.",
        "Next: " + "; ".join(step for step in steps if step))


def cmd_export(args: argparse.Namespace, project: Project) -> int:
    """Write the grades CSVs (per student and per exercise)."""
    from .reports.export import export

    lessons = _lessons(project, args.lessons)
    done = export(project, lessons, Path(args.output) if args.output else None, force=args.force,
                  progress=not args.no_progress)
    print(f"wrote {done.rows} row(s) to {done.path}")
    print(f"wrote {done.students} student row(s) to {done.students_path}")
    if done.failed:
        print("failed submissions (rows with status 'failed'):")
        for lesson, student, why in done.failed:
            print(f"  {lesson} {student}: {why}")
    print(say.paragraph(
        f"Exported {say.count(len(lessons), 'lesson')} for {say.count(done.students, 'student')}.",
        f"{say.count(len(done.pending), 'manual grade')} pending (written as 'pending', not 0);" if done.pending
        else "No manual grade is pending;",
        f"{say.count(len(done.failed), 'submission')} failed (listed with the reason)." if done.failed else
        "no submission failed.",
        "Next: upload the per-student file to your LMS" + (" once the pending grades are in." if done.pending
                                                          else ".")))
    return 0


def cmd_report(args: argparse.Namespace, project: Project) -> int:
    """Write the class report."""
    from .reports.report import report

    path = report(project, _one_lesson(project, args.lesson), top=args.top)
    print(f"wrote {path} and {path.with_name('scores.png')}")
    print(path.read_text(encoding="utf-8"))
    return 0


def cmd_status(args: argparse.Namespace, project: Project) -> int:
    """Print where each lesson stands; exit 1 when something needs the instructor."""
    from .reports.status import status

    text, needs_you = status(project, _lessons(project, args.lessons))
    print(text)
    return 1 if needs_you else 0


def at_least(low: int) -> Callable[[str], int]:
    """An argparse type: a whole number >= low, refused with a message that names what was given."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {low}, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {low}, got {value}")
        return value

    parse.__name__ = f"number >= {low}"
    return parse


def cluster_spec(text: str) -> str:
    """An argparse type: local:N or a Dask scheduler address (dlcourse.autograde.cluster.parse_cluster)."""
    from .autograde.cluster import parse_cluster

    try:
        return parse_cluster(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def student_id(text: str) -> str:
    """An argparse type: a student id as `collect` accepts it."""
    from .autograde.collect import check_student_id

    try:
        check_student_id(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    def of(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    return f"dlcourse {of('dlcourse')} (nbgrader {of('nbgrader')}, Python {sys.version.split()[0]})"


def _add_lessons(p: argparse.ArgumentParser) -> None:
    p.add_argument("lessons", nargs="*", metavar="LESSON",
                   help="lesson ids or unique prefixes such as 01 (default: every syllabus lesson)")


def _add_progress(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with --help on every sub-command."""
    parser = argparse.ArgumentParser(prog="dlcourse", description=__doc__, epilog=EPILOG)
    parser.add_argument("--version", action="version", version=_version())
    parser.add_argument("--project", metavar="DIR", help="course checkout (default: $DLCOURSE_PROJECT, else the "
                        "nearest folder above the current one that holds course/nbgrader_config.py)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("release", help="regenerate student notebooks in lessons/ from solutions/",
                       description="Generate each lesson's student version into lessons/ (byte-identical when "
                       "nothing changed), record its cells in the gradebook, and refuse to publish if any "
                       "solution line or hidden test would leak.")
    _add_lessons(p)
    _add_progress(p)
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("check", help="prove each lesson's grader right",
                       description="For each lesson: metadata is sane (unique grade ids, points > 0, every answer "
                       "followed by a test with hidden tests), syllabus points match, lessons/ is in sync with "
                       "solutions/, nothing leaks, the solution passes every test and the blank student version "
                       "fails every autograded test. Exit status 1 if any lesson fails.")
    _add_lessons(p)
    p.add_argument("--static", action="store_true", help="skip executing notebooks (metadata, sync, leaks only)")
    p.add_argument("-j", "--jobs", type=at_least(1), default=2, help="notebooks executed at once (default: 2)")
    _add_progress(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("collect", help="import submissions from a folder or zip",
                       description="Import notebooks named by student id (<student>.ipynb, or "
                       "<student>/<notebook>.ipynb) from a folder or a zip, as an LMS exports them, into "
                       "course/submitted/. Every file not imported is listed with the reason.")
    p.add_argument("lesson", metavar="LESSON")
    p.add_argument("source", metavar="SOURCE", help="folder or .zip of submissions")
    p.add_argument("--strict", action="store_true", help="exit with status 1 if any file was skipped")
    p.set_defaults(func=cmd_collect)

    p = sub.add_parser("grade", help="autograde submissions in parallel",
                       description="Autograde every collected submission in parallel worker processes, each "
                       "under resource limits. Results are committed one by one, so an interrupted run resumes "
                       "where it stopped; unchanged submissions are not graded twice.")
    p.add_argument("lesson", metavar="LESSON")
    p.add_argument("-j", "--jobs", type=at_least(1), default=None,
                   help="parallel workers on this machine (default: 2)")
    p.add_argument("--cluster", type=cluster_spec, metavar="ADDRESS", default=None,
                   help="grade on a Dask cluster: its scheduler's address (tcp://host:8786), or local:N to start "
                   "N worker processes here; the gradebook stays on this machine (course/README.md, Large classes)")
    p.add_argument("--student", action="append", type=student_id, metavar="ID",
                   help="grade only this student (repeat for several)")
    p.add_argument("--dry-run", action="store_true", help="say what would be graded; run and write nothing")
    p.add_argument("--force", action="store_true", help="regrade every submission, changed or not")
    p.add_argument("--cell-timeout", type=at_least(1), default=None,
                   help="seconds per cell (default: nbgrader_config.py)")
    d = Limits()  # the one place the defaults are written
    p.add_argument("--notebook-timeout", type=at_least(1), default=d.wall_s,
                   help=f"wall seconds per notebook (default: {d.wall_s})")
    p.add_argument("--memory-mb", type=at_least(64), default=d.memory_mb,
                   help=f"address-space limit per process (default: {d.memory_mb})")
    p.add_argument("--cpu-seconds", type=at_least(1), default=d.cpu_s,
                   help=f"CPU-time limit per process (default: {d.cpu_s})")
    p.add_argument("--file-mb", type=at_least(1), default=d.file_mb,
                   help=f"largest file a notebook may write (default: {d.file_mb})")
    p.add_argument("--max-procs", type=at_least(1), default=d.max_procs,
                   help=f"processes and threads a notebook's kernel may run (default: {d.max_procs})")
    p.add_argument("--uncontained", action="store_true",
                   help="as root, grade even when the kernel cannot be contained (refused otherwise)")
    _add_progress(p)
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("feedback", help="write an HTML feedback page per student",
                       description="Write course/feedback/<student>/<lesson>/<notebook>.html: the grader's "
                       "verdict per exercise at the top (pending manual grades as pending), the notebook below, "
                       "hidden tests removed, learner output sanitised, maths rendered offline.")
    p.add_argument("lesson", metavar="LESSON")
    p.add_argument("--student", action="append", type=student_id, metavar="ID",
                   help="only this student's pages (repeat for several)")
    _add_progress(p)
    p.set_defaults(func=cmd_feedback)

    p = sub.add_parser("export", help="write grades as CSV (per student, and per student x exercise)",
                       description="Write the per-exercise CSV (lesson, student, exercise, points, max points, "
                       "status, diagnosis) and, beside it, <name>-by-student.csv with each student's points per "
                       "lesson and in total. Pending manual grades read 'pending'; failed submissions are listed. "
                       "A file is never replaced by one with fewer rows, or by one that drops a lesson it holds, "
                       "unless --force is given.")
    _add_lessons(p)
    p.add_argument("-o", "--output", metavar="CSV", help="output file (default: course/reports/grades.csv)")
    p.add_argument("--force", action="store_true",
                   help="replace an existing file even if it has more rows, or lessons this export lacks")
    _add_progress(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("report", help="write a class report (distribution, pass rates, common mistakes)",
                       description="Write course/reports/<lesson>/report.md and scores.png: the score "
                       "distribution, the full-marks rate per exercise and the most common diagnosed mistakes.")
    p.add_argument("lesson", metavar="LESSON")
    p.add_argument("--top", type=at_least(1), default=5, help="how many common mistakes to list (default: 5)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("status", help="where each lesson stands, and what needs you",
                       description="One table: per lesson, released or not and how many submissions are "
                       "collected, graded and have feedback; then every failed or flagged submission with its "
                       "reason and every pending manual grade. Exit status 1 when anything needs the instructor.")
    _add_lessons(p)
    p.set_defaults(func=cmd_status)
    return parser


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run a sub-command; misuse prints one clear line and exits with status 2."""
    without_server_extensions()
    args = build_parser().parse_args(argv)
    # Ctrl-C and a CI job's SIGTERM both stop the workers and keep every committed result (see grade.py),
    # even when the shell started us with SIGINT ignored (a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        project = find_project(args.project)
        return args.func(args, project)
    except CourseError as exc:
        print(f"dlcourse {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"dlcourse {args.command}: interrupted; committed work is kept, run the command again to resume",
              file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `dlcourse status | head`: the reader left; say nothing more (Python's documented recipe).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
