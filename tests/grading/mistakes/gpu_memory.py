"""Activation memory of a batch (lesson 09), counted the ways learners count it."""
import math

import numpy as np

from ._catalogue import correct, wrong


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


@wrong("gpu.activation_bytes", "float32_assumed")
def activation_bytes_float32_always(shapes, batch, bytes_per_value):
    """Assumes float32 whatever bytes_per_value says."""
    return batch * 4 * sum(math.prod(s) for s in shapes)


@correct("gpu.activation_bytes")
def activation_bytes_loop(shapes, batch, bytes_per_value):
    """Values counted with a loop over each shape's sizes."""
    values = 0
    for shape in shapes:
        count = 1
        for size in shape:
            count *= size
        values += count
    return values * batch * bytes_per_value


@wrong("gpu.activation_bytes", "divided_by_8")
def activation_bytes_over_8(shapes, batch, bytes_per_value):
    return batch * bytes_per_value / 8 * sum(math.prod(s) for s in shapes)


@wrong("gpu.activation_bytes", "first_dim_dropped")
def activation_bytes_drop_batch_axis(shapes, batch, bytes_per_value):
    """Treats the first size of every shape as a batch axis."""
    return batch * bytes_per_value * sum(int(np.prod(s[1:])) for s in shapes)


@wrong("gpu.activation_bytes", "product_across_layers")
def activation_bytes_prod_all(shapes, batch, bytes_per_value):
    return batch * bytes_per_value * math.prod(math.prod(s) for s in shapes)


@wrong("gpu.activation_bytes", "first_layer_only")
def activation_bytes_first(shapes, batch, bytes_per_value):
    return batch * bytes_per_value * math.prod(shapes[0])


@wrong("gpu.activation_bytes", "doubled_for_gradients")
def activation_bytes_with_grads(shapes, batch, bytes_per_value):
    """Adds the activations' gradients."""
    return 2 * batch * bytes_per_value * sum(math.prod(s) for s in shapes)


@wrong("gpu.activation_bytes", "megabytes")
def activation_bytes_decimal_mb(shapes, batch, bytes_per_value):
    return batch * bytes_per_value * sum(math.prod(s) for s in shapes) / 1e6


@wrong("gpu.activation_bytes", "kilobytes")
def activation_bytes_kib(shapes, batch, bytes_per_value):
    return batch * bytes_per_value * sum(math.prod(s) for s in shapes) / 1024


@wrong("gpu.activation_bytes", "gigabytes")
def activation_bytes_gib(shapes, batch, bytes_per_value):
    return batch * bytes_per_value * sum(math.prod(s) for s in shapes) / 2**30

