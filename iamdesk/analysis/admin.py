"""Administrator-equivalent access: what the privilege-escalation search aims at and what the
best-practice check flags.

A principal is administrator-equivalent when the evaluator allows it (possibly under conditions)
a set of probe actions on ``*`` that together amount to "anything": rewriting any identity's
permissions, passing any role, and acting on the main services. A policy with ``"Action": "*"``
(AdministratorAccess) grants them all; PowerUserAccess, which leaves IAM out, does not.
"""

from __future__ import annotations

from dataclasses import dataclass

from iamdesk.analysis.access import Verdict, decide, index_of
from iamdesk.analysis.refs import StatementRef
from iamdesk.analysis.snapshot import Actor, Snapshot

PROBES = (
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:CreatePolicyVersion",
    "iam:PassRole",
    "iam:CreateAccessKey",
    "sts:AssumeRole",
    "ec2:RunInstances",
    "s3:PutBucketPolicy",
    "kms:CreateGrant",
    "lambda:CreateFunction",
)


@dataclass(frozen=True)
class AdminAccess:
    conditional: bool
    statements: tuple[StatementRef, ...]
    conditions: tuple[str, ...]


def admin_access(snap: Snapshot, actor: Actor) -> AdminAccess | None:
    """How ``actor`` is administrator-equivalent, or None."""
    memo: dict[str, AdminAccess | None] = snap.memo.setdefault("admin", {})
    if actor.arn in memo:
        return memo[actor.arn]
    found: AdminAccess | None = None
    if all(id(actor) in _able(snap, probe) for probe in PROBES):
        verdicts: list[Verdict] = []
        for probe in PROBES:
            verdict = decide(snap, actor, probe, "*")
            if verdict is None:
                break
            verdicts.append(verdict)
        else:
            statements = tuple(dict.fromkeys(s for v in verdicts for s in v.statements))
            conditions = tuple(dict.fromkeys(c for v in verdicts for c in v.conditions))
            found = AdminAccess(any(v.conditional for v in verdicts), statements, conditions)
    memo[actor.arn] = found
    return found


def _able(snap: Snapshot, action: str) -> set[int]:
    """ids of the actors whose identity policies can grant ``action``: a cheap filter before
    evaluating (actors are mutable dataclasses, so they are told apart by identity)."""
    cache: dict[str, set[int]] = snap.memo.setdefault("admin-able", {})
    ids = cache.get(action)
    if ids is None:
        ids = cache[action] = {id(a) for a in index_of(snap).identity_allows(action)}
    return ids


def admins(snap: Snapshot) -> list[tuple[Actor, AdminAccess]]:
    out = []
    for actor in snap.actors:
        found = admin_access(snap, actor)
        if found is not None:
            out.append((actor, found))
    return out
