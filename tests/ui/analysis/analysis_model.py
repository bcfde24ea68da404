"""A small hand-made account for the Analysis view's tests: a user in a group with a managed
policy, an inline policy, a role trusted by another account and by Lambda, a bucket with a
policy, and a second modelled account."""

from __future__ import annotations

import json

ACCOUNT = "123456789012"  # a new model file's default account


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=4)


def build_model(db) -> dict[str, str]:
    from iamdesk.services import attachments, groups, inline_policies, policies, resources, roles
    from iamdesk.services.users import create_user

    account = db.default_account_id()
    assert account == ACCOUNT
    for name in ("alice", "bob"):
        create_user(db, account, name)
    groups.create_group(db, account, "Readers")
    groups.add_user_to_group(db, account, "Readers", "alice")
    read = policies.create_policy(
        db,
        account,
        "ReadReports",
        policy(
            {"Sid": "List", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"},
            {
                "Sid": "Read",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::reports/*",
            },
        ),
    )["Policy"]["Arn"]
    attachments.attach_policy(db, account, "group", "Readers", read)
    inline_policies.put_inline_policy(
        db,
        account,
        "user",
        "bob",
        "BobExtra",
        policy({"Sid": "Put", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}),
    )
    trust = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
            "Action": "sts:AssumeRole",
        },
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        },
    )
    roles.create_role(db, account, "Auditor", trust)
    attachments.attach_policy(
        db, account, "role", "Auditor", "arn:aws:iam::aws:policy/SecurityAudit"
    )
    resources.create_bucket(db, bucket="reports", account_id=account)
    resources.put_bucket_policy(
        db,
        bucket="reports",
        account_id=account,
        policy=policy(
            {
                "Sid": "Public",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::reports/*",
            }
        ),
    )
    return {"account": account, "read": read}
