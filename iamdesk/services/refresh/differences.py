"""What replacing an account with a newer dump would change, entity by entity.

Both sides go through the same reading: the model's accounts are exported as a dump
(``export_authorization_details``) and checked into a ``Plan`` exactly as the file is, so
documents, dates and paths are compared in one normal form and only real changes show. Users,
groups, roles and customer managed policies are matched by ARN; each changed one lists its
changed fields (what a dump holds: path, ids, trust policy, boundary, default version and
version documents) and the attached policies, inline policies, tags, group members
and instance profiles added, removed or changed.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from iamdesk.services.authorization.entries import Plan, read_plan
from iamdesk.services.authorization.export import export_authorization_details
from iamdesk.services.refresh import accounts_present, read_file
from iamdesk.store.db import Database

log = logging.getLogger(__name__)

KINDS = ("user", "group", "role", "policy")
_CUSTOMER = ("User", "Group", "Role", "LocalManagedPolicy")
_FIELDS = {
    "user": (("path", "Path"), ("user_id", "UserId")),
    "group": (("path", "Path"), ("group_id", "GroupId")),
    "role": (
        ("path", "Path"),
        ("role_id", "RoleId"),
        ("assume_role_policy", "AssumeRolePolicyDocument"),
    ),
    "policy": (
        ("path", "Path"),
        ("policy_id", "PolicyId"),
        ("default_version_id", "DefaultVersionId"),
    ),
}


def _facets(plan: Plan) -> dict[str, dict[str, Any]]:
    """ARN -> comparable picture of every user, group, role and customer managed policy."""
    facets: dict[str, dict[str, Any]] = {}
    for kind, rows in (("user", plan.users), ("group", plan.groups), ("role", plan.roles)):
        for row in rows:
            facets[row["arn"]] = {"kind": kind, "row": row, "sets": defaultdict(dict)}
    for policy in plan.policies:
        if not policy["aws_managed"]:
            facets[policy["arn"]] = {"kind": "policy", "row": policy, "sets": defaultdict(dict)}
            versions = facets[policy["arn"]]["sets"]["PolicyVersions"]
            for version in plan.versions[policy["arn"]]:
                versions[version["version_id"]] = version["document"]
    for owner, arn, _ in plan.attachments:
        facets[owner]["sets"]["AttachedManagedPolicies"][arn] = ""
    for owner, arn, _ in plan.boundaries:
        facets[owner]["sets"]["PermissionsBoundary"][arn] = ""
    for owner, name, text in plan.inline:
        facets[owner]["sets"]["InlinePolicies"][name] = text
    for _kind, arn, key, value in plan.tags:
        facets[arn]["sets"]["Tags"][key] = value
    group_arns = {(r["account_id"], r["name"].lower()): r["arn"] for r in plan.groups}
    for account, group, user in plan.members:
        facets[user]["sets"]["Groups"][group] = ""
        arn = group_arns.get((account, group.lower()))
        if arn in facets:
            facets[arn]["sets"]["Members"][facets[user]["row"]["name"]] = ""
    for profile, role in plan.profile_roles:
        facets[role]["sets"]["InstanceProfiles"][plan.profiles[profile]["name"]] = ""
    return facets


def _entity(facet: Mapping[str, Any]) -> dict[str, Any]:
    row = facet["row"]
    return {"Type": facet["kind"], "Name": row["name"], "Arn": row["arn"]}


def _changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = []
    for column, label in _FIELDS[old["kind"]]:
        before, after = old["row"].get(column), new["row"].get(column)
        if before != after:
            changes.append({"Field": label, "Before": before, "After": after})
    for label in sorted(set(old["sets"]) | set(new["sets"])):
        before, after = old["sets"].get(label, {}), new["sets"].get(label, {})
        if before == after:
            continue
        change: dict[str, Any] = {"Field": label}
        added = sorted(set(after) - set(before))
        removed = sorted(set(before) - set(after))
        changed = sorted(k for k in set(before) & set(after) if before[k] != after[k])
        if added:
            change["Added"] = added
        if removed:
            change["Removed"] = removed
        if changed:
            change["Changed"] = changed
        if label == "Tags":
            change["Before"], change["After"] = dict(before), dict(after)
        changes.append(change)
    return changes


def differences(db: Database, source: str | bytes | Mapping[str, Any] | Plan) -> dict[str, Any]:
    """``{"Accounts": [...], "Added": [...], "Removed": [...], "Changed": [...]}``: what
    replacing the file's accounts with the file would do; ``Changed`` entries carry
    ``Changes`` (``Field`` with ``Before``/``After``, or ``Added``/``Removed``/``Changed``)."""
    plan = source if isinstance(source, Plan) else read_file(source)[0]
    current = Plan()
    for account in accounts_present(db, plan.accounts):
        exported = export_authorization_details(db, account, _CUSTOMER)
        part = read_plan(exported, from_model=True)
        for name in ("users", "groups", "roles", "policies", "attachments", "boundaries"):
            getattr(current, name).extend(getattr(part, name))
        for name in ("inline", "tags", "members", "profile_roles"):
            getattr(current, name).extend(getattr(part, name))
        current.versions.update(part.versions)
        current.profiles.update(part.profiles)
    old, new = _facets(current), _facets(plan)
    order = {kind: i for i, kind in enumerate(KINDS)}

    def ordered(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(items, key=lambda e: (order[e["Type"]], e["Name"].lower(), e["Arn"]))

    changed = []
    for arn in set(old) & set(new):
        found = _changes(old[arn], new[arn])
        if found:
            changed.append({**_entity(new[arn]), "Changes": found})
    return {
        "Accounts": sorted(plan.accounts),
        "Added": ordered([_entity(new[arn]) for arn in set(new) - set(old)]),
        "Removed": ordered([_entity(old[arn]) for arn in set(old) - set(new)]),
        "Changed": ordered(changed),
    }
