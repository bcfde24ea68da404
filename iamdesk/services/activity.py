"""CloudTrail activity: read log files as CloudTrail writes them and keep, for each principal,
each action it used with the latest date, a count and the resources it named.

A file is ``{"Records": [...]}``, plain or gzip-compressed (what CloudTrail delivers to S3).
Only successful calls by IAM users, roles (through their sessions) and root count: a call that
failed (``errorCode``) used nothing, and AWS services acting on their own are not principals of
the model. Every file is read and checked before anything is written; one bad file imports
nothing.
"""

from __future__ import annotations

import gzip
import json
import logging
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from iamdesk.core import jsontext
from iamdesk.services.errors import IamError
from iamdesk.store.db import Database
from iamdesk.store.tables import ActivityRecord

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 256 * 1024 * 1024  # decompressed; CloudTrail files are far smaller
MAX_RESOURCES = 50  # per principal and action: enough to generalise a policy from
_GZIP_MAGIC = b"\x1f\x8b"
# eventSource prefixes whose IAM action prefix differs.
_PREFIX = {
    "monitoring": "cloudwatch",
    "email": "ses",
    "elasticloadbalancing": "elasticloadbalancing",
}


class ActivityFormatError(IamError):
    def __init__(self, message: str) -> None:
        super().__init__("InvalidInput", message)


@dataclass
class _Use:
    count: int = 0
    last: str = ""
    resources: dict[str, None] = field(default_factory=dict)


@dataclass(frozen=True)
class ActivitySummary:
    files: int
    records: int
    events: int  # successful calls by a principal, the ones kept
    principals: int
    actions: int

    def to_dict(self) -> dict[str, int]:
        return {
            "Files": self.files,
            "Records": self.records,
            "EventsKept": self.events,
            "Principals": self.principals,
            "PrincipalActions": self.actions,
        }


def read_file(path: Path) -> list[Any]:
    """The ``Records`` of one CloudTrail file, plain or gzip; a clear error otherwise."""
    try:
        with path.open("rb") as handle:
            head = handle.read(2)
            handle.seek(0)
            if head == _GZIP_MAGIC:
                with gzip.GzipFile(fileobj=handle) as unzipped:
                    data = unzipped.read(MAX_FILE_BYTES + 1)
            else:
                data = handle.read(MAX_FILE_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise ActivityFormatError(f"{path}: cannot be read: {exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ActivityFormatError(f"{path}: larger than {MAX_FILE_BYTES // 2**20} MiB")
    try:
        # Bounded nesting and valid Unicode, as for any JSON a person hands in.
        document = jsontext.loads(data, max_chars=MAX_FILE_BYTES)
    except json.JSONDecodeError as exc:
        raise ActivityFormatError(f"{path}: not a CloudTrail log file ({exc})") from None
    if not isinstance(document, dict) or not isinstance(document.get("Records"), list):
        raise ActivityFormatError(f'{path}: not a CloudTrail log file (no "Records" list)')
    records: list[Any] = document["Records"]
    return records


def principal_of(identity: Any) -> str | None:
    """The model principal a CloudTrail ``userIdentity`` stands for: a user's or root's ARN, the
    role of an assumed-role session; None for AWS services and unknown shapes."""
    if not isinstance(identity, Mapping):
        return None
    kind = identity.get("type")
    if kind in ("IAMUser", "Root"):
        arn = identity.get("arn")
        return arn if isinstance(arn, str) else None
    if kind == "AssumedRole":
        issuer = (identity.get("sessionContext") or {}).get("sessionIssuer") or {}
        arn = issuer.get("arn") if isinstance(issuer, Mapping) else None
        return arn if isinstance(arn, str) else None
    return None


def action_of(record: Mapping[str, Any]) -> str | None:
    source, name = record.get("eventSource"), record.get("eventName")
    if not isinstance(source, str) or not isinstance(name, str) or not source or not name:
        return None
    prefix = source.split(".", 1)[0]
    return f"{_PREFIX.get(prefix, prefix)}:{name}"


def resources_of(record: Mapping[str, Any]) -> list[str]:
    found = []
    for item in record.get("resources") or ():
        if isinstance(item, Mapping) and isinstance(item.get("ARN"), str):
            found.append(item["ARN"])
    params = record.get("requestParameters")
    if (
        not found
        and isinstance(params, Mapping)
        and record.get("eventSource") == "s3.amazonaws.com"
    ):
        bucket, key = params.get("bucketName"), params.get("key")
        if isinstance(bucket, str):
            found.append(
                f"arn:aws:s3:::{bucket}/{key}" if isinstance(key, str) else f"arn:aws:s3:::{bucket}"
            )
    return found


def _collect(records: Iterable[Any], uses: dict[tuple[str, str], _Use]) -> int:
    kept = 0
    for record in records:
        if not isinstance(record, Mapping) or record.get("errorCode"):
            continue
        principal = principal_of(record.get("userIdentity"))
        action = action_of(record)
        when = record.get("eventTime")
        if principal is None or action is None or not isinstance(when, str):
            continue
        use = uses.setdefault((principal, action), _Use())
        use.count += 1
        use.last = max(use.last, when)
        for arn in resources_of(record):
            if len(use.resources) < MAX_RESOURCES:
                use.resources[arn] = None
        kept += 1
    return kept


def import_activity(db: Database, paths: Sequence[Path]) -> ActivitySummary:
    """Read every file, then add its activity to the model in one transaction."""
    if not paths:
        raise ActivityFormatError("Give at least one CloudTrail log file.")
    uses: dict[tuple[str, str], _Use] = {}
    records = kept = 0
    for path in paths:
        batch = read_file(Path(path))
        records += len(batch)
        kept += _collect(batch, uses)
    with db.transaction() as session:
        existing = {
            (row.principal_arn, row.action): row
            for row in session.scalars(
                select(ActivityRecord).where(
                    col(ActivityRecord.principal_arn).in_({p for p, _ in uses})
                )
            )
        }
        for (principal, action), use in uses.items():
            row = existing.get((principal, action))
            if row is None:
                row = ActivityRecord(principal_arn=principal, action=action, last_used="")
            seen = dict.fromkeys(json.loads(row.resources or "[]"))
            seen.update(use.resources)
            row.resources = json.dumps(list(seen)[:MAX_RESOURCES])
            row.count += use.count
            row.last_used = max(row.last_used, _normal(use.last))
            session.add(row)
    return ActivitySummary(len(paths), records, kept, len({p for p, _ in uses}), len(uses))


def _normal(when: str) -> str:
    """CloudTrail's ``2026-01-02T03:04:05Z`` as the model writes times (``+00:00``)."""
    return when[:-1] + "+00:00" if when.endswith("Z") else when


@dataclass(frozen=True)
class ActionUse:
    principal_arn: str
    action: str
    last_used: str
    count: int
    resources: tuple[str, ...]


def activity(db: Database) -> list[ActionUse]:
    with db.read() as session:
        return [
            ActionUse(
                row.principal_arn,
                row.action,
                row.last_used,
                row.count,
                tuple(json.loads(row.resources or "[]")),
            )
            for row in session.scalars(select(ActivityRecord).order_by(col(ActivityRecord.pk)))
        ]
