"""The catalog of AWS managed policies shipped in ``resources/aws-managed-policies.json.gz``.

The file is read on first use only (about 0.5 MB compressed, 1,500+ documents), so starting the app
or a CLI command that never touches AWS managed policies costs nothing. The catalog is read-only:
AWS managed policies cannot be changed (IAM answers ``UnmodifiableEntity``), and the store keeps a
row for one only once it is attached somewhere (see ``materialize``).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from iamdesk.core.packaged import resource_path
from iamdesk.store.policies import ManagedPolicy as ManagedPolicyRow
from iamdesk.store.policies import PolicyVersion

log = logging.getLogger(__name__)

CATALOG_FILE = "aws-managed-policies.json.gz"
AWS_POLICY_ARN_PREFIX = "arn:aws:iam::aws:policy/"


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    name: str
    arn: str
    path: str
    description: str
    default_version_id: str
    create_date: str | None
    update_date: str | None
    document: dict[str, Any]

    def document_text(self) -> str:
        """The document as the rest of iamdesk renders an object (positions refer to this text)."""
        return json.dumps(self.document, indent=4)

    def to_aws(self) -> dict[str, Any]:
        """IAM's ``Policy`` shape (GetPolicy / ListPolicies), without attachment counts."""
        return {
            "PolicyName": self.name,
            "PolicyId": policy_id(self.arn),
            "Arn": self.arn,
            "Path": self.path,
            "DefaultVersionId": self.default_version_id,
            "IsAttachable": True,
            "Description": self.description,
            "CreateDate": self.create_date,
            "UpdateDate": self.update_date,
        }


def is_aws_managed_arn(arn: str) -> bool:
    return arn.startswith(AWS_POLICY_ARN_PREFIX)


def policy_id(arn: str) -> str:
    """A stable ANPA… id for an AWS managed policy (AWS's real ids are not in the data).

    Derived from the ARN so the same policy has the same id in every model file."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    digest = hashlib.sha256(arn.encode("utf-8")).digest()
    return "ANPA" + "".join(alphabet[b % 32] for b in digest[:17])


@functools.cache
def _catalog() -> dict[str, ManagedPolicy]:
    path = resource_path(CATALOG_FILE)
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    policies: dict[str, ManagedPolicy] = {}
    for entry in data["policies"]:
        policy = ManagedPolicy(
            name=entry["PolicyName"],
            arn=entry["Arn"],
            path=entry["Path"],
            description=entry.get("Description") or "",
            default_version_id=entry["DefaultVersionId"],
            create_date=entry.get("CreateDate"),
            update_date=entry.get("UpdateDate"),
            document=entry["Document"],
        )
        policies[policy.arn] = policy
    log.debug("loaded %d AWS managed policies from %s", len(policies), path)
    return policies


def all_policies() -> Iterator[ManagedPolicy]:
    """Every AWS managed policy, ordered by name (case-insensitive)."""
    return iter(_catalog().values())


def count() -> int:
    return len(_catalog())


def get(arn: str) -> ManagedPolicy | None:
    return _catalog().get(arn)


def by_name(name: str) -> ManagedPolicy | None:
    for policy in _catalog().values():
        if policy.name == name:
            return policy
    return None


def search(text: str, *, path_prefix: str = "/", limit: int | None = None) -> list[ManagedPolicy]:
    """Policies whose name contains ``text`` (case-insensitive), names starting with it first."""
    needle = text.lower()
    hits = [
        p
        for p in _catalog().values()
        if p.path.startswith(path_prefix) and needle in p.name.lower()
    ]
    hits.sort(key=lambda p: (not p.name.lower().startswith(needle), p.name.lower()))
    return hits if limit is None else hits[:limit]


def materialize(session: Session, arn: str) -> int | None:
    """The store's row for the AWS managed policy ``arn``, created from the catalog if missing.

    Returns its ``pk``, or None when ``arn`` is not an AWS managed policy. Runs inside the
    caller's transaction, so attaching a policy and materializing it commit together."""
    table = ManagedPolicyRow.__table__
    found = session.execute(select(table.c.pk).where(table.c.arn == arn)).scalar()
    if found is not None:
        return int(found)
    policy = get(arn)
    if policy is None:
        return None
    date = policy.update_date or policy.create_date or "2015-02-06T18:39:46+00:00"
    pk = session.execute(
        insert(table).returning(table.c.pk),
        {
            "account_id": None,
            "name": policy.name,
            "path": policy.path,
            "policy_id": policy_id(arn),
            "arn": arn,
            "default_version_id": policy.default_version_id,
            "description": policy.description or None,
            "is_attachable": True,
            "aws_managed": True,
            "create_date": policy.create_date or date,
            "update_date": date,
            "next_version": int(policy.default_version_id[1:]) + 1,
        },
    ).scalar_one()
    session.execute(
        insert(PolicyVersion.__table__),
        {
            "policy_pk": pk,
            "version_id": policy.default_version_id,
            "document": policy.document_text(),
            "is_default": True,
            "create_date": date,
        },
    )
    log.debug("materialized %s", arn)
    return int(pk)
