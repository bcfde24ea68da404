"""The demo organization: three accounts of "Example Corp" with the IAM setups people ask about,
the resources that carry resource policies, and named test-access scenarios whose expected
decisions cover every path of AWS's evaluation logic (identity allow, explicit deny, SCP deny,
permissions boundary, session policy, cross-account, public bucket, MFA condition).

``build_demo(db)`` writes it into a new model file; ``ensure_demo_database()`` keeps one under the
user data directory (rebuilt when ``DEMO_VERSION`` changes) for ``iamdesk --demo``. IAM entities
go in through the authorization-details importer, so the demo exercises the same path as a real
account; the organization and resources through their services.
"""

from __future__ import annotations

import json
import logging
import os
import random
import sqlite3
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from platformdirs import user_data_path
from sqlalchemy import insert, select, update

from iamdesk.services import integration, organizations, resources
from iamdesk.services.importexport import import_authorization_details
from iamdesk.store import tables as t
from iamdesk.store.db import Database, iso, open_database
from iamdesk.store.ids import assumed_role_arn, secret_access_key, unique_id
from iamdesk.store.location import APP_NAME
from iamdesk.store.secrets import hash_secret

log = logging.getLogger(__name__)

DEMO_VERSION = 2
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


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


REQUIRE_MFA = _doc(
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
DEVELOPER_BOUNDARY = _doc(
    {
        "Sid": "AllowAppServices",
        **_allow(["s3:*", "lambda:*", "dynamodb:*", "logs:*", "cloudwatch:*", "sqs:*"]),
    },
    {"Sid": "DenyIdentityChanges", "Effect": "Deny", "Action": "iam:*", "Resource": "*"},
)
SCP_GUARDRAILS = _doc(
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
    return _doc(statement)


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
            "ReadSiteAssets": _doc(
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
            "WriteThumbnails": _doc(
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
    return b


def _partner(rng: random.Random) -> _Builder:
    b = _Builder(PARTNER, rng)
    b.user(
        "erin",
        inline={
            "ReadSharedData": _doc(
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


SESSION_POLICY = _doc(_allow(["s3:*", "lambda:*", "cloudformation:*"]))
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"


def _scenarios(key_arn: str) -> list[dict[str, Any]]:
    user = f"arn:aws:iam::{PRODUCTION}:user/"
    session = assumed_role_arn(PRODUCTION, "DeployRole", "alice-deploy")
    erin = f"arn:aws:iam::{PARTNER}:user/erin"
    public = "arn:aws:s3:::example-corp-public-website/index.html"
    shared = "arn:aws:s3:::example-corp-shared-data/reports/2025-q4.csv"

    def case(name, principal, action, resource, expected, context=None, description=""):  # type: ignore[no-untyped-def]
        return {
            "name": name,
            "principal_arn": principal,
            "action": action,
            "resource_arn": resource,
            "context": context or {},
            "expected": expected,
            "description": description,
        }

    return [
        case(
            "Developer launches an instance",
            user + "bob",
            "ec2:RunInstances",
            "*",
            "allowed",
            US_EAST,
            "Identity allow: PowerUserAccess through the Developers group.",
        ),
        case(
            "Developer creates an IAM user",
            user + "bob",
            "iam:CreateUser",
            "*",
            "implicitDeny",
            {},
            "Nothing allows it: PowerUserAccess excludes IAM.",
        ),
        case(
            "Admin without MFA",
            user + "alice",
            "iam:CreateUser",
            "*",
            "explicitDeny",
            {"aws:MultiFactorAuthPresent": "false"},
            "MFA condition: RequireMFA denies everything but MFA setup without MFA.",
        ),
        case(
            "Admin with MFA",
            user + "alice",
            "iam:CreateUser",
            "*",
            "allowed",
            {"aws:MultiFactorAuthPresent": "true"},
            "MFA condition satisfied.",
        ),
        case(
            "Launch outside approved regions",
            user + "bob",
            "ec2:RunInstances",
            "*",
            "explicitDeny",
            {"aws:RequestedRegion": "ap-southeast-2"},
            "SCP deny: the Guardrails SCP denies regions outside the list.",
        ),
        case(
            "Leave the organization",
            user + "alice",
            "organizations:LeaveOrganization",
            "*",
            "explicitDeny",
            {"aws:MultiFactorAuthPresent": "true"},
            "SCP deny: even administrators cannot leave the organization.",
        ),
        case(
            "Boundary caps a developer",
            user + "carol",
            "ec2:RunInstances",
            "*",
            "implicitDeny",
            US_EAST,
            "Permissions boundary: DeveloperBoundary does not allow EC2.",
        ),
        case(
            "Boundary lets S3 through",
            user + "carol",
            "s3:GetObject",
            public,
            "allowed",
            US_EAST,
            "Group grant inside the boundary.",
        ),
        case(
            "Deploy session outside its session policy",
            session,
            "ec2:RunInstances",
            "*",
            "implicitDeny",
            US_EAST,
            "Session policy: the deploy session only allows S3, Lambda "
            "and CloudFormation although the role allows more.",
        ),
        case(
            "Deploy session inside its session policy",
            session,
            "lambda:UpdateFunctionCode",
            f"arn:aws:lambda:us-east-1:{PRODUCTION}:function:thumbnailer",
            "allowed",
            US_EAST,
            "Role grant and session policy both allow.",
        ),
        case(
            "Partner reads shared data",
            erin,
            "s3:GetObject",
            shared,
            "allowed",
            US_EAST,
            "Cross-account: erin's policy and the bucket policy both allow.",
        ),
        case(
            "Partner reads the private uploads",
            erin,
            "s3:GetObject",
            "arn:aws:s3:::example-corp-uploads/thumbnails/a.png",
            "implicitDeny",
            US_EAST,
            "Cross-account: the bucket has no policy granting erin's account.",
        ),
        case(
            "Anyone reads the public website",
            user + "frank",
            "s3:GetObject",
            public,
            "allowed",
            US_EAST,
            "Public bucket: the bucket policy allows Principal *, frank has no policy.",
        ),
        case(
            "Web server decrypts with the app key",
            f"arn:aws:iam::{PRODUCTION}:role/WebServerRole",
            "kms:Decrypt",
            key_arn,
            "allowed",
            US_EAST,
            "KMS key policy grants the role directly.",
        ),
        case(
            "Developer decrypts with the app key",
            user + "bob",
            "kms:Decrypt",
            key_arn,
            "implicitDeny",
            US_EAST,
            "KMS key policies must allow: the key policy does not name bob or delegate to IAM.",
        ),
    ]


def build_demo(db: Database) -> None:
    """Write the demo organization into ``db`` (a new, empty model file)."""
    rng = random.Random(DEMO_VERSION)
    for builder in (_management(rng), _production(rng), _partner(rng)):
        import_authorization_details(db, builder.data)
    with db.transaction() as session:
        account = t.Account.__table__
        names = {
            MANAGEMENT: ("Example Corp Management", "aws-management@example.com", "example-mgmt"),
            PRODUCTION: ("Example Corp Production", "aws-prod@example.com", "example-prod"),
            PARTNER: ("Analytics Partner", "aws-partner@example.net", "example-partner"),
        }
        for account_id, (name, email, alias) in names.items():
            session.execute(
                update(account)
                .where(account.c.account_id == account_id)
                .values(name=name, email=email, alias=alias, is_default=account_id == PRODUCTION)
            )
    _organization(db)
    key_arn = _resources(db)
    _credentials(db, rng)
    with db.transaction() as session:
        session.execute(
            insert(t.Scenario.__table__),
            [
                {**s, "account_id": PRODUCTION, "context": json.dumps(s["context"])}
                for s in _scenarios(key_arn)
            ],
        )
    log.info("built the demo organization in %s", db.path)


def _organization(db: Database) -> None:
    organizations.create_organization(db, account_id=MANAGEMENT)
    root = organizations.list_roots(db, account_id=MANAGEMENT)["Roots"][0]["Id"]
    workloads = organizations.create_organizational_unit(
        db, parent_id=root, name="Workloads", account_id=MANAGEMENT
    )["OrganizationalUnit"]["Id"]
    for account_id, name, email in (
        (PRODUCTION, "Example Corp Production", "aws-prod@example.com"),
        (PARTNER, "Analytics Partner", "aws-partner@example.net"),
    ):
        organizations.create_account(
            db, email=email, account_name=name, new_account_id=account_id, account_id=MANAGEMENT
        )
        organizations.move_account(
            db,
            member_account_id=account_id,
            source_parent_id=root,
            destination_parent_id=workloads,
            account_id=MANAGEMENT,
        )
    scp = organizations.create_policy(
        db,
        name="Guardrails",
        policy_type=organizations.SCP,
        content=json.dumps(SCP_GUARDRAILS, indent=4),
        description="No leaving the organization; only approved regions",
        account_id=MANAGEMENT,
    )["Policy"]["PolicySummary"]["Id"]
    organizations.attach_policy(db, policy_id=scp, target_id=workloads, account_id=MANAGEMENT)


def _policy_text(*statements: dict[str, Any]) -> str:
    return json.dumps(_doc(*statements), indent=4)


def _resources(db: Database) -> str:
    p = PRODUCTION
    resources.create_bucket(db, bucket="example-corp-public-website", account_id=p)
    resources.put_bucket_policy(
        db,
        bucket="example-corp-public-website",
        account_id=p,
        policy=_policy_text(
            {
                "Sid": "PublicRead",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::example-corp-public-website/*",
            }
        ),
    )
    resources.create_bucket(db, bucket="example-corp-shared-data", account_id=p)
    resources.put_bucket_policy(
        db,
        bucket="example-corp-shared-data",
        account_id=p,
        policy=_policy_text(
            {
                "Sid": "PartnerRead",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{PARTNER}:root"},
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": [
                    "arn:aws:s3:::example-corp-shared-data",
                    "arn:aws:s3:::example-corp-shared-data/*",
                ],
            }
        ),
    )
    resources.create_bucket(db, bucket="example-corp-uploads", account_id=p)
    key = resources.create_key(
        db,
        description="Application data key",
        account_id=p,
        policy=_policy_text(
            {
                "Sid": "KeyAdministrators",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{p}:user/alice"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "WebServerUse",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{p}:role/WebServerRole"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": "*",
            },
        ),
    )["KeyMetadata"]["Arn"]
    integration.create_function(
        db,
        function_name="thumbnailer",
        role=f"arn:aws:iam::{p}:role/ThumbnailFunctionRole",
        account_id=p,
    )
    integration.add_permission(
        db,
        function_name="thumbnailer",
        statement_id="AllowUploadsBucket",
        action="lambda:InvokeFunction",
        principal="s3.amazonaws.com",
        source_arn="arn:aws:s3:::example-corp-uploads",
        source_account=p,
        account_id=p,
    )
    url = integration.create_queue(db, queue_name="order-events", account_id=p)["QueueUrl"]
    topic = integration.create_topic(db, name="order-notifications", account_id=p)["TopicArn"]
    integration.set_queue_attributes(
        db,
        queue_url=url,
        account_id=p,
        attributes={
            "Policy": _policy_text(
                {
                    "Sid": "TopicDelivers",
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": f"arn:aws:sqs:us-east-1:{p}:order-events",
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
                }
            )
        },
    )
    secret = integration.create_secret(db, name="prod/payments/db", account_id=p)["ARN"]
    integration.put_resource_policy(
        db,
        secret_id=secret,
        account_id=p,
        resource_policy=_policy_text(
            {
                "Sid": "DenyOutsideOrg",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:PrincipalAccount": p}},
            }
        ),
    )
    return str(key)


def _credentials(db: Database, rng: random.Random) -> None:
    """Access keys (secrets hashed, never kept), MFA devices and an MFA-backed role session."""
    with db.transaction() as session:
        users = {
            (row.account_id, row.name): row.pk
            for row in session.execute(
                select(
                    t.User.__table__.c.account_id, t.User.__table__.c.name, t.User.__table__.c.pk
                )
            )
        }
        keys = [
            (PRODUCTION, "alice"),
            (PRODUCTION, "bob"),
            (PRODUCTION, "carol"),
            (PARTNER, "erin"),
        ]
        session.execute(
            insert(t.AccessKey.__table__),
            [
                {
                    "access_key_id": unique_id("access-key", rng),
                    "account_id": account,
                    "user_pk": users[(account, name)],
                    "secret_hash": hash_secret(secret_access_key(rng), n=2**10),
                    "create_date": iso(DEMO_TIME - timedelta(days=90)),
                    "status": "Active",
                }
                for account, name in keys
            ],
        )
        for (account, name), seed in zip(
            ((PRODUCTION, "alice"), (PARTNER, "erin")), MFA_SEEDS.values(), strict=True
        ):
            session.execute(
                insert(t.MfaDevice.__table__),
                {
                    "account_id": account,
                    "name": name,
                    "serial_number": f"arn:aws:iam::{account}:mfa/{name}",
                    "seed": seed,
                    "create_date": iso(DEMO_TIME - timedelta(days=80)),
                    "user_pk": users[(account, name)],
                    "enable_date": iso(DEMO_TIME - timedelta(days=80)),
                },
            )
        role = session.execute(
            select(t.Role.__table__.c.pk, t.Role.__table__.c.role_id).where(
                t.Role.__table__.c.arn == f"arn:aws:iam::{PRODUCTION}:role/DeployRole"
            )
        ).one()
        session.execute(
            insert(t.StsSession.__table__),
            {
                "account_id": PRODUCTION,
                "role_pk": role.pk,
                "session_name": "alice-deploy",
                "access_key_id": unique_id("session-key", rng),
                "secret_hash": hash_secret(secret_access_key(rng), n=2**10),
                "token_hash": hash_secret(secret_access_key(rng), n=2**10),
                "assumed_role_id": f"{role.role_id}:alice-deploy",
                "arn": assumed_role_arn(PRODUCTION, "DeployRole", "alice-deploy"),
                "caller_arn": f"arn:aws:iam::{PRODUCTION}:user/alice",
                "session_policy": json.dumps(SESSION_POLICY, indent=4),
                "mfa_authenticated": True,
                "mfa_serial": f"arn:aws:iam::{PRODUCTION}:mfa/alice",
                "create_date": iso(DEMO_TIME),
                "expiration": iso(DEMO_TIME + timedelta(hours=12)),
            },
        )


def write_demo(path: Path) -> Path:
    """Build the demo into a new file at ``path`` (built beside it, then moved into place)."""
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} already exists; the demo is written only to a new file")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".demo-", suffix=".sqlite", dir=path.parent)
    os.close(fd)
    os.unlink(temp)
    db = open_database(temp, clock=lambda: DEMO_TIME, actor="demo")
    try:
        build_demo(db)
    except BaseException:
        db.close()
        for suffix in ("", "-wal", "-shm"):
            Path(temp + suffix).unlink(missing_ok=True)
        raise
    db.close()
    # Fold the write-ahead log into the file so moving the one file moves everything.
    conn = sqlite3.connect(temp)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    os.replace(temp, path)
    for suffix in ("-wal", "-shm"):
        Path(temp + suffix).unlink(missing_ok=True)
    return path


def demo_path() -> Path:
    return user_data_path(APP_NAME, appauthor=False) / f"demo-v{DEMO_VERSION}.sqlite"


def ensure_demo_database() -> Path:
    """The demo model file under the user data directory, built if missing (or outdated: the
    file name carries ``DEMO_VERSION``)."""
    path = demo_path()
    if not path.exists():
        write_demo(path)
    return path
