"""``iamdesk sts assume-role-with-web-identity`` and ``assume-role-with-saml`` end to end: a
provider, a role trusting it, a token or assertion that the trust policy's conditions accept or
refuse, and the session then tested as a principal."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from iamdesk.services.federation.tokens import encode_unsigned
from tests.cli.federation.fixtures import (
    ACCOUNT,
    GITHUB,
    GITHUB_ARN,
    ROLE,
    assert_output_shape,
    fails,
    github_token,
    metadata,
    ok,
    saml_response,
)

SAML_ROLE = f"arn:aws:iam::{ACCOUNT}:role/okta-admins"
SAML_ARN = f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta"


def assume(cli, token: str, name: str = "ci", *more: str) -> tuple[int, str, str]:
    return cli("sts", "assume-role-with-web-identity", "--role-arn", ROLE,
               "--role-session-name", name, "--web-identity-token", token, *more)  # fmt: skip


def test_matching_sub_gets_a_session_that_tests_as_a_principal(github) -> None:
    code, out, err = assume(github, github_token("repo:octo-org/octo-repo:ref:refs/heads/main"))
    assert code == 0, err
    result = json.loads(out)
    assert_output_shape("sts", "AssumeRoleWithWebIdentity", result)
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/gh-deploy/ci"
    assert result["AssumedRoleUser"]["Arn"] == session
    assert result["SubjectFromWebIdentityToken"] == "repo:octo-org/octo-repo:ref:refs/heads/main"
    assert result["Provider"] == GITHUB_ARN and result["Audience"] == "sts.amazonaws.com"
    assert result["Credentials"]["AccessKeyId"].startswith("ASIA")
    # the session is a principal: its role's policies decide, and it knows its provider
    decisions = ok(github, "iam", "simulate-principal-policy", "--policy-source-arn", session,
                   "--action-names", "s3:GetObject", "s3:PutObject")  # fmt: skip
    assert [r["EvalDecision"] for r in decisions["EvaluationResults"]] == [
        "allowed", "implicitDeny"
    ]  # fmt: skip
    decisions = ok(github, "iam", "simulate-principal-policy", "--policy-source-arn", session,
                   "--action-names", "s3:GetObject", "--context-entries",
                   f"ContextKeyName=aws:FederatedProvider,ContextKeyValues={GITHUB_ARN},"
                   "ContextKeyType=string")  # fmt: skip
    assert decisions["EvaluationResults"][0]["EvalDecision"] == "allowed"
    code, out, _ = github("sts", "get-caller-identity", "--access-key-id",
                          result["Credentials"]["AccessKeyId"], "--query", "Arn")  # fmt: skip
    assert (code, json.loads(out)) == (0, session)


def test_non_matching_sub_is_denied(github) -> None:
    code, _, err = assume(github, github_token("repo:someone-else/fork:ref:refs/heads/main"))
    assert code == 254
    assert "(AccessDenied)" in err
    assert "Not authorized to perform sts:AssumeRoleWithWebIdentity" in err
    code, _, _ = github("iam", "simulate-principal-policy", "--policy-source-arn",
                          f"arn:aws:sts::{ACCOUNT}:assumed-role/gh-deploy/ci",
                          "--action-names", "s3:GetObject")  # fmt: skip
    assert code == 254  # no session was recorded


def test_token_checks(github, tmp_path: Path) -> None:
    sub = "repo:octo-org/octo-repo:ref:refs/heads/main"
    err = fails(github, "ExpiredTokenException", *_args(github_token(sub, expires_in=-5)))
    assert "Token expired" in err
    err = fails(github, "InvalidIdentityToken", *_args(github_token(sub, aud="other-app")))
    assert "Incorrect token audience" in err
    other = encode_unsigned({"iss": "https://gitlab.example.com", "aud": "sts.amazonaws.com",
                             "sub": sub, "exp": 4102444800})  # fmt: skip
    err = fails(github, "InvalidIdentityToken", *_args(other))
    assert "No OpenIDConnect provider found in your account for https://gitlab.example.com" in err
    fails(github, "InvalidIdentityToken", *_args("not.a.jwt"))
    fails(github, "InvalidIdentityToken", *_args("only-one-part"))
    no_sub = encode_unsigned({"iss": f"https://{GITHUB}", "aud": "sts.amazonaws.com",
                              "exp": 4102444800})  # fmt: skip
    fails(github, "InvalidIdentityToken", *_args(no_sub))
    # a signed token (any signature) is read the same: signatures can't be checked offline
    head, claims, _ = github_token(sub).split(".")
    signed = ".".join([base64.urlsafe_b64encode(b'{"alg":"RS256","kid":"k1"}').decode()
                       .rstrip("="), claims, "c2lnbmF0dXJl"])  # fmt: skip
    assert head and assume(github, signed, "signed")[0] == 0
    fails(github, "AccessDenied", "sts", "assume-role-with-web-identity", "--role-arn",
                f"arn:aws:iam::{ACCOUNT}:role/nope", "--role-session-name", "xy",
                "--web-identity-token", github_token(sub))  # fmt: skip
    fails(github, "ValidationError", *_args(github_token(sub), "--duration-seconds", "7200"))
    policy = tmp_path / "session.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}), "utf-8")  # fmt: skip
    code, out, err = assume(github, github_token(sub), "scoped", "--policy", f"file://{policy}")
    assert code == 0 and "PackedPolicySize" in json.loads(out), err
    decisions = ok(github, "iam", "simulate-principal-policy", "--policy-source-arn",
                   f"arn:aws:sts::{ACCOUNT}:assumed-role/gh-deploy/scoped",
                   "--action-names", "s3:GetObject", "s3:ListBucket")  # fmt: skip
    assert [r["EvalDecision"] for r in decisions["EvaluationResults"]] == [
        "implicitDeny", "allowed"
    ]  # fmt: skip


def _args(token: str, *more: str) -> tuple[str, ...]:
    return ("sts", "assume-role-with-web-identity", "--role-arn", ROLE,
            "--role-session-name", "ci", "--web-identity-token", token, *more)  # fmt: skip


@pytest.fixture
def okta(cli, tmp_path: Path):
    doc = tmp_path / "metadata.xml"
    doc.write_text(metadata(), encoding="utf-8")
    ok(cli, "iam", "create-saml-provider", "--name", "Okta",
       "--saml-metadata-document", f"file://{doc}")  # fmt: skip
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": SAML_ARN},
            "Action": "sts:AssumeRoleWithSAML",
            "Condition": {"StringEquals": {
                "SAML:aud": "https://signin.aws.amazon.com/saml",
                "saml:edupersonaffiliation": "staff",
            }},
        }],
    }), encoding="utf-8")  # fmt: skip
    ok(cli, "iam", "create-role", "--role-name", "okta-admins",
       "--assume-role-policy-document", f"file://{trust}")  # fmt: skip
    return cli


STAFF = (
    '<saml2:Attribute Name="urn:oid:1.3.6.1.4.1.5923.1.1.1.1">'
    "<saml2:AttributeValue>staff</saml2:AttributeValue></saml2:Attribute>"
)


def saml(cli, assertion: str) -> tuple[int, str, str]:
    return cli("sts", "assume-role-with-saml", "--role-arn", SAML_ROLE,
               "--principal-arn", SAML_ARN, "--saml-assertion", assertion)  # fmt: skip


def test_saml_assertion_gets_a_session(okta) -> None:
    code, out, err = saml(okta, saml_response(role=SAML_ROLE, provider=SAML_ARN,
                                              extra_attributes=STAFF))  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    assert_output_shape("sts", "AssumeRoleWithSAML", result)
    arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/okta-admins/jane@example.com"
    assert result["AssumedRoleUser"]["Arn"] == arn
    assert (result["Subject"], result["SubjectType"]) == ("jane@example.com", "persistent")
    assert result["Audience"] == "https://signin.aws.amazon.com/saml"
    assert result["Issuer"] == "http://www.okta.com/exk1example"
    # BASE64(SHA1(issuer + account + "/" + provider name)), as the STS reference defines it
    import hashlib

    digest = hashlib.sha1(f"http://www.okta.com/exk1example{ACCOUNT}/Okta".encode()).digest()
    assert result["NameQualifier"] == base64.b64encode(digest).decode()
    listed = ok(okta, "iam", "simulate-principal-policy", "--policy-source-arn", arn,
                "--action-names", "s3:GetObject")  # fmt: skip
    assert listed["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"  # no policies


def test_saml_refusals(okta) -> None:
    good = {"role": SAML_ROLE, "provider": SAML_ARN, "extra_attributes": STAFF}
    err = saml(okta, saml_response(role=SAML_ROLE, provider=SAML_ARN))[2]  # not staff
    assert "(AccessDenied)" in err and "sts:AssumeRoleWithSAML" in err
    assert (
        "(ExpiredTokenException)"
        in saml(okta, saml_response(**good, not_on_or_after="2001-01-01T00:00:00Z"))[2]
    )
    assert "(InvalidIdentityToken)" in saml(okta, saml_response(**good, issuer="https://evil"))[2]
    assert (
        "(IDPRejectedClaim)"
        in saml(okta, saml_response(**good, recipient="https://evil.example.com/saml"))[2]
    )
    assert "(IDPRejectedClaim)" in saml(okta, saml_response(**good, audience="urn:other"))[2]
    other_role = f"arn:aws:iam::{ACCOUNT}:role/other"
    assert (
        "(IDPRejectedClaim)"
        in saml(okta, saml_response(role=other_role, provider=SAML_ARN, extra_attributes=STAFF))[2]
    )
    assert "(InvalidIdentityToken)" in okta(
        "sts", "assume-role-with-saml", "--role-arn", SAML_ROLE, "--principal-arn",
        f"arn:aws:iam::{ACCOUNT}:saml-provider/Missing", "--saml-assertion",
        saml_response(**good),
    )[2]  # fmt: skip
    assert "(InvalidIdentityToken)" in saml(okta, "!!!not base64!!!")[2]
    entity = base64.b64encode(
        b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    ).decode()
    code, _, err = saml(okta, entity)
    assert code == 254 and "(InvalidIdentityToken)" in err and "not accepted" in err
    laughs = base64.b64encode(
        b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><r>&b;</r>'
    ).decode()
    assert "not accepted" in saml(okta, laughs)[2]
    code, _, err = saml(okta, "A" * 100_001)
    assert code == 254 and "(ValidationError)" in err and "sAMLAssertion" in err
