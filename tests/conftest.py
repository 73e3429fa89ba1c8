"""Suite-wide settings: a fast, deterministic Hypothesis profile (CI sets no database)."""
import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "dlcourse",
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "12")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("dlcourse")
