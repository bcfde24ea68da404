import os

import pytest
from hypothesis import HealthCheck, settings

from tests.pg_server import HOW_TO_ENABLE, Cluster, find_bin

# GUI tests run without a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Every `iamdesk` a test starts runs in its own process, as before the fork server, and no
# server is left running after the tests. tests/launch start their own, in a private folder.
os.environ["IAMDESK_NO_SERVER"] = "1"

# Property tests judge behaviour, not speed: a loaded CI machine must not fail them on
# Hypothesis's 200 ms per-example deadline or its too-slow health check (speed lives in
# tests/benchmarks). Individual tests may still set their own limits.
settings.register_profile("iamdesk", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "iamdesk"))


@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL cluster for the whole session (see tests/pg_server.py)."""
    bindir = find_bin()
    if bindir is None:
        if os.environ.get("IAMDESK_REQUIRE_PG") == "1":
            pytest.fail(HOW_TO_ENABLE)
        pytest.skip(HOW_TO_ENABLE)
    cluster = Cluster(bindir)
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster) -> str:
    """The URL of a new, empty database on the test cluster."""
    return pg_cluster.url(pg_cluster.new_database())


@pytest.fixture(params=["sqlite", "postgresql"])
def model_place(request: pytest.FixtureRequest, tmp_path):
    """Tests that take this run on both backends: a folder for a model file (``model.sqlite``
    in it), or the URL of a new model on the throwaway PostgreSQL server."""
    if request.param == "sqlite":
        return tmp_path
    return str(request.getfixturevalue("pg_cluster").new_model())


_pg_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if (
        report.skipped
        and isinstance(report.longrepr, tuple)
        and HOW_TO_ENABLE in str(report.longrepr[2])
    ):
        _pg_skipped.append(report.nodeid)


def pytest_terminal_summary(terminalreporter) -> None:
    if _pg_skipped:
        terminalreporter.write_line(f"{len(_pg_skipped)} {HOW_TO_ENABLE}")
