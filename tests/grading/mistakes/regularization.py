"""Inverted dropout with a given keep-mask (lesson 07), forward and backward, written the ways learners write it."""
import numpy as np

from ._catalogue import correct, wrong


@correct("regularization.dropout_forward")
def dropout_forward(x, mask, p):
    return x * mask / (1 - p)


@wrong("regularization.dropout_forward", "missing_rescale")
def dropout_forward_no_scale(x, mask, p):
    return x * mask


@wrong("regularization.dropout_forward", "divided_by_p")
def dropout_forward_divide_p(x, mask, p):
    return x * mask / p


@wrong("regularization.dropout_forward", "scaled_by_keep_prob")
def dropout_forward_times_keep(x, mask, p):
    """Scales by (1 - p), the test-time convention of non-inverted dropout."""
    return x * mask * (1 - p)


@wrong("regularization.dropout_forward", "inverted_mask")
def dropout_forward_inverted(x, mask, p):
    return np.where(mask, 0.0, x) / (1 - p)


@wrong("regularization.dropout_forward", "nondeterministic")
def dropout_forward_own_mask(x, mask, p):
    """Draws its own random mask instead of using the one given."""
    return x * (np.random.rand(*x.shape) >= p) / (1 - p)


@wrong("regularization.dropout_forward", "mutated_input")
def dropout_forward_inplace(x, mask, p):
    x[~mask] = 0
    x /= 1 - p
    return x


@correct("regularization.dropout_backward")
def dropout_backward(dout, mask, p):
    return np.where(mask, dout / (1 - p), 0.0)


@wrong("regularization.dropout_backward", "missing_rescale")
def dropout_backward_no_scale(dout, mask, p):
    return dout * mask


@wrong("regularization.dropout_backward", "mask_ignored")
def dropout_backward_passthrough(dout, mask, p):
    """Forgets that dropped units get no gradient."""
    return dout / (1 - p)


@wrong("regularization.dropout_backward", "divided_by_p")
def dropout_backward_over_p(dout, mask, p):
    return dout * mask / p


@wrong("regularization.dropout_backward", "inverted_mask")
def dropout_backward_inverted(dout, mask, p):
    return dout * (1 - mask) / (1 - p)


@wrong("regularization.dropout_backward", "mutated_input")
def dropout_backward_inplace(dout, mask, p):
    dout *= mask / (1 - p)
    return dout


@correct("regularization.dropout_forward")
def dropout_forward_copy(x, mask, p):
    """Zero the dropped units of a copy, then scale the copy."""
    out = x.copy()
    out[~mask] = 0
    return out / (1 - p)


@wrong("regularization.dropout_forward", "times_p")
def dropout_forward_times_p(x, mask, p):
    """The course text's 'correct by a factor of p', applied in training."""
    return x * mask * p


@wrong("regularization.dropout_forward", "empirical_keep_rate")
def dropout_forward_kept_fraction(x, mask, p):
    keep = mask.sum() / mask.size
    return x * mask / keep


@wrong("regularization.dropout_forward", "mask_ignored")
def dropout_forward_scale_only(x, mask, p):
    return x / (1 - p)


@wrong("regularization.dropout_forward", "dropped_not_zeroed")
def dropout_forward_scale_kept(x, mask, p):
    out = x.copy()
    out[mask] /= 1 - p
    return out


@wrong("regularization.dropout_forward", "mask_only")
def dropout_forward_scaled_mask(x, mask, p):
    """Builds the cs231n-style scaled mask and returns it, forgetting to multiply by x."""
    mask = mask / (1 - p)
    return mask


@wrong("regularization.dropout_forward", "precedence")
def dropout_forward_no_brackets(x, mask, p):
    return x * mask / 1 - p


@wrong("regularization.dropout_forward", "boolean_indexing")
def dropout_forward_kept_only(x, mask, p):
    return x[mask] / (1 - p)


@wrong("regularization.dropout_forward", "scale_squared")
def dropout_forward_scaled_twice(x, mask, p):
    scale = 1 / (1 - p)
    return x * mask * scale / (1 - p)


@correct("regularization.dropout_backward")
def dropout_backward_via_forward(dout, mask, p):
    """The gradient is the same masking and scaling: reuses dropout_forward."""
    return dropout_forward(dout, mask, p)


@wrong("regularization.dropout_backward", "passthrough")
def dropout_backward_identity(dout, mask, p):
    return dout


@wrong("regularization.dropout_backward", "scaled_by_keep_prob")
def dropout_backward_times_keep(dout, mask, p):
    return dout * mask * (1 - p)


@wrong("regularization.dropout_backward", "times_p")
def dropout_backward_times_p(dout, mask, p):
    return dout * mask * p


@wrong("regularization.dropout_backward", "scale_squared")
def dropout_backward_forward_then_scale(dout, mask, p):
    """Calls dropout_forward, then scales again."""
    return dropout_forward(dout, mask, p) / (1 - p)


@wrong("regularization.dropout_backward", "empirical_keep_rate")
def dropout_backward_kept_fraction(dout, mask, p):
    return dout * mask / mask.mean()


@wrong("regularization.dropout_backward", "dropped_not_zeroed")
def dropout_backward_scale_kept(dout, mask, p):
    return np.where(mask, dout / (1 - p), dout)


@wrong("regularization.dropout_backward", "mask_only")
def dropout_backward_mask(dout, mask, p):
    return mask / (1 - p)


@wrong("regularization.dropout_backward", "precedence")
def dropout_backward_no_brackets(dout, mask, p):
    return dout * mask / 1 - p


@wrong("regularization.dropout_backward", "boolean_indexing")
def dropout_backward_kept_only(dout, mask, p):
    return dout[mask] / (1 - p)
