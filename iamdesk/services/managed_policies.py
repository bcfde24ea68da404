"""The catalog of AWS managed policies and their version history, shipped in
``resources/aws-managed-policies.jsonl.xz`` (built by ``packaging/build_managed_policies.py``).

Nothing is read until the catalog is first used, and then only the index (names, paths, dates,
version ids: a few tens of milliseconds); documents are decompressed a chunk at a time when one is
asked for, so starting the app or a command that never touches AWS managed policies costs
nothing, and listing or searching them never decompresses a document. The catalog is read-only:
AWS managed policies cannot be changed (IAM answers ``UnmodifiableEntity``), and the store keeps a
row for one (with its default version) only once it is attached somewhere (see ``materialize``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import lzma
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from iamdesk.core.packaged import resource_path
from iamdesk.store.policies import ManagedPolicy as ManagedPolicyRow
from iamdesk.store.policies import PolicyVersion

log = logging.getLogger(__name__)

CATALOG_FILE = "aws-managed-policies.jsonl.xz"
CATALOG_FORMAT = 1
AWS_POLICY_ARN_PREFIX = "arn:aws:iam::aws:policy/"
# AWS's first managed policies are dated this; used when an entry carries no date at all.
_FIRST_DATE = "2015-02-06T18:39:46+00:00"


@dataclass(frozen=True, slots=True)
class CatalogVersion:
    version_id: str
    create_date: str | None
    chunk: int  # which compressed chunk of the file holds the document
    # The source has no date for this version: ``create_date`` is the latest date of an older
    # one, a lower bound (see packaging/build_managed_policies.py, repair_dates).
    estimated: bool = False

    @property
    def number(self) -> int:
        return version_number(self.version_id)


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    name: str
    arn: str
    path: str
    description: str
    default_version_id: str
    create_date: str | None
    update_date: str | None
    source: str  # "npm", "npm+moto" or "moto": which package the history came from
    versions: tuple[CatalogVersion, ...]  # oldest first

    @property
    def document(self) -> dict[str, Any]:
        """The default version's document (decompressed on first use)."""
        found = self.version_document(self.default_version_id)
        assert found is not None, f"{self.arn}: catalog lacks its default version"
        return found

    def version(self, version_id: str) -> CatalogVersion | None:
        return next((v for v in self.versions if v.version_id == version_id), None)

    def version_document(self, version_id: str) -> dict[str, Any] | None:
        found = self.version(version_id)
        if found is None:
            return None
        document: dict[str, Any] = _catalog().chunk(found.chunk)[self.arn][version_id]
        return document

    def document_text(self, version_id: str | None = None) -> str:
        """A version's document as the rest of iamdesk renders an object (positions refer to
        this text); the default version unless ``version_id`` is given."""
        document = self.version_document(version_id or self.default_version_id)
        if document is None:
            raise KeyError(f"{self.arn} has no version {version_id}")
        return json.dumps(document, indent=4)

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


def version_number(version_id: str) -> int:
    """``v12`` -> 12 (``v3.draft`` -> 3); 0 for anything else."""
    digits = version_id[1:].split(".")[0]
    return int(digits) if version_id.startswith("v") and digits.isdigit() else 0


def is_aws_managed_arn(arn: str) -> bool:
    return arn.startswith(AWS_POLICY_ARN_PREFIX)


def policy_id(arn: str) -> str:
    """A stable ANPA… id for an AWS managed policy (AWS's real ids are not in the data).

    Derived from the ARN so the same policy has the same id in every model file."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    digest = hashlib.sha256(arn.encode("utf-8")).digest()
    return "ANPA" + "".join(alphabet[b % 32] for b in digest[:17])


class _Catalog:
    """The index of the shipped file, and its document chunks decompressed on demand."""

    def __init__(self, data: bytes) -> None:
        decompressor = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
        index = json.loads(decompressor.decompress(data))
        if index.get("format") != CATALOG_FORMAT:
            raise ValueError(f"{CATALOG_FILE}: format {index.get('format')!r} is not supported")
        self.sources: dict[str, str] = index["sources"]
        self._rest = decompressor.unused_data
        self._spans: list[tuple[int, int]] = []
        offset = 0
        for length in index["chunks"]:
            self._spans.append((offset, offset + length))
            offset += length
        if offset != len(self._rest):
            raise ValueError(f"{CATALOG_FILE}: chunk sizes do not add up to the file's length")
        self.policies: dict[str, ManagedPolicy] = {}
        for entry in index["policies"]:
            path, name = entry["path"], entry["name"]
            arn = f"arn:aws:iam::aws:policy{path}{name}"
            self.policies[arn] = ManagedPolicy(
                name=name,
                arn=arn,
                path=path,
                description=entry.get("description") or "",
                default_version_id=entry["default"],
                create_date=entry.get("created"),
                update_date=entry.get("updated"),
                source=entry["source"],
                versions=tuple(CatalogVersion(*v) for v in entry["versions"]),
            )
        self._lock = threading.Lock()
        self._cache: dict[int, dict[str, dict[str, Any]]] = {}
        # Current documents are few chunks and read often; history chunks are big and rare.
        self._current_chunks = {
            v.chunk
            for p in self.policies.values()
            for v in p.versions
            if v.version_id == p.default_version_id
        }

    def chunk(self, number: int) -> dict[str, dict[str, Any]]:
        with self._lock:
            found = self._cache.get(number)
            if found is None:
                start, end = self._spans[number]
                found = json.loads(lzma.decompress(self._rest[start:end], format=lzma.FORMAT_XZ))
                if number not in self._current_chunks:
                    for old in [k for k in self._cache if k not in self._current_chunks]:
                        del self._cache[old]
                self._cache[number] = found
                log.debug("decompressed catalog chunk %d", number)
            return found


@functools.cache
def _catalog() -> _Catalog:
    path = resource_path(CATALOG_FILE)
    catalog = _Catalog(path.read_bytes())
    log.debug("loaded the index of %d AWS managed policies from %s", len(catalog.policies), path)
    return catalog


def sources() -> dict[str, str]:
    """The packages the catalog was built from (``npm``, ``moto``: the exact file names)."""
    return dict(_catalog().sources)


def all_policies() -> Iterator[ManagedPolicy]:
    """Every AWS managed policy, ordered by name (case-insensitive)."""
    return iter(_catalog().policies.values())


def count() -> int:
    return len(_catalog().policies)


def get(arn: str) -> ManagedPolicy | None:
    return _catalog().policies.get(arn)


def by_name(name: str) -> ManagedPolicy | None:
    for policy in _catalog().policies.values():
        if policy.name == name:
            return policy
    return None


def search(text: str, *, path_prefix: str = "/", limit: int | None = None) -> list[ManagedPolicy]:
    """Policies whose name contains ``text`` (case-insensitive), names starting with it first."""
    needle = text.lower()
    hits = [
        p
        for p in _catalog().policies.values()
        if p.path.startswith(path_prefix) and needle in p.name.lower()
    ]
    hits.sort(key=lambda p: (not p.name.lower().startswith(needle), p.name.lower()))
    return hits if limit is None else hits[:limit]


def materialize(session: Session, arn: str) -> int | None:
    """The store's row for the AWS managed policy ``arn``, created from the catalog if missing.

    The row holds the default version only, as IAM's account snapshot
    (GetAccountAuthorizationDetails) lists it; the history stays in the catalog (see
    ``policy_history``). Returns the row's ``pk``, or None when ``arn`` is not an AWS managed
    policy. Runs inside the caller's transaction, so attaching a policy and materializing it
    commit together."""
    table = ManagedPolicyRow.__table__
    found = session.execute(select(table.c.pk).where(table.c.arn == arn)).scalar()
    if found is not None:
        return int(found)
    policy = get(arn)
    if policy is None:
        return None
    default = policy.version(policy.default_version_id)
    version_date = (default.create_date if default else None) or policy.update_date or _FIRST_DATE
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
            "create_date": policy.create_date or version_date,
            "update_date": policy.update_date or version_date,
            "next_version": max(v.number for v in policy.versions) + 1,
        },
    ).scalar_one()
    session.execute(
        insert(PolicyVersion.__table__),
        {
            "policy_pk": pk,
            "version_id": policy.default_version_id,
            "document": policy.document_text(),
            "is_default": True,
            "create_date": version_date,
        },
    )
    log.debug("materialized %s", arn)
    return int(pk)


def version_count(arn: str, default_version_id: str, stored: int = 1) -> int:
    """How many versions ``policy_history`` lists for a policy whose model row has
    ``default_version_id`` and ``stored`` versions of its own (without reading them)."""
    policy = get(arn)
    last = version_number(default_version_id)
    known = sum(1 for v in policy.versions if v.number <= last) if policy is not None else 0
    return max(known, stored)


@dataclass(frozen=True, slots=True)
class HistoryVersion:
    """One version of an AWS managed policy as the model sees it (see ``policy_history``)."""

    version_id: str
    create_date: str
    is_default: bool
    stored_text: str | None  # the model's own copy, when it has one
    policy: ManagedPolicy | None

    def document_text(self) -> str:
        if self.stored_text is not None:
            return self.stored_text
        assert self.policy is not None
        return self.policy.document_text(self.version_id)


def policy_history(session: Session, arn: str) -> list[HistoryVersion] | None:
    """The versions of the AWS managed policy ``arn``, newest first; None when ``arn`` is neither
    in the catalog nor in the model. Never writes.

    The model's row, when there is one, decides the default version and keeps the documents it
    stores (an imported account snapshot may hold an older default than the catalog's); the
    catalog adds the history up to that default, so a snapshot taken when PowerUserAccess was at
    v4 lists v1..v4, not the versions AWS published after it."""
    table, versions = ManagedPolicyRow.__table__, PolicyVersion.__table__
    row = session.execute(
        select(table.c.pk, table.c.default_version_id).where(
            table.c.arn == arn,
            table.c.aws_managed == True,  # noqa: E712
        )
    ).first()
    policy = get(arn)
    if row is None and policy is None:
        return None
    stored: dict[str, tuple[str, str]] = {}
    if row is not None:
        for version_id, date, text in session.execute(
            select(versions.c.version_id, versions.c.create_date, versions.c.document).where(
                versions.c.policy_pk == row.pk
            )
        ):
            stored[version_id] = (date, text)
    catalog = policy.versions if policy is not None else ()
    if row is not None:
        default = str(row.default_version_id)
    else:
        assert policy is not None
        default = policy.default_version_id
    last = version_number(default)
    out: dict[str, HistoryVersion] = {}
    for v in catalog:
        if v.number <= last:
            date = v.create_date or _FIRST_DATE
            out[v.version_id] = HistoryVersion(
                v.version_id, date, v.version_id == default, None, policy
            )
    for version_id, (date, text) in stored.items():
        out[version_id] = HistoryVersion(version_id, date, version_id == default, text, policy)
    return sorted(
        out.values(), key=lambda v: (version_number(v.version_id), v.version_id), reverse=True
    )
