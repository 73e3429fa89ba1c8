"""Suite-wide settings: one BLAS thread per test process under pytest-xdist; a fast, deterministic Hypothesis
profile (CI sets no database); the one browser of each test process."""
import os
from collections.abc import Iterator

# `make test` runs one pytest worker per core. A BLAS or torch pool of its own in each (OpenBLAS starts one thread
# per core) puts two busy threads on every core, and OpenBLAS's idle threads spin while they wait for work: on 2
# busy cores a course CNN step took 3-4x the CPU time and wall time it takes single-threaded. So each worker, and
# every kernel, notebook run and `dlcourse` command it starts (they inherit the environment), computes on one
# thread. A lone test process (plain `pytest`) keeps the default.
if int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1:
    for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_name] = "1"
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)  # for a BLAS already loaded by a plugin before this file

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from .browser import CHROMIUM_ARGS, browser_missing, find_chromium  # noqa: E402

settings.register_profile(
    "dlcourse",
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "12")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("dlcourse")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless system Chromium, one per test process, shared by every browser test (tests/browser.py says why)."""
    reason = browser_missing()
    if reason is not None:
        pytest.skip(f"browser tests skipped: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=find_chromium(), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
