"""Resource limits for one grading worker and the kernel it starts (inherited across fork/exec)."""

from __future__ import annotations

import resource
from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Per-submission limits; the per-cell timeout lives in nbgrader_config.py (Execute.timeout)."""

    memory_mb: int = 4096  # address space per process (worker and kernel each)
    cpu_s: int = 600  # CPU seconds per process
    wall_s: int = 900  # whole notebook, wall clock: later cells are not run (the worker); killed +120 s (parent)
    file_mb: int = 256  # largest file a notebook may write (output floods, runaway np.save)
    open_files: int = 1024  # RLIMIT_NOFILE per process
    max_procs: int = 64  # processes and threads of the kernel (RLIMIT_NPROC as the sandbox user; pids cgroup)

    def apply(self) -> None:
        """Set the limits on the current process (the worker, first thing); its kernel inherits them.

        RLIMIT_NPROC is set by the kernel launcher (dlcourse.autograde.kernel), where it applies: after dropping to the
        sandbox user, or counted on top of the grading user's own processes."""
        for kind, value in (
            (resource.RLIMIT_AS, self.memory_mb * MB),
            (resource.RLIMIT_CPU, self.cpu_s),
            (resource.RLIMIT_FSIZE, self.file_mb * MB),
            (resource.RLIMIT_NOFILE, self.open_files),
        ):
            soft, hard = resource.getrlimit(kind)
            cap = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(kind, (cap, hard))
