"""Principal classification, context normalisation and policy-variable templates."""

from __future__ import annotations

import pytest

from iamdesk.core.arn import LITERAL_STAR
from iamdesk.core.evaluator.request import (
    ANONYMOUS,
    ASSUMED_ROLE,
    FEDERATED,
    FEDERATED_USER,
    ROLE,
    ROOT,
    SERVICE,
    USER,
    Env,
    Principal,
    Request,
    classify_principal,
    normalize_context,
)
from iamdesk.core.evaluator.variables import Template, Variable, parse_template

A = "111122223333"


@pytest.mark.parametrize(
    ("arn", "kind", "role_name", "linked"),
    [
        (None, ANONYMOUS, None, False),
        (f"arn:aws:iam::{A}:user/path/alice", USER, None, False),
        (f"arn:aws:iam::{A}:role/team/Dev", ROLE, "Dev", False),
        (
            f"arn:aws:iam::{A}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
            ROLE,
            "AWSServiceRoleForECS",
            True,
        ),
        (f"arn:aws:sts::{A}:assumed-role/Dev/s1", ASSUMED_ROLE, "Dev", False),
        (
            f"arn:aws:sts::{A}:assumed-role/AWSServiceRoleForECS/ecs",
            ASSUMED_ROLE,
            "AWSServiceRoleForECS",
            True,
        ),
        (f"arn:aws:sts::{A}:federated-user/carol", FEDERATED_USER, None, False),
        (f"arn:aws:iam::{A}:root", ROOT, None, False),
        (f"arn:aws:iam::{A}:saml-provider/Okta", FEDERATED, None, False),
        ("lambda.amazonaws.com", SERVICE, None, False),
    ],
)
def test_classify_principal(
    arn: str | None, kind: str, role_name: str | None, linked: bool
) -> None:
    info = classify_principal(arn, None)
    assert (info.kind, info.role_name, info.service_linked) == (kind, role_name, linked)
    if arn and arn.startswith("arn:"):
        assert info.account == A


def test_anonymous_principal() -> None:
    assert Principal.anonymous() == Principal(None, None)


def test_context_is_normalised() -> None:
    ctx = normalize_context(
        {
            "AWS:SourceIp": "10.0.0.1",
            "aws:MultiFactorAuthPresent": True,
            "s3:max-keys": 10,
            "aws:TagKeys": ["a", "b"],
            "aws:Nothing": None,
        }
    )
    assert ctx == {
        "aws:sourceip": ("10.0.0.1",),
        "aws:multifactorauthpresent": ("true",),
        "s3:max-keys": ("10",),
        "aws:tagkeys": ("a", "b"),
    }


def test_env_single_value_lookup() -> None:
    env = Env(
        Request(Principal.anonymous(), "S3:GetObject", "*", None, {"k": "v", "m": ["1", "2"]})
    )
    assert (env.action, env.service) == ("s3:getobject", "s3")
    assert env.single("k") == "v"
    assert env.single("m") is None  # a multivalued key is not a single value
    assert env.single("absent") is None


def test_templates() -> None:
    assert parse_template("plain") == "plain"
    assert parse_template("a${*}b${?}c${$}") == f"a{LITERAL_STAR}b\ue001c$"
    t = parse_template("home/${aws:username}/${ aws:PrincipalTag/team , 'none' }")
    assert isinstance(t, Template)
    assert t.variables == (
        Variable("aws:username", "aws:username", None),
        Variable("aws:principaltag/team", "aws:PrincipalTag/team", "none"),
    )
    env = Env(Request(Principal.anonymous(), "s3:GetObject", "*", None, {"aws:username": "a*b"}))
    assert t.resolve(env) == f"home/a{LITERAL_STAR}b/none"
    assert parse_template("${}") == "${}"  # not a variable IAM recognises: literal
