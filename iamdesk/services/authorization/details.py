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
import urllib.parse
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from iamdesk.core import jsontext
from iamdesk.core.policy.document import PolicyKind, PolicyParseError
from iamdesk.core.policy.parser import parse_policy
from iamdesk.core.text import quoted
from iamdesk.services.documents import check_policy
from iamdesk.services.errors import IamError

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
# The earliest date an IAM entity can carry; earlier ones are typing errors (year 1, 1900...).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
T = TypeVar("T")
# True while reading what the model itself exported (its documents passed these checks when they
# were written): comparing an account with a newer dump then costs no second policy parse.
FROM_MODEL: ContextVar[bool] = ContextVar("FROM_MODEL", default=False)


class ImportFormatError(ValueError):
    """The file is not an authorization-details document iamdesk can import; ``where`` names the
    entry (a path like ``RoleDetailList[4] (admin).AssumeRolePolicyDocument``), ``code`` the
    error code IAM gives the same mistake in a command (``ValidationError``, ``InvalidInput``,
    ``LimitExceeded``, ``MalformedPolicyDocument``, ``EntityAlreadyExists``, ``NoSuchEntity``)."""

    def __init__(
        self,
        where: str,
        message: str,
        parts: tuple[str | int, ...] = (),
        code: str = "InvalidInput",
    ) -> None:
        self.where = where
        self.message = message
        self.parts = parts
        self.code = code
        self.line: int | None = None
        self.column: int | None = None
        text = f"{code}: {message}"
        super().__init__(f"{where}: {text}" if where else text)

    @property
    def pointer(self) -> str:
        """The failing value as a JSON Pointer (RFC 6901), e.g. ``/UserDetailList/3/UserName``."""
        return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in self.parts)

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

    def error(self, message: str, code: str = "InvalidInput") -> ImportFormatError:
        return ImportFormatError(self.text(), message, self.parts, code)

    def check(self, rule: Callable[..., T], *args: Any, **options: Any) -> T:
        """``rule(*args)``, one of the checks the commands run (``services.validation``...); its
        ``IamError`` becomes this place's error with IAM's code."""
        try:
            return rule(*args, **options)
        except IamError as exc:
            raise self.error(exc.message, exc.code) from None


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
            f"column {exc.colno} of the document)",
            "MalformedPolicyDocument",
        ) from None
    if not isinstance(document, dict):
        raise where.error(
            f"a policy document must be a JSON object, not {_kind(document)}",
            "MalformedPolicyDocument",
        )
    return document


def policy_document(value: Any, where: Pointer, kind: PolicyKind | None) -> str:
    """The text to store for a document of ``kind``, checked as the commands check one
    (``services.documents.check_policy``: grammar, the kind's rules, its size quota). ``kind``
    None: an AWS managed policy, which only has to parse (AWS's own exceed customer quotas)."""
    text = document_text(decode_document(value, where))
    if FROM_MODEL.get():
        return text
    if kind is not None:
        return where.check(check_policy, text, kind)[0]
    try:
        parse_policy(text)
    except PolicyParseError as exc:
        raise where.error(str(exc), "MalformedPolicyDocument") from None
    return text


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
        raise where.error(f"expected a date string, found {quoted(value)}")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise where.error(f"'{quoted(value)}' is not an ISO 8601 date") from None
    if moment < EARLIEST:
        raise where.error(f"'{quoted(value)}' is before 1970: not a date IAM gives")
    return moment.isoformat()


def document_text(document: dict[str, Any]) -> str:
    # Objects become the text the rest of iamdesk positions statements in.
    return json.dumps(document, indent=4)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else "a number"
    )
