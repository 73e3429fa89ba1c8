"""FLOPs of a convolution and activation memory of a batch (lesson 09)."""
import math

import numpy as np

from ._catalogue import correct, wrong


# ---------------------------------------------------------------------------------------
# conv2d_flops(batch, c_in, height, width, c_out, k, padding)


@correct("gpu.conv2d_flops")
def conv2d_flops(batch, c_in, height, width, c_out, k, padding):
    h_out = height + 2 * padding - k + 1
    w_out = width + 2 * padding - k + 1
    return 2 * batch * c_out * h_out * w_out * c_in * k * k


@correct("gpu.conv2d_flops")
def conv2d_flops_per_output(batch, c_in, height, width, c_out, k, padding):
    """Counts the work of one output value, then the number of output values (as a float)."""
    per_output = 2.0 * c_in * k**2
    outputs = batch * c_out * (height - k + 2 * padding + 1) * (width - k + 2 * padding + 1)
    return per_output * outputs


@wrong("gpu.conv2d_flops", "no_factor_2")
def conv2d_flops_macs(batch, c_in, height, width, c_out, k, padding):
    """Counts multiply-adds (MACs), not FLOPs."""
    h_out, w_out = height + 2 * padding - k + 1, width + 2 * padding - k + 1
    return batch * c_out * h_out * w_out * c_in * k * k


@wrong("gpu.conv2d_flops", "no_batch")
def conv2d_flops_one_example(batch, c_in, height, width, c_out, k, padding):
    h_out, w_out = height + 2 * padding - k + 1, width + 2 * padding - k + 1
    return 2 * c_out * h_out * w_out * c_in * k * k


@wrong("gpu.conv2d_flops", "no_c_in")
def conv2d_flops_one_channel(batch, c_in, height, width, c_out, k, padding):
    h_out, w_out = height + 2 * padding - k + 1, width + 2 * padding - k + 1
    return 2 * batch * c_out * h_out * w_out * k * k


@wrong("gpu.conv2d_flops", "k_not_squared")
def conv2d_flops_k(batch, c_in, height, width, c_out, k, padding):
    h_out, w_out = height + 2 * padding - k + 1, width + 2 * padding - k + 1
    return 2 * batch * c_out * h_out * w_out * c_in * k


@wrong("gpu.conv2d_flops", "input_size")
def conv2d_flops_input_size(batch, c_in, height, width, c_out, k, padding):
    return 2 * batch * c_out * height * width * c_in * k * k


@wrong("gpu.conv2d_flops", "padding_ignored")
def conv2d_flops_valid(batch, c_in, height, width, c_out, k, padding):
    return 2 * batch * c_out * (height - k + 1) * (width - k + 1) * c_in * k * k


@wrong("gpu.conv2d_flops", "no_positions")
def conv2d_flops_params_times_batch(batch, c_in, height, width, c_out, k, padding):
    """Twice the weights, per example: forgets that the kernel slides over every position."""
    return 2 * batch * c_out * c_in * k * k


@wrong("gpu.conv2d_flops", "ignores_input")
def conv2d_flops_square_28(batch, c_in, height, width, c_out, k, padding):
    """Hard-codes the MNIST course CNN's first layer: 26 × 26 outputs."""
    return 2 * batch * c_out * 26 * 26 * c_in * k * k


# ---------------------------------------------------------------------------------------
# activation_bytes(shapes, batch, bytes_per_value)


@correct("gpu.activation_bytes")
def activation_bytes(shapes, batch, bytes_per_value):
    return batch * bytes_per_value * sum(math.prod(s) for s in shapes)


@correct("gpu.activation_bytes")
def activation_bytes_numpy(shapes, batch, bytes_per_value):
    """np.prod per layer, one layer at a time."""
    total = 0
    for shape in shapes:
        total += int(np.prod(shape)) * batch * bytes_per_value
    return total


@wrong("gpu.activation_bytes", "no_batch")
def activation_bytes_one_example(shapes, batch, bytes_per_value):
    return bytes_per_value * sum(math.prod(s) for s in shapes)


@wrong("gpu.activation_bytes", "no_bytes")
def activation_bytes_values(shapes, batch, bytes_per_value):
    return batch * sum(math.prod(s) for s in shapes)


@wrong("gpu.activation_bytes", "bits")
def activation_bytes_bits(shapes, batch, bytes_per_value):
    return batch * bytes_per_value * 8 * sum(math.prod(s) for s in shapes)


@wrong("gpu.activation_bytes", "sum_of_dims")
def activation_bytes_sum_dims(shapes, batch, bytes_per_value):
    return batch * bytes_per_value * sum(sum(s) for s in shapes)


@wrong("gpu.activation_bytes", "last_layer_only")
def activation_bytes_last(shapes, batch, bytes_per_value):
    """Counts only the output the loss sees."""
    return batch * bytes_per_value * math.prod(shapes[-1])


@wrong("gpu.activation_bytes", "largest_only")
def activation_bytes_peak(shapes, batch, bytes_per_value):
    return batch * bytes_per_value * max(math.prod(s) for s in shapes)


@wrong("gpu.activation_bytes", "megabytes")
def activation_bytes_mb(shapes, batch, bytes_per_value):
    return batch * bytes_per_value * sum(math.prod(s) for s in shapes) / 1024**2


@wrong("gpu.activation_bytes", "ignores_input")
def activation_bytes_float32_always(shapes, batch, bytes_per_value):
    """Assumes float32 whatever bytes_per_value says."""
    return batch * 4 * sum(math.prod(s) for s in shapes)
