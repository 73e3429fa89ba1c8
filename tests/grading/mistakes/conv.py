"""conv2d forward/backward and max-pool forward/backward, NCHW, naive loops."""
import numpy as np

from ._catalogue import correct, wrong


def _conv(x, weight, b, stride, padding, flip=False, pad_once=False):
    n, c, h, w = x.shape
    f, _, kh, kw = weight.shape
    if pad_once:  # padding on one side only
        xp = np.pad(x, ((0, 0), (0, 0), (0, 2 * padding), (0, 2 * padding)))
    else:
        xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    k = weight[:, :, ::-1, ::-1] if flip else weight
    ho = (h + 2 * padding - kh) // stride + 1
    wo = (w + 2 * padding - kw) // stride + 1
    out = np.zeros((n, f, ho, wo))
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            for ff in range(f):
                out[:, ff, i, j] = (patch * k[ff]).sum(axis=(1, 2, 3)) + b[ff]
    return out


@correct("cnn.conv2d_forward")
def conv2d_forward(x, weight, b, stride, padding):
    return _conv(x, weight, b, stride, padding)


@wrong("cnn.conv2d_forward", "flipped_kernel")
def conv2d_forward_flipped(x, weight, b, stride, padding):
    """A 'true' convolution, kernel reversed."""
    return _conv(x, weight, b, stride, padding, flip=True)


@wrong("cnn.conv2d_forward", "ignores_input")
def conv2d_forward_no_padding(x, weight, b, stride, padding):
    return _conv(x, weight, b, stride, 0)


@wrong("cnn.conv2d_forward", "ignores_input")
def conv2d_forward_no_stride(x, weight, b, stride, padding):
    return _conv(x, weight, b, 1, padding)


@wrong("cnn.conv2d_forward", "wrong_shape")
def conv2d_forward_off_by_one(x, weight, b, stride, padding):
    """Output size without the + 1."""
    return _conv(x, weight, b, stride, padding)[:, :, :-1, :-1]


@wrong("cnn.conv2d_forward", "values")
def conv2d_forward_pad_one_side(x, weight, b, stride, padding):
    return _conv(x, weight, b, stride, padding, pad_once=True)


@wrong("cnn.conv2d_forward", "ignores_input")
def conv2d_forward_no_bias(x, weight, b, stride, padding):
    return _conv(x, weight, np.zeros_like(b), stride, padding)


def _conv_back(dout, x, weight, stride, padding, accumulate=True, crop=True, flip_dw=False):
    n, c, h, w = x.shape
    f, _, kh, kw = weight.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(weight)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            sl = np.s_[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            g = dout[:, :, i, j]
            dw += np.einsum("nf,nchw->fchw", g, xp[sl])
            contrib = np.einsum("nf,fchw->nchw", g, weight)
            if accumulate:
                dxp[sl] += contrib
            else:
                dxp[sl] = contrib
    dx = dxp[:, :, padding:padding + h, padding:padding + w] if crop else dxp
    return dx, (dw[:, :, ::-1, ::-1] if flip_dw else dw)


@correct("cnn.conv2d_backward")
def conv2d_backward(dout, x, weight, b, stride, padding):
    dx, dw = _conv_back(dout, x, weight, stride, padding)
    return dx, dw, dout.sum(axis=(0, 2, 3))


@wrong("cnn.conv2d_backward", "batch_not_reduced")
def conv2d_backward_db_batch_only(dout, x, weight, b, stride, padding):
    """db summed over the batch but not over positions."""
    dx, dw = _conv_back(dout, x, weight, stride, padding)
    return dx, dw, dout.sum(axis=0)


@wrong("cnn.conv2d_backward", "wrong_shape")
def conv2d_backward_no_crop(dout, x, weight, b, stride, padding):
    """Returns the gradient of the padded input."""
    dx, dw = _conv_back(dout, x, weight, stride, padding, crop=False)
    return dx, dw, dout.sum(axis=(0, 2, 3))


@wrong("cnn.conv2d_backward", "overwrite")
def conv2d_backward_overwrite(dout, x, weight, b, stride, padding):
    dx, dw = _conv_back(dout, x, weight, stride, padding, accumulate=False)
    return dx, dw, dout.sum(axis=(0, 2, 3))


@wrong("cnn.conv2d_backward", "flipped_kernel")
def conv2d_backward_flipped_dw(dout, x, weight, b, stride, padding):
    dx, dw = _conv_back(dout, x, weight, stride, padding, flip_dw=True)
    return dx, dw, dout.sum(axis=(0, 2, 3))


@wrong("cnn.conv2d_backward", "scale")
def conv2d_backward_dw_mean(dout, x, weight, b, stride, padding):
    """Averages dweight over the batch."""
    dx, dw = _conv_back(dout, x, weight, stride, padding)
    return dx, dw / x.shape[0], dout.sum(axis=(0, 2, 3))


@wrong("cnn.conv2d_backward", "ignores_input")
def conv2d_backward_stride_one(dout, x, weight, b, stride, padding):
    """Assumes stride 1 when placing the gradient windows."""
    dx, dw = _conv_back(dout, x, weight, 1, padding)
    return dx, dw, dout.sum(axis=(0, 2, 3))


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


@wrong("cnn.max_pool_forward", "ignores_input")
def max_pool_forward_stride_is_kernel(x, kernel_size, stride):
    """Assumes stride == kernel_size."""
    return _pool(x, kernel_size, kernel_size)


@wrong("cnn.max_pool_forward", "wrong_shape")
def max_pool_forward_off_by_one(x, kernel_size, stride):
    return _pool(x, kernel_size, stride)[:, :, :-1, :]


@wrong("cnn.max_pool_forward", "values")
def max_pool_forward_min(x, kernel_size, stride):
    return _pool(x, kernel_size, stride, np.min)


@wrong("cnn.max_pool_forward", "ignores_input")
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


@wrong("cnn.max_pool_backward", "ignores_input")
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
