"""The L2 penalty and the L1 subgradient (lesson 07), written the ways learners write them."""
import numpy as np

from ._catalogue import correct, wrong


@correct("init_reg.l2_penalty")
def l2_penalty(W, lam):
    return lam / 2 * np.sum(W ** 2), lam * W


@wrong("init_reg.l2_penalty", "missing_half")
def l2_penalty_no_half(W, lam):
    return lam * np.sum(W ** 2), lam * W


@wrong("init_reg.l2_penalty", "double_gradient")
def l2_penalty_double_grad(W, lam):
    return lam / 2 * np.sum(W ** 2), 2 * lam * W


@wrong("init_reg.l2_penalty", "l1_instead")
def l2_penalty_abs(W, lam):
    return lam * np.sum(np.abs(W)), lam * np.sign(W)


@wrong("init_reg.l2_penalty", "mean_not_sum")
def l2_penalty_mean(W, lam):
    return lam / 2 * np.mean(W ** 2), lam * W / W.size


@wrong("init_reg.l2_penalty", "sign")
def l2_penalty_neg_grad(W, lam):
    return lam / 2 * np.sum(W ** 2), -lam * W


@wrong("init_reg.l2_penalty", "mutated_input")
def l2_penalty_inplace(W, lam):
    p = lam / 2 * np.sum(W ** 2)
    W *= lam
    return p, W


@correct("init_reg.l1_penalty")
def l1_penalty(W, lam):
    return lam * np.abs(W).sum(), lam * np.sign(W)


@wrong("init_reg.l1_penalty", "l2_gradient")
def l1_penalty_l2_grad(W, lam):
    return lam * np.abs(W).sum(), lam * W


@wrong("init_reg.l1_penalty", "kink_at_zero")
def l1_penalty_zero_positive(W, lam):
    return lam * np.abs(W).sum(), lam * np.where(W >= 0, 1.0, -1.0)


@wrong("init_reg.l1_penalty", "kink_at_zero")
def l1_penalty_zero_negative(W, lam):
    return lam * np.abs(W).sum(), lam * np.where(W > 0, 1.0, -1.0)


@wrong("init_reg.l1_penalty", "sign")
def l1_penalty_neg(W, lam):
    return lam * np.abs(W).sum(), -lam * np.sign(W)


@wrong("init_reg.l1_penalty", "l2_instead")
def l1_penalty_squares(W, lam):
    return lam / 2 * np.sum(W ** 2), lam * W


@wrong("init_reg.l1_penalty", "lam_missing_gradient")
def l1_penalty_no_lam_grad(W, lam):
    return lam * np.abs(W).sum(), np.sign(W)


@correct("init_reg.l2_penalty")
def l2_penalty_loop(W, lam):
    """A loop over the flattened weights; the gradient as a new array."""
    total = 0.0
    for w in W.ravel():
        total += w * w
    return 0.5 * lam * total, lam * np.array(W)


@wrong("init_reg.l2_penalty", "grad_halved")
def l2_penalty_half_grad(W, lam):
    return lam / 2 * np.sum(W ** 2), lam / 2 * W


@wrong("init_reg.l2_penalty", "norm_not_squared")
def l2_penalty_norm(W, lam):
    return lam / 2 * np.linalg.norm(W), lam * W


@wrong("init_reg.l2_penalty", "square_of_sum")
def l2_penalty_sum_squared(W, lam):
    return lam / 2 * np.sum(W) ** 2, lam * W


@wrong("init_reg.l2_penalty", "divided_by_n")
def l2_penalty_over_n(W, lam):
    """The lam/(2N) convention, N the number of rows."""
    n = W.shape[0]
    return lam / (2 * n) * np.sum(W ** 2), lam / n * W


@wrong("init_reg.l2_penalty", "not_summed")
def l2_penalty_elementwise(W, lam):
    return lam / 2 * W ** 2, lam * W


@wrong("init_reg.l2_penalty", "lam_missing_penalty")
def l2_penalty_no_lam(W, lam):
    return 0.5 * np.sum(W ** 2), lam * W


@wrong("init_reg.l2_penalty", "lam_missing_gradient")
def l2_penalty_grad_is_w(W, lam):
    return lam / 2 * np.sum(W ** 2), W.copy()


@correct("init_reg.l1_penalty")
def l1_penalty_where(W, lam):
    """The subgradient written out: +lam, -lam, and 0 at exactly zero."""
    return lam * np.abs(W).sum(), np.where(W > 0, lam, np.where(W < 0, -lam, 0.0))


@wrong("init_reg.l1_penalty", "division_at_zero")
def l1_penalty_w_over_abs(W, lam):
    return lam * np.abs(W).sum(), lam * W / np.abs(W)


@wrong("init_reg.l1_penalty", "missing_abs")
def l1_penalty_no_abs(W, lam):
    return lam * W.sum(), lam * np.sign(W)


@wrong("init_reg.l1_penalty", "abs_of_sum")
def l1_penalty_abs_total(W, lam):
    return lam * abs(W.sum()), lam * np.sign(W)


@wrong("init_reg.l1_penalty", "half_factor")
def l1_penalty_half(W, lam):
    """The 1/2 copied from L2."""
    return lam / 2 * np.abs(W).sum(), lam * np.sign(W)


@wrong("init_reg.l1_penalty", "mean_not_sum")
def l1_penalty_mean(W, lam):
    return lam * np.abs(W).mean(), lam * np.sign(W) / W.size


@wrong("init_reg.l1_penalty", "divided_by_n")
def l1_penalty_over_n(W, lam):
    return lam / len(W) * np.abs(W).sum(), lam / len(W) * np.sign(W)


@wrong("init_reg.l1_penalty", "not_summed")
def l1_penalty_elementwise(W, lam):
    return lam * np.abs(W), lam * np.sign(W)


@wrong("init_reg.l1_penalty", "lam_missing_penalty")
def l1_penalty_no_lam(W, lam):
    return np.abs(W).sum(), lam * np.sign(W)
