"""The new STS operations through ``iamdesk serve``, from boto3 and the real AWS CLI: the caller
is the access key the request is signed with, as in AWS."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pyotp
import pytest
from botocore.exceptions import ClientError

from iamdesk.services import demo, inline_policies
from iamdesk.services.access_keys import create_access_key
from iamdesk.services.authorization_messages import encode_denial
from iamdesk.services.simulate import simulate_principal_policy
from iamdesk.services.users import create_user
from iamdesk.store.db import open_database
from tests.cli import test_endpoint
from tests.cli.test_endpoint import ACCOUNT, _aws, _client

endpoint = test_endpoint.endpoint  # the same served demo model

ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"


def _keys(model) -> tuple[str, str]:
    """alice's access key; a user with its own: federation, decode, and iam:GetUser only."""
    db = open_database(model)
    try:
        alice = create_access_key(db, ACCOUNT, "alice")["AccessKey"]["AccessKeyId"]
        create_user(db, ACCOUNT, "dev")
        actions = ["sts:GetFederationToken", "sts:DecodeAuthorizationMessage", "iam:GetUser"]
        grant = {"Effect": "Allow", "Action": actions, "Resource": "*"}
        document = {"Version": "2012-10-17", "Statement": [grant]}
        inline_policies.put_inline_policy(db, ACCOUNT, "user", "dev", "p", json.dumps(document))
        dev = create_access_key(db, ACCOUNT, "dev")["AccessKey"]["AccessKeyId"]
    finally:
        db.close()
    return alice, dev


def test_session_token_with_mfa_then_assume_role_over_the_wire(endpoint: tuple) -> None:
    url, model = endpoint
    alice, _ = _keys(model)
    client = _client(url, "sts", alice)
    code = pyotp.TOTP(demo.MFA_SEEDS["alice"]).at(datetime.now(UTC))
    creds = client.get_session_token(  # type: ignore[attr-defined]
        DurationSeconds=900, SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/alice", TokenCode=code
    )["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    session = _client(url, "sts", creds["AccessKeyId"])
    assert session.get_caller_identity()["Arn"] == ALICE  # type: ignore[attr-defined]
    # DeployRole trusts alice only with MFA: her plain key is refused, the MFA session is not.
    role = f"arn:aws:iam::{ACCOUNT}:role/DeployRole"
    with pytest.raises(ClientError) as refused:
        client.assume_role(RoleArn=role, RoleSessionName="plain")  # type: ignore[attr-defined]
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    out = session.assume_role(RoleArn=role, RoleSessionName="with-mfa")  # type: ignore[attr-defined]
    assert out["AssumedRoleUser"]["Arn"].endswith(":assumed-role/DeployRole/with-mfa")
    with pytest.raises(ClientError) as again:
        session.get_session_token()  # type: ignore[attr-defined]
    assert "Cannot call GetSessionToken with session credentials" in str(again.value)


def test_federation_decode_and_key_info_over_the_wire(endpoint: tuple) -> None:
    url, model = endpoint
    _, dev = _keys(model)
    client = _client(url, "sts", dev)
    grant = {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}
    only = {"Version": "2012-10-17", "Statement": [grant]}
    out = client.get_federation_token(Name="carol", Policy=json.dumps(only))  # type: ignore[attr-defined]
    fed = f"arn:aws:sts::{ACCOUNT}:federated-user/carol"
    assert out["FederatedUser"] == {"FederatedUserId": f"{ACCOUNT}:carol", "Arn": fed}
    assert 0 < out["PackedPolicySize"] <= 100

    db = open_database(model)
    try:
        result = simulate_principal_policy(
            db, policy_source_arn=fed, action_names=["iam:ListUsers"]
        )
        message = encode_denial(result, 0, fed)
    finally:
        db.close()
    decoded = client.decode_authorization_message(EncodedMessage=message)  # type: ignore[attr-defined]
    document = json.loads(decoded["DecodedMessage"])
    assert document["allowed"] is False and document["context"]["principal"]["arn"] == fed

    done = _aws(url, "sts", "get-access-key-info", "--access-key-id", "ASIAQNZGKIQY56JQ7WML",
                key=dev)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"Account": "029608264753"}
    done = _aws(url, "sts", "get-access-key-info", "--access-key-id", dev, key=dev)
    assert json.loads(done.stdout) == {"Account": ACCOUNT}


def test_user_session_credentials_call_iam_only_with_mfa(endpoint: tuple) -> None:
    """STS API reference: GetSessionToken's credentials call IAM only when the session was made
    with MFA; GetFederationToken's never (from the CLI or API). IAM says InvalidClientTokenId."""
    url, model = endpoint
    alice, dev = _keys(model)
    sts = _client(url, "sts", alice)
    code = pyotp.TOTP(demo.MFA_SEEDS["alice"]).at(datetime.now(UTC))
    plain = sts.get_session_token(DurationSeconds=900)["Credentials"]  # type: ignore[attr-defined]
    with_mfa = sts.get_session_token(  # type: ignore[attr-defined]
        DurationSeconds=900, SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/alice", TokenCode=code
    )["Credentials"]
    fed = _client(url, "sts", dev).get_federation_token(Name="carol")["Credentials"]  # type: ignore[attr-defined]

    assert _client(url, "iam", with_mfa["AccessKeyId"]).get_user()["User"]["Arn"] == ALICE  # type: ignore[attr-defined]
    assert _client(url, "iam", alice).get_user()["User"]["Arn"] == ALICE  # type: ignore[attr-defined]
    for creds in (plain, fed):
        with pytest.raises(ClientError) as refused:
            _client(url, "iam", creds["AccessKeyId"]).list_users()  # type: ignore[attr-defined]
        error = refused.value.response
        assert error["Error"]["Code"] == "InvalidClientTokenId"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
        # STS still answers who they are.
        who = _client(url, "sts", creds["AccessKeyId"]).get_caller_identity()  # type: ignore[attr-defined]
        assert who["Account"] == ACCOUNT
    done = _aws(url, "iam", "list-users", key=plain["AccessKeyId"])
    assert done.returncode == 255 and "InvalidClientTokenId" in done.stderr  # AWS CLI v1
