"""What a role session hands on when it assumes another role (role chaining).

IAM User Guide, "Chaining roles with session tags" and "Monitor and control actions taken with
assumed roles":
- Session tags marked transitive (``--transitive-tag-keys``, each one of the session tags passed)
  pass, with their values, into every later session of the chain, and stay transitive there.
  Passing a session tag whose key (in any case) an inherited transitive tag has fails.
- A source identity, once set, persists through the chain and cannot be changed.
- A session's ``aws:PrincipalTag`` keys are the role's tags with its session tags (passed and
  inherited) overriding those of the same key.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from iamdesk.core import jsontext
from iamdesk.services.errors import IamError
from iamdesk.store.tables import StsSession

log = logging.getLogger(__name__)

MAX_TRANSITIVE_KEYS = 50


@dataclass
class Inherited:
    """What the calling session passes on: its transitive tags and source identity."""

    tags: dict[str, str] = field(default_factory=dict)
    source_identity: str | None = None


def inherited_from(caller: object) -> Inherited:
    """The transitive tags and source identity of a calling role session (none otherwise)."""
    if not isinstance(caller, StsSession):
        return Inherited()
    keys = {k.lower() for k in jsontext.loads(caller.transitive_tag_keys or "[]")}
    tags = {
        tag["Key"]: tag["Value"]
        for tag in jsontext.loads(caller.session_tags or "[]")
        if tag["Key"].lower() in keys
    }
    return Inherited(tags, caller.source_identity)


def transitive_keys(keys: Sequence[str] | None, tags: Mapping[str, str]) -> list[str]:
    """``--transitive-tag-keys``: at most 50, each the key of a session tag passed."""
    chosen = list(keys or [])
    if len(chosen) > MAX_TRANSITIVE_KEYS:
        raise IamError(
            "ValidationError",
            f"1 validation error detected: Value '{chosen}' at 'transitiveTagKeys' failed to "
            f"satisfy constraint: Member must have length less than or equal to "
            f"{MAX_TRANSITIVE_KEYS}",
        )
    passed = {k.lower() for k in tags}
    for key in chosen:
        if key.lower() not in passed:
            raise IamError(
                "InvalidParameterValue",
                f"The transitive tag key {key} must be the key of a session tag in the request.",
            )
    return chosen


def merge_tags(inherited: Mapping[str, str], passed: Mapping[str, str]) -> dict[str, str]:
    """The new session's tags: the inherited transitive ones and those passed, which may not
    name an inherited key again."""
    taken = {k.lower(): k for k in inherited}
    for key in passed:
        if key.lower() in taken:
            raise IamError(
                "InvalidParameterValue",
                f"The session tag {key} has the key of a transitive tag the calling session "
                "inherited; a transitive tag cannot be overridden in a role chain.",
            )
    return {**inherited, **passed}


def source_identity(inherited: str | None, passed: str | None) -> str | None:
    """The new session's source identity: the chain's, which a request cannot change."""
    if inherited and passed and passed != inherited:
        raise IamError(
            "InvalidParameterValue",
            f"The source identity of the calling session ({inherited}) cannot be changed in a "
            f"role chain: {passed} was requested.",
        )
    return inherited or passed
