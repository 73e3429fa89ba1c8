"""Glorot uniform and He normal initialisation (lesson 07), written the ways learners write them."""
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


@wrong("init_reg.glorot_uniform", "fan_in_only")
def glorot_uniform_fan_in_only(fan_in, fan_out, rng):
    a = np.sqrt(6 / fan_in)
    return rng.uniform(-a, a, size=(fan_in, fan_out))


@wrong("init_reg.glorot_uniform", "std_as_bound")
def glorot_uniform_std_as_bound(fan_in, fan_out, rng):
    """Uses Glorot normal's standard deviation sqrt(2/(n_in + n_out)) as the uniform bound."""
    a = np.sqrt(2 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out))


@wrong("init_reg.glorot_uniform", "no_sqrt")
def glorot_uniform_no_sqrt(fan_in, fan_out, rng):
    a = 6 / (fan_in + fan_out)
    return rng.uniform(-a, a, size=(fan_in, fan_out))


@wrong("init_reg.glorot_uniform", "glorot_normal")
def glorot_uniform_normal(fan_in, fan_out, rng):
    """Draws from a normal with the right standard deviation instead of a uniform."""
    return rng.normal(0, np.sqrt(2 / (fan_in + fan_out)), size=(fan_in, fan_out))


@wrong("init_reg.glorot_uniform", "positive_only")
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


@wrong("init_reg.he_normal", "variance_as_std")
def he_normal_variance_as_std(fan_in, fan_out, rng):
    return rng.normal(0, 2 / fan_in, size=(fan_in, fan_out))


@wrong("init_reg.he_normal", "lecun")
def he_normal_lecun(fan_in, fan_out, rng):
    """Forgets the factor 2 that makes up for ReLU zeroing half the units."""
    return rng.normal(0, np.sqrt(1 / fan_in), size=(fan_in, fan_out))


@wrong("init_reg.he_normal", "fan_out")
def he_normal_fan_out(fan_in, fan_out, rng):
    return rng.normal(0, np.sqrt(2 / fan_out), size=(fan_in, fan_out))


@wrong("init_reg.he_normal", "he_uniform")
def he_normal_uniform(fan_in, fan_out, rng):
    """A uniform draw with the right standard deviation (He uniform), not a normal."""
    a = np.sqrt(6 / fan_in)
    return rng.uniform(-a, a, size=(fan_in, fan_out))


@wrong("init_reg.he_normal", "wrong_shape")
def he_normal_transposed(fan_in, fan_out, rng):
    return rng.normal(0, np.sqrt(2 / fan_in), size=(fan_out, fan_in))


@wrong("init_reg.he_normal", "unscaled")
def he_normal_unscaled(fan_in, fan_out, rng):
    return rng.normal(size=(fan_in, fan_out))


@wrong("init_reg.glorot_uniform", "fan_out_only")
def glorot_uniform_fan_out_only(fan_in, fan_out, rng):
    limit = np.sqrt(6.0 / fan_out)
    return rng.uniform(low=-limit, high=limit, size=(fan_in, fan_out))


@wrong("init_reg.glorot_uniform", "three_not_six")
def glorot_uniform_three(fan_in, fan_out, rng):
    """Half the variance: a² = 3/(n_in + n_out)."""
    a = (3 / (fan_in + fan_out)) ** 0.5
    return rng.uniform(-a, a, (fan_in, fan_out))


@wrong("init_reg.glorot_uniform", "missing_brackets")
def glorot_uniform_brackets(fan_in, fan_out, rng):
    a = np.sqrt(6 / fan_in + fan_out)
    return rng.uniform(-a, a, size=(fan_in, fan_out))


@wrong("init_reg.glorot_uniform", "sqrt_of_numerator_only")
def glorot_uniform_sqrt6(fan_in, fan_out, rng):
    a = np.sqrt(6) / (fan_in + fan_out)
    return rng.uniform(-a, a, size=(fan_in, fan_out))


@wrong("init_reg.glorot_uniform", "fan_product")
def glorot_uniform_product(fan_in, fan_out, rng):
    a = np.sqrt(6 / (fan_in * fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out))


@wrong("init_reg.glorot_uniform", "normal_with_bound")
def glorot_uniform_normal_bound(fan_in, fan_out, rng):
    """The bound used as a normal's standard deviation."""
    a = np.sqrt(6 / (fan_in + fan_out))
    return a * rng.standard_normal((fan_in, fan_out))


@wrong("init_reg.glorot_uniform", "half_range")
def glorot_uniform_half(fan_in, fan_out, rng):
    a = np.sqrt(6 / (fan_in + fan_out))
    return a * (rng.random((fan_in, fan_out)) - 0.5)


@wrong("init_reg.glorot_uniform", "one_bound_given")
def glorot_uniform_low_only(fan_in, fan_out, rng):
    a = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(a, size=(fan_in, fan_out))


@wrong("init_reg.glorot_uniform", "unscaled")
def glorot_uniform_unit(fan_in, fan_out, rng):
    return rng.uniform(-1.0, 1.0, size=(fan_in, fan_out))


@wrong("init_reg.glorot_uniform", "unseeded_random")
def glorot_uniform_global_numpy(fan_in, fan_out, rng):
    """np.random instead of the rng it was given."""
    a = np.sqrt(6 / (fan_in + fan_out))
    return np.random.uniform(-a, a, size=(fan_in, fan_out))


@wrong("init_reg.glorot_uniform", "seed_ignored")
def glorot_uniform_own_generator(fan_in, fan_out, rng):
    """A generator of its own, seeded with 0."""
    a = np.sqrt(6 / (fan_in + fan_out))
    return np.random.default_rng(0).uniform(-a, a, size=(fan_in, fan_out))


@wrong("init_reg.he_normal", "doubled_std")
def he_normal_doubled_std(fan_in, fan_out, rng):
    return rng.normal(0, 2 * np.sqrt(1 / fan_in), size=(fan_in, fan_out))


@wrong("init_reg.he_normal", "glorot_normal")
def he_normal_glorot(fan_in, fan_out, rng):
    return rng.normal(0, np.sqrt(2 / (fan_in + fan_out)), size=(fan_in, fan_out))


@wrong("init_reg.he_normal", "fan_product")
def he_normal_product(fan_in, fan_out, rng):
    return rng.normal(0, np.sqrt(2 / (fan_in * fan_out)), size=(fan_in, fan_out))


@wrong("init_reg.he_normal", "sqrt_of_numerator_only")
def he_normal_sqrt2(fan_in, fan_out, rng):
    std = np.sqrt(2) / fan_in
    return std * rng.standard_normal((fan_in, fan_out))


@wrong("init_reg.he_normal", "inverted")
def he_normal_inverted(fan_in, fan_out, rng):
    return rng.normal(0, np.sqrt(fan_in / 2), size=(fan_in, fan_out))


@wrong("init_reg.he_normal", "std_as_mean")
def he_normal_loc(fan_in, fan_out, rng):
    """numpy's normal(loc, scale): the standard deviation passed as the mean."""
    return rng.normal(np.sqrt(2 / fan_in), size=(fan_in, fan_out))


@wrong("init_reg.he_normal", "uniform_std_as_bound")
def he_normal_uniform_bound(fan_in, fan_out, rng):
    std = np.sqrt(2 / fan_in)
    return rng.uniform(-std, std, size=(fan_in, fan_out))


@wrong("init_reg.he_normal", "unseeded_random")
def he_normal_global_numpy(fan_in, fan_out, rng):
    return np.random.randn(fan_in, fan_out) * np.sqrt(2 / fan_in)


@wrong("init_reg.he_normal", "seed_ignored")
def he_normal_fixed_seed(fan_in, fan_out, rng):
    r = np.random.default_rng(42)
    return r.normal(0, np.sqrt(2 / fan_in), size=(fan_in, fan_out))
