"""Each entry of an authorization-details document, checked by IAM's rules, into a ``Plan``.

Import is the front door: whatever a command would refuse, import refuses too, because every
value goes through the very checks the commands run (``services.validation`` for names, paths,
ids, ARNs and tags; ``services.documents`` for policy documents and their size quotas; the quotas
of ``attachments``, ``groups`` and ``policy_versions``). Beyond the commands, an entity's ARN
must be the one IAM gives its account, path and name (``store.ids.iam_arn``), so nothing can
arrive that no command could name afterwards. The first failure stops the import with its place
in the file and IAM's error code (``Pointer.check``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from iamdesk.core.policy.document import PolicyKind
from iamdesk.core.policy.parser import parse_policy
from iamdesk.core.policy.principal_refs import ENTITY_ARN, entity_arns
from iamdesk.core.text import quoted
from iamdesk.services.attachments import MAX_ATTACHED, QUOTA_NAMES
from iamdesk.services.authorization.details import (
    FROM_MODEL,
    ImportFormatError,
    Pointer,
    arn_path,
    optional,
    optional_list,
    policy_document,
    require,
    timestamp,
)
from iamdesk.services.documents import check_inline_aggregate
from iamdesk.services.errors import IamError
from iamdesk.services.groups import MAX_GROUPS_PER_USER
from iamdesk.services.policy_versions import check_version_count
from iamdesk.services.validation import (
    check_description,
    check_iam_arn,
    check_name,
    check_path,
    check_quota,
    check_session_duration,
    check_tags,
    check_unique_id,
    check_version_id,
)
from iamdesk.store.ids import iam_arn

log = logging.getLogger(__name__)

# kind -> (list key, name key, AWS's name parameter, id key, inline list key)
KINDS = {
    "user": ("UserDetailList", "UserName", "userName", "UserId", "UserPolicyList"),
    "group": ("GroupDetailList", "GroupName", "groupName", "GroupId", "GroupPolicyList"),
    "role": ("RoleDetailList", "RoleName", "roleName", "RoleId", "RolePolicyList"),
}


@dataclass
class Plan:
    """Everything to insert, checked, keyed by ARN; built before the transaction starts."""

    accounts: set[str] = field(default_factory=set)
    policies: list[dict[str, Any]] = field(default_factory=list)
    versions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    users: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    profile_roles: list[tuple[str, str]] = field(default_factory=list)  # (profile arn, role arn)
    members: list[tuple[str, str, str]] = field(default_factory=list)  # (account, group, user arn)
    attachments: list[tuple[str, str, Pointer]] = field(default_factory=list)  # owner, policy
    boundaries: list[tuple[str, str, Pointer]] = field(default_factory=list)  # owner, policy
    inline: list[tuple[str, str, str]] = field(default_factory=list)  # owner arn, name, text
    tags: list[tuple[str, str, str, str]] = field(default_factory=list)  # kind, arn, key, value
    # Users and roles named as principals in trust policies, where: resolved once all is written.
    principals: list[tuple[str, Pointer]] = field(default_factory=list)


def _identity(
    entry: Mapping[str, Any],
    where: Pointer,
    *,
    arn_kind: str,
    name_key: str,
    name_field: str,
    id_key: str,
    aws_managed: bool = False,
) -> tuple[Pointer, dict[str, Any]]:
    """Name, ARN, path, unique id and date of an entity, each checked; the pointer gains the
    entity's name for people once the name is known to be sound."""
    name = require(entry, name_key, where)
    where.child(name_key).check(check_name, name, name_field)
    where = where.named(name)
    path = optional(entry, "Path", where)
    if path is not None:
        where.child("Path").check(check_path, path)
    arn = require(entry, "Arn", where)
    account = where.child("Arn").check(check_iam_arn, arn, arn_kind, aws_managed=aws_managed)
    if path is None:  # older dumps: the path is in the ARN
        path = where.child("Arn").check(check_path, arn_path(arn, name))
    expected = iam_arn(account, arn_kind, path, name)
    if arn != expected:
        raise where.child("Arn").error(
            f"ARN {quoted(arn)} does not match the name and path: IAM names it {quoted(expected)}"
        )
    unique = require(entry, id_key, where)
    where.child(id_key).check(check_unique_id, unique, id_key)
    row = {
        "account_id": account,
        "name": name,
        "path": path,
        "arn": arn,
        "create_date": timestamp(require(entry, "CreateDate", where), where.child("CreateDate")),
    }
    return where, row


def _tags(plan: Plan, entry: Mapping[str, Any], where: Pointer, kind: str, arn: str) -> None:
    tags = optional_list(entry, "Tags", where)
    try:
        pairs = check_tags(tags)
    except IamError as exc:
        # The list's own error (its message counts tags as IAM does), at the first bad tag.
        at = where.child("Tags")
        for i, tag in enumerate(tags):
            try:
                check_tags([tag])
            except IamError:
                at = where.child("Tags", i)
                break
        raise at.error(exc.message, exc.code) from None
    plan.tags.extend((kind, arn, key, value) for key, value in pairs)


def _inline(plan: Plan, entry: Mapping[str, Any], where: Pointer, kind: str, arn: str) -> None:
    list_key = KINDS[kind][4]
    texts: list[str] = []
    names: set[str] = set()
    for i, item in enumerate(optional_list(entry, list_key, where)):
        at = where.child(list_key, i)
        if not isinstance(item, Mapping):
            raise at.error("expected an object")
        name = require(item, "PolicyName", at)
        at.child("PolicyName").check(check_name, name, "policyName")
        if name.lower() in names:
            raise at.child("PolicyName").error(
                f"a second inline policy named {name}", "EntityAlreadyExists"
            )
        names.add(name.lower())
        text = policy_document(
            require(item, "PolicyDocument", at, object),
            at.child("PolicyDocument"),
            PolicyKind.IDENTITY,
        )
        texts.append(text)
        plan.inline.append((arn, name, text))
    where.child(list_key).check(check_inline_aggregate, kind, entry[KINDS[kind][1]], texts)


def _attached(plan: Plan, entry: Mapping[str, Any], where: Pointer, kind: str, arn: str) -> None:
    attached = optional_list(entry, "AttachedManagedPolicies", where)
    where.child("AttachedManagedPolicies").check(
        check_quota, len(attached), MAX_ATTACHED, QUOTA_NAMES[kind]
    )
    for i, item in enumerate(attached):
        at = where.child("AttachedManagedPolicies", i)
        if not isinstance(item, Mapping):
            raise at.error("expected an object")
        policy = require(item, "PolicyArn", at)
        at.child("PolicyArn").check(check_iam_arn, policy, "policy", aws_managed=True)
        plan.attachments.append((arn, policy, at))
    boundary = entry.get("PermissionsBoundary")
    if boundary:
        at = where.child("PermissionsBoundary")
        if not isinstance(boundary, Mapping):
            raise at.error("expected an object")
        policy = require(boundary, "PermissionsBoundaryArn", at)
        at.child("PermissionsBoundaryArn").check(check_iam_arn, policy, "policy", aws_managed=True)
        plan.boundaries.append((arn, policy, at))


def _entity(plan: Plan, kind: str, index: int, entry: Any) -> None:
    list_key, name_key, name_field, id_key, _ = KINDS[kind]
    where = Pointer((list_key, index))
    if not isinstance(entry, Mapping):
        raise where.error("expected an object")
    where, row = _identity(
        entry, where, arn_kind=kind, name_key=name_key, name_field=name_field, id_key=id_key
    )
    row[f"{kind}_id"] = entry[id_key]
    arn, account = row["arn"], row["account_id"]
    plan.accounts.add(account)
    _inline(plan, entry, where, kind, arn)
    _attached(plan, entry, where, kind, arn)
    _tags(plan, entry, where, kind, arn)
    if kind == "user":
        groups = optional_list(entry, "GroupList", where)
        where.child("GroupList").check(
            check_quota, len(groups), MAX_GROUPS_PER_USER, "GroupsPerUser"
        )
        for i, group in enumerate(groups):
            at = where.child("GroupList", i)
            if not isinstance(group, str):
                raise at.error("expected a group name")
            at.check(check_name, group, "groupName")
            plan.members.append((account, group, arn))
        plan.users.append(row)
    elif kind == "group":
        plan.groups.append(row)
    else:
        _role(plan, entry, row, where)


def _role(plan: Plan, entry: Mapping[str, Any], row: dict[str, Any], where: Pointer) -> None:
    trust = require(entry, "AssumeRolePolicyDocument", where, object)
    row["assume_role_policy"] = policy_document(
        trust, where.child("AssumeRolePolicyDocument"), PolicyKind.TRUST
    )
    plan.principals.extend(
        _principal_places(trust, row["assume_role_policy"], where.child("AssumeRolePolicyDocument"))
    )
    row["description"] = where.child("Description").check(
        check_description, optional(entry, "Description", where)
    )
    row["max_session_duration"] = where.child("MaxSessionDuration").check(
        check_session_duration, optional(entry, "MaxSessionDuration", where, int)
    )
    last_used = optional(entry, "RoleLastUsed", where, Mapping) or {}
    row["last_used_date"] = (
        timestamp(last_used["LastUsedDate"], where.child("RoleLastUsed"))
        if last_used.get("LastUsedDate")
        else None
    )
    row["last_used_region"] = optional(last_used, "Region", where.child("RoleLastUsed"))
    row["service_linked"] = row["path"].startswith("/aws-service-role/")
    plan.roles.append(row)
    for i, profile in enumerate(optional_list(entry, "InstanceProfileList", where)):
        at = where.child("InstanceProfileList", i)
        if not isinstance(profile, Mapping):
            raise at.error("expected an object")
        at, shape = _identity(
            profile,
            at,
            arn_kind="instance-profile",
            name_key="InstanceProfileName",
            name_field="instanceProfileName",
            id_key="InstanceProfileId",
        )
        shape["instance_profile_id"] = profile["InstanceProfileId"]
        plan.profiles.setdefault(shape["arn"], shape)
        plan.profile_roles.append((shape["arn"], row["arn"]))


def _principal_places(document: Any, text: str, where: Pointer) -> list[tuple[str, Pointer]]:
    """The user and role ARNs a (checked) trust policy names in ``Principal``/``NotPrincipal``,
    each with its place in the file: the value itself when the document is a JSON object
    there, else the document (a JSON or URL-encoded string has no inner places in the file).
    ``text`` is the document as stored."""
    if not ENTITY_ARN.search(text):
        return []
    if not isinstance(document, Mapping):
        return [(arn, where) for arn in entity_arns(parse_policy(text))]
    places = []
    statements = document.get("Statement")
    listed = statements if isinstance(statements, list) else [statements]
    for i, statement in enumerate(listed):
        at = where.child("Statement", *([i] if isinstance(statements, list) else []))
        if not isinstance(statement, Mapping):
            continue
        for key in ("Principal", "NotPrincipal"):
            block = statement.get(key)
            values = block.get("AWS") if isinstance(block, Mapping) else None
            if isinstance(values, str):
                places.append((values, at.child(key, "AWS")))
            elif isinstance(values, list):
                places.extend((v, at.child(key, "AWS", j)) for j, v in enumerate(values))
    return [(v, at) for v, at in places if isinstance(v, str) and ENTITY_ARN.fullmatch(v)]


def _policy(plan: Plan, index: int, entry: Any) -> None:
    where = Pointer(("Policies", index))
    if not isinstance(entry, Mapping):
        raise where.error("expected an object")
    where, row = _identity(
        entry,
        where,
        arn_kind="policy",
        name_key="PolicyName",
        name_field="policyName",
        id_key="PolicyId",
        aws_managed=True,
    )
    arn, account = row["arn"], row["account_id"]
    aws_managed = account == "aws"
    if not aws_managed:
        plan.accounts.add(account)
    default_version = require(entry, "DefaultVersionId", where)
    where.child("DefaultVersionId").check(check_version_id, default_version)
    listed = require(entry, "PolicyVersionList", where, list)
    if not aws_managed:
        where.child("PolicyVersionList").check(check_version_count, len(listed))
    versions = []
    for i, version in enumerate(listed):
        at = where.child("PolicyVersionList", i)
        if not isinstance(version, Mapping):
            raise at.error("expected an object")
        version_id = require(version, "VersionId", at)
        at.child("VersionId").check(check_version_id, version_id)
        text = policy_document(
            require(version, "Document", at, object),
            at.child("Document"),
            None if aws_managed else PolicyKind.IDENTITY,
        )
        versions.append(
            {
                "version_id": version_id,
                "document": text,
                "is_default": version_id == default_version,
                "create_date": timestamp(
                    require(version, "CreateDate", at), at.child("CreateDate")
                ),
            }
        )
    if not any(v["is_default"] for v in versions):
        raise where.error(f"DefaultVersionId {default_version} is not in PolicyVersionList")
    numbers = [int(v["version_id"][1:].split(".")[0]) for v in versions]
    plan.versions[arn] = versions
    plan.policies.append(
        {
            **row,
            "account_id": None if aws_managed else account,
            "policy_id": entry["PolicyId"],
            "default_version_id": default_version,
            # AWS's own descriptions are AWS's business (some use characters customers may not).
            "description": optional(entry, "Description", where)
            if aws_managed
            else where.child("Description").check(
                check_description, optional(entry, "Description", where)
            ),
            "is_attachable": optional(entry, "IsAttachable", where, bool) is not False,
            "aws_managed": aws_managed,
            "update_date": timestamp(
                entry.get("UpdateDate") or entry["CreateDate"], where.child("UpdateDate")
            ),
            "next_version": max(numbers, default=0) + 1,
        }
    )


def read_plan(data: Mapping[str, Any], *, from_model: bool = False) -> Plan:
    """Every entry of ``data`` checked, in file order; the first failure raises
    ``ImportFormatError``. ``from_model``: ``data`` is the model's own export, whose policy
    documents were checked when they were written (only their text is normalised)."""
    token = FROM_MODEL.set(from_model)
    try:
        return _read(data)
    finally:
        FROM_MODEL.reset(token)


def _read(data: Mapping[str, Any]) -> Plan:
    plan = Plan()
    for kind in ("user", "group", "role"):
        for index, entry in enumerate(data.get(KINDS[kind][0]) or []):
            _entity(plan, kind, index, entry)
    for index, entry in enumerate(data.get("Policies") or []):
        _policy(plan, index, entry)
    return plan


__all__ = ["ImportFormatError", "Plan", "read_plan"]
