"""The rest of IAM through ``iamdesk serve``, driven by boto3 and the real AWS CLI: SSH keys,
server certificates, service-specific credentials, change-password by the signing key's user,
service-linked roles, Access Advisor, and boto3's own waiters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.cli.test_endpoint import ACCOUNT, _aws, _client, endpoint  # noqa: F401 (fixture)

KEYS = Path(__file__).resolve().parents[1] / "data" / "keys"


def test_credentials_through_boto3(endpoint) -> None:  # noqa: F811
    url, _ = endpoint
    iam = _client(url, "iam")
    iam.create_user(UserName="sam")
    body = (KEYS / "ssh2048.pub").read_text()
    key = iam.upload_ssh_public_key(UserName="sam", SSHPublicKeyBody=body)["SSHPublicKey"]
    assert key["Fingerprint"] == "5e:25:7d:6e:91:7b:8b:26:b0:d7:d2:d9:9c:be:8c:aa"
    pem = iam.get_ssh_public_key(
        UserName="sam", SSHPublicKeyId=key["SSHPublicKeyId"], Encoding="PEM"
    )
    assert pem["SSHPublicKey"]["SSHPublicKeyBody"] == (KEYS / "ssh2048.pem").read_text()
    with pytest.raises(ClientError) as caught:
        iam.upload_ssh_public_key(UserName="sam", SSHPublicKeyBody=body)
    assert caught.value.response["Error"]["Code"] == "DuplicateSSHPublicKey"
    made = iam.upload_server_certificate(
        ServerCertificateName="web",
        CertificateBody=(KEYS / "server.crt").read_text(),
        PrivateKey=(KEYS / "server.key").read_text(),
    )
    assert made["ServerCertificateMetadata"]["Expiration"].year == 2036  # boto3 parsed the date
    names = [
        m["ServerCertificateName"]
        for m in iam.list_server_certificates()["ServerCertificateMetadataList"]
    ]
    assert names == ["web"]
    cred = iam.create_service_specific_credential(
        UserName="sam", ServiceName="codecommit.amazonaws.com"
    )
    assert cred["ServiceSpecificCredential"]["ServicePassword"]


def test_change_password_as_the_signing_user(endpoint) -> None:  # noqa: F811
    url, _ = endpoint
    iam = _client(url, "iam")
    iam.create_user(UserName="pat")
    iam.create_login_profile(
        UserName="pat", Password="Old-Passw0rd!2026xy", PasswordResetRequired=True
    )
    iam.update_account_password_policy(AllowUsersToChangePassword=True)
    key = iam.create_access_key(UserName="pat")["AccessKey"]["AccessKeyId"]
    done = _aws(
        url,
        "iam",
        "change-password",
        "--old-password",
        "Old-Passw0rd!2026xy",
        "--new-password",
        "New-Passw0rd!2026xy",
        key=key,
    )
    assert done.returncode == 0, done.stderr
    assert iam.get_login_profile(UserName="pat")["LoginProfile"]["PasswordResetRequired"] is False


def test_service_linked_role_access_advisor_and_waiters(endpoint) -> None:  # noqa: F811
    url, _ = endpoint
    iam = _client(url, "iam")
    role = iam.create_service_linked_role(AWSServiceName="elasticloadbalancing.amazonaws.com")
    name = role["Role"]["RoleName"]
    assert name == "AWSServiceRoleForElasticLoadBalancing"
    iam.get_waiter("role_exists").wait(RoleName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 2})
    task = iam.delete_service_linked_role(RoleName=name)["DeletionTaskId"]
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    iam.create_user(UserName="ria")
    iam.get_waiter("user_exists").wait(UserName="ria", WaiterConfig={"Delay": 1, "MaxAttempts": 2})
    job = iam.generate_service_last_accessed_details(Arn=f"arn:aws:iam::{ACCOUNT}:user/ria")
    report = iam.get_service_last_accessed_details(JobId=job["JobId"])
    assert report["JobStatus"] == "COMPLETED" and report["ServicesLastAccessed"] == []
    cli = _aws(url, "iam", "wait", "user-exists", "--user-name", "ria")
    assert cli.returncode == 0, cli.stderr
    assert (
        json.loads(_aws(url, "iam", "get-user", "--user-name", "ria").stdout)["User"]["UserName"]
        == "ria"
    )
