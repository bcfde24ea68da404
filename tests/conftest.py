import os

from hypothesis import HealthCheck, settings

# GUI tests run without a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Property tests judge behaviour, not speed: a loaded CI machine must not fail them on
# Hypothesis's 200 ms per-example deadline or its too-slow health check (speed lives in
# tests/benchmarks). Individual tests may still set their own limits.
settings.register_profile("iamdesk", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "iamdesk"))
