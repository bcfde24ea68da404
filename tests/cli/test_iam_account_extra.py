"""change-password, get-mfa-device, set-security-token-service-preferences, service-linked
roles and get-context-keys-for-principal-policy, run as ``iamdesk iam`` commands."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pyotp
import pytest

from tests.cli.shapes import fails, ok

ACCOUNT = "123456789012"


def test_change_password_follows_the_policy_and_clears_reset_required(
    iam, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(iam, "CreateUser", "create-user", "--user-name", "bob")
    ok(
        iam,
        "CreateLoginProfile",
        "create-login-profile",
        "--user-name",
        "bob",
        "--password",
        "Old-Passw0rd!",
        "--password-reset-required",
    )
    key = ok(iam, "CreateAccessKey", "create-access-key", "--user-name", "bob")["AccessKey"]
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    code, _, err = iam("change-password", "--old-password", "a", "--new-password", "b")
    assert code == 253 and "Unable to locate credentials" in err
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    change = ("change-password", "--old-password", "Old-Passw0rd!", "--new-password")
    # no policy lets bob change it: neither the password policy nor his own policies
    err = fails(iam, "AccessDenied", *change, "New-Passw0rd!")
    assert "iam:ChangePassword" in err
    ok(
        iam,
        "PutUserPolicy",
        "put-user-policy",
        "--user-name",
        "bob",
        "--policy-name",
        "self",
        "--policy-document",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "iam:ChangePassword",
                        "Resource": "arn:aws:iam::*:user/${aws:username}",
                    }
                ],
            }
        ),
    )
    ok(
        iam,
        "UpdateAccountPasswordPolicy",
        "update-account-password-policy",
        "--password-reuse-prevention",
        "2",
        "--minimum-password-length",
        "12",
    )
    fails(
        iam,
        "InvalidUserType",
        "change-password",
        "--old-password",
        "nope",
        "--new-password",
        "Another-Passw0rd!",
    )
    fails(iam, "PasswordPolicyViolation", *change, "Short-1!")
    fails(iam, "PasswordPolicyViolation", *change, "Old-Passw0rd!")  # reuse
    ok(iam, "ChangePassword", *change, "New-Passw0rd!")
    profile = ok(iam, "GetLoginProfile", "get-login-profile", "--user-name", "bob")
    assert profile["LoginProfile"]["PasswordResetRequired"] is False
    # the old password no longer works; --caller-arn names the caller instead of the key
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    arn = f"arn:aws:iam::{ACCOUNT}:user/bob"
    fails(
        iam,
        "InvalidUserType",
        "change-password",
        "--caller-arn",
        arn,
        *change[1:],
        "Third-Passw0rd!",
    )
    ok(
        iam,
        "ChangePassword",
        "change-password",
        "--caller-arn",
        arn,
        "--old-password",
        "New-Passw0rd!",
        "--new-password",
        "Third-Passw0rd!",
    )


def test_get_mfa_device(iam, tmp_path: Path) -> None:
    ok(iam, "CreateUser", "create-user", "--user-name", "carol")
    seed_file = tmp_path / "seed.txt"
    serial = ok(
        iam,
        "CreateVirtualMFADevice",
        "create-virtual-mfa-device",
        "--virtual-mfa-device-name",
        "carol",
        "--outfile",
        str(seed_file),
        "--bootstrap-method",
        "Base32StringSeed",
    )["VirtualMFADevice"]["SerialNumber"]
    fails(iam, "NoSuchEntity", "get-mfa-device", "--serial-number", serial)  # not enabled yet
    totp = pyotp.TOTP(seed_file.read_text())
    now = time.time()
    ok(
        iam,
        "EnableMFADevice",
        "enable-mfa-device",
        "--user-name",
        "carol",
        "--serial-number",
        serial,
        "--authentication-code1",
        totp.at(now - 30),
        "--authentication-code2",
        totp.at(now),
    )
    got = ok(iam, "GetMFADevice", "get-mfa-device", "--serial-number", serial)
    assert got["UserName"] == "carol" and got["SerialNumber"] == serial and got["EnableDate"]
    ok(iam, "CreateUser", "create-user", "--user-name", "dan")
    fails(iam, "NoSuchEntity", "get-mfa-device", "--serial-number", serial, "--user-name", "dan")


def test_sts_preferences_show_in_the_account_summary(iam) -> None:
    def version() -> int:
        summary = ok(iam, "GetAccountSummary", "get-account-summary")
        return summary["SummaryMap"]["GlobalEndpointTokenVersion"]

    assert version() == 1
    ok(
        iam,
        "SetSecurityTokenServicePreferences",
        "set-security-token-service-preferences",
        "--global-endpoint-token-version",
        "v2Token",
    )
    assert version() == 2
    code, _, err = iam(
        "set-security-token-service-preferences", "--global-endpoint-token-version", "v3Token"
    )
    assert code in (252, 254) and "v1Token" in err
    assert version() == 2


def test_service_linked_roles(iam) -> None:
    role = ok(
        iam,
        "CreateServiceLinkedRole",
        "create-service-linked-role",
        "--aws-service-name",
        "autoscaling.amazonaws.com",
        "--description",
        "scaling",
    )["Role"]
    assert role["RoleName"] == "AWSServiceRoleForAutoScaling"
    assert role["Path"] == "/aws-service-role/autoscaling.amazonaws.com/"
    assert role["Arn"] == (
        f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/"
        "AWSServiceRoleForAutoScaling"
    )
    trust = role["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": ["autoscaling.amazonaws.com"]}
    attached = ok(
        iam,
        "ListAttachedRolePolicies",
        "list-attached-role-policies",
        "--role-name",
        role["RoleName"],
    )["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AutoScalingServiceRolePolicy"]
    err = fails(
        iam,
        "InvalidInput",
        "create-service-linked-role",
        "--aws-service-name",
        "autoscaling.amazonaws.com",
    )
    assert "has been taken in this account, please try a different suffix" in err
    suffixed = ok(
        iam,
        "CreateServiceLinkedRole",
        "create-service-linked-role",
        "--aws-service-name",
        "autoscaling.amazonaws.com",
        "--custom-suffix",
        "web",
    )["Role"]
    assert suffixed["RoleName"] == "AWSServiceRoleForAutoScaling_web"
    fails(
        iam,
        "InvalidInput",
        "create-service-linked-role",
        "--aws-service-name",
        "rds.amazonaws.com",
        "--custom-suffix",
        "x",
    )
    fails(
        iam,
        "InvalidInput",
        "create-service-linked-role",
        "--aws-service-name",
        "nothing.example.com",
    )
    # the protected role resists the ordinary operations
    fails(iam, "UnmodifiableEntity", "delete-role", "--role-name", role["RoleName"])
    fails(
        iam,
        "UnmodifiableEntity",
        "update-assume-role-policy",
        "--role-name",
        role["RoleName"],
        "--policy-document",
        json.dumps(trust),
    )
    ok(
        iam,
        "CreateRole",
        "create-role",
        "--role-name",
        "plain",
        "--assume-role-policy-document",
        json.dumps(trust),
    )
    fails(iam, "InvalidInput", "delete-service-linked-role", "--role-name", "plain")
    task = ok(
        iam,
        "DeleteServiceLinkedRole",
        "delete-service-linked-role",
        "--role-name",
        role["RoleName"],
    )["DeletionTaskId"]
    assert task.startswith(
        "task/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling/"
    )
    status = ok(
        iam,
        "GetServiceLinkedRoleDeletionStatus",
        "get-service-linked-role-deletion-status",
        "--deletion-task-id",
        task,
    )
    assert status == {"Status": "SUCCEEDED"}
    fails(iam, "NoSuchEntity", "get-role", "--role-name", role["RoleName"])
    fails(
        iam,
        "NoSuchEntity",
        "get-service-linked-role-deletion-status",
        "--deletion-task-id",
        task + "x",
    )


def test_service_linked_role_in_use_fails_to_delete(iam) -> None:
    name = ok(
        iam,
        "CreateServiceLinkedRole",
        "create-service-linked-role",
        "--aws-service-name",
        "ecs.amazonaws.com",
    )["Role"]["RoleName"]
    ok(iam, "CreateInstanceProfile", "create-instance-profile", "--instance-profile-name", "ip")
    ok(
        iam,
        "AddRoleToInstanceProfile",
        "add-role-to-instance-profile",
        "--instance-profile-name",
        "ip",
        "--role-name",
        name,
    )
    task = ok(iam, "DeleteServiceLinkedRole", "delete-service-linked-role", "--role-name", name)
    status = ok(
        iam,
        "GetServiceLinkedRoleDeletionStatus",
        "get-service-linked-role-deletion-status",
        "--deletion-task-id",
        task["DeletionTaskId"],
    )
    assert status["Status"] == "FAILED" and "instance profile" in status["Reason"]["Reason"]
    ok(iam, "GetRole", "get-role", "--role-name", name)


def test_context_keys_for_principal_policy(iam) -> None:
    ok(iam, "CreateUser", "create-user", "--user-name", "erin")
    ok(iam, "CreateGroup", "create-group", "--group-name", "ops")
    ok(iam, "AddUserToGroup", "add-user-to-group", "--group-name", "ops", "--user-name", "erin")

    def doc(condition: dict) -> str:
        return json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": condition}
                ],
            }
        )

    ok(
        iam,
        "PutUserPolicy",
        "put-user-policy",
        "--user-name",
        "erin",
        "--policy-name",
        "ip",
        "--policy-document",
        doc({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
    )
    ok(
        iam,
        "PutGroupPolicy",
        "put-group-policy",
        "--group-name",
        "ops",
        "--policy-name",
        "mfa",
        "--policy-document",
        doc({"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
    )
    keys = ok(
        iam,
        "GetContextKeysForPrincipalPolicy",
        "get-context-keys-for-principal-policy",
        "--policy-source-arn",
        f"arn:aws:iam::{ACCOUNT}:user/erin",
        "--policy-input-list",
        doc({"StringEquals": {"s3:prefix": "home/"}}),
    )["ContextKeyNames"]
    assert sorted(keys) == ["aws:MultiFactorAuthPresent", "aws:SourceIp", "s3:prefix"]
    group_keys = ok(
        iam,
        "GetContextKeysForPrincipalPolicy",
        "get-context-keys-for-principal-policy",
        "--policy-source-arn",
        f"arn:aws:iam::{ACCOUNT}:group/ops",
    )["ContextKeyNames"]
    assert group_keys == ["aws:MultiFactorAuthPresent"]
    fails(
        iam,
        "NoSuchEntity",
        "get-context-keys-for-principal-policy",
        "--policy-source-arn",
        f"arn:aws:iam::{ACCOUNT}:user/nobody",
    )
