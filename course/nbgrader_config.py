"""nbgrader configuration for the dlcourse course (read by `dlcourse` and by the plain `nbgrader` command).

Every path is relative to this file, so the course works from any checkout on any machine.
"""
import os

c = get_config()  # noqa: F821 - injected by traitlets when it loads this file

# The course root is the folder holding this file; instructors only edit ../solutions, students get ../lessons.
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "dlcourse"
c.CourseDirectory.source_directory = "../solutions"
c.CourseDirectory.release_directory = "../lessons"
# submitted/, autograded/, feedback/ and gradebook.db stay in the course root (git-ignored).

# Pin the kernel: a submission's own kernelspec metadata never chooses what runs it.
c.Execute.kernel_name = "python3"
c.ExecutePreprocessor.kernel_name = "python3"
# Per-cell limit: every lesson cell runs in seconds; a runaway loop costs one cell, not the whole class.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
c.Execute.execute_retries = 0

# Output limits: a print in a loop must not make the autograded notebook or its feedback huge.
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100

# A learner who deletes a test cell gets it back (and is graded by it) instead of silently skipping it.
c.OverwriteCells.add_missing_cells = True

# Student stubs: what an unanswered exercise does when run.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Feedback shows the learner their score and the diagnosis, never a hidden test's code:
# HideHiddenTests removes the hidden regions and trims tracebacks to the final message.
c.GenerateFeedback.preprocessors = [
    "dlcourse.feedback.hide_hidden.HideHiddenTests",
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# Files that never travel with a lesson.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".DS_Store"]

# Kernels run with an in-memory history (no sqlite file per run) and without ipykernel's startup chatter.
c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"]
