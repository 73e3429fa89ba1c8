"""dlcourse: the instructor's command-line tooling for the dlkit course (release, check, grade, report)."""

import sys

__version__ = "0.1.0"

# jsonschema (imported by nbformat in every dlcourse process, one per graded submission) also imports
# rfc3987_syntax when it is installed (JupyterLab's jupyter-events pulls it in), which compiles a grammar at
# import: 1-8 s per process. It only checks the "iri" string format, which no notebook schema uses.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
