"""dlcourse: the instructor's command-line tooling for the dlkit course (release, check, grade, report)."""

__version__ = "0.1.0"
