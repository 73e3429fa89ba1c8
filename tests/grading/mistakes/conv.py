"""conv2d forward (loops and im2col) and backward (lesson 08), NCHW, written the ways learners write them."""
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


@wrong("cnn.conv2d_forward", "padding_ignored")
def conv2d_forward_no_padding(x, weight, b, stride, padding):
    return _conv(x, weight, b, stride, 0)


@wrong("cnn.conv2d_forward", "stride_ignored")
def conv2d_forward_no_stride(x, weight, b, stride, padding):
    return _conv(x, weight, b, 1, padding)


@wrong("cnn.conv2d_forward", "output_one_short")
def conv2d_forward_off_by_one(x, weight, b, stride, padding):
    """Output size without the + 1."""
    return _conv(x, weight, b, stride, padding)[:, :, :-1, :-1]


@wrong("cnn.conv2d_forward", "pad_one_side")
def conv2d_forward_pad_one_side(x, weight, b, stride, padding):
    return _conv(x, weight, b, stride, padding, pad_once=True)


@wrong("cnn.conv2d_forward", "no_bias")
def conv2d_forward_no_bias(x, weight, b, stride, padding):
    return _conv(x, weight, np.zeros_like(b), stride, padding)


def im2col(x, kh, kw, stride, padding):
    """The lesson's im2col (while conv2d_forward is checked, the grader's answers under this name)."""
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(-1, x.shape[1] * kh * kw)


def _sizes(x, weight, stride, padding):
    return ((x.shape[2] + 2 * padding - weight.shape[2]) // stride + 1,
            (x.shape[3] + 2 * padding - weight.shape[3]) // stride + 1)


@correct("cnn.conv2d_forward")
def conv2d_forward_im2col(x, weight, b, stride, padding):
    """The lesson's vectorised version: im2col, one matrix product, reshape, transpose."""
    n, f = x.shape[0], weight.shape[0]
    ho, wo = _sizes(x, weight, stride, padding)
    out = im2col(x, weight.shape[2], weight.shape[3], stride, padding) @ weight.reshape(f, -1).T + b
    return out.reshape(n, ho, wo, f).transpose(0, 3, 1, 2)


@correct("cnn.conv2d_forward")
def conv2d_forward_einsum(x, weight, b, stride, padding):
    """Strided windows and one einsum."""
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    win = np.lib.stride_tricks.sliding_window_view(xp, weight.shape[2:], axis=(2, 3))[:, :, ::stride, ::stride]
    return np.einsum("nchwuv,fcuv->nfhw", win, weight) + b[None, :, None, None]


@wrong("cnn.conv2d_forward", "window_not_strided")
def conv2d_forward_unstrided_windows(x, weight, b, stride, padding):
    n, f = x.shape[0], weight.shape[0]
    kh, kw = weight.shape[2:]
    ho, wo = _sizes(x, weight, stride, padding)
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.zeros((n, f, ho, wo))
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, :, i:i + kh, j:j + kw]
            out[:, :, i, j] = np.tensordot(patch, weight, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


@wrong("cnn.conv2d_forward", "batch_summed")
def conv2d_forward_whole_batch(x, weight, b, stride, padding):
    """Every image's window summed into one number per (f, i, j)."""
    n, f = x.shape[0], weight.shape[0]
    kh, kw = weight.shape[2:]
    ho, wo = _sizes(x, weight, stride, padding)
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.zeros((n, f, ho, wo))
    for k in range(f):
        for i in range(ho):
            for j in range(wo):
                window = xp[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
                out[:, k, i, j] = np.sum(window * weight[k]) + b[k]
    return out


@wrong("cnn.conv2d_forward", "rows_reshaped_to_nchw")
def conv2d_forward_reshape_only(x, weight, b, stride, padding):
    n, f = x.shape[0], weight.shape[0]
    ho, wo = _sizes(x, weight, stride, padding)
    out = im2col(x, weight.shape[2], weight.shape[3], stride, padding) @ weight.reshape(f, -1).T + b
    return out.reshape(n, f, ho, wo)


@wrong("cnn.conv2d_forward", "channels_last")
def conv2d_forward_nhwc(x, weight, b, stride, padding):
    n, f = x.shape[0], weight.shape[0]
    ho, wo = _sizes(x, weight, stride, padding)
    out = im2col(x, weight.shape[2], weight.shape[3], stride, padding) @ weight.reshape(f, -1).T + b
    return out.reshape(n, ho, wo, f)


@wrong("cnn.conv2d_forward", "weight_reshape_order")
def conv2d_forward_weight_columns(x, weight, b, stride, padding):
    n, f = x.shape[0], weight.shape[0]
    ho, wo = _sizes(x, weight, stride, padding)
    out = im2col(x, weight.shape[2], weight.shape[3], stride, padding) @ weight.reshape(-1, f) + b
    return out.reshape(n, ho, wo, f).transpose(0, 3, 1, 2)


@wrong("cnn.conv2d_forward", "weight_channel_order")
def conv2d_forward_weight_channels_last(x, weight, b, stride, padding):
    n, f = x.shape[0], weight.shape[0]
    ho, wo = _sizes(x, weight, stride, padding)
    w_mat = weight.transpose(0, 2, 3, 1).reshape(f, -1)
    out = im2col(x, weight.shape[2], weight.shape[3], stride, padding) @ w_mat.T + b
    return out.reshape(n, ho, wo, f).transpose(0, 3, 1, 2)


def _conv_back(dout, x, weight, stride, padding, accumulate=True, crop=True, flip_dw=False, flip_dx=False,
               add_dw=True, dx_step=None):
    n, c, h, w = x.shape
    f, _, kh, kw = weight.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(weight)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            sl = np.s_[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
            g = dout[:, :, i, j]
            piece = np.einsum("nf,nchw->fchw", g, xp[sl])
            dw = dw + piece if add_dw else piece
            contrib = np.einsum("nf,fchw->nchw", g, weight[:, :, ::-1, ::-1] if flip_dx else weight)
            if dx_step is not None:  # the piece placed dx_step apart
                sl = np.s_[:, :, i * dx_step:i * dx_step + kh, j * dx_step:j * dx_step + kw]
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


@wrong("cnn.conv2d_backward", "db_positions_not_summed")
def conv2d_backward_db_batch_only(dout, x, weight, b, stride, padding):
    """db summed over the batch but not over positions."""
    dx, dw = _conv_back(dout, x, weight, stride, padding)
    return dx, dw, dout.sum(axis=0)


@wrong("cnn.conv2d_backward", "not_cropped")
def conv2d_backward_no_crop(dout, x, weight, b, stride, padding):
    """Returns the gradient of the padded input."""
    dx, dw = _conv_back(dout, x, weight, stride, padding, crop=False)
    return dx, dw, dout.sum(axis=(0, 2, 3))


@wrong("cnn.conv2d_backward", "overwrite")
def conv2d_backward_overwrite(dout, x, weight, b, stride, padding):
    dx, dw = _conv_back(dout, x, weight, stride, padding, accumulate=False)
    return dx, dw, dout.sum(axis=(0, 2, 3))


@wrong("cnn.conv2d_backward", "dweight_flipped")
def conv2d_backward_flipped_dw(dout, x, weight, b, stride, padding):
    dx, dw = _conv_back(dout, x, weight, stride, padding, flip_dw=True)
    return dx, dw, dout.sum(axis=(0, 2, 3))


@wrong("cnn.conv2d_backward", "dweight_averaged")
def conv2d_backward_dw_mean(dout, x, weight, b, stride, padding):
    """Averages dweight over the batch."""
    dx, dw = _conv_back(dout, x, weight, stride, padding)
    return dx, dw / x.shape[0], dout.sum(axis=(0, 2, 3))


@wrong("cnn.conv2d_backward", "stride_ignored")
def conv2d_backward_stride_one(dout, x, weight, b, stride, padding):
    """Assumes stride 1 when placing the gradient windows."""
    dx, dw = _conv_back(dout, x, weight, 1, padding)
    return dx, dw, dout.sum(axis=(0, 2, 3))


def _db(dout):
    return dout.sum(axis=(0, 2, 3))


@wrong("cnn.conv2d_backward", "dx_flipped_kernel")
def conv2d_backward_rot180(dout, x, weight, b, stride, padding):
    """dx through the kernel rotated by 180 degrees, from the full-convolution formula."""
    dx, dw = _conv_back(dout, x, weight, stride, padding, flip_dx=True)
    return dx, dw, _db(dout)


@wrong("cnn.conv2d_backward", "dweight_overwrite")
def conv2d_backward_dw_assigned(dout, x, weight, b, stride, padding):
    dx, dw = _conv_back(dout, x, weight, stride, padding, add_dw=False)
    return dx, dw, _db(dout)


@wrong("cnn.conv2d_backward", "crop_minus_zero")
def conv2d_backward_negative_crop(dout, x, weight, b, stride, padding):
    dxp, dw = _conv_back(dout, x, weight, stride, padding, crop=False)
    return dxp[:, :, padding:-padding, padding:-padding], dw, _db(dout)


@wrong("cnn.conv2d_backward", "cropped_one_side")
def conv2d_backward_crop_end(dout, x, weight, b, stride, padding):
    dxp, dw = _conv_back(dout, x, weight, stride, padding, crop=False)
    return dxp[:, :, :x.shape[2], :x.shape[3]], dw, _db(dout)


@wrong("cnn.conv2d_backward", "dx_window_not_strided")
def conv2d_backward_dx_unstrided(dout, x, weight, b, stride, padding):
    dx, dw = _conv_back(dout, x, weight, stride, padding, dx_step=1)
    return dx, dw, _db(dout)


@wrong("cnn.conv2d_backward", "dweight_axes")
def conv2d_backward_dw_cf(dout, x, weight, b, stride, padding):
    """einsum with the output letters in the wrong order: (C, F, kh, kw)."""
    dx, dw = _conv_back(dout, x, weight, stride, padding)
    return dx, np.einsum("fchw->cfhw", dw), _db(dout)


@wrong("cnn.conv2d_backward", "db_batch_not_summed")
def conv2d_backward_db_per_image(dout, x, weight, b, stride, padding):
    dx, dw = _conv_back(dout, x, weight, stride, padding)
    return dx, dw, dout.sum(axis=(2, 3))


@wrong("cnn.conv2d_backward", "db_mean")
def conv2d_backward_db_average(dout, x, weight, b, stride, padding):
    dx, dw = _conv_back(dout, x, weight, stride, padding)
    return dx, dw, dout.mean(axis=(0, 2, 3))

