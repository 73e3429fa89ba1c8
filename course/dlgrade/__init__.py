"""Learner-facing checks that compare a learner's function with dlkit and explain mistakes.

In a notebook test cell::

    from dlgrade import check
    check("linreg.predict", predict)                # ✓ summary, or CheckFailed with a diagnosis
    check("linreg.predict", predict, hidden=True)   # the same checks on other seeds and shapes

``grade(name, fn, points=...)`` returns partial credit for nbgrader; ``numerical_gradient``
and ``rel_error`` help learners debug their own backward passes.
"""
from .check import Score, check, grade
from .errors import CheckFailed
from .harness.guard import ReferenceBlocked
from .numgrad import numerical_gradient, rel_error
from .registry import exercise_names, get_exercise

__all__ = [
    "check", "grade", "Score", "CheckFailed", "ReferenceBlocked",
    "numerical_gradient", "rel_error", "exercise_names", "get_exercise",
]
