"""The one exception type the CLI turns into a clear message (never a traceback) and exit status 2."""


class CourseError(Exception):
    """A misuse or a broken course file; the message names the path involved."""
