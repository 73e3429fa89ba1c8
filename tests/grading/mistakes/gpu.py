"""FLOPs of a convolution (lesson 09), counted the ways learners count them."""
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


@wrong("gpu.conv2d_flops", "mnist_sizes")
def conv2d_flops_square_28(batch, c_in, height, width, c_out, k, padding):
    """Hard-codes the MNIST course CNN's first layer: 26 × 26 outputs."""
    return 2 * batch * c_out * 26 * 26 * c_in * k * k


def _outputs(batch, c_out, height, width, k, padding):
    return batch * c_out * (height + 2 * padding - k + 1) * (width + 2 * padding - k + 1)


@wrong("gpu.conv2d_flops", "no_c_out")
def conv2d_flops_one_filter(batch, c_in, height, width, c_out, k, padding):
    return 2 * batch * (height + 2 * padding - k + 1) * (width + 2 * padding - k + 1) * c_in * k * k


@wrong("gpu.conv2d_flops", "padding_once")
def conv2d_flops_pad_once(batch, c_in, height, width, c_out, k, padding):
    h_out, w_out = height + padding - k + 1, width + padding - k + 1
    return 2 * batch * c_out * h_out * w_out * c_in * k * k


@wrong("gpu.conv2d_flops", "adds_one_fewer")
def conv2d_flops_exact_adds(batch, c_in, height, width, c_out, k, padding):
    """c_in·k² multiplies and c_in·k² − 1 additions per output value."""
    return _outputs(batch, c_out, height, width, k, padding) * (2 * c_in * k * k - 1)


@wrong("gpu.conv2d_flops", "bias_counted")
def conv2d_flops_with_bias(batch, c_in, height, width, c_out, k, padding):
    return _outputs(batch, c_out, height, width, k, padding) * (2 * c_in * k * k + 1)


@wrong("gpu.conv2d_flops", "square_input")
def conv2d_flops_square(batch, c_in, height, width, c_out, k, padding):
    h_out = height + 2 * padding - k + 1
    return 2 * batch * c_out * h_out * h_out * c_in * k * k


@wrong("gpu.conv2d_flops", "output_one_short")
def conv2d_flops_no_plus_one(batch, c_in, height, width, c_out, k, padding):
    h_out, w_out = height + 2 * padding - k, width + 2 * padding - k
    return 2 * batch * c_out * h_out * w_out * c_in * k * k


@wrong("gpu.conv2d_flops", "training_step")
def conv2d_flops_forward_backward(batch, c_in, height, width, c_out, k, padding):
    """Three times the forward pass: the cost of a training step."""
    return 3 * 2 * _outputs(batch, c_out, height, width, k, padding) * c_in * k * k

