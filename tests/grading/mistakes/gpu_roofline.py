"""Arithmetic intensity of a matrix product and the roofline (lesson 09)."""
import numpy as np

from ._catalogue import correct, wrong


# ---------------------------------------------------------------------------------------
# matmul_intensity(m, k, n, bytes_per_value)


@correct("gpu.matmul_intensity")
def matmul_intensity(m, k, n, bytes_per_value):
    flops = 2 * m * k * n
    moved = bytes_per_value * (m * k + k * n + m * n)
    return flops / moved


@correct("gpu.matmul_intensity")
def matmul_intensity_numpy(m, k, n, bytes_per_value):
    """Sizes as a numpy array, the result a numpy float."""
    values = np.array([m * k, k * n, m * n], dtype=np.float64)
    return np.float64(2.0 * m * k * n) / (bytes_per_value * values.sum())


@wrong("gpu.matmul_intensity", "no_factor_2")
def matmul_intensity_macs(m, k, n, bytes_per_value):
    """Counts multiply-adds, not FLOPs."""
    return m * k * n / (bytes_per_value * (m * k + k * n + m * n))


@wrong("gpu.matmul_intensity", "result_not_written")
def matmul_intensity_reads_only(m, k, n, bytes_per_value):
    return 2 * m * k * n / (bytes_per_value * (m * k + k * n))


@wrong("gpu.matmul_intensity", "no_bytes")
def matmul_intensity_per_value(m, k, n, bytes_per_value):
    return 2 * m * k * n / (m * k + k * n + m * n)


@wrong("gpu.matmul_intensity", "bits")
def matmul_intensity_bits(m, k, n, bytes_per_value):
    return 2 * m * k * n / (8 * bytes_per_value * (m * k + k * n + m * n))


@wrong("gpu.matmul_intensity", "sizes_summed")
def matmul_intensity_sums(m, k, n, bytes_per_value):
    """Shapes added instead of multiplied."""
    return 2 * m * k * n / (bytes_per_value * ((m + k) + (k + n) + (m + n)))


@wrong("gpu.matmul_intensity", "inverted")
def matmul_intensity_bytes_per_flop(m, k, n, bytes_per_value):
    return bytes_per_value * (m * k + k * n + m * n) / (2 * m * k * n)


@wrong("gpu.matmul_intensity", "square_formula")
def matmul_intensity_n_over_6(m, k, n, bytes_per_value):
    """The square float32 result of section 1, whatever the shapes."""
    return n / 6


# ---------------------------------------------------------------------------------------
# attainable_gflops(intensity, peak_gflops, bandwidth_gbs)


@correct("gpu.attainable_gflops")
def attainable_gflops(intensity, peak_gflops, bandwidth_gbs):
    return np.minimum(peak_gflops, intensity * bandwidth_gbs)


@correct("gpu.attainable_gflops")
def attainable_gflops_where(intensity, peak_gflops, bandwidth_gbs):
    """Memory-bound below the corner, compute-bound above it."""
    corner = peak_gflops / bandwidth_gbs
    return np.where(intensity < corner, intensity * bandwidth_gbs, peak_gflops)


@wrong("gpu.attainable_gflops", "max_not_min")
def attainable_gflops_max(intensity, peak_gflops, bandwidth_gbs):
    return np.maximum(peak_gflops, intensity * bandwidth_gbs)


@wrong("gpu.attainable_gflops", "memory_only")
def attainable_gflops_memory(intensity, peak_gflops, bandwidth_gbs):
    return intensity * bandwidth_gbs


@wrong("gpu.attainable_gflops", "peak_only")
def attainable_gflops_peak(intensity, peak_gflops, bandwidth_gbs):
    return np.full(np.shape(intensity), float(peak_gflops))


@wrong("gpu.attainable_gflops", "divided")
def attainable_gflops_divided(intensity, peak_gflops, bandwidth_gbs):
    return np.minimum(peak_gflops, intensity / bandwidth_gbs)


@wrong("gpu.attainable_gflops", "inverse_intensity")
def attainable_gflops_inverse(intensity, peak_gflops, bandwidth_gbs):
    return np.minimum(peak_gflops, bandwidth_gbs / intensity)


@wrong("gpu.attainable_gflops", "exception")
def attainable_gflops_python_min(intensity, peak_gflops, bandwidth_gbs):
    """Python's min on an array: 'truth value of an array is ambiguous'."""
    return min(peak_gflops, intensity * bandwidth_gbs)
