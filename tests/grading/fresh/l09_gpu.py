"""Lesson 09 · On a GPU: conv2d_flops and activation_bytes."""
import math

import numpy as np

from ._fresh import correct, wrong

L = "09"

# ---- gpu.conv2d_flops(batch, c_in, height, width, c_out, k, padding) -------------------------------------


@wrong("gpu.conv2d_flops", L, ["factor 2", "factor of 2", "multiply-add", "mac", "half", "twice", "2 flops"],
       "counts multiply-adds, not FLOPs: forgets the 2")
def conv2d_flops(batch, c_in, height, width, c_out, k, padding):
    ho, wo = height + 2 * padding - k + 1, width + 2 * padding - k + 1
    return batch * c_out * ho * wo * c_in * k * k


@wrong("gpu.conv2d_flops", L, ["output size", "h_out", "hout", "output", "padding"], "uses the input size H x W instead of the output size")
def conv2d_flops(batch, c_in, height, width, c_out, k, padding):  # noqa: F811
    return 2 * batch * c_out * height * width * c_in * k * k


@wrong("gpu.conv2d_flops", L, ["c_in", "input channel"], "forgets the input channels")
def conv2d_flops(batch, c_in, height, width, c_out, k, padding):  # noqa: F811
    ho, wo = height + 2 * padding - k + 1, width + 2 * padding - k + 1
    return 2 * batch * c_out * ho * wo * k * k


@wrong("gpu.conv2d_flops", L, ["k^2", "k²", "k ** 2", "k*k", "k * k", "kernel"], "k instead of k^2")
def conv2d_flops(batch, c_in, height, width, c_out, k, padding):  # noqa: F811
    ho, wo = height + 2 * padding - k + 1, width + 2 * padding - k + 1
    return 2 * batch * c_out * ho * wo * c_in * k


@wrong("gpu.conv2d_flops", L, ["2p", "2 * padding", "both sides", "padding"], "H + p - k + 1: the padding counted once")
def conv2d_flops(batch, c_in, height, width, c_out, k, padding):  # noqa: F811
    ho, wo = height + padding - k + 1, width + padding - k + 1
    return 2 * batch * c_out * ho * wo * c_in * k * k


@wrong("gpu.conv2d_flops", L, ["bias"], "adds one FLOP per output for the bias")
def conv2d_flops(batch, c_in, height, width, c_out, k, padding):  # noqa: F811
    ho, wo = height + 2 * padding - k + 1, width + 2 * padding - k + 1
    return 2 * batch * c_out * ho * wo * c_in * k * k + batch * c_out * ho * wo


@wrong("gpu.conv2d_flops", L, ["+ 1", "+1", "off by one", "output size"], "H + 2p - k: forgets the + 1")
def conv2d_flops(batch, c_in, height, width, c_out, k, padding):  # noqa: F811
    ho, wo = height + 2 * padding - k, width + 2 * padding - k
    return 2 * batch * c_out * ho * wo * c_in * k * k


@correct("gpu.conv2d_flops", L, "weights times positions: 2 * (c_out c_in k^2) * (batch ho wo), with math.prod")
def conv2d_flops(batch, c_in, height, width, c_out, k, padding):  # noqa: F811
    ho, wo = height + 2 * padding - k + 1, width + 2 * padding - k + 1
    return 2 * math.prod((c_out, c_in, k, k)) * math.prod((batch, ho, wo))


@correct("gpu.conv2d_flops", L, "a float (the exercise asks for a number; an int is only 'best')")
def conv2d_flops(batch, c_in, height, width, c_out, k, padding):  # noqa: F811
    ho = (height + 2.0 * padding - k) / 1 + 1
    wo = (width + 2.0 * padding - k) / 1 + 1
    return 2.0 * batch * c_out * ho * wo * c_in * k ** 2


# ---- gpu.activation_bytes(shapes, batch, bytes_per_value) ---------------------------------------------------------


@wrong("gpu.activation_bytes", L, ["bytes_per_value", "bytes per value", "per value"], "counts values, not bytes")
def activation_bytes(shapes, batch, bytes_per_value):
    return batch * sum(math.prod(s) for s in shapes)


@wrong("gpu.activation_bytes", L, ["batch"], "forgets the batch size")
def activation_bytes(shapes, batch, bytes_per_value):  # noqa: F811
    return bytes_per_value * sum(math.prod(s) for s in shapes)


@wrong("gpu.activation_bytes", L, ["product", "np.prod", "multiply", "sum of", "prod"], "sums the entries of each shape instead of multiplying")
def activation_bytes(shapes, batch, bytes_per_value):  # noqa: F811
    return batch * bytes_per_value * sum(sum(s) for s in shapes)


@wrong("gpu.activation_bytes", L, ["every layer", "all layers", "each layer", "sum over", "last"], "only the last layer")
def activation_bytes(shapes, batch, bytes_per_value):  # noqa: F811
    return batch * bytes_per_value * math.prod(shapes[-1])


@wrong("gpu.activation_bytes", L, ["bits", "factor 8", "8 times", "8x"], "bits, not bytes (times 8)")
def activation_bytes(shapes, batch, bytes_per_value):  # noqa: F811
    return 8 * batch * bytes_per_value * sum(math.prod(s) for s in shapes)


@wrong("gpu.activation_bytes", L, ["sum", "every layer", "all layers", "max", "largest"], "the largest layer only (a peak, not the total)")
def activation_bytes(shapes, batch, bytes_per_value):  # noqa: F811
    return batch * bytes_per_value * max(math.prod(s) for s in shapes)


@correct("gpu.activation_bytes", L, "np.prod over each shape, cast to int")
def activation_bytes(shapes, batch, bytes_per_value):  # noqa: F811
    return int(batch * bytes_per_value * sum(int(np.prod(s, dtype=np.int64)) for s in shapes))


@correct("gpu.activation_bytes", L, "an explicit double loop")
def activation_bytes(shapes, batch, bytes_per_value):  # noqa: F811
    total = 0
    for s in shapes:
        n = 1
        for d in s:
            n *= d
        total += n
    return total * batch * bytes_per_value
