"""``iamdesk sts`` beyond assume-role, run as a user would: get-session-token (with MFA by real
TOTP codes), get-federation-token, decode-authorization-message, get-access-key-info, and
assume-role's source identity, session tags and transitive tags through a role chain."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import pyotp
import pytest

from iamdesk.cli.main import main
from iamdesk.services.authorization_messages import encode_denial
from iamdesk.services.simulate import simulate_principal_policy
from iamdesk.store.db import new_database, open_database

ACCOUNT = "123456789012"
BOB = f"arn:aws:iam::{ACCOUNT}:user/bob"


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    db = tmp_path / "model.sqlite"
    new_database(db).close()
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", str(db), *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def _ok(cli, *args: str) -> dict:
    code, out, err = cli(*args)
    assert code == 0, err
    return json.loads(out) if out.strip() else {}


def _policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(action: str, resource: str = "*", condition: dict | None = None) -> dict:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def _user_with_key(cli, name: str = "bob", *statements: dict) -> str:
    _ok(cli, "iam", "create-user", "--user-name", name)
    if statements:
        _ok(cli, "iam", "put-user-policy", "--user-name", name, "--policy-name", "p",
            "--policy-document", _policy(*statements))  # fmt: skip
    return _ok(cli, "iam", "create-access-key", "--user-name", name)["AccessKey"]["AccessKeyId"]


def _mfa(cli, tmp_path: Path, name: str = "bob") -> tuple[str, pyotp.TOTP]:
    seed_file = tmp_path / "seed.txt"
    device = _ok(cli, "iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", name,
                 "--outfile", str(seed_file), "--bootstrap-method", "Base32StringSeed")  # fmt: skip
    serial = device["VirtualMFADevice"]["SerialNumber"]
    totp = pyotp.TOTP(seed_file.read_text().strip())
    now = datetime.now(UTC).timestamp()
    codes = ("--authentication-code1", totp.at(now - 30), "--authentication-code2", totp.at(now))
    _ok(cli, "iam", "enable-mfa-device", "--user-name", name, "--serial-number", serial, *codes)
    return serial, totp


def test_get_session_token_with_mfa_makes_an_mfa_policy_allow(cli, tmp_path: Path,
                                                               monkeypatch) -> None:  # fmt: skip
    mfa_only = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    key = _user_with_key(cli, "bob", _allow("s3:ListAllMyBuckets", condition=mfa_only),
                         _allow("sts:AssumeRole"))  # fmt: skip
    serial, totp = _mfa(cli, tmp_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)

    plain = _ok(cli, "sts", "get-session-token")["Credentials"]
    assert plain["AccessKeyId"].startswith("ASIA") and len(plain["SecretAccessKey"]) == 40

    def simulate(source: str) -> dict:
        out = _ok(cli, "iam", "simulate-principal-policy", "--policy-source-arn", source,
                  "--action-names", "s3:ListAllMyBuckets")  # fmt: skip
        return out["EvaluationResults"][0]

    assert simulate(plain["AccessKeyId"])["EvalDecision"] == "implicitDeny"
    # A wrong code changes nothing; the right one gives an MFA session.
    wrong = "000000" if totp.now() != "000000" else "111111"
    code, _, err = cli("sts", "get-session-token", "--serial-number", serial, "--token-code", wrong)
    assert code == 254 and "(AccessDenied)" in err and "MultiFactorAuthentication failed" in err
    # The device accepted codes up to the current step when it was enabled: use the next one.
    code_now = totp.at(datetime.now(UTC).timestamp() + 30)
    creds = _ok(cli, "sts", "get-session-token", "--serial-number", serial, "--token-code",
                code_now, "--duration-seconds", "3600")["Credentials"]  # fmt: skip
    decided = simulate(creds["AccessKeyId"])
    assert decided["EvalDecision"] == "allowed"
    who = _ok(cli, "sts", "get-caller-identity", "--access-key-id", creds["AccessKeyId"])
    assert who["Arn"] == BOB and who["UserId"].startswith("AIDA")

    # The MFA session's credentials assume a role whose trust requires MFA; the user's own
    # long-term key cannot.
    trust = _policy({"Effect": "Allow", "Principal": {"AWS": BOB}, "Action": "sts:AssumeRole",
                     "Condition": mfa_only})  # fmt: skip
    _ok(cli, "iam", "create-role", "--role-name", "Admin", "--assume-role-policy-document", trust)
    role = f"arn:aws:iam::{ACCOUNT}:role/Admin"
    code, _, err = cli("sts", "assume-role", "--role-arn", role, "--role-session-name", "s1")
    assert code == 254 and "(AccessDenied)" in err
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds["AccessKeyId"])
    assumed = _ok(cli, "sts", "assume-role", "--role-arn", role, "--role-session-name", "s1")
    session_arn = assumed["AssumedRoleUser"]["Arn"]
    out = _ok(cli, "iam", "simulate-principal-policy", "--policy-source-arn", session_arn,
              "--action-names", "iam:ListUsers")  # fmt: skip
    assert out["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"  # the role has none
    # Session credentials cannot ask for another session token.
    code, _, err = cli("sts", "get-session-token")
    assert code == 254 and "Cannot call GetSessionToken with session credentials" in err


def test_get_session_token_errors(cli) -> None:
    key = _user_with_key(cli)
    session = ("sts", "get-session-token", "--access-key-id", key, "--duration-seconds")
    code, _, err = cli(*session, "899")  # the CLI's own check, from botocore's model
    assert code == 252 and "valid min value: 900" in err
    code, _, err = cli(*session, "129601")  # STS's
    assert code == 254 and "(ValidationError)" in err and "less than or equal to 129600" in err
    code, _, err = cli("sts", "get-session-token", "--access-key-id", key,
                       "--serial-number", f"arn:aws:iam::{ACCOUNT}:mfa/none",
                       "--token-code", "123456")  # fmt: skip
    assert code == 254 and "(AccessDenied)" in err
    code, _, err = cli("sts", "get-session-token", "--access-key-id", "AKIAAAAAAAAAAAAAAAAA")
    assert code == 254 and "(InvalidClientTokenId)" in err


def test_federation_token_is_the_intersection_of_user_and_session_policy(cli) -> None:
    _user_with_key(cli, "bob", _allow("sts:GetFederationToken"), _allow("s3:*"),
                   _allow("sqs:SendMessage"))  # fmt: skip
    fed = f"arn:aws:sts::{ACCOUNT}:federated-user/carol"
    session_policy = _policy(_allow("s3:GetObject"), _allow("iam:ListUsers"))
    out = _ok(cli, "sts", "get-federation-token", "--name", "carol", "--caller-arn", BOB,
              "--policy", session_policy, "--duration-seconds", "900")  # fmt: skip
    assert out["FederatedUser"] == {"FederatedUserId": f"{ACCOUNT}:carol", "Arn": fed}
    assert 0 < out["PackedPolicySize"] <= 100
    key = out["Credentials"]["AccessKeyId"]
    who = _ok(cli, "sts", "get-caller-identity", "--access-key-id", key)
    assert who == {"UserId": f"{ACCOUNT}:carol", "Account": ACCOUNT, "Arn": fed}

    out = _ok(cli, "iam", "simulate-principal-policy", "--policy-source-arn", fed,
              "--action-names", "s3:GetObject", "s3:PutObject", "iam:ListUsers",
              "sqs:SendMessage")  # fmt: skip
    decisions = [r["EvalDecision"] for r in out["EvaluationResults"]]
    # Only what both the user and the session policy allow.
    assert decisions == ["allowed", "implicitDeny", "implicitDeny", "implicitDeny"]

    # Without a session policy a federated user has no permissions.
    _ok(cli, "sts", "get-federation-token", "--name", "dave", "--caller-arn", BOB)
    dave = f"arn:aws:sts::{ACCOUNT}:federated-user/dave"
    out = _ok(cli, "iam", "simulate-principal-policy", "--policy-source-arn", dave,
              "--action-names", "s3:GetObject")  # fmt: skip
    assert out["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    # A federated user's credentials cannot call STS (but get-caller-identity).
    code, _, err = cli("sts", "assume-role", "--access-key-id", key, "--role-arn",
                       f"arn:aws:iam::{ACCOUNT}:role/x", "--role-session-name", "s1")  # fmt: skip
    assert code == 254 and "(AccessDenied)" in err


def test_federation_token_errors(cli) -> None:
    _user_with_key(cli, "bob")
    code, _, err = cli("sts", "get-federation-token", "--name", "carol", "--caller-arn", BOB)
    assert code == 254 and "(AccessDenied)" in err and "sts:GetFederationToken" in err
    _ok(cli, "iam", "put-user-policy", "--user-name", "bob", "--policy-name", "p",
        "--policy-document", _policy(_allow("sts:GetFederationToken")))  # fmt: skip
    code, _, err = cli("sts", "get-federation-token", "--name", "has space", "--caller-arn", BOB)
    assert code == 254 and "(ValidationError)" in err
    tags = json.dumps([{"Key": "team", "Value": "blue"}])
    code, _, err = cli("sts", "get-federation-token", "--name", "carol", "--caller-arn", BOB,
                       "--tags", tags)  # fmt: skip
    assert code == 254 and "sts:TagSession" in err  # tags need their own permission
    big = _policy(*[_allow(f"s3:GetObject{i}", f"arn:aws:s3:::bucket-{i}/*") for i in range(40)])
    code, _, err = cli("sts", "get-federation-token", "--name", "carol", "--caller-arn", BOB,
                       "--policy", big)  # fmt: skip
    assert code == 254 and "(PackedPolicyTooLarge)" in err
    code, _, err = cli("sts", "get-federation-token", "--name", "carol", "--caller-arn", BOB,
                       "--policy", _policy({"Effect": "Allow", "Principal": "*",
                                            "Action": "s3:*", "Resource": "*"}))  # fmt: skip
    assert code == 254 and "(MalformedPolicyDocument)" in err


def test_decode_authorization_message_of_a_denial(cli, tmp_path: Path) -> None:
    _user_with_key(cli, "bob", {"Effect": "Deny", "Sid": "NoFederation",
                                "Action": "sts:GetFederationToken", "Resource": "*"})  # fmt: skip
    # A denial the app made (the test-access panel offers its message; see tests/ui).
    db = open_database(tmp_path / "model.sqlite")
    try:
        result = simulate_principal_policy(
            db,
            policy_source_arn=BOB,
            action_names=["sts:GetFederationToken"],
            resource_arns=[f"arn:aws:sts::{ACCOUNT}:federated-user/carol"],
        )
        message = encode_denial(result, 0, BOB)
    finally:
        db.close()
    decode = ("sts", "decode-authorization-message", "--encoded-message", message,
              "--caller-arn", BOB)  # fmt: skip
    code, _, err = cli(*decode)  # bob may not decode yet
    assert code == 254 and "(AccessDenied)" in err and "sts:DecodeAuthorizationMessage" in err
    _ok(cli, "iam", "put-user-policy", "--user-name", "bob", "--policy-name", "decode",
        "--policy-document", _policy(_allow("sts:DecodeAuthorizationMessage")))  # fmt: skip
    decoded = json.loads(_ok(cli, *decode)["DecodedMessage"])
    assert decoded["allowed"] is False and decoded["explicitDeny"] is True
    assert decoded["failures"] == {"items": []}
    (statement,) = decoded["matchedStatements"]["items"]
    assert statement["statementId"] == "NoFederation" and statement["effect"] == "DENY"
    assert statement["actions"] == {"items": [{"value": "sts:GetFederationToken"}]}
    context = decoded["context"]
    assert context["principal"]["arn"] == BOB and context["principal"]["name"] == "bob"
    assert context["principal"]["id"].startswith("AIDA")
    assert context["action"] == "sts:GetFederationToken"
    assert context["resource"] == f"arn:aws:sts::{ACCOUNT}:federated-user/carol"
    keys = {item["key"]: item["values"]["items"] for item in context["conditions"]["items"]}
    assert keys["aws:username"] == [{"value": "bob"}]
    for bad in ("not-a-message", base64.urlsafe_b64encode(b"x" * 40).decode(), "A" * 10241):
        code, _, err = cli("sts", "decode-authorization-message", "--encoded-message", bad,
                           "--caller-arn", BOB)  # fmt: skip
        assert code in (252, 254), err
        assert "InvalidAuthorizationMessageException" in err or "Invalid length" in err


def test_get_access_key_info(cli) -> None:
    key = _user_with_key(cli)
    assert _ok(cli, "sts", "get-access-key-info", "--access-key-id", key) == {"Account": ACCOUNT}
    # An unknown key: the account AWS encodes in the key ID (AKIA/ASIA + Base32).
    assert _ok(cli, "sts", "get-access-key-info", "--access-key-id",
               "ASIAQNZGKIQY56JQ7WML") == {"Account": "029608264753"}  # fmt: skip
    code, _, err = cli("sts", "get-access-key-info", "--access-key-id", "AKIA0000000000000000")
    assert code == 254 and "(InvalidParameterValue)" in err
    code, _, err = cli("sts", "get-access-key-info", "--access-key-id", "has-dash-but-16chars")
    assert code in (252, 254) and ("ValidationError" in err or "Invalid" in err)


def test_source_identity_and_transitive_tags_through_a_role_chain(cli) -> None:
    key = _user_with_key(cli, "bob", _allow("sts:*"))
    both = ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]
    first = _policy({"Effect": "Allow", "Principal": {"AWS": BOB}, "Action": both})
    _ok(cli, "iam", "create-role", "--role-name", "First", "--assume-role-policy-document", first)
    _ok(cli, "iam", "put-role-policy", "--role-name", "First", "--policy-name", "p",
        "--policy-document", _policy(_allow("sts:AssumeRole")))  # fmt: skip
    first_arn = f"arn:aws:iam::{ACCOUNT}:role/First"
    chained_trust = _policy({"Effect": "Allow", "Principal": {"AWS": first_arn},
                             "Action": ["sts:AssumeRole", "sts:TagSession"]})  # fmt: skip
    _ok(cli, "iam", "create-role", "--role-name", "Second", "--assume-role-policy-document",
        chained_trust, "--tags", "Key=team,Value=role-tag", "Key=cost,Value=role")  # fmt: skip
    project_only = {"StringEquals": {"aws:PrincipalTag/project": "apollo",
                                     "aws:PrincipalTag/team": "blue"}}  # fmt: skip
    _ok(cli, "iam", "put-role-policy", "--role-name", "Second", "--policy-name", "p",
        "--policy-document", _policy(_allow("s3:GetObject", condition=project_only)))  # fmt: skip

    base = ("sts", "assume-role", "--access-key-id", key, "--role-arn", first_arn,
            "--role-session-name", "one")  # fmt: skip
    tags = ("--tags", "Key=project,Value=apollo", "Key=team,Value=blue", "Key=temp,Value=x")
    code, _, err = cli(*base, *tags, "--transitive-tag-keys", "nope")
    assert code == 254 and "(InvalidParameterValue)" in err
    out = _ok(cli, *base, *tags, "--transitive-tag-keys", "project", "team",
              "--source-identity", "bob@example.com")  # fmt: skip
    assert out["SourceIdentity"] == "bob@example.com" and 0 < out["PackedPolicySize"] <= 100
    one = out["Credentials"]["AccessKeyId"]

    second_arn = f"arn:aws:iam::{ACCOUNT}:role/Second"
    chain = ("sts", "assume-role", "--access-key-id", one, "--role-arn", second_arn,
             "--role-session-name", "two")  # fmt: skip
    code, _, err = cli(*chain, "--tags", "Key=Project,Value=other")  # an inherited key
    assert code == 254 and "(InvalidParameterValue)" in err and "transitive" in err
    code, _, err = cli(*chain, "--source-identity", "mallory")  # cannot change in a chain
    assert code == 254 and "(InvalidParameterValue)" in err
    out = _ok(cli, *chain)
    assert out["SourceIdentity"] == "bob@example.com"  # it persisted
    two = out["AssumedRoleUser"]["Arn"]
    sim = _ok(cli, "iam", "simulate-principal-policy", "--policy-source-arn", two,
              "--action-names", "s3:GetObject")  # fmt: skip
    # The transitive session tags reached the chained role and override its own team tag.
    assert sim["EvaluationResults"][0]["EvalDecision"] == "allowed"

    # Without transitive tags the chained session has only the role's tags: denied.
    plain = _ok(cli, *base[:-1], "plain", *tags)["Credentials"]["AccessKeyId"]
    out = _ok(cli, "sts", "assume-role", "--access-key-id", plain, "--role-arn", second_arn,
              "--role-session-name", "three")  # fmt: skip
    sim = _ok(cli, "iam", "simulate-principal-policy", "--policy-source-arn",
              out["AssumedRoleUser"]["Arn"], "--action-names", "s3:GetObject")  # fmt: skip
    assert sim["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"


def test_session_tags_and_source_identity_need_their_trust_permissions(cli) -> None:
    key = _user_with_key(cli, "bob", _allow("sts:*"))
    trust = _policy({"Effect": "Allow", "Principal": {"AWS": BOB}, "Action": "sts:AssumeRole"})
    _ok(cli, "iam", "create-role", "--role-name", "R", "--assume-role-policy-document", trust)
    base = ("sts", "assume-role", "--access-key-id", key, "--role-arn",
            f"arn:aws:iam::{ACCOUNT}:role/R", "--role-session-name", "s1")  # fmt: skip
    code, _, err = cli(*base, "--tags", "Key=a,Value=b")
    assert code == 254 and "sts:TagSession" in err
    code, _, err = cli(*base, "--source-identity", "bob")
    assert code == 254 and "sts:SetSourceIdentity" in err
    many = [f"Key=k{i},Value=v" for i in range(51)]
    code, _, err = cli(*base, "--tags", *many)
    assert code in (252, 254) and ("50" in err)
    huge = [f"Key={'k' * 100}{i},Value={'v' * 250}" for i in range(10)]
    code, _, err = cli(*base, "--tags", *huge)
    assert code == 254 and "(PackedPolicyTooLarge)" in err
    assert "AssumedRoleUser" in _ok(cli, *base)
