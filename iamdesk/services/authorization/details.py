"""Reading and checking the ``aws iam get-account-authorization-details`` document format.

This half knows the file format only: which lists and keys it has, how policy documents may be
written (a JSON object, a JSON string, or the URL-encoded string IAM's API returns), and where in
the file something went wrong. ``importexport`` maps the checked content onto the store.

Errors name the entry and, when the file text is at hand, its line and column, e.g.
``UserDetailList[3] (alice): UserPolicyList[0].PolicyDocument: ... (line 120, column 17)``.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from iamdesk.core import jsontext
from iamdesk.core.policy.document import PolicyParseError
from iamdesk.core.policy.parser import parse_policy

log = logging.getLogger(__name__)

# The largest file import reads: a whole account (tens of thousands of entities) fits easily.
MAX_FILE_CHARS = 512 * 1024 * 1024
LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
FILTERS = {
    "User": "UserDetailList",
    "Group": "GroupDetailList",
    "Role": "RoleDetailList",
    "LocalManagedPolicy": "Policies",
    "AWSManagedPolicy": "Policies",
}
NAME_KEYS = {
    "UserDetailList": "UserName",
    "GroupDetailList": "GroupName",
    "RoleDetailList": "RoleName",
    "Policies": "PolicyName",
}
KINDS = {"UserDetailList": "user", "GroupDetailList": "group", "RoleDetailList": "role"}
_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(?P<account>\d{12}|aws):(?P<kind>[a-z-]+)(?P<rest>/.*)$")


class ImportFormatError(ValueError):
    """The file is not an authorization-details document iamdesk can import; ``where`` names the
    entry (a path like ``RoleDetailList[4] (admin).AssumeRolePolicyDocument``)."""

    def __init__(self, where: str, message: str, parts: tuple[str | int, ...] = ()) -> None:
        self.where = where
        self.message = message
        self.parts = parts
        self.line: int | None = None
        self.column: int | None = None
        super().__init__(f"{where}: {message}" if where else message)

    def locate(self, line: int, column: int) -> None:
        self.line, self.column = line, column
        self.args = (f"{self.args[0]} (line {line}, column {column})",)


@dataclass(frozen=True)
class Pointer:
    """Where we are in the file: a JSON pointer's parts plus the entry's name for people."""

    parts: tuple[str | int, ...] = ()
    label: str = ""

    def child(self, *parts: str | int) -> Pointer:
        return Pointer((*self.parts, *parts), self.label)

    def named(self, label: str) -> Pointer:
        return Pointer(self.parts, label)

    def text(self) -> str:
        out = ""
        for position, part in enumerate(self.parts):
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
            if position == 1 and self.label:
                out += f" ({self.label})"
        return out

    def error(self, message: str) -> ImportFormatError:
        return ImportFormatError(self.text(), message, self.parts)


def decode_document(value: Any, where: Pointer) -> dict[str, Any]:
    """A policy document as an object, whichever of AWS's three spellings the file used."""
    if isinstance(value, Mapping):
        return dict(value)
    if not isinstance(value, str):
        raise where.error(f"a policy document must be an object or a string, not {_kind(value)}")
    text = value.strip()
    if not text.startswith("{"):
        # IAM's API returns documents URL-encoded (RFC 3986); the CLI decodes them, raw dumps don't.
        text = urllib.parse.unquote(text).strip()
    try:
        document = jsontext.loads(text)
    except json.JSONDecodeError as exc:
        raise where.error(
            f"the policy document is not valid JSON ({exc.msg} at line {exc.lineno}, "
            f"column {exc.colno} of the document)"
        ) from None
    if not isinstance(document, dict):
        raise where.error(f"a policy document must be a JSON object, not {_kind(document)}")
    return document


def check_document(document: dict[str, Any], where: Pointer) -> None:
    """Reject what IAM would reject as ``MalformedPolicyDocument``."""
    try:
        parse_policy(document)
    except PolicyParseError as exc:
        position = f" (line {exc.line}, column {exc.column} of the document)" if exc.line else ""
        raise where.error(f"MalformedPolicyDocument: {exc.message}{position}") from None


def policy_document(value: Any, where: Pointer) -> dict[str, Any]:
    document = decode_document(value, where)
    check_document(document, where)
    return document


def arn_account(arn: Any, kind: str, where: Pointer) -> str:
    """The account id in an IAM ARN of the expected resource type (``user``, ``role``, ...)."""
    match = _ARN.match(arn) if isinstance(arn, str) else None
    if match is None or match["kind"] != kind:
        raise where.error(f"{arn!r} is not an IAM {kind} ARN")
    return match["account"]


def arn_path(arn: str, name: str) -> str:
    """The path of an IAM ARN ``arn:aws:iam::1:user/a/b/name`` -> ``/a/b/``."""
    resource = arn.split(":", 5)[5]
    inner = resource.split("/", 1)[1] if "/" in resource else ""
    return "/" + inner[: -len(name)] if inner.endswith(name) else "/"


def require(entry: Mapping[str, Any], key: str, where: Pointer, kind: type = str) -> Any:
    if key not in entry:
        raise where.error(f"missing required key {key}")
    value = entry[key]
    if not isinstance(value, kind):
        raise where.child(key).error(f"expected {kind.__name__}, found {_kind(value)}")
    return value


def optional(entry: Mapping[str, Any], key: str, where: Pointer, kind: type = str) -> Any:
    """An optional member: None when absent or null, else it must have the type ``kind``."""
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise where.child(key).error(f"expected {kind.__name__}, found {_kind(value)}")
    return value


def optional_list(entry: Mapping[str, Any], key: str, where: Pointer) -> list[Any]:
    value = entry.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise where.child(key).error(f"expected a list, found {_kind(value)}")
    return value


def load(source: str | bytes | Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The parsed top-level object and the text it came from (for line numbers in errors)."""
    if isinstance(source, Mapping):
        data: Any = dict(source)
        text = None
    else:
        try:
            text = jsontext.decode_utf8(source) if isinstance(source, bytes) else source
            data = jsontext.loads(text, max_chars=MAX_FILE_CHARS)
        except json.JSONDecodeError as exc:
            error = ImportFormatError("", f"the file is not valid JSON: {exc.msg}")
            error.locate(exc.lineno, exc.colno)
            raise error from None
    if not isinstance(data, dict):
        raise ImportFormatError("", f"expected a JSON object at the top, found {_kind(data)}")
    if not any(key in data for key in LISTS):
        raise ImportFormatError(
            "", "not a get-account-authorization-details document: none of " + ", ".join(LISTS)
        )
    for key in LISTS:
        if key in data and not isinstance(data[key], list):
            raise ImportFormatError(key, f"expected a list, found {_kind(data[key])}")
    return data, text


def locate(error: ImportFormatError, text: str | None) -> None:
    """Add the line and column of the failing entry, looked up only once something failed."""
    parts = error.parts
    if text is None or not parts or error.line is not None:
        return
    try:
        from json_source_map import calculate

        mapping = calculate(text)
    except Exception:  # the position is a courtesy; the path already says where
        log.debug("could not map JSON positions", exc_info=True)
        return
    for end in range(len(parts), 0, -1):
        pointer = "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts[:end])
        entry = mapping.get(pointer)
        if entry is not None:
            error.locate(entry.value_start.line + 1, entry.value_start.column + 1)
            return


def timestamp(value: Any, where: Pointer) -> str:
    """AWS dates in any of the forms dumps use, stored as ``2026-01-02T03:04:05+00:00``."""
    if not isinstance(value, str):
        raise where.error(f"expected a date string, found {value!r}")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise where.error(f"{value!r} is not an ISO 8601 date") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def document_text(document: dict[str, Any]) -> str:
    # Objects become the text the rest of iamdesk positions statements in.
    return json.dumps(document, indent=4)


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


def _entity(plan: Plan, list_key: str, index: int, entry: Any) -> None:
    where = Pointer((list_key, index))
    if not isinstance(entry, Mapping):
        raise where.error("expected an object")
    name = require(entry, NAME_KEYS[list_key], where)
    where = where.named(name)
    kind = KINDS[list_key]
    arn = require(entry, "Arn", where)
    account = arn_account(arn, kind, where.child("Arn"))
    plan.accounts.add(account)
    id_key = {"user": "UserId", "group": "GroupId", "role": "RoleId"}[kind]
    row: dict[str, Any] = {
        "account_id": account,
        "name": name,
        "path": optional(entry, "Path", where) or arn_path(arn, name),
        f"{kind}_id": require(entry, id_key, where),
        "arn": arn,
        "create_date": timestamp(require(entry, "CreateDate", where), where.child("CreateDate")),
    }
    inline_key = {"user": "UserPolicyList", "group": "GroupPolicyList", "role": "RolePolicyList"}
    for i, item in enumerate(optional_list(entry, inline_key[kind], where)):
        at = where.child(inline_key[kind], i)
        if not isinstance(item, Mapping):
            raise at.error("expected an object")
        document = policy_document(
            require(item, "PolicyDocument", at, object), at.child("PolicyDocument")
        )
        plan.inline.append((arn, require(item, "PolicyName", at), document_text(document)))
    for i, item in enumerate(optional_list(entry, "AttachedManagedPolicies", where)):
        at = where.child("AttachedManagedPolicies", i)
        if not isinstance(item, Mapping):
            raise at.error("expected an object")
        plan.attachments.append((arn, require(item, "PolicyArn", at), at))
    boundary = entry.get("PermissionsBoundary")
    if boundary:
        at = where.child("PermissionsBoundary")
        if not isinstance(boundary, Mapping):
            raise at.error("expected an object")
        plan.boundaries.append((arn, require(boundary, "PermissionsBoundaryArn", at), at))
    for i, tag in enumerate(optional_list(entry, "Tags", where)):
        at = where.child("Tags", i)
        if not isinstance(tag, Mapping):
            raise at.error("expected an object with Key and Value")
        plan.tags.append((kind, arn, require(tag, "Key", at), optional(tag, "Value", at) or ""))
    if kind == "user":
        for i, group in enumerate(optional_list(entry, "GroupList", where)):
            if not isinstance(group, str):
                raise where.child("GroupList", i).error("expected a group name")
            plan.members.append((account, group, arn))
        plan.users.append(row)
    elif kind == "group":
        plan.groups.append(row)
    else:
        _role(plan, entry, row, where)


def _role(plan: Plan, entry: Mapping[str, Any], row: dict[str, Any], where: Pointer) -> None:
    trust = require(entry, "AssumeRolePolicyDocument", where, object)
    row["assume_role_policy"] = document_text(
        policy_document(trust, where.child("AssumeRolePolicyDocument"))
    )
    row["description"] = optional(entry, "Description", where)
    row["max_session_duration"] = optional(entry, "MaxSessionDuration", where, int) or 3600
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
        name = require(profile, "InstanceProfileName", at)
        arn = require(profile, "Arn", at)
        account = arn_account(arn, "instance-profile", at.child("Arn"))
        plan.profiles.setdefault(
            arn,
            {
                "account_id": account,
                "name": name,
                "path": optional(profile, "Path", at) or arn_path(arn, name),
                "instance_profile_id": require(profile, "InstanceProfileId", at),
                "arn": arn,
                "create_date": timestamp(
                    require(profile, "CreateDate", at), at.child("CreateDate")
                ),
            },
        )
        plan.profile_roles.append((arn, row["arn"]))


def _policy(plan: Plan, index: int, entry: Any) -> None:
    where = Pointer(("Policies", index))
    if not isinstance(entry, Mapping):
        raise where.error("expected an object")
    name = require(entry, "PolicyName", where)
    where = where.named(name)
    arn = require(entry, "Arn", where)
    account = arn_account(arn, "policy", where.child("Arn"))
    aws_managed = account == "aws"
    if not aws_managed:
        plan.accounts.add(account)
    default_version = require(entry, "DefaultVersionId", where)
    versions = []
    for i, version in enumerate(require(entry, "PolicyVersionList", where, list)):
        at = where.child("PolicyVersionList", i)
        if not isinstance(version, Mapping):
            raise at.error("expected an object")
        version_id = require(version, "VersionId", at)
        document = policy_document(require(version, "Document", at, object), at.child("Document"))
        versions.append(
            {
                "version_id": version_id,
                "document": document_text(document),
                "is_default": version_id == default_version,
                "create_date": timestamp(
                    require(version, "CreateDate", at), at.child("CreateDate")
                ),
            }
        )
    if not any(v["is_default"] for v in versions):
        raise where.error(f"DefaultVersionId {default_version} is not in PolicyVersionList")
    numbers = [int(v["version_id"][1:]) for v in versions if v["version_id"][1:].isdigit()]
    plan.versions[arn] = versions
    plan.policies.append(
        {
            "account_id": None if aws_managed else account,
            "name": name,
            "path": optional(entry, "Path", where) or arn_path(arn, name),
            "policy_id": require(entry, "PolicyId", where),
            "arn": arn,
            "default_version_id": default_version,
            "description": optional(entry, "Description", where),
            "is_attachable": optional(entry, "IsAttachable", where, bool) is not False,
            "aws_managed": aws_managed,
            "create_date": timestamp(
                require(entry, "CreateDate", where), where.child("CreateDate")
            ),
            "update_date": timestamp(
                entry.get("UpdateDate") or entry["CreateDate"], where.child("UpdateDate")
            ),
            "next_version": max(numbers, default=0) + 1,
        }
    )


def read_plan(data: Mapping[str, Any]) -> Plan:
    plan = Plan()
    for list_key in ("UserDetailList", "GroupDetailList", "RoleDetailList"):
        for index, entry in enumerate(data.get(list_key) or []):
            _entity(plan, list_key, index, entry)
    for index, entry in enumerate(data.get("Policies") or []):
        _policy(plan, index, entry)
    return plan


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else "a number"
    )
