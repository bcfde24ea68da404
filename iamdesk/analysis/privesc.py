"""Privilege-escalation paths: how a principal that is not administrator-equivalent could become
one, each step backed by an evaluator decision."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from iamdesk.analysis.access import CandidateIndex, decide, index_of
from iamdesk.analysis.admin import admins
from iamdesk.analysis.progress import Cancel, Progress, check, report
from iamdesk.analysis.refs import EntityRef, StatementRef
from iamdesk.analysis.snapshot import Actor, Snapshot, snapshot
from iamdesk.core.evaluator import PolicySet, Principal, Request, evaluate
from iamdesk.services.errors import IamError
from iamdesk.store.db import Database


@dataclass(frozen=True)
class EscalationStep:
    """One edge: ``source`` can act as (or gain the permissions of) ``target``."""

    technique: str  # "create-access-key", "attach-user-policy", "pass-role-lambda", "assume-role"
    actions: tuple[str, ...]  # e.g. iam:PassRole + lambda:CreateFunction
    source: EntityRef
    target: EntityRef
    statements: tuple[StatementRef, ...]  # the allow statements deciding each action
    description: str
    conditions: tuple[str, ...] = ()  # the step works only if these hold

    @property
    def grants_admin(self) -> bool:
        """The step makes ``source`` itself administrator-equivalent (it ends a path)."""
        return self.technique in SELF_GRANTS

    def to_json(self) -> dict[str, Any]:
        return {
            "technique": self.technique,
            "actions": list(self.actions),
            "from": self.source.arn,
            "to": self.target.arn,
            "statements": [s.to_json() for s in self.statements],
            "description": self.description,
            "conditions": list(self.conditions),
        }


@dataclass(frozen=True)
class EscalationPath:
    principal: EntityRef
    steps: tuple[EscalationStep, ...]

    @property
    def reaches(self) -> EntityRef:
        """The administrator-equivalent entity at the end of the path (the last step's source
        when that step lets it grant itself any permission)."""
        last = self.steps[-1]
        return last.source if last.grants_admin else last.target

    def to_json(self) -> dict[str, Any]:
        return {
            "principal": self.principal.arn,
            "reaches": self.reaches.arn,
            "steps": [s.to_json() for s in self.steps],
        }


# Services that run code with a role passed to them: (technique, trusted service principal,
# the actions that create and start the code).
PASS_ROLE_SERVICES = (
    (
        "pass-role-lambda",
        "lambda.amazonaws.com",
        ("lambda:CreateFunction", "lambda:InvokeFunction"),
    ),
    ("pass-role-ec2", "ec2.amazonaws.com", ("ec2:RunInstances",)),
    ("pass-role-cloudformation", "cloudformation.amazonaws.com", ("cloudformation:CreateStack",)),
    ("pass-role-glue", "glue.amazonaws.com", ("glue:CreateDevEndpoint",)),
    ("pass-role-ecs", "ecs-tasks.amazonaws.com", ("ecs:RegisterTaskDefinition", "ecs:RunTask")),
    (
        "pass-role-codebuild",
        "codebuild.amazonaws.com",
        ("codebuild:CreateProject", "codebuild:StartBuild"),
    ),
    ("pass-role-sagemaker", "sagemaker.amazonaws.com", ("sagemaker:CreateNotebookInstance",)),
)
# Techniques by which a principal grants itself any permission: they end a path.
SELF_GRANTS = frozenset(
    {
        "attach-user-policy",
        "put-user-policy",
        "attach-role-policy",
        "put-role-policy",
        "attach-group-policy",
        "put-group-policy",
        "create-policy-version",
    }
)
MAX_DEPTH = 5


def escalation_edges(
    db: Database,
    account_id: str | None,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> list[EscalationStep]:
    """Every edge of the escalation search: the steps by which principals reach
    administrator-equivalent access (edges that lead nowhere near it are not searched)."""
    search = _search(snapshot(db), progress, cancel)
    return [
        step for step in search.edges if account_id is None or step.source.account_id == account_id
    ]


def find_escalation_paths(
    db: Database,
    account_id: str | None,
    principal_arn: str | None = None,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> list[EscalationPath]:
    """For each user and role (of ``account_id``, or ``principal_arn`` alone) that is not
    administrator-equivalent but can become so, a shortest path there."""
    snap = snapshot(db)
    if principal_arn is not None and principal_arn not in snap.by_arn:
        raise IamError(
            "NoSuchEntity", f"The principal {principal_arn} cannot be found in the model."
        )
    search = _search(snap, progress, cancel)
    out = []
    for actor in snap.actors:
        if principal_arn is not None and actor.arn != principal_arn:
            continue
        if account_id is not None and principal_arn is None and actor.account_id != account_id:
            continue
        path = search.path(actor.arn)
        if path:
            out.append(EscalationPath(actor.ref, tuple(path)))
    return out


class _Search:
    """Breadth first from the administrators backwards: layer k holds the principals k steps
    from administrator-equivalent access; each step names the next principal on the way."""

    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap
        self.admins = {actor.arn for actor, _ in admins(snap)}
        self.next: dict[str, EscalationStep] = {}
        self.edges: list[EscalationStep] = []

    def path(self, arn: str) -> list[EscalationStep]:
        steps: list[EscalationStep] = []
        seen = set()
        while arn in self.next and arn not in self.admins and arn not in seen:
            seen.add(arn)
            step = self.next[arn]
            steps.append(step)
            if step.technique in SELF_GRANTS:
                break
            arn = step.target.arn
        return steps


def _search(snap: Snapshot, progress: Progress, cancel: Cancel) -> _Search:
    memo = snap.memo.get("privesc")
    if isinstance(memo, _Search):
        return memo
    search = _Search(snap)
    sources = [
        a for a in snap.actors if a.ref.kind in ("user", "role") and a.arn not in search.admins
    ]
    index = index_of(snap)
    reached = set(search.admins)
    frontier = set(search.admins)
    for depth in range(MAX_DEPTH):
        check(cancel)
        report(progress, depth, MAX_DEPTH)
        found: dict[str, EscalationStep] = {}
        todo = [a for a in sources if a.arn not in reached]
        if depth == 0:
            _self_grants(snap, index, todo, found, cancel)
        targets = [a for a in snap.actors if a.arn in frontier]  # model order: stable answers
        _reach(snap, index, todo, targets, found, cancel)
        if not found:
            break
        for arn, step in found.items():
            search.next[arn] = step
            search.edges.append(step)
        reached |= set(found)
        frontier = set(found)
    report(progress, MAX_DEPTH, MAX_DEPTH)
    snap.memo["privesc"] = search
    return search


def _allowed(
    snap: Snapshot, actor: Actor, requests: Sequence[tuple[str, str]]
) -> tuple[tuple[StatementRef, ...], tuple[str, ...]] | None:
    """Every (action, resource) allowed (maybe under conditions): the deciding statements and
    conditions together, else None."""
    statements: dict[StatementRef, None] = {}
    conditions: dict[str, None] = {}
    for action, resource in requests:
        verdict = decide(snap, actor, action, resource)
        if verdict is None:
            return None
        statements.update(dict.fromkeys(verdict.statements))
        conditions.update(dict.fromkeys(verdict.conditions))
    return tuple(statements), tuple(conditions)


def _step(
    technique: str,
    actions: tuple[str, ...],
    source: Actor,
    target: EntityRef,
    backing: tuple[tuple[StatementRef, ...], tuple[str, ...]],
    description: str,
) -> EscalationStep:
    statements, conditions = backing
    return EscalationStep(
        technique, actions, source.ref, target, statements, description, conditions
    )


def _able(index: CandidateIndex, todo: list[Actor], action: str) -> list[Actor]:
    ids = {id(a) for a in index.identity_allows(action)}
    return [a for a in todo if id(a) in ids]


def _self_grants(
    snap: Snapshot,
    index: CandidateIndex,
    todo: list[Actor],
    found: dict[str, EscalationStep],
    cancel: Cancel,
) -> None:
    kind_actions = {
        "user": (
            ("attach-user-policy", "iam:AttachUserPolicy"),
            ("put-user-policy", "iam:PutUserPolicy"),
        ),
        "role": (
            ("attach-role-policy", "iam:AttachRolePolicy"),
            ("put-role-policy", "iam:PutRolePolicy"),
        ),
    }
    for technique, action in (pair for pairs in kind_actions.values() for pair in pairs):
        for actor in _able(index, todo, action):
            if actor.arn in found or (technique, action) not in kind_actions[actor.ref.kind]:
                continue
            backing = _allowed(snap, actor, [(action, actor.arn)])
            if backing is not None:
                found[actor.arn] = _step(
                    technique,
                    (action,),
                    actor,
                    actor.ref,
                    backing,
                    f"{action} on itself: it can give itself any permission",
                )
    for technique, action in (
        ("attach-group-policy", "iam:AttachGroupPolicy"),
        ("put-group-policy", "iam:PutGroupPolicy"),
    ):
        for actor in _able(index, todo, action):
            for group in actor.groups:
                if actor.arn in found:
                    break
                check(cancel)
                backing = _allowed(snap, actor, [(action, group.arn)])
                if backing is not None:
                    target = EntityRef("group", group.arn, group.name, group.account_id)
                    found[actor.arn] = _step(
                        technique,
                        (action,),
                        actor,
                        target,
                        backing,
                        f"{action} on its group {group.name}: it can give itself any permission",
                    )
    for actor in _able(index, todo, "iam:CreatePolicyVersion"):
        for compiled in actor.identity:
            source = compiled.source
            if actor.arn in found:
                break
            if source.kind != "managed" or not source.arn or ":aws:policy/" in source.arn:
                continue
            backing = _allowed(snap, actor, [("iam:CreatePolicyVersion", source.arn)])
            if backing is not None:
                target = EntityRef("policy", source.arn, source.label, actor.account_id)
                found[actor.arn] = _step(
                    "create-policy-version",
                    ("iam:CreatePolicyVersion",),
                    actor,
                    target,
                    backing,
                    f"iam:CreatePolicyVersion --set-as-default on its policy {source.label}",
                )


def _reach(
    snap: Snapshot,
    index: CandidateIndex,
    todo: list[Actor],
    targets: list[Actor],
    found: dict[str, EscalationStep],
    cancel: Cancel,
) -> None:
    """Steps from ``todo`` onto ``targets`` (principals one layer closer to admin)."""
    users = [t for t in targets if t.ref.kind == "user"]
    roles = [t for t in targets if t.ref.kind == "role"]
    credential = (
        ("create-access-key", "iam:CreateAccessKey", "creates an access key for"),
        ("create-login-profile", "iam:CreateLoginProfile", "sets a console password for"),
        ("update-login-profile", "iam:UpdateLoginProfile", "changes the console password of"),
    )
    for technique, action, words in credential:
        for actor in _able(index, todo, action):
            for user in users:
                if actor.arn in found:
                    break
                if user.account_id != actor.account_id or user is actor:
                    continue
                backing = _allowed(snap, actor, [(action, user.arn)])
                if backing is not None:
                    found[actor.arn] = _step(
                        technique, (action,), actor, user.ref, backing, f"{words} {user.ref.name}"
                    )
    for role in roles:
        check(cancel)
        named = {id(a) for a in index.candidates("sts:AssumeRole", role.arn, todo)}
        for actor in todo:
            if id(actor) not in named or actor.arn in found or actor is role:
                continue
            backing = _allowed(snap, actor, [("sts:AssumeRole", role.arn)])
            if backing is not None:
                found[actor.arn] = _step(
                    "assume-role",
                    ("sts:AssumeRole",),
                    actor,
                    role.ref,
                    backing,
                    f"assumes {role.ref.name}",
                )
    for actor in _able(index, todo, "iam:UpdateAssumeRolePolicy"):
        for role in roles:
            if actor.arn in found:
                break
            if role.account_id != actor.account_id:
                continue
            backing = _allowed(snap, actor, [("iam:UpdateAssumeRolePolicy", role.arn)])
            if backing is not None:
                found[actor.arn] = _step(
                    "update-assume-role-policy",
                    ("iam:UpdateAssumeRolePolicy",),
                    actor,
                    role.ref,
                    backing,
                    f"rewrites the trust policy of {role.ref.name} to trust it, then assumes it",
                )
    passers = _able(index, todo, "iam:PassRole")
    for technique, service, actions in PASS_ROLE_SERVICES:
        trusting = [r for r in roles if _trusts_service(snap, r, service)]
        if not trusting:
            continue
        able = {id(a) for a in _able(index, passers, actions[0])}
        for actor in passers:
            if id(actor) not in able:
                continue
            for role in trusting:
                if actor.arn in found:
                    break
                if role.account_id != actor.account_id:
                    continue
                requests = [("iam:PassRole", role.arn), *((a, "*") for a in actions)]
                backing = _allowed(snap, actor, requests)
                if backing is not None:
                    found[actor.arn] = _step(
                        technique,
                        ("iam:PassRole", *actions),
                        actor,
                        role.ref,
                        backing,
                        f"passes {role.ref.name} to {service.split('.')[0]} and runs code as it",
                    )


def _trusts_service(snap: Snapshot, role: Actor, service: str) -> bool:
    """Whether the role's trust policy lets ``service`` assume it (conditions set aside: a
    SourceArn/SourceAccount condition names resources the attacker creates)."""
    target = snap.targets.get(role.arn)
    if target is None or target.policy is None:
        return False
    request = Request(Principal(service, None), "sts:AssumeRole", role.arn, role.account_id)
    policies = PolicySet(resource_policy=target.policy.lax, resource_policy_must_allow=True)
    return evaluate(request, policies, explain=False).allowed
