"""Round-2 fresh entries for lesson 09 (GPU: counting FLOPs and bytes, the device switch)."""
import math

import numpy as np

import dlkit
from dlkit import nn

from ._fresh import correct, wrong


def _linear_classifier(weight, bias):
    layer = nn.Linear(weight.shape[1], weight.shape[0])
    layer.load_state_dict({"weight": weight, "bias": bias})
    return layer


def _fit(model, x, y, lr, steps):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = dlkit.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


# ---------------------------------------------------------------- matmul_intensity


@wrong("gpu.matmul_intensity", "09", ["write", "result", "m * n", "output"],
       "counts the bytes of the two operands only and forgets writing the (m, n) result")
def matmul_intensity(m, k, n, bytes_per_value):
    return 2 * m * k * n / (bytes_per_value * (m * k + k * n))


@wrong("gpu.matmul_intensity", "09", ["multiply-add", "2 flops", "two flops", "factor of 2", "2mkn"],
       "counts m * k * n FLOPs, one per multiply-add instead of two")
def matmul_intensity(m, k, n, bytes_per_value):  # noqa: F811
    return m * k * n / (bytes_per_value * (m * k + k * n + m * n))


# ---------------------------------------------------------------- attainable_gflops


@wrong("gpu.attainable_gflops", "09", ["elementwise", "np.minimum", "min(", "truth value", "built-in min"],
       "uses Python's built-in min, which cannot compare a whole array with the peak")
def attainable_gflops(intensity, peak_gflops, bandwidth_gbs):
    return min(peak_gflops, intensity * bandwidth_gbs)


@wrong("gpu.attainable_gflops", "09", ["multipl", "times", "intensity * bandwidth", "divid", "units"],
       "divides the intensity by the bandwidth instead of multiplying")
def attainable_gflops(intensity, peak_gflops, bandwidth_gbs):  # noqa: F811
    return np.minimum(peak_gflops, intensity / bandwidth_gbs)


@correct("gpu.attainable_gflops", "09", "np.clip of intensity * bandwidth from above at the peak")
def attainable_gflops(intensity, peak_gflops, bandwidth_gbs):  # noqa: F811
    memory_bound = np.asarray(intensity, dtype=float) * bandwidth_gbs
    return np.clip(memory_bound, None, peak_gflops)


# ---------------------------------------------------------------- conv2d_flops


@wrong("gpu.conv2d_flops", "09", ["padding", "2 * padding", "2p", "pad"],
       "takes the output size as height - k + 1, ignoring the padding")
def conv2d_flops(batch, c_in, height, width, c_out, k, padding):
    h_out = height - k + 1
    w_out = width - k + 1
    return 2 * batch * c_out * h_out * w_out * c_in * k * k


@wrong("gpu.conv2d_flops", "09", ["c_in", "input channel", "every channel", "channels"],
       "leaves the number of input channels out of the products per output value")
def conv2d_flops(batch, c_in, height, width, c_out, k, padding):  # noqa: F811
    h_out = height + 2 * padding - k + 1
    w_out = width + 2 * padding - k + 1
    return 2 * batch * c_out * h_out * w_out * k * k


@wrong("gpu.conv2d_flops", "09", ["k^2", "k²", "k * k", "k**2", "square"],
       "multiplies by k instead of k * k for the window")
def conv2d_flops(batch, c_in, height, width, c_out, k, padding):  # noqa: F811
    h_out = height + 2 * padding - k + 1
    w_out = width + 2 * padding - k + 1
    return 2 * batch * c_out * h_out * w_out * c_in * k


@correct("gpu.conv2d_flops", "09", "weights per layer times positions times batch, with math.prod")
def conv2d_flops(batch, c_in, height, width, c_out, k, padding):  # noqa: F811
    positions = (height + 2 * padding - k + 1) * (width + 2 * padding - k + 1)
    n_weights = math.prod((c_out, c_in, k, k))
    return int(2 * n_weights * positions * batch)


# ---------------------------------------------------------------- fit_on


@wrong("gpu.fit_on", "09", ["same device", "move the data", ".to(", "x and y", "different devices"],
       "moves the model to the device but leaves x and y as CPU tensors")
def fit_on(device, x, y, weight, bias, lr, steps):
    model = _linear_classifier(weight, bias).to(device)
    losses = _fit(model, dlkit.tensor(x), dlkit.tensor(y), lr, steps)
    return np.array(losses), model.weight.detach().cpu().numpy(), model.bias.detach().cpu().numpy()


@wrong("gpu.fit_on", "09", ["numpy", ".cpu()", "numpy array", "not a numpy", "tensor"],
       "returns the trained weight and bias as dlkit tensors on the device instead of numpy arrays on the CPU")
def fit_on(device, x, y, weight, bias, lr, steps):  # noqa: F811
    model = _linear_classifier(weight, bias).to(device)
    losses = _fit(model, dlkit.tensor(x).to(device), dlkit.tensor(y).to(device), lr, steps)
    return np.array(losses), model.weight.detach(), model.bias.detach()


# ---------------------------------------------------------------- activation_bytes


@wrong("gpu.activation_bytes", "09", ["prod", "product", "multipl", "number of values", "sum(shape)"],
       "adds up the lengths of each shape's axes instead of multiplying them")
def activation_bytes(shapes, batch, bytes_per_value):
    values = sum(sum(shape) for shape in shapes)
    return batch * bytes_per_value * values


@correct("gpu.activation_bytes", "09", "an explicit loop multiplying the axis lengths of each shape (Python ints)")
def activation_bytes(shapes, batch, bytes_per_value):  # noqa: F811
    total = 0
    for shape in shapes:
        count = 1
        for length in shape:
            count *= int(length)
        total += count
    return total * int(batch) * int(bytes_per_value)
