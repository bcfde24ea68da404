"""Import and export of get-account-authorization-details documents."""

from __future__ import annotations

import copy
import json
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, insert, select

from iamdesk.services.authorization.details import ImportFormatError
from iamdesk.services.errors import IamError
from iamdesk.services.importexport import (
    export_authorization_details,
    import_authorization_details,
)
from iamdesk.store import tables as t
from iamdesk.store.db import Database, open_database

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "authorization-details-example.json"
ACCOUNT = "200611803367"
COUNTED = (
    t.Account,
    t.User,
    t.Group,
    t.Role,
    t.ManagedPolicy,
    t.PolicyVersion,
    t.PolicyAttachment,
    t.InlinePolicy,
    t.GroupMembership,
    t.InstanceProfile,
    t.InstanceProfileRole,
    t.Tag,
    t.ChangeLogEntry,
)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return open_database(tmp_path / "model.sqlite")


def _sample() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    return data


def _counts(db: Database) -> dict[str, int]:
    with db.read() as session:
        return {
            m.__tablename__: session.execute(
                select(func.count()).select_from(m.__table__)
            ).scalar_one()
            for m in COUNTED
        }


def test_the_real_sample_imports_whole(db: Database) -> None:
    summary = import_authorization_details(db, SAMPLE.read_text(encoding="utf-8"))
    assert summary.accounts == ["012345678901", ACCOUNT]
    assert (summary.users, summary.groups, summary.roles) == (44, 5, 78)
    assert summary.policies == 46 and summary.aws_managed_policies == 38
    exported = export_authorization_details(db, ACCOUNT)
    users = {u["UserName"]: u for u in exported["UserDetailList"]}
    assert len(users) == 41
    first = users["fn1-privesc3-partial-user"]
    assert first["UserId"] == "AIDAS5NLFGDTUMT22VJQ2"
    assert first["CreateDate"] == "2023-03-09T10:41:45+00:00"
    assert [p["PolicyName"] for p in first["AttachedManagedPolicies"]] == [
        "fn1-passrole-star",
        "fn1-privesc3-partial",
    ]
    roles = {r["RoleName"]: r for r in exported["RoleDetailList"]}
    profiled = roles["privesc-high-priv-service-role"]
    assert profiled["InstanceProfileList"][0]["InstanceProfileName"] == (
        "privesc-high-priv-service-profile"
    )
    assert profiled["AssumeRolePolicyDocument"]["Statement"][0]["Action"] == "sts:AssumeRole"
    sso = [r for r in exported["RoleDetailList"] if r["Path"].startswith("/aws-reserved/")]
    assert sso and all(r["Arn"].endswith(r["Path"] + r["RoleName"]) for r in sso)


def test_export_import_export_is_identical(db: Database, tmp_path: Path) -> None:
    import_authorization_details(db, SAMPLE.read_bytes())
    first = export_authorization_details(db, ACCOUNT)
    other = open_database(tmp_path / "other.sqlite")
    import_authorization_details(other, json.dumps(first, indent=4))
    second = export_authorization_details(other, ACCOUNT)
    assert json.dumps(second, indent=4) == json.dumps(first, indent=4)


def test_documents_as_json_text_or_url_encoded_text_import_alike(
    db: Database, tmp_path: Path
) -> None:
    import_authorization_details(db, _sample())
    as_text = _sample()
    for role in as_text["RoleDetailList"]:
        role["AssumeRolePolicyDocument"] = json.dumps(role["AssumeRolePolicyDocument"])
    for policy in as_text["Policies"]:
        for version in policy["PolicyVersionList"]:
            # IAM's API form: the document URL-encoded
            version["Document"] = urllib.parse.quote(json.dumps(version["Document"]))
    other = open_database(tmp_path / "other.sqlite")
    import_authorization_details(other, as_text)
    assert export_authorization_details(other, ACCOUNT) == export_authorization_details(db, ACCOUNT)


def test_a_bad_entry_at_the_end_leaves_the_model_unchanged_and_says_where(db: Database) -> None:
    before = _counts(db)
    data = _sample()
    last = data["RoleDetailList"][-1]
    last["AttachedManagedPolicies"].append(
        {"PolicyName": "gone", "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/gone"}
    )
    text = json.dumps(data, indent=4)
    with pytest.raises(ImportFormatError) as caught:
        import_authorization_details(db, text)
    error = caught.value
    assert error.where.startswith(
        f"RoleDetailList[77] ({last['RoleName']}).AttachedManagedPolicies"
    )
    assert "policy arn:aws:iam::200611803367:policy/gone is neither" in str(error)
    assert error.line is not None and text.splitlines()[error.line - 1].strip().startswith("{")
    assert _counts(db) == before


def test_a_broken_document_is_named_with_its_path(db: Database) -> None:
    data = _sample()
    data["Policies"][3]["PolicyVersionList"][0]["Document"] = '{"Statement": [}'
    with pytest.raises(ImportFormatError) as caught:
        import_authorization_details(db, data)
    assert caught.value.where == (
        f"Policies[3] ({data['Policies'][3]['PolicyName']}).PolicyVersionList[0].Document"
    )
    assert "not valid JSON" in caught.value.message


def test_a_malformed_policy_is_rejected_as_iam_would(db: Database) -> None:
    data = _sample()
    data["GroupDetailList"][0]["GroupPolicyList"] = [
        {"PolicyName": "bad", "PolicyDocument": {"Version": "2012-10-17", "Statement": "nope"}}
    ]
    before = _counts(db)
    with pytest.raises(ImportFormatError) as caught:
        import_authorization_details(db, data)
    assert "GroupPolicyList[0].PolicyDocument" in caught.value.where
    assert caught.value.code == "MalformedPolicyDocument"
    assert "MalformedPolicyDocument: Statement must be" in str(caught.value)
    assert _counts(db) == before


def test_invalid_json_gives_its_line(db: Database) -> None:
    with pytest.raises(ImportFormatError) as caught:
        import_authorization_details(db, '{\n  "UserDetailList": [\n  ,]\n}')
    assert caught.value.line == 3


def test_other_json_is_not_taken_for_a_details_file(db: Database) -> None:
    with pytest.raises(ImportFormatError, match="not a get-account-authorization-details"):
        import_authorization_details(db, '{"Users": []}')
    with pytest.raises(ImportFormatError, match="RoleDetailList: InvalidInput: expected a list"):
        import_authorization_details(db, '{"RoleDetailList": {}}')


def test_importing_what_the_model_already_has_is_refused_whole(db: Database) -> None:
    import_authorization_details(db, _sample())
    before = _counts(db)
    again = copy.deepcopy(_sample())
    again["UserDetailList"] = again["UserDetailList"][-1:]
    again["GroupDetailList"] = again["RoleDetailList"] = again["Policies"] = []
    with pytest.raises(ImportFormatError, match="already has the user"):
        import_authorization_details(db, again)
    assert _counts(db) == before


def test_filter_selects_lists_and_rejects_unknown_values(db: Database) -> None:
    import_authorization_details(db, _sample())
    only_users = export_authorization_details(db, ACCOUNT, ["User"])
    assert set(only_users) == {"UserDetailList", "IsTruncated"}
    aws_only = export_authorization_details(db, ACCOUNT, ["AWSManagedPolicy"])["Policies"]
    assert aws_only and all(":iam::aws:policy/" in p["Arn"] for p in aws_only)
    assert all(p["AttachmentCount"] + p["PermissionsBoundaryUsageCount"] > 0 for p in aws_only)
    local = export_authorization_details(db, ACCOUNT, ["LocalManagedPolicy"])["Policies"]
    assert local and all(f":iam::{ACCOUNT}:policy/" in p["Arn"] for p in local)
    with pytest.raises(IamError) as caught:
        export_authorization_details(db, ACCOUNT, ["Users"])
    assert caught.value.code == "ValidationError"


def test_attached_aws_policies_missing_from_the_file_come_from_the_catalog(db: Database) -> None:
    data = {
        "UserDetailList": [
            {
                "Path": "/",
                "UserName": "ops",
                "UserId": "AIDAEXAMPLEOPS000001",
                "Arn": "arn:aws:iam::111122223333:user/ops",
                "CreateDate": "2024-01-02T03:04:05Z",
                "GroupList": [],
                "AttachedManagedPolicies": [
                    {
                        "PolicyName": "ReadOnlyAccess",
                        "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
                    }
                ],
                "PermissionsBoundary": {
                    "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                    "PermissionsBoundaryArn": "arn:aws:iam::aws:policy/PowerUserAccess",
                },
                "Tags": [{"Key": "team", "Value": "ops"}],
            }
        ]
    }
    import_authorization_details(db, data)
    out = export_authorization_details(db, "111122223333")
    user = out["UserDetailList"][0]
    assert user["PermissionsBoundary"]["PermissionsBoundaryArn"].endswith("/PowerUserAccess")
    assert user["Tags"] == [{"Key": "team", "Value": "ops"}]
    by_name = {p["PolicyName"]: p for p in out["Policies"]}
    assert by_name["ReadOnlyAccess"]["AttachmentCount"] == 1
    assert by_name["PowerUserAccess"]["PermissionsBoundaryUsageCount"] == 1
    assert by_name["PowerUserAccess"]["PolicyVersionList"][0]["Document"]["Statement"]


def test_no_secret_is_exported(db: Database) -> None:
    import_authorization_details(db, _sample())
    with db.transaction() as session:
        user_pk = session.execute(
            select(t.User.__table__.c.pk).where(t.User.__table__.c.account_id == ACCOUNT)
        ).scalar()
        session.execute(
            insert(t.AccessKey.__table__),
            {
                "access_key_id": "AKIAEXAMPLESECRET001",
                "account_id": ACCOUNT,
                "user_pk": user_pk,
                "secret_hash": "scrypt$16384$8$1$c2FsdA==$SECRETHASHVALUE",
                "create_date": "2026-01-01T00:00:00+00:00",
            },
        )
        session.execute(
            insert(t.MfaDevice.__table__),
            {
                "account_id": ACCOUNT,
                "name": "phone",
                "serial_number": f"arn:aws:iam::{ACCOUNT}:mfa/phone",
                "seed": "JBSWY3DPEHPK3PXPSEEDSEED",
                "create_date": "2026-01-01T00:00:00+00:00",
                "user_pk": user_pk,
            },
        )
    text = json.dumps(export_authorization_details(db, ACCOUNT))
    for secret in ("SECRETHASHVALUE", "JBSWY3DPEHPK3PXPSEEDSEED", "AKIAEXAMPLESECRET001"):
        assert secret not in text


def test_a_new_model_adopts_the_imported_account_as_default(db: Database, tmp_path: Path) -> None:
    summary = import_authorization_details(db, _sample())
    assert summary.default_account == ACCOUNT and db.default_account_id() == ACCOUNT
    # A model whose default account is in use keeps it.
    used = open_database(tmp_path / "used.sqlite")
    user = {
        "UserName": "ops",
        "UserId": "AIDAEXAMPLEOPS000002",
        "Arn": "arn:aws:iam::111122223333:user/ops",
        "CreateDate": "2024-01-02T03:04:05Z",
    }
    assert import_authorization_details(used, {"UserDetailList": [user]}).default_account == (
        "111122223333"
    )
    role = _sample()["RoleDetailList"][0]
    assert import_authorization_details(used, {"RoleDetailList": [role]}).default_account is None
    assert used.default_account_id() == "111122223333"


_SMALL = {
    key: _sample()[key][:3] for key in ("UserDetailList", "GroupDetailList", "RoleDetailList")
}
_SMALL["Policies"] = [
    p for p in _sample()["Policies"] if p["Arn"].endswith(("/fn1-passrole-star", "/ReadOnlyAccess"))
]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.extend(_paths(item, (*prefix, index)))
    return out


_PATHS = _paths(_SMALL)
_FUZZ: dict[str, Database] = {}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from(_PATHS),
    st.one_of(
        st.none(),
        st.integers(),
        st.text(max_size=5),
        st.booleans(),
        st.just([]),
        st.just({}),
        st.just([1]),
        st.just({"x": 1}),
    ),
)
def test_mutated_files_raise_only_the_documented_error(
    tmp_path_factory: pytest.TempPathFactory, path: tuple[Any, ...], replacement: Any
) -> None:
    data = copy.deepcopy(_SMALL)
    target: Any = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = replacement
    if "db" not in _FUZZ:
        _FUZZ["db"] = open_database(tmp_path_factory.mktemp("fuzz") / "m.sqlite")
    db = _FUZZ["db"]  # one model for every example: a refused import must leave it as it was
    before = _counts(db)
    try:
        import_authorization_details(db, json.dumps(data))
    except ImportFormatError:
        assert _counts(db) == before


def test_the_demo_accounts_round_trip(tmp_path: Path) -> None:
    from iamdesk.services import demo

    source = open_database(demo.write_demo(tmp_path / "demo.sqlite"))
    for account in (demo.MANAGEMENT, demo.PRODUCTION, demo.PARTNER):
        first = export_authorization_details(source, account)
        target = open_database(tmp_path / f"copy-{account}.sqlite")
        import_authorization_details(target, json.dumps(first))
        assert export_authorization_details(target, account) == first
