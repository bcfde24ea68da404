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

import contextlib
import json
import logging
import os
import random
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from platformdirs import user_data_path
from sqlalchemy import insert, select, update

from iamdesk.services import integration, login_profiles, organizations, password_policy, resources
from iamdesk.services.demo.accounts import (
    DEMO_TIME,
    DEMO_VERSION,
    MANAGEMENT,
    MFA_SEEDS,
    PARTNER,
    PRODUCTION,
    SCP_GUARDRAILS,
    SESSION_POLICY,
    account_documents,
    policy_document,
)
from iamdesk.services.demo.scenarios import scenarios
from iamdesk.services.importexport import import_authorization_details
from iamdesk.store import sqlite_files
from iamdesk.store import tables as t
from iamdesk.store.db import Database, iso, open_database
from iamdesk.store.ids import assumed_role_arn, secret_access_key, unique_id
from iamdesk.store.location import APP_NAME
from iamdesk.store.secrets import hash_secret

log = logging.getLogger(__name__)

GITHUB_ACTIONS = "token.actions.githubusercontent.com"


__all__ = [
    "DEMO_TIME",
    "DEMO_VERSION",
    "MANAGEMENT",
    "MFA_SEEDS",
    "PARTNER",
    "PRODUCTION",
    "build_demo",
    "demo_path",
    "ensure_demo_database",
    "write_demo",
]


def build_demo(db: Database) -> None:
    """Write the demo organization into ``db`` (a new, empty model file)."""
    rng = random.Random(DEMO_VERSION)
    for document in account_documents(rng):
        import_authorization_details(db, document)
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
    _console_access(db)
    _federation(db)
    with db.transaction() as session:
        session.execute(
            insert(t.Scenario.__table__),
            [
                {**s, "account_id": PRODUCTION, "context": json.dumps(s["context"])}
                for s in scenarios(key_arn)
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
    return json.dumps(policy_document(*statements), indent=4)


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
        # (account, user, days since created, days since last used or None, status): a mix the
        # credential report and the unused-access findings have something to say about.
        keys = [
            (PRODUCTION, "alice", 90, 1, "Active"),
            (PRODUCTION, "bob", 120, 3, "Active"),
            (PRODUCTION, "carol", 60, 12, "Active"),
            (PRODUCTION, "dave", 420, None, "Active"),
            (PRODUCTION, "dave", 700, 500, "Inactive"),
            (PARTNER, "erin", 45, 2, "Active"),
        ]
        session.execute(
            insert(t.AccessKey.__table__),
            [
                {
                    "access_key_id": unique_id("access-key", rng),
                    "account_id": account,
                    "user_pk": users[(account, name)],
                    "secret_hash": hash_secret(secret_access_key(rng), n=2**10),
                    "create_date": iso(DEMO_TIME - timedelta(days=created)),
                    "status": status,
                    "last_used_date": None
                    if used is None
                    else iso(DEMO_TIME - timedelta(days=used)),
                    "last_used_service": None if used is None else "s3",
                    "last_used_region": None if used is None else "us-east-1",
                }
                for account, name, created, used, status in keys
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


def _federation(db: Database) -> None:
    """GitHub Actions' OIDC provider and one workflow run's session of the role trusting it."""
    from iamdesk.services.federation import oidc, sessions, tokens

    oidc.create_open_id_connect_provider(
        db,
        PRODUCTION,
        f"https://{GITHUB_ACTIONS}",
        client_id_list=["sts.amazonaws.com"],
        tags=[{"Key": "purpose", "Value": "ci-deploys"}],
    )
    token = tokens.encode_unsigned(
        {
            "iss": f"https://{GITHUB_ACTIONS}",
            "aud": "sts.amazonaws.com",
            "sub": "repo:example-corp/website:ref:refs/heads/main",
            "exp": int((DEMO_TIME + timedelta(minutes=10)).timestamp()),
        }
    )
    sessions.assume_role_with_web_identity(
        db,
        role_arn=f"arn:aws:iam::{PRODUCTION}:role/GitHubDeploy",
        role_session_name="website",
        web_identity_token=token,
    )


def _console_access(db: Database) -> None:
    """Production's password policy and console passwords (hashed; the demo never needs them)."""
    password_policy.update_account_password_policy(
        db,
        PRODUCTION,
        minimum_password_length=14,
        require_symbols=True,
        require_numbers=True,
        require_uppercase_characters=True,
        require_lowercase_characters=True,
        allow_users_to_change_password=True,
        max_password_age=90,
        password_reuse_prevention=24,
    )
    rng = random.Random(DEMO_VERSION * 7)
    for name in ("alice", "bob", "carol", "dave"):
        password = "Demo-" + secret_access_key(rng)[:16] + "-9a"
        login_profiles.create_login_profile(
            db, PRODUCTION, name, password, password_reset_required=name == "dave"
        )


def write_demo(path: Path) -> Path:
    """Build the demo into a new file at ``path``: built beside it under a temporary name, then
    linked into place, which fails if anything appeared at ``path`` meanwhile (a model another
    process created, another demo): an existing file is never replaced. The temporary file is
    removed whatever happens."""
    path = Path(path)
    if os.path.lexists(path):
        raise FileExistsError(f"{path} already exists; the demo is written only to a new file")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".demo-", suffix=".sqlite", dir=path.parent)
    os.close(fd)
    temp = Path(name)
    try:
        with open_database(temp, clock=lambda: DEMO_TIME, actor="demo") as db:
            build_demo(db)
        sqlite_files.checkpoint(temp)
        sqlite_files.publish(temp, path)
    finally:
        sqlite_files.remove(temp)
    return path


def demo_path() -> Path:
    return user_data_path(APP_NAME, appauthor=False) / f"demo-v{DEMO_VERSION}.sqlite"


def ensure_demo_database() -> Path:
    """The demo model file under the user data directory, built if missing (or outdated: the
    file name carries ``DEMO_VERSION``)."""
    path = demo_path()
    if not path.exists():
        # Another iamdesk may build it meanwhile: then use theirs.
        with contextlib.suppress(FileExistsError):
            write_demo(path)
    return path
