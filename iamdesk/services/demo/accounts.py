"""The demo organization's IAM content: its accounts, the policies it shows off, and each
account's users, groups and roles as an authorization-details document (``account_documents``),
which ``demo`` imports the way a real account is imported.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from iamdesk.store.db import iso
from iamdesk.store.ids import unique_id

DEMO_VERSION = 4
MANAGEMENT = "123456789012"
PRODUCTION = "111122223333"
PARTNER = "444455556666"
DEMO_TIME = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
# The demo's MFA seeds are published so people can produce codes for them (e.g. with pyotp).
MFA_SEEDS = {
    "alice": "JBSWY3DPEHPK3PXPALICEDEMOSEED234",
    "erin": "JBSWY3DPEHPK3PXPERINDEMOSEED2345",
}
ALLOWED_REGIONS = ["us-east-1", "eu-west-1"]
US_EAST = {"aws:RequestedRegion": "us-east-1"}
AWS = "arn:aws:iam::aws:policy/"


def policy_document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


REQUIRE_MFA = policy_document(
    {
        "Sid": "AllowManageOwnMFA",
        "Effect": "Allow",
        "Action": [
            "iam:CreateVirtualMFADevice",
            "iam:EnableMFADevice",
            "iam:ListMFADevices",
            "iam:ResyncMFADevice",
        ],
        "Resource": ["arn:aws:iam::*:mfa/${aws:username}", "arn:aws:iam::*:user/${aws:username}"],
    },
    {
        "Sid": "DenyAllExceptListedIfNoMFA",
        "Effect": "Deny",
        "NotAction": [
            "iam:CreateVirtualMFADevice",
            "iam:EnableMFADevice",
            "iam:GetUser",
            "iam:ListMFADevices",
            "iam:ListVirtualMFADevices",
            "iam:ResyncMFADevice",
            "sts:GetSessionToken",
        ],
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    },
)
DEVELOPER_BOUNDARY = policy_document(
    {
        "Sid": "AllowAppServices",
        **_allow(["s3:*", "lambda:*", "dynamodb:*", "logs:*", "cloudwatch:*", "sqs:*"]),
    },
    {"Sid": "DenyIdentityChanges", "Effect": "Deny", "Action": "iam:*", "Resource": "*"},
)
SCP_GUARDRAILS = policy_document(
    {
        "Sid": "DenyLeavingTheOrganization",
        "Effect": "Deny",
        "Action": "organizations:LeaveOrganization",
        "Resource": "*",
    },
    {
        "Sid": "DenyOutsideApprovedRegions",
        "Effect": "Deny",
        "NotAction": [
            "iam:*",
            "sts:*",
            "organizations:*",
            "cloudfront:*",
            "route53:*",
            "support:*",
            "budgets:*",
        ],
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": ALLOWED_REGIONS}},
    },
)


def _trust(principal: dict[str, Any], **condition: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return policy_document(statement)


class _Builder:
    """Writes one account's authorization-details document with stable ids and dates."""

    def __init__(self, account: str, rng: random.Random) -> None:
        self.account = account
        self.rng = rng
        self.data: dict[str, list[dict[str, Any]]] = {
            "UserDetailList": [],
            "GroupDetailList": [],
            "RoleDetailList": [],
            "Policies": [],
        }
        self.when = DEMO_TIME - timedelta(days=200)

    def _date(self) -> str:
        self.when += timedelta(hours=7)
        return iso(self.when)

    def arn(self, kind: str, name: str, path: str = "/") -> str:
        return f"arn:aws:iam::{self.account}:{kind}{path}{name}"

    @staticmethod
    def _attached(arns: list[str]) -> list[dict[str, str]]:
        return [{"PolicyName": a.rsplit("/", 1)[1], "PolicyArn": a} for a in arns]

    @staticmethod
    def _inline(policies: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"PolicyName": n, "PolicyDocument": d} for n, d in policies.items()]

    def policy(self, name: str, document: dict[str, Any], description: str = "") -> str:
        arn = self.arn("policy", name)
        date = self._date()
        entry: dict[str, Any] = {
            "PolicyName": name,
            "PolicyId": unique_id("policy", self.rng),
            "Arn": arn,
            "Path": "/",
            "DefaultVersionId": "v1",
            "IsAttachable": True,
            "CreateDate": date,
            "UpdateDate": date,
            "PolicyVersionList": [
                {
                    "Document": document,
                    "VersionId": "v1",
                    "IsDefaultVersion": True,
                    "CreateDate": date,
                }
            ],
        }
        if description:
            entry["Description"] = description
        self.data["Policies"].append(entry)
        return arn

    def group(self, name: str, attached: list[str], inline: dict[str, Any] | None = None) -> None:
        self.data["GroupDetailList"].append(
            {
                "Path": "/",
                "GroupName": name,
                "GroupId": unique_id("group", self.rng),
                "Arn": self.arn("group", name),
                "CreateDate": self._date(),
                "GroupPolicyList": self._inline(inline or {}),
                "AttachedManagedPolicies": self._attached(attached),
            }
        )

    def user(
        self,
        name: str,
        groups: list[str] = (),  # type: ignore[assignment]
        attached: list[str] = (),  # type: ignore[assignment]
        inline: dict[str, Any] | None = None,
        boundary: str | None = None,
        tags: dict[str, str] | None = None,
    ) -> str:
        entry: dict[str, Any] = {
            "Path": "/",
            "UserName": name,
            "UserId": unique_id("user", self.rng),
            "Arn": self.arn("user", name),
            "CreateDate": self._date(),
            "UserPolicyList": self._inline(inline or {}),
            "GroupList": list(groups),
            "AttachedManagedPolicies": self._attached(list(attached)),
            "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
        }
        if boundary:
            entry["PermissionsBoundary"] = {
                "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                "PermissionsBoundaryArn": boundary,
            }
        self.data["UserDetailList"].append(entry)
        return str(entry["Arn"])

    def role(
        self,
        name: str,
        trust: dict[str, Any],
        attached: list[str] = (),  # type: ignore[assignment]
        inline: dict[str, Any] | None = None,
        profile: str | None = None,
        path: str = "/",
    ) -> str:
        arn = self.arn("role", name, path)
        date = self._date()
        profiles = []
        if profile:
            profiles.append(
                {
                    "Path": "/",
                    "InstanceProfileName": profile,
                    "InstanceProfileId": unique_id("instance-profile", self.rng),
                    "Arn": self.arn("instance-profile", profile),
                    "CreateDate": date,
                    "Roles": [],
                }
            )
        self.data["RoleDetailList"].append(
            {
                "Path": path,
                "RoleName": name,
                "RoleId": unique_id("role", self.rng),
                "Arn": arn,
                "CreateDate": date,
                "AssumeRolePolicyDocument": trust,
                "InstanceProfileList": profiles,
                "RolePolicyList": self._inline(inline or {}),
                "AttachedManagedPolicies": self._attached(list(attached)),
                "Tags": [],
                "RoleLastUsed": {},
            }
        )
        return arn


def _production(rng: random.Random) -> _Builder:
    b = _Builder(PRODUCTION, rng)
    boundary = b.policy(
        "DeveloperBoundary", DEVELOPER_BOUNDARY, "Caps what developers' own grants can reach"
    )
    b.group("Developers", [AWS + "PowerUserAccess"])
    b.group("Admins", [AWS + "AdministratorAccess"], {"RequireMFA": REQUIRE_MFA})
    b.user("alice", ["Admins"], tags={"team": "platform"})
    b.user("bob", ["Developers"], tags={"team": "payments"})
    b.user("carol", ["Developers"], boundary=boundary, tags={"team": "data"})
    b.user("dave", attached=[AWS + "ReadOnlyAccess"], tags={"team": "audit"})
    b.user("frank", tags={"team": "marketing"})
    b.role(
        "CrossAccountAuditRole",
        _trust(
            {"AWS": f"arn:aws:iam::{PARTNER}:root"},
            Bool={"aws:MultiFactorAuthPresent": "true"},
        ),
        [AWS + "SecurityAudit"],
    )
    b.role(
        "WebServerRole",
        _trust({"Service": "ec2.amazonaws.com"}),
        [AWS + "AmazonSSMManagedInstanceCore"],
        {
            "ReadSiteAssets": policy_document(
                _allow(
                    ["s3:GetObject", "s3:ListBucket"],
                    [
                        "arn:aws:s3:::example-corp-public-website",
                        "arn:aws:s3:::example-corp-public-website/*",
                    ],
                )
            )
        },
        profile="WebServerProfile",
    )
    b.role(
        "ThumbnailFunctionRole",
        _trust({"Service": "lambda.amazonaws.com"}),
        [AWS + "service-role/AWSLambdaBasicExecutionRole"],
        {
            "WriteThumbnails": policy_document(
                _allow("s3:PutObject", "arn:aws:s3:::example-corp-uploads/thumbnails/*")
            )
        },
    )
    b.role(
        "DeployRole",
        _trust(
            {"AWS": f"arn:aws:iam::{PRODUCTION}:user/alice"},
            Bool={"aws:MultiFactorAuthPresent": "true"},
        ),
        [AWS + "PowerUserAccess"],
    )
    # What every GitHub Actions deployment to AWS rests on: the token.actions provider (made in
    # build_demo) and a role that trusts one repository's workflows on main.
    github = "token.actions.githubusercontent.com"
    b.role(
        "GitHubDeploy",
        policy_document(
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::{PRODUCTION}:oidc-provider/{github}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{github}:aud": "sts.amazonaws.com"},
                    "StringLike": {
                        f"{github}:sub": "repo:example-corp/website:ref:refs/heads/main"
                    },
                },
            }
        ),
        [],
        {
            "PublishWebsite": policy_document(
                _allow(["s3:PutObject", "s3:ListBucket"], "arn:aws:s3:::example-corp-website*")
            )
        },
    )
    return b


def _partner(rng: random.Random) -> _Builder:
    b = _Builder(PARTNER, rng)
    b.user(
        "erin",
        inline={
            "ReadSharedData": policy_document(
                _allow(
                    ["s3:GetObject", "s3:ListBucket"],
                    [
                        "arn:aws:s3:::example-corp-shared-data",
                        "arn:aws:s3:::example-corp-shared-data/*",
                    ],
                ),
                _allow("sts:AssumeRole", f"arn:aws:iam::{PRODUCTION}:role/CrossAccountAuditRole"),
            )
        },
        tags={"team": "analytics"},
    )
    return b


def _management(rng: random.Random) -> _Builder:
    b = _Builder(MANAGEMENT, rng)
    b.group("OrgAdmins", [AWS + "AdministratorAccess"], {"RequireMFA": REQUIRE_MFA})
    b.user("grace", ["OrgAdmins"], tags={"team": "cloud-center-of-excellence"})
    return b


SESSION_POLICY = policy_document(_allow(["s3:*", "lambda:*", "cloudformation:*"]))


def account_documents(rng: random.Random) -> list[dict[str, Any]]:
    """One authorization-details document per account: management, production, partner."""
    return [builder(rng).data for builder in (_management, _production, _partner)]
