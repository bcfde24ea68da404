"""Who can / what can on hand-made accounts, the demo, and generated accounts cross-checked
against simulate-principal-policy one principal at a time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamdesk.analysis.what_can import what_can
from iamdesk.analysis.who_can import who_can
from iamdesk.services import resources
from iamdesk.services.errors import IamError
from iamdesk.services.simulate import simulate_principal_policy
from tests.analysis.scenario import OTHER, Builder, allow, arn, doc, trust
from tests.services.store_fixtures import ACCOUNT

BUCKET = "arn:aws:s3:::reports"


def _by_principal(grants: list) -> dict[str, object]:
    return {g.principal.arn: g for g in grants}


def test_who_can_through_identity_group_resource_policy_and_role_chain(tmp_path: Path) -> None:
    b = Builder(tmp_path)
    reader = b.user("reader", doc(allow("s3:GetObject", f"{BUCKET}/*")))
    b.user("nobody", doc(allow("ec2:DescribeInstances")))
    member = b.user("member")
    b.group("readers", doc(allow("s3:Get*", "*")), members=("member",))
    mfa = b.user(
        "mfa",
        doc(allow("s3:GetObject", "*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
    )
    named = b.user("named")  # no identity policy: the bucket policy names it
    role = b.role("Reader", trust({"AWS": arn("user", "hopper")}), doc(allow("s3:*")))
    hopper = b.user("hopper", doc(allow("sts:AssumeRole", role)))
    resources.create_bucket(b.db, bucket="reports", account_id=ACCOUNT)
    resources.put_bucket_policy(
        b.db,
        bucket="reports",
        policy=doc({**allow("s3:GetObject", f"{BUCKET}/*"), "Principal": {"AWS": named}}),
        account_id=ACCOUNT,
    )

    grants = _by_principal(who_can(b.db, None, "s3:GetObject", f"{BUCKET}/q1.csv"))

    assert set(grants) == {reader, member, mfa, named, role, hopper}
    assert grants[reader].statements[0].policy_label == "inline P0 on user/reader"
    assert grants[reader].statements[0].policy_name == "P0"
    assert grants[member].statements[0].policy_label == "inline P0 on group/readers"
    assert grants[named].statements[0].policy_kind == "resource"
    assert not grants[reader].conditional and grants[reader].access_level == "Read"
    assert grants[mfa].conditional
    assert grants[mfa].conditions == ("aws:MultiFactorAuthPresent is true",)
    assert [e.arn for e in grants[hopper].chain] == [role]
    assert grants[hopper].to_json()["chain"] == [role]
    # The chain's grant carries both decisions: the AssumeRole and the role's own.
    labels = {s.policy_label for s in grants[hopper].statements}
    assert {"trust policy of role/Reader", "inline P0 on role/Reader"} <= labels


def test_deny_boundary_and_statement_span(tmp_path: Path) -> None:
    b = Builder(tmp_path)
    denied = b.user(
        "denied", doc(allow("s3:*"), {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"})
    )
    bounded = b.user("bounded", doc(allow("s3:*")))
    boundary = b.policy("OnlyEc2", doc(allow("ec2:*")))
    from iamdesk.services import attachments

    attachments.put_permissions_boundary(b.db, ACCOUNT, "user", "bounded", boundary)
    ok = b.user("ok", doc(allow("iam:ListUsers"), allow("s3:GetObject")))
    grants = _by_principal(who_can(b.db, None, "s3:GetObject", f"{BUCKET}/k"))
    assert denied not in grants and bounded not in grants
    ref = grants[ok].statements[0]
    assert (ref.statement_index, ref.start_line, ref.end_line) == (
        1,
        9,
        13,
    )  # the second statement of the indent=2 document


def test_what_can_groups_by_access_level_and_limits_to_the_service(tmp_path: Path) -> None:
    b = Builder(tmp_path)
    user = b.user(
        "u",
        doc(
            allow(
                [
                    "s3:GetObject",
                    "s3:ListBucket",
                    "s3:PutBucketPolicy",
                    "s3:PutObjectTagging",
                    "ec2:*",
                ]
            )
        ),
    )
    grants = what_can(b.db, None, user, service="s3")
    assert [(g.action, g.access_level) for g in grants] == [
        ("s3:ListBucket", "List"),
        ("s3:GetObject", "Read"),
        ("s3:PutBucketPolicy", "Permissions management"),
        ("s3:PutObjectTagging", "Tagging"),
    ]
    on_bucket = what_can(b.db, None, user, resource="arn:aws:s3:::reports")
    assert {g.action for g in on_bucket} == {
        "s3:GetObject",
        "s3:ListBucket",
        "s3:PutBucketPolicy",
        "s3:PutObjectTagging",
    }
    scoped = b.user("scoped", doc(allow("s3:GetObject", "arn:aws:s3:::reports/*")))
    # Across the service, a grant on named resources shows with them instead of disappearing.
    [grant] = what_can(b.db, None, scoped, service="s3")
    assert (grant.action, grant.resource) == ("s3:GetObject", "arn:aws:s3:::reports/*")
    assert [
        g.action for g in what_can(b.db, None, scoped, resource=f"{BUCKET}/k", service="s3")
    ] == ["s3:GetObject"]
    assert what_can(b.db, None, scoped, resource="arn:aws:s3:::other/k") == []
    with pytest.raises(IamError) as caught:
        what_can(b.db, None, arn("user", "ghost"), service="s3")
    assert caught.value.code == "NoSuchEntity"
    with pytest.raises(IamError):
        what_can(b.db, None, user, service="nosuchservice")


def test_who_can_on_the_demo(tmp_path: Path) -> None:
    from iamdesk.services.demo import write_demo
    from iamdesk.store.db import open_database

    with open_database(write_demo(tmp_path / "demo.sqlite")) as db:
        grants = _by_principal(
            who_can(db, None, "s3:GetObject", "arn:aws:s3:::example-corp-shared-data/x")
        )
        erin = "arn:aws:iam::444455556666:user/erin"
        # The partner's user reads through its own policy and the bucket policy together.
        assert erin in grants
        kinds = {s.policy_kind for s in grants[erin].statements}
        assert {"inline", "resource"} <= kinds
        # The demo's SCP denies outside two regions: the answer says so.
        assert "aws:RequestedRegion is us-east-1 or eu-west-1" in grants[erin].conditions
        assert grants[erin].conditional


# ----------------------------------------------------------------- cross-check (hypothesis)

ACTIONS = ["s3:GetObject", "s3:PutObject", "iam:ListUsers", "sts:AssumeRole"]
STATEMENTS = st.builds(
    lambda effect, actions, resource, mfa: {
        "Effect": effect,
        "Action": actions,
        "Resource": resource,
        **({"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}} if mfa else {}),
    },
    st.sampled_from(["Allow", "Allow", "Deny"]),
    st.lists(
        st.sampled_from([*ACTIONS, "s3:*", "*", "s3:Get*"]), min_size=1, max_size=3, unique=True
    ),
    st.sampled_from(["*", f"{BUCKET}/*", "arn:aws:s3:::other/*", arn("role", "R0")]),
    st.booleans(),
)
ACCOUNTS = st.lists(st.lists(STATEMENTS, min_size=0, max_size=3), min_size=1, max_size=5)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    ACCOUNTS,
    st.sampled_from(ACTIONS),
    st.sampled_from([f"{BUCKET}/k", arn("role", "R0"), "*"]),
    st.data(),
)
def test_who_can_agrees_with_simulation_on_every_principal(
    tmp_path_factory: pytest.TempPathFactory,
    principals: list,
    action: str,
    resource: str,
    data: st.DataObject,
) -> None:
    b = Builder(tmp_path_factory.mktemp("gen"))
    arns = []
    for i, statements in enumerate(principals):
        inline = (doc(*statements),) if statements else ()
        if i % 2:
            arns.append(b.role(f"R{i}", trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}), *inline))
        else:
            arns.append(b.user(f"U{i}", *inline))
    if data.draw(st.booleans()):
        resources.create_bucket(b.db, bucket="reports", account_id=ACCOUNT)
        grantee = data.draw(st.sampled_from([*arns, "*", OTHER]))
        principal = "*" if grantee == "*" else {"AWS": grantee}
        resources.put_bucket_policy(
            b.db,
            bucket="reports",
            policy=doc({**allow("s3:*", f"{BUCKET}/*"), "Principal": principal}),
            account_id=ACCOUNT,
        )
    direct = {
        g.principal.arn
        for g in who_can(b.db, None, action, resource)
        if not g.chain and not g.conditional
    }
    for principal_arn in arns:
        simulated = (
            simulate_principal_policy(
                b.db,
                policy_source_arn=principal_arn,
                action_names=[action],
                resource_arns=[resource],
            )
            .decisions[0]
            .allowed
        )
        assert (principal_arn in direct) == simulated, (principal_arn, json.dumps(principals))
