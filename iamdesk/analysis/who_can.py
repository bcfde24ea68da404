"""Who can perform an action on a resource, and what a principal can do: one ``AccessGrant`` per
answer, with the statements that decided it and the conditions it depends on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from iamdesk.analysis.access import CandidateIndex, Verdict, decide, index_of
from iamdesk.analysis.progress import Cancel, Progress, check, report
from iamdesk.analysis.refs import EntityRef, StatementRef
from iamdesk.analysis.snapshot import Actor, Snapshot, snapshot
from iamdesk.core import catalog
from iamdesk.core.text import quoted
from iamdesk.services.errors import invalid_input
from iamdesk.store.db import Database

FEDERATED_USER = ":federated-user/"
MAX_CHAIN = 3  # roles assumed one after another; AWS role chaining rarely goes deeper


@dataclass(frozen=True)
class AccessGrant:
    principal: EntityRef  # who starts: a user, a role, or a role's or user's session
    action: str
    resource: str
    access_level: str  # "List" | "Read" | "Write" | "Permissions management" | "Tagging" | ""
    conditional: bool  # allowed only when the conditions below hold
    conditions: tuple[str, ...]  # "aws:MultiFactorAuthPresent is true"
    statements: tuple[StatementRef, ...]  # the allow statements that decided it
    chain: tuple[EntityRef, ...] = ()  # roles assumed in order to act (empty: acts directly)

    @property
    def acting(self) -> EntityRef:
        """The principal whose policies make the final call: the last role of the chain."""
        return self.chain[-1] if self.chain else self.principal

    def to_json(self) -> dict[str, Any]:
        return {
            "principal": self.principal.arn,
            "principalType": self.principal.kind,
            "action": self.action,
            "resource": self.resource,
            "accessLevel": self.access_level,
            "decision": "conditional" if self.conditional else "allowed",
            "conditions": list(self.conditions),
            "statements": [s.to_json() for s in self.statements],
            "chain": [e.arn for e in self.chain],
            **({"sessionOf": self.principal.parent} if self.principal.parent else {}),
        }


def who_can(
    db: Database,
    account_id: str | None,
    action: str,
    resource: str,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> list[AccessGrant]:
    """Every user, role, role session and user's session (of ``account_id``, or of every
    modelled account when None) that can perform ``action`` on ``resource``: directly, or by
    assuming a chain of roles (listed in ``chain``) that ends in one that can."""
    return who_can_in(snapshot(db), account_id, action, resource, progress=progress, cancel=cancel)


def check_action(action: str) -> str:
    service, _, name = action.partition(":")
    if not service or not name or any(c.isspace() for c in action):
        raise invalid_input(
            f"Invalid action {quoted(action)!r}: expected service:Action, e.g. s3:GetObject."
        )
    return action


def access_level(action: str) -> str:
    info = catalog.action(action) if "*" not in action and "?" not in action else None
    return info.access_level if info is not None else ""


def who_can_in(
    snap: Snapshot,
    account_id: str | None,
    action: str,
    resource: str,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> list[AccessGrant]:
    check_action(action)
    index = index_of(snap)
    level = access_level(action)
    direct = _direct(snap, index, action, resource, progress, cancel)
    grants = [
        AccessGrant(a.ref, action, resource, level, v.conditional, v.conditions, v.statements)
        for a, v in direct
        if account_id is None or a.account_id == account_id
    ]
    # Roles that can act, then who can assume them, breadth first: the shortest chain wins.
    reached = {a.arn for a, _ in direct}
    frontier: list[tuple[Actor, Verdict, tuple[EntityRef, ...]]] = [
        (a, v, (a.ref,)) for a, v in direct if a.ref.kind == "role"
    ]
    for _depth in range(MAX_CHAIN):
        following: list[tuple[Actor, Verdict, tuple[EntityRef, ...]]] = []
        for role, verdict, chain in frontier:
            check(cancel)
            for assumer, via in _direct(snap, index, "sts:AssumeRole", role.arn, None, cancel):
                if assumer.arn in reached or FEDERATED_USER in (assumer.principal.arn or ""):
                    # A federated user's credentials cannot call STS (sts.assume_role refuses).
                    continue
                reached.add(assumer.arn)
                merged = Verdict(
                    verdict.conditional or via.conditional,
                    via.statements + verdict.statements,
                    tuple(dict.fromkeys(via.conditions + verdict.conditions)),
                )
                if account_id is None or assumer.account_id == account_id:
                    grants.append(
                        AccessGrant(
                            assumer.ref,
                            action,
                            resource,
                            level,
                            merged.conditional,
                            merged.conditions,
                            merged.statements,
                            chain,
                        )
                    )
                if assumer.ref.kind == "role":
                    following.append((assumer, merged, (assumer.ref, *chain)))
        frontier = following
    return grants


def _direct(
    snap: Snapshot,
    index: CandidateIndex,
    action: str,
    resource: str,
    progress: Progress,
    cancel: Cancel,
) -> list[tuple[Actor, Verdict]]:
    found = []
    candidates = index.candidates(action, resource, snap.actors)
    total = len(candidates)
    for done, actor in enumerate(candidates):
        if done % 256 == 0:
            check(cancel)
            report(progress, done, total)
        verdict = decide(snap, actor, action, resource)
        if verdict is not None:
            found.append((actor, verdict))
    report(progress, total, total)
    return found
