"""Input rules IAM applies before it touches anything: names, paths, lengths, tags.

Violations raise ``IamError("ValidationError", ...)`` worded as AWS words them, e.g.
``1 validation error detected: Value 'a b' at 'userName' failed to satisfy constraint: Member
must satisfy regular expression pattern: [\\w+=,.@-]+``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from iamdesk.core.text import quoted
from iamdesk.services.errors import IamError, invalid_input, limit_exceeded

NAME_PATTERN = r"[\w+=,.@-]+"
PATH_PATTERN = r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)"
# AWS's \w is ASCII: letters, digits and underscore.
_NAME_RE = re.compile(r"[A-Za-z0-9_+=,.@-]+")
_PATH_RE = re.compile(r"/|/[\x21-\x7e]+/")
_DESCRIPTION_RE = re.compile(r"[\t\n\r\x20-\x7e\xa1-\xff]*")
_TAG_PUNCTUATION = set("_.:/=+-@")
# AWS's idType: [\w]+ of up to 128 characters (AIDA..., AROA..., ANPA...; real dumps also
# hold short hand-made ids, so no lower bound beyond one character).
ID_PATTERN = r"[\w]+"
_ID_RE = re.compile(r"[A-Za-z0-9_]{1,128}")
_ACCOUNT_RE = re.compile(r"[0-9]{12}")
# arn:PARTITION:iam::ACCOUNT:KIND/PATH/NAME; the model holds the aws partition's IAM only.
_IAM_ARN_RE = re.compile(r"arn:aws:iam::(?P<account>[^:]*):(?P<kind>[a-z-]+)(?P<rest>/.*)", re.S)
VERSION_PATTERN = r"v[1-9][0-9]*(\.[A-Za-z0-9-]*)?"
_VERSION_RE = re.compile(VERSION_PATTERN)

NAME_LIMITS = {
    "userName": 64,
    "newUserName": 64,
    "newGroupName": 128,
    "groupName": 128,
    "roleName": 64,
    "policyName": 128,
    "instanceProfileName": 128,
    "virtualMFADeviceName": 226,
    "serverCertificateName": 128,
    "newServerCertificateName": 128,
}
MAX_PATH = 512
MAX_DESCRIPTION = 1000
MAX_TAGS = 50
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256
MIN_SESSION_DURATION = 3600
MAX_SESSION_DURATION = 43200


def failed_constraint(value: Any, field: str, constraint: str) -> IamError:
    """AWS's ValidationError for ``field`` (its API name): ``constraint`` says what the
    member must do. Only a prefix of the value: a 10 MB name must not become a 10 MB message."""
    return IamError(
        "ValidationError",
        f"1 validation error detected: Value '{quoted(value)}' at '{field}' failed to satisfy"
        f" constraint: Member {constraint}",
    )


def check_name(value: str, field: str) -> str:
    """A user/group/role/policy/instance-profile name; ``field`` is AWS's parameter name."""
    if not isinstance(value, str) or not value:
        raise failed_constraint(value, field, "must have length greater than or equal to 1")
    limit = NAME_LIMITS[field]
    if len(value) > limit:
        raise failed_constraint(value, field, f"must have length less than or equal to {limit}")
    if not _NAME_RE.fullmatch(value):
        raise failed_constraint(
            value, field, f"must satisfy regular expression pattern: {NAME_PATTERN}"
        )
    return value


def check_path(value: str | None, field: str = "path") -> str:
    if value is None:
        return "/"
    if len(value) > MAX_PATH:
        raise failed_constraint(value, field, f"must have length less than or equal to {MAX_PATH}")
    if not _PATH_RE.fullmatch(value):
        raise failed_constraint(
            value, field, f"must satisfy regular expression pattern: {PATH_PATTERN}"
        )
    return value


def check_path_prefix(value: str | None) -> str:
    if value is None:
        return "/"
    if not value.startswith("/") or len(value) > MAX_PATH:
        raise failed_constraint(
            value, "pathPrefix", r"must satisfy regular expression pattern: \u002F[\u0021-\u007F]*"
        )
    return value


def check_description(value: str | None, field: str = "description") -> str | None:
    if value is None:
        return None
    if len(value) > MAX_DESCRIPTION:
        raise failed_constraint(
            value, field, f"must have length less than or equal to {MAX_DESCRIPTION}"
        )
    if not _DESCRIPTION_RE.fullmatch(value):
        raise failed_constraint(
            value,
            field,
            "must satisfy regular expression pattern: "
            r"[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*",
        )
    return value


def check_session_duration(value: int | None) -> int:
    if value is None:
        return MIN_SESSION_DURATION
    if value < MIN_SESSION_DURATION:
        raise failed_constraint(
            value,
            "maxSessionDuration",
            f"must have value greater than or equal to {MIN_SESSION_DURATION}",
        )
    if value > MAX_SESSION_DURATION:
        raise failed_constraint(
            value,
            "maxSessionDuration",
            f"must have value less than or equal to {MAX_SESSION_DURATION}",
        )
    return value


def _tag_text_ok(text: str) -> bool:
    return all(ch in _TAG_PUNCTUATION or unicodedata.category(ch)[0] in "LZN" for ch in text)


def check_tags(tags: Iterable[Mapping[str, Any]] | None) -> list[tuple[str, str]]:
    """``[{"Key": k, "Value": v}, ...]`` -> ``[(k, v), ...]``, checked as IAM checks tags."""
    if tags is None:
        return []
    result: list[tuple[str, str]] = []
    seen: set[str] = set()
    for index, tag in enumerate(tags, start=1):
        if not isinstance(tag, Mapping) or "Key" not in tag:
            raise invalid_input(f"Tag {index} must have a Key.")
        key = tag["Key"]
        value = tag.get("Value", "")
        if not isinstance(key, str) or not isinstance(value, str):
            raise invalid_input(f"Tag {index}: Key and Value must be strings.")
        field = f"tags.{index}.member.key"
        if not key:
            raise failed_constraint(key, field, "must have length greater than or equal to 1")
        if len(key) > MAX_TAG_KEY:
            raise failed_constraint(
                key, field, f"must have length less than or equal to {MAX_TAG_KEY}"
            )
        if not _tag_text_ok(key):
            raise failed_constraint(
                key, field, r"must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+"
            )
        if key.lower().startswith("aws:"):
            raise invalid_input("Tag keys starting with 'aws:' are reserved for AWS use.")
        value_field = f"tags.{index}.member.value"
        if len(value) > MAX_TAG_VALUE:
            raise failed_constraint(
                value, value_field, f"must have length less than or equal to {MAX_TAG_VALUE}"
            )
        if not _tag_text_ok(value):
            raise failed_constraint(
                value,
                value_field,
                r"must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]*",
            )
        if key.lower() in seen:
            raise invalid_input(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive."
            )
        seen.add(key.lower())
        result.append((key, value))
    if len(result) > MAX_TAGS:
        raise limit_exceeded("The number of tags has reached the maximum limit.")
    return result


def check_max_items(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= 1000:
        raise failed_constraint(value, "maxItems", "must have value between 1 and 1000")
    return value


def check_version_id(version_id: Any) -> str:
    """A policy version id: ``v1``, ``v2``..."""
    if not isinstance(version_id, str) or not _VERSION_RE.fullmatch(version_id):
        raise failed_constraint(
            version_id, "versionId", f"must satisfy regular expression pattern: {VERSION_PATTERN}"
        )
    return version_id


def check_unique_id(value: Any, field: str) -> str:
    """An IAM unique id (``UserId``, ``RoleId``, ``PolicyId``...) as the API's idType allows."""
    if not isinstance(value, str) or not _ID_RE.fullmatch(value):
        raise failed_constraint(
            value,
            field,
            f"must satisfy regular expression pattern: {ID_PATTERN} of up to 128 characters",
        )
    return value


def check_iam_arn(arn: Any, kind: str, *, aws_managed: bool = False) -> str:
    """The account of ``arn``, an IAM ARN of resource type ``kind`` (``user``, ``policy``...).

    IAM answers an ARN it cannot use with ``InvalidInput``: another partition or service, an
    account that is not 12 digits (``aws`` only for AWS managed policies when ``aws_managed``)."""
    match = _IAM_ARN_RE.fullmatch(arn) if isinstance(arn, str) else None
    account = match["account"] if match else ""
    if (
        match is None
        or match["kind"] != kind
        or not (_ACCOUNT_RE.fullmatch(account) or (aws_managed and account == "aws"))
    ):
        raise invalid_input(f"ARN {quoted(arn)} is not valid.")
    return account


def check_quota(count: int, limit: int, quota: str) -> None:
    """``count`` items where IAM's quota named ``quota`` allows ``limit``."""
    if count > limit:
        raise limit_exceeded(f"Cannot exceed quota for {quota}: {limit}")
