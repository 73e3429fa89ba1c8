"""Glorot uniform and He normal initialisation, L2 penalty and the L1 subgradient (lesson 07)."""
import numpy as np

from ._catalogue import correct, wrong


@correct("init_reg.glorot_uniform")
def glorot_uniform(fan_in, fan_out, rng):
    a = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out))


@correct("init_reg.glorot_uniform")
def glorot_uniform_from_random(fan_in, fan_out, rng):
    """Rescales U(0, 1) draws by hand: different numbers, same distribution."""
    a = np.sqrt(6 / (fan_in + fan_out))
    return a * (2 * rng.random((fan_in, fan_out)) - 1)


@wrong("init_reg.glorot_uniform", "wrong_shape")
def glorot_uniform_transposed(fan_in, fan_out, rng):
    a = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_out, fan_in))


@wrong("init_reg.glorot_uniform", "wrong_scale")
def glorot_uniform_fan_in_only(fan_in, fan_out, rng):
    a = np.sqrt(6 / fan_in)
    return rng.uniform(-a, a, size=(fan_in, fan_out))


@wrong("init_reg.glorot_uniform", "wrong_scale")
def glorot_uniform_std_as_bound(fan_in, fan_out, rng):
    """Uses Glorot normal's standard deviation sqrt(2/(n_in + n_out)) as the uniform bound."""
    a = np.sqrt(2 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out))


@wrong("init_reg.glorot_uniform", "wrong_scale")
def glorot_uniform_no_sqrt(fan_in, fan_out, rng):
    a = 6 / (fan_in + fan_out)
    return rng.uniform(-a, a, size=(fan_in, fan_out))


@wrong("init_reg.glorot_uniform", "wrong_distribution")
def glorot_uniform_normal(fan_in, fan_out, rng):
    """Draws from a normal with the right standard deviation instead of a uniform."""
    return rng.normal(0, np.sqrt(2 / (fan_in + fan_out)), size=(fan_in, fan_out))


@wrong("init_reg.glorot_uniform", "not_centered")
def glorot_uniform_positive(fan_in, fan_out, rng):
    a = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(0, a, size=(fan_in, fan_out))


@wrong("init_reg.glorot_uniform", "not_random")
def glorot_uniform_constant(fan_in, fan_out, rng):
    return np.full((fan_in, fan_out), np.sqrt(6 / (fan_in + fan_out)) / np.sqrt(3))


@correct("init_reg.he_normal")
def he_normal(fan_in, fan_out, rng):
    return rng.normal(0, np.sqrt(2 / fan_in), size=(fan_in, fan_out))


@correct("init_reg.he_normal")
def he_normal_standard(fan_in, fan_out, rng):
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)


@wrong("init_reg.he_normal", "wrong_scale")
def he_normal_variance_as_std(fan_in, fan_out, rng):
    return rng.normal(0, 2 / fan_in, size=(fan_in, fan_out))


@wrong("init_reg.he_normal", "wrong_scale")
def he_normal_lecun(fan_in, fan_out, rng):
    """Forgets the factor 2 that makes up for ReLU zeroing half the units."""
    return rng.normal(0, np.sqrt(1 / fan_in), size=(fan_in, fan_out))


@wrong("init_reg.he_normal", "wrong_scale")
def he_normal_fan_out(fan_in, fan_out, rng):
    return rng.normal(0, np.sqrt(2 / fan_out), size=(fan_in, fan_out))


@wrong("init_reg.he_normal", "wrong_distribution")
def he_normal_uniform(fan_in, fan_out, rng):
    """A uniform draw with the right standard deviation (He uniform), not a normal."""
    a = np.sqrt(6 / fan_in)
    return rng.uniform(-a, a, size=(fan_in, fan_out))


@wrong("init_reg.he_normal", "wrong_shape")
def he_normal_transposed(fan_in, fan_out, rng):
    return rng.normal(0, np.sqrt(2 / fan_in), size=(fan_out, fan_in))


@wrong("init_reg.he_normal", "wrong_scale")
def he_normal_unscaled(fan_in, fan_out, rng):
    return rng.normal(size=(fan_in, fan_out))


@correct("init_reg.l2_penalty")
def l2_penalty(W, lam):
    return lam / 2 * np.sum(W ** 2), lam * W


@wrong("init_reg.l2_penalty", "missing_half")
def l2_penalty_no_half(W, lam):
    return lam * np.sum(W ** 2), lam * W


@wrong("init_reg.l2_penalty", "missing_half")
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


@wrong("init_reg.l1_penalty", "l2_instead")
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


@wrong("init_reg.l1_penalty", "scale")
def l1_penalty_no_lam_grad(W, lam):
    return lam * np.abs(W).sum(), np.sign(W)
