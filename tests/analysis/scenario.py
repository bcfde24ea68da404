"""Hand-made accounts for the analysis tests, built through the services as a user would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from iamdesk.services import attachments, groups, inline_policies, policies, roles, users
from iamdesk.store.db import Database
from tests.services.store_fixtures import ACCOUNT, Clock, make_db

OTHER = "999988887777"  # an account outside the model


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)


def allow(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def trust(principal: Any, **condition: Any) -> str:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return doc(statement)


def arn(kind: str, name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:iam::{account}:{kind}/{name}"


class Builder:
    def __init__(self, tmp_path: Path, clock: Clock | None = None) -> None:
        self.db: Database = make_db(tmp_path, clock)

    def user(self, name: str, *inline: str, managed: tuple[str, ...] = ()) -> str:
        users.create_user(self.db, ACCOUNT, name)
        for i, text in enumerate(inline):
            inline_policies.put_inline_policy(self.db, ACCOUNT, "user", name, f"P{i}", text)
        for policy_arn in managed:
            attachments.attach_policy(self.db, ACCOUNT, "user", name, policy_arn)
        return arn("user", name)

    def role(self, name: str, trust_doc: str, *inline: str, managed: tuple[str, ...] = ()) -> str:
        roles.create_role(self.db, ACCOUNT, name, trust_doc)
        for i, text in enumerate(inline):
            inline_policies.put_inline_policy(self.db, ACCOUNT, "role", name, f"P{i}", text)
        for policy_arn in managed:
            attachments.attach_policy(self.db, ACCOUNT, "role", name, policy_arn)
        return arn("role", name)

    def group(self, name: str, *inline: str, members: tuple[str, ...] = ()) -> str:
        groups.create_group(self.db, ACCOUNT, name)
        for i, text in enumerate(inline):
            inline_policies.put_inline_policy(self.db, ACCOUNT, "group", name, f"P{i}", text)
        for member in members:
            groups.add_user_to_group(self.db, ACCOUNT, name, member)
        return arn("group", name)

    def policy(self, name: str, text: str) -> str:
        created = policies.create_policy(self.db, ACCOUNT, name, text)
        return str(created["Policy"]["Arn"])
