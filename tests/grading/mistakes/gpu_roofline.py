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


@correct("gpu.matmul_intensity")
def matmul_intensity_in_steps(m, k, n, bytes_per_value):
    """Bytes of each matrix first, then the ratio."""
    a_bytes, b_bytes, c_bytes = (bytes_per_value * m * k, bytes_per_value * k * n, bytes_per_value * m * n)
    return (2.0 * m * k * n) / (a_bytes + b_bytes + c_bytes)


@wrong("gpu.matmul_intensity", "exact_adds")
def matmul_intensity_k_minus_one_adds(m, k, n, bytes_per_value):
    """k multiplies and k - 1 additions for each of the m·n outputs."""
    flops = m * n * (k + (k - 1))
    return flops / (bytes_per_value * (m * k + k * n + m * n))


@wrong("gpu.matmul_intensity", "result_read_and_written")
def matmul_intensity_c_read_too(m, k, n, bytes_per_value):
    return 2 * m * k * n / (bytes_per_value * (m * k + k * n + 2 * m * n))


@wrong("gpu.matmul_intensity", "bytes_as_bits")
def matmul_intensity_bits_to_bytes(m, k, n, bytes_per_value):
    return 2 * m * k * n / (bytes_per_value / 8 * (m * k + k * n + m * n))


@wrong("gpu.matmul_intensity", "precedence")
def matmul_intensity_no_brackets(m, k, n, bytes_per_value):
    return 2 * m * k * n / bytes_per_value * (m * k + k * n + m * n)


@wrong("gpu.matmul_intensity", "integer_division")
def matmul_intensity_floor(m, k, n, bytes_per_value):
    return 2 * m * k * n // (bytes_per_value * (m * k + k * n + m * n))


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


@wrong("gpu.attainable_gflops", "python_min")
def attainable_gflops_python_min(intensity, peak_gflops, bandwidth_gbs):
    """Python's min on an array: 'truth value of an array is ambiguous'."""
    return min(peak_gflops, intensity * bandwidth_gbs)


@wrong("gpu.attainable_gflops", "bandwidth_in_bits")
def attainable_gflops_bits(intensity, peak_gflops, bandwidth_gbs):
    return np.minimum(peak_gflops, intensity * bandwidth_gbs * 8)


@wrong("gpu.attainable_gflops", "harmonic")
def attainable_gflops_smooth(intensity, peak_gflops, bandwidth_gbs):
    """Time for the arithmetic plus time for the memory, as if they could not overlap."""
    return 1.0 / (1.0 / peak_gflops + 1.0 / (intensity * bandwidth_gbs))


@wrong("gpu.attainable_gflops", "np_min_not_minimum")
def attainable_gflops_np_min(intensity, peak_gflops, bandwidth_gbs):
    roof = intensity * bandwidth_gbs
    return np.min([np.full_like(roof, peak_gflops), roof])


@wrong("gpu.attainable_gflops", "corner_inverted")
def attainable_gflops_corner_upside_down(intensity, peak_gflops, bandwidth_gbs):
    corner = bandwidth_gbs / peak_gflops
    return np.where(intensity < corner, intensity * bandwidth_gbs, peak_gflops)


@wrong("gpu.attainable_gflops", "bandwidth_missing")
def attainable_gflops_intensity_only(intensity, peak_gflops, bandwidth_gbs):
    return np.minimum(peak_gflops, intensity)

