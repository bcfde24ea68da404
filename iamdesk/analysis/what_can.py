"""What a principal can do: on one resource, or across the catalog's actions of a service."""

from __future__ import annotations

from iamdesk.analysis.access import Verdict, decide
from iamdesk.analysis.progress import Cancel, Progress, check, report
from iamdesk.analysis.snapshot import Actor, Snapshot, snapshot
from iamdesk.analysis.who_can import AccessGrant
from iamdesk.core import catalog
from iamdesk.core.arn import try_parse_arn
from iamdesk.core.catalog import ACCESS_LEVELS
from iamdesk.services.errors import IamError, invalid_input
from iamdesk.store.db import Database

__all__ = ["ACCESS_LEVELS", "what_can", "what_can_in"]


def what_can(
    db: Database,
    account_id: str | None,
    principal_arn: str,
    resource: str | None = None,
    service: str | None = None,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> list[AccessGrant]:
    """What ``principal_arn`` can do: every catalog action of ``service`` (on ``*``, or on the
    resource patterns its policies name), or of the service of ``resource`` (or ``service``)
    on that resource; sorted by access level, then action."""
    return what_can_in(
        snapshot(db), principal_arn, resource, service, progress=progress, cancel=cancel
    )


def what_can_in(
    snap: Snapshot,
    principal_arn: str,
    resource: str | None = None,
    service: str | None = None,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> list[AccessGrant]:
    actor = snap.by_arn.get(principal_arn)
    if actor is None:
        raise IamError(
            "NoSuchEntity", f"The principal {principal_arn} cannot be found in the model."
        )
    if resource is None and service is None:
        raise invalid_input("Give a resource ARN, a service prefix (e.g. s3), or both.")
    if resource is not None:
        parsed = try_parse_arn(resource)
        if parsed is None:
            raise invalid_input(f"Invalid resource ARN: {resource}")
        service = service or parsed.service
    assert service is not None
    if not catalog.service_exists(service):
        raise invalid_input(f"Unknown service prefix: {service}")
    infos = catalog.actions(service)
    target = resource or "*"
    grants = []
    for done, info in enumerate(infos):
        if done % 64 == 0:
            check(cancel)
            report(progress, done, len(infos))
        name = info.full_name
        for on, verdict in _answers(snap, actor, name, target):
            grants.append(
                AccessGrant(
                    actor.ref,
                    name,
                    on,
                    info.access_level,
                    verdict.conditional,
                    verdict.conditions,
                    verdict.statements,
                )
            )
    report(progress, len(infos), len(infos))
    order = {level: i for i, level in enumerate(ACCESS_LEVELS)}  # then by action, as asked
    grants.sort(key=lambda g: (order.get(g.access_level, len(order)), g.action))
    return grants


def _answers(snap: Snapshot, actor: Actor, action: str, resource: str) -> list[tuple[str, Verdict]]:
    """The answer on ``resource``; asked across a service (``*``) and denied there, the answers
    on each resource pattern the principal's Allow statements for the action name, so a grant
    on ``arn:aws:s3:::reports/*`` shows as such instead of disappearing."""
    verdict = decide(snap, actor, action, resource)
    if verdict is not None or resource != "*":
        return [(resource, verdict)] if verdict is not None else []
    named: dict[str, None] = {}
    key = action.lower()
    for compiled in actor.identity:
        for st in compiled.lax.policy.for_action(key):
            if st.allow and st.statement.resource:
                named.update((v.text, None) for v in st.statement.resource if v.text != "*")
    found = []
    for pattern in named:
        answer = decide(snap, actor, action, pattern)
        if answer is not None:
            found.append((pattern, answer))
    return found
