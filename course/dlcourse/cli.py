"""`dlcourse`: the instructor's command (release, check, collect, grade, feedback, export, report)."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

from .autograde.limits import Limits
from .errors import CourseError
from .project import Project, find_project
from .syllabus import resolve_lessons

EPILOG = "Run `dlcourse COMMAND --help` for a command's options. The course guide is course/README.md."


def _one_lesson(project: Project, name: str):
    return resolve_lessons(project, [name])[0]


def cmd_release(args: argparse.Namespace, project: Project) -> int:
    """Regenerate lessons/ from solutions/ and verify nothing leaked."""
    from .release.release import release

    for lesson, changed in release(project, resolve_lessons(project, args.lessons)).items():
        what = ", ".join(changed) if changed else "unchanged"
        print(f"released {lesson}: {what}; no solution or hidden test in the student version")
    return 0


def cmd_check(args: argparse.Namespace, project: Project) -> int:
    """Prove each lesson's grader: solution passes, blank fails, lessons/ in sync, metadata sane."""
    from .release.check import check_lesson

    failed = 0
    for lesson in resolve_lessons(project, args.lessons):
        start = time.monotonic()
        problems = check_lesson(project, lesson, execute=not args.static)
        took = time.monotonic() - start
        if problems:
            failed += 1
            print(f"FAIL {lesson.id} ({took:.1f} s)")
            for problem in problems:
                print(f"  - {problem}")
        else:
            print(f"ok   {lesson.id} ({took:.1f} s)")
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
    return 1 if (args.strict and result.skipped) or not result.imported else 0


def cmd_grade(args: argparse.Namespace, project: Project) -> int:
    """Autograde submissions in parallel and print the summary table."""
    from .autograde.grade import grade
    from .reports.summary import summary_table

    lesson = _one_lesson(project, args.lesson)
    limits = Limits(memory_mb=args.memory_mb, cpu_s=args.cpu_seconds, wall_s=args.notebook_timeout,
                    file_mb=args.file_mb, max_procs=args.max_procs)
    start = time.monotonic()
    run = grade(project, lesson, jobs=args.jobs, limits=limits, force=args.force, cell_timeout=args.cell_timeout,
                progress=not args.no_progress)
    print(summary_table(project, lesson.id, run))
    print(f"\n{len(run.graded)} graded, {len(run.skipped)} unchanged since the last run, "
          f"{len(run.failed)} failed, in {time.monotonic() - start:.1f} s")
    if run.containment:
        print(f"containment: {run.containment}")
    return 1 if run.failed else 0


def cmd_feedback(args: argparse.Namespace, project: Project) -> int:
    """Write feedback HTML per student."""
    from .feedback.pages import feedback

    pages = feedback(project, _one_lesson(project, args.lesson))
    print(f"wrote {len(pages)} feedback page(s) under {project.feedback}")
    return 0


def cmd_export(args: argparse.Namespace, project: Project) -> int:
    """Write the grades CSV."""
    from .reports.export import export

    path, count = export(project, resolve_lessons(project, args.lessons), Path(args.output) if args.output else None)
    print(f"wrote {count} row(s) to {path}")
    return 0


def cmd_report(args: argparse.Namespace, project: Project) -> int:
    """Write the class report."""
    from .reports.report import report

    path = report(project, _one_lesson(project, args.lesson), top=args.top)
    print(f"wrote {path} and {path.with_name('scores.png')}")
    print(path.read_text(encoding="utf-8"))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with --help on every sub-command."""
    parser = argparse.ArgumentParser(prog="dlcourse", description=__doc__, epilog=EPILOG)
    parser.add_argument("--project", metavar="DIR", help="course checkout (default: $DLCOURSE_PROJECT, else the "
                        "nearest folder above the current one that holds course/nbgrader_config.py)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("release", help="regenerate student notebooks in lessons/ from solutions/",
                       description="Generate each lesson's student version into lessons/ (byte-identical when "
                       "nothing changed), record its cells in the gradebook, and refuse to publish if any "
                       "solution line or hidden test would leak.")
    p.add_argument("lessons", nargs="*", metavar="LESSON", help="lesson ids (default: every syllabus lesson)")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("check", help="prove each lesson's grader right",
                       description="For each lesson: metadata is sane (unique grade ids, points > 0, every answer "
                       "followed by a test with hidden tests), syllabus points match, lessons/ is in sync with "
                       "solutions/, nothing leaks, the solution passes every test and the blank student version "
                       "fails every autograded test. Exit status 1 if any lesson fails.")
    p.add_argument("lessons", nargs="*", metavar="LESSON", help="lesson ids (default: every syllabus lesson)")
    p.add_argument("--static", action="store_true", help="skip executing notebooks (metadata, sync, leaks only)")
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
    p.add_argument("-j", "--jobs", type=int, default=2, help="parallel workers (default: 2)")
    p.add_argument("--force", action="store_true", help="regrade every submission, changed or not")
    p.add_argument("--cell-timeout", type=int, default=None, help="seconds per cell (default: nbgrader_config.py)")
    d = Limits()  # the one place the defaults are written
    p.add_argument("--notebook-timeout", type=int, default=d.wall_s,
                   help=f"wall seconds per notebook (default: {d.wall_s})")
    p.add_argument("--memory-mb", type=int, default=d.memory_mb,
                   help=f"address-space limit per process (default: {d.memory_mb})")
    p.add_argument("--cpu-seconds", type=int, default=d.cpu_s, help=f"CPU-time limit per process (default: {d.cpu_s})")
    p.add_argument("--file-mb", type=int, default=d.file_mb,
                   help=f"largest file a notebook may write (default: {d.file_mb})")
    p.add_argument("--max-procs", type=int, default=d.max_procs,
                   help=f"processes and threads a notebook's kernel may run (default: {d.max_procs})")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("feedback", help="write an HTML feedback page per student",
                       description="Write course/feedback/<student>/<lesson>/<notebook>.html with scores and "
                       "diagnoses; hidden tests and their traceback lines are removed.")
    p.add_argument("lesson", metavar="LESSON")
    p.set_defaults(func=cmd_feedback)

    p = sub.add_parser("export", help="write grades as CSV (one row per student x exercise)",
                       description="Write a CSV with lesson, student, exercise, points, max points, whether a "
                       "manual grade is pending, and the grading toolkit's diagnosis of a failing test.")
    p.add_argument("lessons", nargs="*", metavar="LESSON", help="lesson ids (default: every syllabus lesson)")
    p.add_argument("-o", "--output", metavar="CSV", help="output file (default: course/reports/grades.csv)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("report", help="write a class report (distribution, pass rates, common mistakes)",
                       description="Write course/reports/<lesson>/report.md and scores.png: the score "
                       "distribution, the full-marks rate per exercise and the most common diagnosed mistakes.")
    p.add_argument("lesson", metavar="LESSON")
    p.add_argument("--top", type=int, default=5, help="how many common mistakes to list (default: 5)")
    p.set_defaults(func=cmd_report)
    return parser


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run a sub-command; misuse prints one clear line and exits with status 2."""
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


if __name__ == "__main__":
    sys.exit(main())
