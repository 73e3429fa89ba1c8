"""Max pooling forward and backward (lesson 08-cnn-training), written the ways learners write them."""
import numpy as np

from ._catalogue import correct, wrong


def _pool(x, k, s, op=np.max):
    n, c, h, w = x.shape
    ho, wo = (h - k) // s + 1, (w - k) // s + 1
    out = np.zeros((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            out[:, :, i, j] = op(x[:, :, i * s:i * s + k, j * s:j * s + k], axis=(2, 3))
    return out


@correct("cnn.max_pool_forward")
def max_pool_forward(x, kernel_size, stride):
    return _pool(x, kernel_size, stride)


@wrong("cnn.max_pool_forward", "average_pool")
def max_pool_forward_mean(x, kernel_size, stride):
    return _pool(x, kernel_size, stride, np.mean)


@wrong("cnn.max_pool_forward", "stride_is_kernel")
def max_pool_forward_stride_is_kernel(x, kernel_size, stride):
    """Assumes stride == kernel_size."""
    return _pool(x, kernel_size, kernel_size)


@wrong("cnn.max_pool_forward", "wrong_shape")
def max_pool_forward_off_by_one(x, kernel_size, stride):
    return _pool(x, kernel_size, stride)[:, :, :-1, :]


@wrong("cnn.max_pool_forward", "min_pool")
def max_pool_forward_min(x, kernel_size, stride):
    return _pool(x, kernel_size, stride, np.min)


@wrong("cnn.max_pool_forward", "global_max")
def max_pool_forward_global(x, kernel_size, stride):
    """Global max over each channel: kernel_size and stride unused."""
    return x.max(axis=(2, 3))


def _pool_back(dout, x, k, s, mode="max"):
    dx = np.zeros_like(x)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    win = x[n, c, i * s:i * s + k, j * s:j * s + k]
                    a, bb = np.unravel_index(np.argmax(win), win.shape)
                    g = dout[n, c, i, j]
                    if mode == "max":
                        dx[n, c, i * s + a, j * s + bb] += g
                    elif mode == "overwrite":
                        dx[n, c, i * s + a, j * s + bb] = g
                    elif mode == "all":
                        dx[n, c, i * s:i * s + k, j * s:j * s + k] += g
                    elif mode == "avg":
                        dx[n, c, i * s:i * s + k, j * s:j * s + k] += g / (k * k)
                    elif mode == "swapped":  # argmax unravelled with the wrong width
                        a, bb = divmod(int(np.argmax(win)), k + 1)
                        dx[n, c, min(i * s + a, x.shape[2] - 1), j * s + min(bb, k - 1)] += g
    return dx


@correct("cnn.max_pool_backward")
def max_pool_backward(dout, x, kernel_size, stride):
    return _pool_back(dout, x, kernel_size, stride)


@wrong("cnn.max_pool_backward", "overwrite")
def max_pool_backward_overwrite(dout, x, kernel_size, stride):
    return _pool_back(dout, x, kernel_size, stride, "overwrite")


@wrong("cnn.max_pool_backward", "not_routed_to_max")
def max_pool_backward_everywhere(dout, x, kernel_size, stride):
    return _pool_back(dout, x, kernel_size, stride, "all")


@wrong("cnn.max_pool_backward", "average_pool")
def max_pool_backward_average(dout, x, kernel_size, stride):
    return _pool_back(dout, x, kernel_size, stride, "avg")


@wrong("cnn.max_pool_backward", "wrong_mask")
def max_pool_backward_bad_unravel(dout, x, kernel_size, stride):
    return _pool_back(dout, x, kernel_size, stride, "swapped")


@wrong("cnn.max_pool_backward", "stride_is_kernel")
def max_pool_backward_stride_is_kernel(dout, x, kernel_size, stride):
    """Assumes non-overlapping windows (stride == kernel_size)."""
    k = kernel_size
    ho, wo = (x.shape[2] - k) // k + 1, (x.shape[3] - k) // k + 1
    return _pool_back(dout[:, :, :ho, :wo], x, k, k)


# ---------------------------------------------------------------------------------------
# max-pool ties: the gradient goes to the FIRST maximum of a window in row-major order (dlkit, PyTorch)


def _pool_back_ties(dout, x, k, s, rule):
    dx = np.zeros_like(x)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            win = x[:, :, i * s:i * s + k, j * s:j * s + k]
            tied = win == win.max(axis=(2, 3), keepdims=True)
            g = dout[:, :, i, j][:, :, None, None]
            if rule == "all":
                share = tied * g
            elif rule == "split":
                share = tied * g / tied.sum(axis=(2, 3), keepdims=True)
            else:  # "last": scan keeping the maximum on >= instead of >
                n, c = win.shape[:2]
                flat = tied.reshape(n, c, k * k)
                last = k * k - 1 - flat[:, :, ::-1].argmax(axis=2)
                share = (np.arange(k * k) == last[..., None]).reshape(win.shape) * g
            dx[:, :, i * s:i * s + k, j * s:j * s + k] += share
    return dx


@correct("cnn.max_pool_backward")
def max_pool_backward_offsets(dout, x, kernel_size, stride):
    """The lesson's way: a loop over the k × k offsets, each window claimed by its first maximum."""
    k, s = kernel_size, stride
    ho, wo = dout.shape[2], dout.shape[3]
    out = np.full(dout.shape, -np.inf)
    for u in range(k):
        for v in range(k):
            out = np.maximum(out, x[:, :, u:u + s * ho:s, v:v + s * wo:s])
    dx = np.zeros_like(x)
    taken = np.zeros(dout.shape, dtype=bool)
    for u in range(k):
        for v in range(k):
            hit = (x[:, :, u:u + s * ho:s, v:v + s * wo:s] == out) & ~taken
            taken |= hit
            dx[:, :, u:u + s * ho:s, v:v + s * wo:s] += hit * dout
    return dx


@wrong("cnn.max_pool_backward", "tie_all")
def max_pool_backward_mask_all_ties(dout, x, kernel_size, stride):
    """mask = (win == win.max()): every tied maximum gets the whole gradient."""
    return _pool_back_ties(dout, x, kernel_size, stride, "all")


@wrong("cnn.max_pool_backward", "tie_split")
def max_pool_backward_split_ties(dout, x, kernel_size, stride):
    """The gradient shared equally among tied maxima."""
    return _pool_back_ties(dout, x, kernel_size, stride, "split")


@wrong("cnn.max_pool_backward", "tie_last")
def max_pool_backward_last_tie(dout, x, kernel_size, stride):
    """The last tied maximum (a scan that keeps a new maximum on >=)."""
    return _pool_back_ties(dout, x, kernel_size, stride, "last")


def _offsets_forward(x, k, s, start=-np.inf):
    """The lesson's loop over the k × k offsets: out = max of the strided slices (from ``start``)."""
    ho, wo = (x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1
    out = np.full((x.shape[0], x.shape[1], ho, wo), start)
    for u in range(k):
        for v in range(k):
            out = np.maximum(out, x[:, :, u:u + s * ho:s, v:v + s * wo:s])
    return out


@correct("cnn.max_pool_forward")
def max_pool_forward_offsets(x, kernel_size, stride):
    return _offsets_forward(x, kernel_size, stride)


@wrong("cnn.max_pool_forward", "sum_pool")
def max_pool_forward_sum(x, kernel_size, stride):
    return _pool(x, kernel_size, stride, np.sum)


@wrong("cnn.max_pool_forward", "argmax_not_max")
def max_pool_forward_argmax(x, kernel_size, stride):
    """np.argmax where np.max was meant: the flat index of each window's maximum."""
    k = kernel_size
    n, c = x.shape[:2]
    ho, wo = (x.shape[2] - k) // stride + 1, (x.shape[3] - k) // stride + 1
    out = np.zeros((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            win = x[:, :, i * stride:i * stride + k, j * stride:j * stride + k]
            out[:, :, i, j] = win.reshape(n, c, -1).argmax(axis=2)
    return out


@wrong("cnn.max_pool_forward", "max_starts_at_zero")
def max_pool_forward_from_zeros(x, kernel_size, stride):
    return _offsets_forward(x, kernel_size, stride, start=0.0)


@wrong("cnn.max_pool_forward", "channels_mixed")
def max_pool_forward_over_channels(x, kernel_size, stride):
    k = kernel_size
    ho, wo = (x.shape[2] - k) // stride + 1, (x.shape[3] - k) // stride + 1
    out = np.zeros((x.shape[0], x.shape[1], ho, wo))
    for i in range(ho):
        for j in range(wo):
            win = x[:, :, i * stride:i * stride + k, j * stride:j * stride + k]
            out[:, :, i, j] = win.max(axis=(1, 2, 3))[:, None]
    return out


@wrong("cnn.max_pool_forward", "arguments_swapped")
def max_pool_forward_swapped_args(x, kernel_size, stride):
    return _pool(x, stride, kernel_size)


@wrong("cnn.max_pool_forward", "window_not_strided")
def max_pool_forward_unstrided(x, kernel_size, stride):
    k = kernel_size
    ho, wo = (x.shape[2] - k) // stride + 1, (x.shape[3] - k) // stride + 1
    out = np.zeros((x.shape[0], x.shape[1], ho, wo))
    for i in range(ho):
        for j in range(wo):
            out[:, :, i, j] = x[:, :, i:i + k, j:j + k].max(axis=(2, 3))
    return out


@wrong("cnn.max_pool_forward", "output_one_short")
def max_pool_forward_ranges_short(x, kernel_size, stride):
    return _pool(x, kernel_size, stride)[:, :, :-1, :-1]


@wrong("cnn.max_pool_forward", "partial_windows")
def max_pool_forward_ceil(x, kernel_size, stride):
    """Rounds the output size up and takes the max of whatever part of the last window exists."""
    k = kernel_size
    ho, wo = -(-(x.shape[2] - k) // stride) + 1, -(-(x.shape[3] - k) // stride) + 1
    out = np.zeros((x.shape[0], x.shape[1], ho, wo))
    for i in range(ho):
        for j in range(wo):
            out[:, :, i, j] = x[:, :, i * stride:i * stride + k, j * stride:j * stride + k].max(axis=(2, 3))
    return out


def _route(dout, x, k, s, pick="max", amount="dout", step=None, swap=False):
    """Each window's gradient to the element ``pick`` chooses (first max or first min), ``amount`` of it."""
    dx = np.zeros_like(x)
    t = step or s
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    win = x[n, c, i * t:i * t + k, j * t:j * t + k]
                    idx = int(np.argmax(win) if pick == "max" else np.argmin(win))
                    a, bb = (idx % k, idx // k) if swap else divmod(idx, k)
                    g = {"dout": dout[n, c, i, j], "ones": 1.0, "values": win.flat[idx]}[amount]
                    dx[n, c, i * t + a, j * t + bb] += g
    return dx


@wrong("cnn.max_pool_backward", "overwrite_offsets")
def max_pool_backward_offsets_assigned(dout, x, kernel_size, stride):
    """The lesson's offset loop with = where += belongs."""
    k, s = kernel_size, stride
    ho, wo = dout.shape[2], dout.shape[3]
    out = _offsets_forward(x, k, s)
    dx = np.zeros_like(x)
    taken = np.zeros(dout.shape, dtype=bool)
    for u in range(k):
        for v in range(k):
            hit = (x[:, :, u:u + s * ho:s, v:v + s * wo:s] == out) & ~taken
            taken |= hit
            dx[:, :, u:u + s * ho:s, v:v + s * wo:s] = hit * dout
    return dx


@wrong("cnn.max_pool_backward", "routed_to_min")
def max_pool_backward_argmin(dout, x, kernel_size, stride):
    return _route(dout, x, kernel_size, stride, pick="min")


@wrong("cnn.max_pool_backward", "ones_not_dout")
def max_pool_backward_mask_only(dout, x, kernel_size, stride):
    return _route(dout, x, kernel_size, stride, amount="ones")


@wrong("cnn.max_pool_backward", "values_not_gradient")
def max_pool_backward_values(dout, x, kernel_size, stride):
    return _route(dout, x, kernel_size, stride, amount="values")


@wrong("cnn.max_pool_backward", "row_col_swapped")
def max_pool_backward_col_row(dout, x, kernel_size, stride):
    """The flat index unravelled as (index % k, index // k)."""
    return _route(dout, x, kernel_size, stride, swap=True)


@wrong("cnn.max_pool_backward", "window_not_strided")
def max_pool_backward_unstrided(dout, x, kernel_size, stride):
    return _route(dout, x, kernel_size, stride, step=1)
