"""The demo organization: its contents, and every stored scenario gives its expected decision."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from iamdesk.services import demo, organizations
from iamdesk.services.importexport import export_authorization_details
from iamdesk.services.simulate import simulate_principal_policy
from iamdesk.store import tables as t
from iamdesk.store.db import Database, open_database


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    path = demo.write_demo(tmp_path_factory.mktemp("demo") / "demo.sqlite")
    return open_database(path)


def test_the_demo_has_the_promised_organization(demo_db: Database) -> None:
    assert demo_db.default_account_id() == demo.PRODUCTION
    accounts = organizations.list_accounts(demo_db, account_id=demo.MANAGEMENT)["Accounts"]
    assert {a["Id"] for a in accounts} == {demo.MANAGEMENT, demo.PRODUCTION, demo.PARTNER}
    prod = export_authorization_details(demo_db, demo.PRODUCTION)
    groups = {g["GroupName"]: g for g in prod["GroupDetailList"]}
    assert [p["PolicyName"] for p in groups["Developers"]["AttachedManagedPolicies"]] == [
        "PowerUserAccess"
    ]
    assert groups["Admins"]["GroupPolicyList"][0]["PolicyName"] == "RequireMFA"
    roles = {r["RoleName"]: r for r in prod["RoleDetailList"]}
    assert roles["WebServerRole"]["InstanceProfileList"][0]["InstanceProfileName"] == (
        "WebServerProfile"
    )
    assert roles["ThumbnailFunctionRole"]["AssumeRolePolicyDocument"]["Statement"][0][
        "Principal"
    ] == {"Service": "lambda.amazonaws.com"}
    users = {u["UserName"]: u for u in prod["UserDetailList"]}
    assert "PermissionsBoundary" in users["carol"]
    with demo_db.read() as session:
        count = lambda model: session.execute(  # noqa: E731
            select(func.count()).select_from(model.__table__)
        ).scalar_one()
        assert count(t.AccessKey) >= 3
        assert count(t.LoginProfile) == 4 and count(t.PasswordPolicy) == 1
        assert count(t.MfaDevice) == 2
        assert count(t.StsSession) == 2  # alice's DeployRole session, a GitHub Actions run's
        assert count(t.OidcProvider) == 1 and count(t.FederatedSession) == 1
        assert count(t.Resource) >= 6
        levels = organizations.policy_levels(session, demo.PRODUCTION, organizations.SCP)
        assert ["Guardrails" in [p.name for p in level] for level in levels] == [
            False,
            True,
            False,
        ]


def test_every_scenario_gives_its_expected_decision(demo_db: Database) -> None:
    with demo_db.read() as session:
        scenarios = list(session.scalars(select(t.Scenario).order_by(t.Scenario.pk)))
    assert len(scenarios) >= 12
    for scenario in scenarios:
        result = simulate_principal_policy(
            demo_db,
            policy_source_arn=scenario.principal_arn,
            action_names=[scenario.action],
            resource_arns=[scenario.resource_arn],
            context_entries=json.loads(scenario.context),
        )
        assert result.decisions[0].decision == scenario.expected, scenario.name


def test_scenarios_cover_every_decision_path(demo_db: Database) -> None:
    with demo_db.read() as session:
        described = " ".join(s.description for s in session.scalars(select(t.Scenario)))
        expected = {s.expected for s in session.scalars(select(t.Scenario))}
    for path in (
        "Identity allow",
        "SCP deny",
        "Permissions boundary",
        "Session policy",
        "Cross-account",
        "Public bucket",
        "MFA condition",
    ):
        assert path in described
    assert expected == {"allowed", "explicitDeny", "implicitDeny"}


def test_write_demo_refuses_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "taken.sqlite"
    target.write_bytes(b"keep me")
    with pytest.raises(FileExistsError):
        demo.write_demo(target)
    assert target.read_bytes() == b"keep me"


def test_ensure_demo_database_builds_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"demo-v{demo.DEMO_VERSION}.sqlite"
    monkeypatch.setattr(demo, "demo_path", lambda: tmp_path / "data" / name)
    first = demo.ensure_demo_database()
    stamp = first.stat().st_mtime_ns
    assert demo.ensure_demo_database() == first and first.stat().st_mtime_ns == stamp
    assert not list(first.parent.glob(".demo-*"))


def test_write_demo_never_replaces_a_model_that_appears_while_it_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process creates a model at the target while the demo builds: it is kept, the demo
    fails with FileExistsError and leaves no temporary file (issue 8, item 2)."""
    from iamdesk.services import users
    from iamdesk.store.db import new_database

    target = tmp_path / "team.sqlite"
    real_build = demo.build_demo

    def build_then_race(db) -> None:
        real_build(db)
        with new_database(target) as other:
            users.create_user(other, other.default_account_id(), "gina")

    monkeypatch.setattr(demo, "build_demo", build_then_race)
    with pytest.raises(FileExistsError):
        demo.write_demo(target)
    with open_database(target, create=False) as db:
        listed = users.list_users(db, db.default_account_id())["Users"]
    assert [u["UserName"] for u in listed] == ["gina"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["team.sqlite"]


def test_write_demo_leaves_nothing_behind_when_building_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(db) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(demo, "build_demo", broken)
    with pytest.raises(RuntimeError):
        demo.write_demo(tmp_path / "demo.sqlite")
    assert list(tmp_path.iterdir()) == []


def test_write_demo_refuses_a_dangling_symlink(tmp_path: Path) -> None:
    link = tmp_path / "link.sqlite"
    link.symlink_to(tmp_path / "elsewhere.sqlite")
    with pytest.raises(FileExistsError):
        demo.write_demo(link)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.sqlite"]
