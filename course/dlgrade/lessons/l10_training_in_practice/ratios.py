"""Lesson 10, sanity checks before training (3 of 3): update ratios.

- sanity.update_ratios(before, after) -> ratios (L,): ‖after_k − before_k‖ / ‖before_k‖ for each parameter array,
  the size of one optimizer step relative to the weights it changes.
"""


import numpy as np

from ...harness.guard import reference
from ...registry import Case, Exercise, KnownMistake, Output, register
from .._draw import F32_RTOL

# ----------------------------------------------------------------------------------------------- update ratios

# Per case: the shapes of the parameter arrays (weights (out, in), biases), the typical size of each step
# relative to its array (1e-1 to 1e-5), one float32 case and one with a single array.
_RATIOS = ([([(4, 3), (4,), (2, 4), (2,)], [1e-3, 1e-2, 1e-4, 1e-1], "float64"), ([(3, 5)], [1e-3], "float64"),
            ([(6, 4), (6,), (3, 6), (3,)], [1e-2, 1e-5, 1e-3, 1e-3], "float32"),
            ([(2, 7), (5, 2), (5,)], [1e-1, 1e-3, 1e-2], "float64")],
           [([(5, 2), (5,), (3, 5), (3,)], [1e-2, 1e-3, 1e-1, 1e-4], "float64"), ([(4, 4)], [1e-2], "float64"),
            ([(3, 6), (3,), (4, 3)], [1e-3, 1e-2, 1e-5], "float32"),
            ([(7, 3), (7,), (2, 7), (2,)], [1e-4, 1e-1, 1e-3, 1e-2], "float64")])


@reference("sanity.update_ratios reference")
def update_ratios(before, after):
    """‖after_k − before_k‖ / ‖before_k‖ for every parameter array."""
    return np.array([np.linalg.norm(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))
                     / np.linalg.norm(np.asarray(b, dtype=np.float64)) for b, a in zip(before, after)])


def _ratio_cases(rng: np.random.Generator, hidden: bool) -> list:
    cases = []
    for shapes, scales, dtype in _RATIOS[1] if hidden else _RATIOS[0]:
        before = [rng.normal(size=s) * rng.uniform(0.05, 2.0) + 0.3 * rng.normal() for s in shapes]
        after = [b + rng.normal(size=b.shape) * scale * np.sqrt(np.mean(b ** 2)) for b, scale in zip(before, scales)]
        before, after = [b.astype(dtype) for b in before], [a.astype(dtype) for a in after]
        label = f"{len(shapes)} array{'s' if len(shapes) > 1 else ''} of shapes {', '.join(str(s) for s in shapes)}, {dtype}"
        cases.append(Case(args={"before": before, "after": after}, label=label, factors={"L": len(shapes)}))
    return cases


def _ratios_with(per=None, combine=None):
    def run(before, after):
        bs = [np.asarray(b) for b in before]   # in the arrays' own dtype, as a learner computes
        as_ = [np.asarray(a) for a in after]
        if combine is not None:
            return combine(bs, as_)
        return np.array([per(b, a) for b, a in zip(bs, as_)])
    return run


def _norm(v: np.ndarray) -> float:
    return float(np.linalg.norm(v))


_RATIO = "the line that computes the ratio"
_RATIO_MISTAKES = (
    KnownMistake("inverted", "the ratio is upside down: the size of the STEP divided by the size of the weights, "
                 "‖after − before‖ / ‖before‖ (about 1e-3, not 1e3).",
                 _ratios_with(lambda b, a: _norm(b) / _norm(a - b)), _RATIO, r"norm\(\s*(before|b|w)\w*\s*\)\s*/"),
    KnownMistake("divided_by_after", "divide by the size of the weights BEFORE the step, ‖before‖.",
                 _ratios_with(lambda b, a: _norm(a - b) / _norm(a)), _RATIO, r"/\s*np\.linalg\.norm\(\s*a"),
    KnownMistake("difference_of_norms", "‖after‖ − ‖before‖ compares only the lengths (a step can turn the weights "
                 "without changing their length): take the norm of the DIFFERENCE, ‖after − before‖.",
                 _ratios_with(lambda b, a: abs(_norm(a) - _norm(b)) / _norm(b)), _RATIO, r"norm\(\s*a\w*\s*\)\s*-"),
    KnownMistake("signed_difference_of_norms", "‖after‖ − ‖before‖ compares only the lengths: take the norm of the "
                 "DIFFERENCE, ‖after − before‖.", _ratios_with(lambda b, a: (_norm(a) - _norm(b)) / _norm(b)), _RATIO,
                 r"norm\(\s*a\w*\s*\)\s*-"),
    KnownMistake("squared_norms", "the norms are missing their square roots: ‖v‖ = sqrt(Σ v²), np.linalg.norm(v).",
                 _ratios_with(lambda b, a: float(np.sum((a - b) ** 2) / np.sum(b ** 2))), _RATIO, r"\*\*\s*2"),
    KnownMistake("mean_absolute", "mean |Δw| / mean |w| uses absolute values (L1): the lesson's ratio uses the "
                 "Euclidean norm, np.linalg.norm(after - before) / np.linalg.norm(before).",
                 _ratios_with(lambda b, a: float(np.mean(np.abs(a - b)) / np.mean(np.abs(b)))), _RATIO, r"abs\("),
    KnownMistake("max_absolute", "the largest |Δw| over the largest |w| looks at one entry each: use the norms of the "
                 "whole arrays.", _ratios_with(lambda b, a: float(np.abs(a - b).max() / np.abs(b).max())), _RATIO,
                 r"max\("),
    KnownMistake("std_ratio", "np.std subtracts the mean first: the ratio compares the norms, ‖after − before‖ / "
                 "‖before‖ (a constant shift of every weight must count).",
                 _ratios_with(lambda b, a: float(np.std(a - b) / np.std(b))), _RATIO, r"std\("),
    KnownMistake("elementwise_mean", "the mean of |Δw| / |w| per entry is dominated by weights near 0: divide the "
                 "norms of the whole arrays.", _ratios_with(lambda b, a: float(np.mean(np.abs(a - b) / np.abs(b)))),
                 _RATIO, r"mean\("),
    KnownMistake("spectral_norm", "np.linalg.norm(W, 2) of a matrix is its largest singular value, not the length of "
                 "all its entries: call np.linalg.norm(W) (no 2), or flatten first.",
                 _ratios_with(lambda b, a: float(np.linalg.norm(a - b, 2) / np.linalg.norm(b, 2))
                              if b.ndim == 2 else _norm(a - b) / _norm(b)), _RATIO, r"norm\([^)]*,\s*(2|ord)"),
    KnownMistake("one_number", "return one ratio PER PARAMETER ARRAY: each layer can be too fast or too slow on its "
                 "own.", _ratios_with(combine=lambda bs, as_: np.array(
                     _norm(np.concatenate([(a - b).ravel() for b, a in zip(bs, as_)]))
                     / _norm(np.concatenate([b.ravel() for b in bs])))), "the return line", r"return"),
    KnownMistake("step_only", "‖after − before‖ alone is the size of the step: divide it by ‖before‖, the size of "
                 "the weights, to compare layers of different scales.", _ratios_with(lambda b, a: _norm(a - b)),
                 _RATIO, r"norm\(\s*a\w*\s*-\s*b\w*\s*\)\s*(for|\)|$)"),
    KnownMistake("log10", "return the ratio itself (about 1e-3), not its log10: the plot puts it on a log scale.",
                 _ratios_with(lambda b, a: float(np.log10(_norm(a - b) / _norm(b)))), _RATIO, r"log10"),
)

register(Exercise(
    "sanity.update_ratios",
    "update_ratios(before (list of arrays), after (list of arrays)) -> ratios (len(before),): ‖after − before‖ / ‖before‖",
    update_ratios, _ratio_cases, outputs=(Output("ratios"),), mistakes=_RATIO_MISTAKES, rtol=F32_RTOL, atol=1e-12,
))
