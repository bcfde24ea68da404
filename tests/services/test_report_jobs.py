"""Access Advisor's and Organizations' kept access reports are found one way
(``entities.get_report_job``): a job id that is unknown, another account's, or of the other
kind of report answers NoSuchEntity with IAM's text, from either operation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from iamdesk.services import access_advisor
from iamdesk.services.demo import write_demo
from iamdesk.services.errors import IamError
from iamdesk.services.organizations import access_report, list_roots
from iamdesk.store.db import Database, open_database

MANAGEMENT, PRODUCTION = "123456789012", "111122223333"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = open_database(write_demo(Path(tmp_path_factory.mktemp("jobs")) / "demo.sqlite"))
    yield db
    db.close()


def _refusal(call, *args) -> str:
    with pytest.raises(IamError) as caught:
        call(*args)
    assert caught.value.code == "NoSuchEntity"
    return caught.value.message


def test_a_job_is_found_only_by_its_own_operation_and_account(demo: Database) -> None:
    alice = f"arn:aws:iam::{PRODUCTION}:user/alice"
    service_job = access_advisor.generate_service_last_accessed_details(demo, PRODUCTION, alice)
    service_job = service_job["JobId"]
    root = list_roots(demo, account_id=MANAGEMENT)["Roots"][0]
    org_id = root["Arn"].split("/")[-2]
    org_job = access_report.generate_organizations_access_report(
        demo, MANAGEMENT, f"{org_id}/{root['Id']}"
    )["JobId"]
    # Each is found where it was made.
    assert access_advisor.get_service_last_accessed_details(demo, PRODUCTION, service_job)
    assert access_report.get_organizations_access_report(demo, MANAGEMENT, org_job)

    get_service = access_advisor.get_service_last_accessed_details
    get_entities = access_advisor.get_service_last_accessed_details_with_entities
    get_org = access_report.get_organizations_access_report
    for job in ("0" * 36, org_job):
        expected = f"Job with ID {job} cannot be found."
        assert _refusal(get_service, demo, PRODUCTION, job) == expected
        assert _refusal(get_entities, demo, PRODUCTION, job, "s3") == expected
    assert _refusal(get_service, demo, MANAGEMENT, service_job) == (
        f"Job with ID {service_job} cannot be found."
    )
    for account, job in ((MANAGEMENT, service_job), (PRODUCTION, org_job), (MANAGEMENT, "x")):
        assert _refusal(get_org, demo, account, job) == f"Job with ID {job} cannot be found."
    # A long id is quoted at most 300 characters long, as IAM quotes a value.
    assert _refusal(get_org, demo, MANAGEMENT, "j" * 400) == (
        f"Job with ID {'j' * 300} cannot be found."
    )
