"""The output size of a convolution along one axis (lesson 08)."""
import math

from ._catalogue import correct, wrong


@correct("cnn.conv_output_size")
def conv_output_size(n, k, stride, padding):
    return (n + 2 * padding - k) // stride + 1


@correct("cnn.conv_output_size")
def conv_output_size_floor(n, k, stride, padding):
    """math.floor of a true division: the same whole number."""
    return int(math.floor((n + 2 * padding - k) / stride)) + 1


@wrong("cnn.conv_output_size", "padding_ignored")
def conv_output_size_no_padding(n, k, stride, padding):
    return (n - k) // stride + 1


@wrong("cnn.conv_output_size", "padding_once")
def conv_output_size_padding_once(n, k, stride, padding):
    """Padding counted on one side only."""
    return (n + padding - k) // stride + 1


@wrong("cnn.conv_output_size", "no_plus_one")
def conv_output_size_no_plus_one(n, k, stride, padding):
    return (n + 2 * padding - k) // stride


@wrong("cnn.conv_output_size", "true_division")
def conv_output_size_true_division(n, k, stride, padding):
    """/ instead of //: a fractional number of positions."""
    return (n + 2 * padding - k) / stride + 1


@wrong("cnn.conv_output_size", "rounded_up")
def conv_output_size_ceil(n, k, stride, padding):
    return math.ceil((n + 2 * padding - k) / stride) + 1


@wrong("cnn.conv_output_size", "rounded_up")
def conv_output_size_round(n, k, stride, padding):
    """round() of the true division: rounds half of the cases up."""
    return round((n + 2 * padding - k) / stride + 0.01) + 1


@wrong("cnn.conv_output_size", "stride_ignored")
def conv_output_size_no_stride(n, k, stride, padding):
    return n + 2 * padding - k + 1


@wrong("cnn.conv_output_size", "no_plus_one")
def conv_output_size_plus_one_inside(n, k, stride, padding):
    """The + 1 inside the division: wrong exactly where it equals forgetting the + 1."""
    return (n + 2 * padding - k + 1) // stride


@wrong("cnn.conv_output_size", "kernel_ignored")
def conv_output_size_no_kernel(n, k, stride, padding):
    return (n + 2 * padding) // stride + 1


@wrong("cnn.conv_output_size", "ignores_input")
def conv_output_size_same_padding_always(n, k, stride, padding):
    """Assumes 'same' padding whatever the padding is: n // stride."""
    return (n - 1) // stride + 1
