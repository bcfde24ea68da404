"""One search across the account: users, groups, roles and policies by name, path, ARN or id,
and policies by what their documents say.

A query that reads like an action (``iam:PassRole``, ``s3:Get*``) finds the policies that
grant it: an Allow statement whose Action matches it (wildcards included) or whose NotAction
leaves it out. Any other text is looked for in the documents as written, case-insensitively.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

log = logging.getLogger(__name__)

ACTION = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9*?]+$", re.IGNORECASE)
MAX_HITS = 500


@dataclass(frozen=True, slots=True)
class Hit:
    kind: str  # "user", "group", "role", "policy"
    name: str
    arn: str
    why: str  # what matched: "name", "ARN", "grants iam:PassRole (statement 0)", "text"

    @property
    def view(self) -> str:
        return {"user": "users", "group": "groups", "role": "roles"}.get(self.kind, "policies")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def grants(document: Any, action: str) -> int | None:
    """Index of the first Allow statement that grants ``action``, else None."""
    if not isinstance(document, dict):
        return None
    wanted = action.lower()
    for index, statement in enumerate(_as_list(document.get("Statement", []))):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        if "Action" in statement:
            patterns = [str(p).lower() for p in _as_list(statement["Action"])]
            if any(fnmatchcase(wanted, p) or fnmatchcase(p, wanted) for p in patterns):
                return index
        elif "NotAction" in statement:
            patterns = [str(p).lower() for p in _as_list(statement["NotAction"])]
            if not any(fnmatchcase(wanted, p) for p in patterns):
                return index
    return None


def _may_grant(text: str, service: str) -> bool:
    """Cheap test before parsing: a document that names neither the service, a bare "*" nor a
    NotAction cannot grant an action of that service."""
    lowered = text.lower()
    return f'"{service}:' in lowered or '"*"' in lowered or "notaction" in lowered


def _entities(db: Any, account: str) -> Iterator[tuple[str, str, str, str]]:
    """(kind, name, ARN, searchable text) of every user, group and role."""
    from iamdesk.services.queries import entities as q

    for kind, rows, name_key, id_key in (
        ("user", q.user_rows(db, account), "UserName", "UserId"),
        ("group", q.group_rows(db, account), "GroupName", "GroupId"),
        ("role", q.role_rows(db, account), "RoleName", "RoleId"),
    ):
        for row in rows:
            text = f"{row[name_key]} {row['Path']} {row['Arn']} {row.get(id_key, '')}"
            yield kind, str(row[name_key]), str(row["Arn"]), text


def _policies(db: Any, account: str, include_aws: bool) -> Iterator[tuple[str, str, str]]:
    """(name, ARN, default document text) of the account's policies and, with ``include_aws``,
    every AWS managed one."""
    from iamdesk.services import managed_policies, policies
    from iamdesk.services.queries.entities import policy_rows

    seen: set[str] = set()
    for row in policy_rows(db, account, include_aws=False):
        document = policies.default_document(db, account, row["Arn"])
        text = document if isinstance(document, str) else json.dumps(document)
        seen.add(str(row["Arn"]))
        yield str(row["PolicyName"]), str(row["Arn"]), text
    if include_aws:
        for policy in managed_policies.all_policies():
            if policy.arn not in seen:  # an attached AWS managed policy is stored as well
                yield policy.name, policy.arn, policy.document_text()


def search(
    db: Any,
    account: str,
    query: str,
    *,
    include_aws: bool = True,
    limit: int = MAX_HITS,
    control: Any = None,
) -> list[Hit]:
    """Entities whose name, path, ARN or id contains ``query``; policies whose name matches or
    whose document grants the action (or contains the text) ``query`` names."""
    needle = query.strip()
    if not needle:
        return []
    lowered = needle.lower()
    hits: list[Hit] = []
    for kind, name, arn, text in _entities(db, account):
        if lowered in text.lower():
            hits.append(
                Hit(kind, name, arn, "name" if lowered in name.lower() else "path, ARN or id")
            )
            if len(hits) >= limit:
                return hits
    is_action = bool(ACTION.match(needle))
    service = needle.split(":", 1)[0].lower()
    for number, (name, arn, text) in enumerate(_policies(db, account, include_aws)):
        if control is not None and number % 100 == 0:
            control.check()
        why = ""
        if lowered in name.lower() or lowered in arn.lower():
            why = "name"
        elif is_action and _may_grant(text, service):
            try:
                index = grants(json.loads(text), needle)
            except ValueError:
                index = None
            if index is not None:
                why = f"grants {needle} (statement {index})"
        elif lowered in text.lower():
            why = "document text"
        if why:
            hits.append(Hit("policy", name, arn, why))
            if len(hits) >= limit:
                break
    return hits


def kinds(hits: Iterable[Hit]) -> dict[str, int]:
    counted: dict[str, int] = {}
    for hit in hits:
        counted[hit.kind] = counted.get(hit.kind, 0) + 1
    return counted
