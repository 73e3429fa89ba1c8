"""A fresh set of learner answers, wrong and correct, written from the student notebooks only.

Used to measure whether dlgrade's feedback is right on mistakes its own catalogue has never seen.
Run ``python -m tests.grading.fresh`` from the repository root; ``tests/grading/test_fresh.py`` runs it too.
"""
