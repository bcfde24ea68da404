"""The credential report: one CSV row per user (and the root account) with AWS's columns.

As in IAM, ``generate_credential_report`` builds a new report only when none exists or the last
one is more than four hours old; ``get_credential_report`` returns the stored one.
"""

from __future__ import annotations

import csv
import io
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from iamdesk.services import entities
from iamdesk.services.errors import IamError
from iamdesk.store.db import Database
from iamdesk.store.tables import (
    AccessKey,
    CredentialReport,
    LoginProfile,
    MfaDevice,
    PasswordPolicy,
    User,
)

log = logging.getLogger(__name__)

COLUMNS = (
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
)
REPORT_LIFETIME = timedelta(hours=4)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _key_columns(key: AccessKey | None) -> list[str]:
    if key is None:
        return ["false", "N/A", "N/A", "N/A", "N/A"]
    return [
        _flag(key.status == "Active"),
        key.create_date,
        key.last_used_date or "N/A",
        key.last_used_region or "N/A",
        key.last_used_service or "N/A",
    ]


def build_report(session: Session, account: str, created: str) -> str:
    policy = session.get(PasswordPolicy, account)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    root = [
        "<root_account>",
        f"arn:aws:iam::{account}:root",
        created,
        "not_supported",
        "no_information",
        "not_supported",
        "not_supported",
        "false",
        *_key_columns(None),
        *_key_columns(None),
        "false",
        "N/A",
        "false",
        "N/A",
    ]
    writer.writerow(root)
    users = session.scalars(
        select(User).where(User.account_id == account).order_by(User.name)
    ).all()
    for user in users:
        profile = session.get(LoginProfile, user.pk)
        keys = session.scalars(
            select(AccessKey)
            .where(AccessKey.user_pk == user.pk)
            .order_by(AccessKey.create_date, AccessKey.access_key_id)
        ).all()
        mfa_active = (
            session.execute(select(MfaDevice.pk).where(MfaDevice.user_pk == user.pk)).first()
            is not None
        )
        if profile is None:
            password = ["false", "N/A", "N/A", "N/A"]
        else:
            rotation = "N/A"
            if policy is not None and policy.max_password_age:
                changed = datetime.fromisoformat(profile.password_last_changed)
                rotation = (changed + timedelta(days=policy.max_password_age)).isoformat()
            password = [
                "true",
                user.password_last_used or "no_information",
                profile.password_last_changed,
                rotation,
            ]
        writer.writerow(
            [
                user.name,
                user.arn,
                user.create_date,
                *password,
                _flag(mfa_active),
                *_key_columns(keys[0] if keys else None),
                *_key_columns(keys[1] if len(keys) > 1 else None),
                "false",
                "N/A",
                "false",
                "N/A",
            ]
        )
    return out.getvalue()


def generate_credential_report(
    db: Database, account_id: str | None, *, force: bool = False
) -> dict[str, Any]:
    """``force`` (not an AWS option; for the app's "regenerate" button) ignores the 4-hour reuse."""
    with db.transaction() as session:
        account = entities.resolve_account(session, db, account_id)
        existing = session.get(CredentialReport, account)
        now = db.clock()
        if existing is not None and not force:
            age = now - datetime.fromisoformat(existing.generated_time)
            if age < REPORT_LIFETIME:
                return {"State": "COMPLETE"}
        generated = db.now()
        content = build_report(session, account, generated)
        if existing is None:
            session.add(
                CredentialReport(account_id=account, generated_time=generated, content=content)
            )
        else:
            existing.generated_time = generated
            existing.content = content
            session.add(existing)
        entities.record(session, db, account, "GenerateCredentialReport", "account", account)
    if existing is None:
        return {
            "State": "STARTED",
            "Description": "No report exists. Starting a new report generation task",
        }
    return {"State": "COMPLETE"}


def get_credential_report(db: Database, account_id: str | None) -> dict[str, Any]:
    """``Content`` is the CSV as bytes (the AWS CLI prints it base64-encoded, as AWS sends it)."""
    with db.read() as session:
        account = entities.resolve_account(session, db, account_id)
        report = session.get(CredentialReport, account)
        if report is None:
            raise IamError(
                "ReportNotPresent",
                "Credential report not present. Use GenerateCredentialReport to generate a report.",
            )
        return {
            "Content": report.content.encode("utf-8"),
            "ReportFormat": "text/csv",
            "GeneratedTime": report.generated_time,
        }
