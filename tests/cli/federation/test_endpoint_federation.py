"""Federation through ``iamdesk serve``: boto3 and the real AWS CLI manage providers and get
web-identity and SAML sessions from the model, as they would from AWS."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.cli.federation.fixtures import github_token, metadata, saml_response
from tests.cli.test_endpoint import _aws, _client

ACCOUNT = "111122223333"
DEPLOY = f"arn:aws:iam::{ACCOUNT}:role/GitHubDeploy"
GITHUB_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"


def test_boto3_manages_providers_and_assumes_with_web_identity(endpoint) -> None:
    url, _model = endpoint
    iam, sts = _client(url, "iam"), _client(url, "sts")
    listed = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert [p["Arn"] for p in listed] == [GITHUB_ARN]  # the demo's
    iam.add_client_id_to_open_id_connect_provider(
        OpenIDConnectProviderArn=GITHUB_ARN, ClientID="second-app"
    )
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=GITHUB_ARN)
    assert got["ClientIDList"] == ["sts.amazonaws.com", "second-app"]
    with pytest.raises(ClientError) as raised:
        iam.create_open_id_connect_provider(Url="https://token.actions.githubusercontent.com")
    assert raised.value.response["Error"]["Code"] == "EntityAlreadyExists"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409

    token = github_token("repo:example-corp/website:ref:refs/heads/main")
    result = sts.assume_role_with_web_identity(
        RoleArn=DEPLOY, RoleSessionName="boto", WebIdentityToken=token
    )
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/GitHubDeploy/boto"
    assert result["AssumedRoleUser"]["Arn"] == session
    assert result["Provider"] == GITHUB_ARN and result["Audience"] == "sts.amazonaws.com"
    with pytest.raises(ClientError) as raised:
        sts.assume_role_with_web_identity(
            RoleArn=DEPLOY,
            RoleSessionName="fork",
            WebIdentityToken=github_token("repo:someone/fork:ref:refs/heads/main"),
        )
    assert raised.value.response["Error"]["Code"] == "AccessDenied"


def test_aws_cli_creates_a_saml_provider_and_assumes_with_saml(endpoint, tmp_path: Path) -> None:
    url, _model = endpoint
    doc = tmp_path / "metadata.xml"
    doc.write_text(metadata(), encoding="utf-8")
    made = _aws(url, "iam", "create-saml-provider", "--name", "Okta",
                "--saml-metadata-document", f"file://{doc}")  # fmt: skip
    assert made.returncode == 0, made.stderr
    provider = json.loads(made.stdout)["SAMLProviderArn"]
    assert provider == f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta"
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Federated": provider},
         "Action": "sts:AssumeRoleWithSAML",
         "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]}),
        encoding="utf-8")  # fmt: skip
    role = _aws(url, "iam", "create-role", "--role-name", "OktaAdmins",
                "--assume-role-policy-document", f"file://{trust}")  # fmt: skip
    assert role.returncode == 0, role.stderr
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/OktaAdmins"
    assertion = saml_response(role=role_arn, provider=provider)
    session = _aws(url, "sts", "assume-role-with-saml", "--role-arn", role_arn,
                   "--principal-arn", provider, "--saml-assertion", assertion)  # fmt: skip
    assert session.returncode == 0, session.stderr
    out = json.loads(session.stdout)
    assert out["AssumedRoleUser"]["Arn"] == (
        f"arn:aws:sts::{ACCOUNT}:assumed-role/OktaAdmins/jane@example.com"
    )
    assert out["Subject"] == "jane@example.com" and out["SubjectType"] == "persistent"
    expired = saml_response(
        role=role_arn, provider=provider, not_on_or_after="2001-01-01T00:00:00Z"
    )
    refused = _aws(url, "sts", "assume-role-with-saml", "--role-arn", role_arn,
                   "--principal-arn", provider, "--saml-assertion", expired)  # fmt: skip
    assert refused.returncode == 255  # the AWS CLI v1's code for a service error
    assert "(ExpiredTokenException) when calling the AssumeRoleWithSAML" in refused.stderr
