"""Lesson 10, sanity checks before training (2 of 3): a gradient check of a whole model.

- sanity.gradient_check(f, params, grads, h) -> errors (P,): for every parameter array p_k of the list
  ``params``, the relative error ‖g_k − n_k‖ / (‖g_k‖ + ‖n_k‖) between the given analytic gradient g_k and the
  centered-difference gradient n_k of the scalar function ``f(params)``, with step ``h``. The learner perturbs
  each array in place with the lesson's ``numerical_gradient(f, x, h)`` (lesson 02's, given in a locked cell), so
  that ``f(params)`` sees the change. ``f`` is the test function ``mlp_loss`` (a tanh MLP's cross-entropy in
  dlkit's (out, in) layout); ``grads`` are its exact gradients with bugs planted in some arrays (doubled, one
  entry off, transposed values, signs flipped, zero), as a broken backward pass gives them.
"""


import numpy as np

from ...harness.guard import reference
from ...harness.wire import TestFunction
from ...registry import Case, Exercise, KnownMistake, Output, register

# ---------------------------------------------------------------------------------------------- gradient check

# (D, hidden sizes, C, N, h, planted bugs): the parameters are [W1, b1, W2, b2, ...] of a tanh MLP. A step h of
# 1e-2 makes the centered difference's own O(h²) error visible, so a function that ignores h shows.
_CHECK = ([(5, (4,), 3, 6, 1e-5, {1: "double"}), (4, (3,), 2, 1, 1e-5, {}),
           (3, (5, 4), 3, 4, 1e-4, {0: "one_entry", 5: "zero"}), (6, (3,), 4, 5, 1e-2, {2: "sign", 3: "permuted"})],
          [(4, (5,), 3, 5, 1e-5, {0: "double", 3: "permuted"}), (2, (3,), 4, 1, 1e-5, {1: "zero"}),
           (5, (3, 3), 2, 3, 1e-4, {4: "one_entry"}), (3, (4,), 3, 7, 1e-2, {2: "sign"})])


def mlp_gradients(params: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """The exact gradients of the test function mlp_loss (a tanh MLP, mean cross-entropy) by backpropagation."""
    hs = [x]
    for k in range(0, len(params) - 2, 2):
        hs.append(np.tanh(hs[-1] @ params[k].T + params[k + 1]))
    z = hs[-1] @ params[-2].T + params[-1]
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    dz = p
    dz[np.arange(len(y)), y] -= 1
    dz /= len(y)
    grads: list[np.ndarray] = []
    for k in range(len(params) - 2, -1, -2):
        grads[:0] = [dz.T @ hs[k // 2], dz.sum(axis=0)]
        if k:
            dz = (dz @ params[k]) * (1 - hs[k // 2] ** 2)
    return grads


def _plant(g: np.ndarray, bug: str, rng: np.random.Generator) -> np.ndarray:
    g = g.copy()
    if bug == "double":
        return 2 * g
    if bug == "zero":
        return np.zeros_like(g)
    if bug == "sign":
        return -g
    if bug == "one_entry":
        g.flat[int(rng.integers(g.size))] += 0.5 * np.abs(g).max() + 0.1
        return g
    return g.ravel()[::-1].reshape(g.shape)  # permuted: the right numbers in the wrong places


def _check_cases(rng: np.random.Generator, hidden: bool) -> list:
    cases = []
    for d, hiddens, c, n, h, bugs in _CHECK[1] if hidden else _CHECK[0]:
        sizes = (d, *hiddens, c)
        params = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            params += [rng.normal(size=(b, a)) / np.sqrt(a), 0.3 * rng.normal(size=b)]
        x, y = rng.normal(size=(n, d)), rng.integers(0, c, size=n)
        grads = [_plant(g, bugs[k], rng) if k in bugs else g
                 for k, g in enumerate(mlp_gradients(params, x, y))]
        label = (f"a tanh MLP {' → '.join(map(str, sizes))} on {n} example{'s' if n > 1 else ''}, {len(params)} "
                 f"arrays, h={h:g}" + (f", wrong gradients in arrays {sorted(bugs)}" if bugs else ", every gradient right"))
        args = {"f": TestFunction("mlp_loss", {"x": x, "y": y}), "params": params, "grads": grads, "h": h}
        cases.append(Case(args=args, label=label, factors={"N": n, "P": len(params)}))
    return cases


def _numerical(f, params: list[np.ndarray], h: float) -> list[np.ndarray]:
    """Centered differences of f(params) for every entry of every array (each array perturbed in place)."""
    out = []
    for p in params:
        num = np.zeros_like(p, dtype=np.float64)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + h
            plus = f(params)
            p[i] = old - h
            minus = f(params)
            p[i] = old
            num[i] = (plus - minus) / (2 * h)
        out.append(num)
    return out


def _norm_error(g: np.ndarray, n: np.ndarray) -> float:
    """‖g − n‖ / (‖g‖ + ‖n‖); 0/0 (both zero) is nan, as the learner's division gives it."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.float64(np.linalg.norm(g - n)) / (np.linalg.norm(g) + np.linalg.norm(n)))


@reference("sanity.gradient_check reference")
def gradient_check(f, params, grads, h):
    """‖g − n‖ / (‖g‖ + ‖n‖) per parameter array, n the centered-difference gradient of f(params) with step h."""
    nums = _numerical(f, [np.array(p, dtype=np.float64) for p in params], h)
    return np.array([_norm_error(np.asarray(g, dtype=np.float64), n) for g, n in zip(grads, nums)])


def _check_with(error=None, h=None, numerical=None, order=None, combine=None):
    """The gradient check with one part done another way."""
    def run(f, params, grads, step):
        ps = [np.array(p, dtype=np.float64) for p in params]
        nums = numerical(f, ps, step) if numerical else _numerical(f, ps, step if h is None else h)
        gs = [np.asarray(g, dtype=np.float64) for g in grads]
        if order is not None:
            gs = order(gs)
        if combine is not None:
            return combine(gs, nums)
        return np.array([(error or _norm_error)(g, n) for g, n in zip(gs, nums)])
    return run


def _copied(f, params, h):
    """numerical_gradient given a copy of the array: f(params) never sees the perturbation."""
    return [np.zeros_like(p) for p in params]


def _forward(f, params, h):
    out = []
    base = f(params)
    for p in params:
        num = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + h
            num[i] = (f(params) - base) / h
            p[i] = old
        out.append(num)
    return out


_ERR = "the line that computes the relative error"
_CHECK_MISTAKES = (
    KnownMistake("perturbed_a_copy", "the numerical gradient is all zeros: numerical_gradient changed a COPY of the "
                 "array, so f(params) never saw the change. Pass the array itself, p (from params), so that "
                 "f(params) reads the perturbed entry.", _check_with(numerical=_copied), "the numerical_gradient line",
                 r"copy\(|np\.array\("),
    KnownMistake("elementwise_error", "this is the largest ELEMENTWISE relative error (lesson 02's rel_error): for a "
                 "whole array the lesson compares the vectors, ‖g − n‖ / (‖g‖ + ‖n‖), which a few near-zero entries "
                 "cannot inflate.", _check_with(error=lambda g, n: float(np.max(
                     np.abs(g - n) / np.maximum(1e-8, np.abs(g) + np.abs(n))))), _ERR, r"max\("),
    KnownMistake("mean_elementwise_error", "this is the MEAN of the elementwise relative errors: for a whole array the "
                 "lesson compares the vectors, ‖g − n‖ / (‖g‖ + ‖n‖) with np.linalg.norm, so a wrong entry is not "
                 "averaged away by many right ones.", _check_with(error=lambda g, n: float(np.mean(
                     np.abs(g - n) / np.maximum(1e-8, np.abs(g) + np.abs(n))))), _ERR, r"mean\("),
    KnownMistake("absolute_error", "‖g − n‖ alone depends on the size of the gradient: divide by ‖g‖ + ‖n‖ to get a "
                 "relative error.", _check_with(error=lambda g, n: float(np.linalg.norm(g - n))), _ERR, r"norm"),
    KnownMistake("relative_to_analytic", "divide by ‖g‖ + ‖n‖, not by ‖g‖ alone: an analytic gradient that is wrongly "
                 "zero would divide by zero.",
                 _check_with(error=lambda g, n: float(np.linalg.norm(g - n) / np.linalg.norm(g))), _ERR, r"/"),
    KnownMistake("relative_to_numerical", "divide by ‖g‖ + ‖n‖, not by ‖n‖ alone.",
                 _check_with(error=lambda g, n: float(np.linalg.norm(g - n) / np.linalg.norm(n))), _ERR, r"/"),
    KnownMistake("squared_norms", "the norms are missing their square roots: ‖v‖ = sqrt(Σ v²), np.linalg.norm(v).",
                 _check_with(error=lambda g, n: float(np.sum((g - n) ** 2) / (np.sum(g ** 2) + np.sum(n ** 2)))),
                 _ERR, r"\*\*\s*2|sum\("),
    KnownMistake("difference_of_norms", "‖g‖ − ‖n‖ compares only the lengths: take the norm of the DIFFERENCE, "
                 "‖g − n‖ (a gradient with the right length but wrong entries must fail).",
                 _check_with(error=lambda g, n: float(abs(np.linalg.norm(g) - np.linalg.norm(n))
                                                      / (np.linalg.norm(g) + np.linalg.norm(n)))), _ERR, r"norm"),
    KnownMistake("l1_norms", "these are sums of absolute values (L1 norms): the lesson's error uses the Euclidean "
                 "norm, np.linalg.norm(g - n) / (np.linalg.norm(g) + np.linalg.norm(n)).",
                 _check_with(error=lambda g, n: float(np.abs(g - n).sum() / (np.abs(g).sum() + np.abs(n).sum()))),
                 _ERR, r"abs\("),
    KnownMistake("one_number", "return one error PER PARAMETER ARRAY (an array of len(params) numbers): the point is "
                 "to see which layer is wrong.",
                 _check_with(combine=lambda gs, ns: np.array(_norm_error(np.concatenate([g.ravel() for g in gs]),
                                                                         np.concatenate([n.ravel() for n in ns])))),
                 "the return line", r"return"),
    KnownMistake("mean_of_errors", "return one error PER PARAMETER ARRAY, not their mean: the point is to see which "
                 "layer is wrong.", _check_with(combine=lambda gs, ns: np.array(np.mean(
                     [_norm_error(g, n) for g, n in zip(gs, ns)]))), "the return line", r"mean\("),
    KnownMistake("h_ignored", "the step h was not passed on: numerical_gradient(..., h) must use the h given (with a "
                 "large h the centered difference's own error shows).", _check_with(h=1e-5), "the numerical_gradient line",
                 r"numerical_gradient\("),
    KnownMistake("forward_difference", "(f(x + h) − f(x)) / h is a one-sided difference, accurate only to O(h): use "
                 "the centered difference (f(x + h) − f(x − h)) / 2h (the lesson's numerical_gradient).",
                 _check_with(numerical=_forward), "the numerical_gradient line", r"/\s*h\b"),
    KnownMistake("order", "the errors are in reverse order: one per array of params, in the order of params.",
                 _check_with(combine=lambda gs, ns: np.array([_norm_error(g, n) for g, n in zip(gs, ns)])[::-1]),
                 "the return line", r"reversed|\[::-1\]"),
)

register(Exercise(
    "sanity.gradient_check",
    "gradient_check(f, params (list of arrays), grads (list of arrays), h) -> errors (len(params),): "
    "‖g − n‖ / (‖g‖ + ‖n‖) per array",
    gradient_check, _check_cases, outputs=(Output("errors"),), blocked=("numerical", "gradcheck", "rel_error"),
    mistakes=_CHECK_MISTAKES, rtol=1e-4, atol=1e-8, hints=frozenset(),
))
