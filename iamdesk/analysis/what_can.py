"""What a principal can do: on one resource, or across the catalog's actions of a service."""

from __future__ import annotations

from iamdesk.analysis.access import decide
from iamdesk.analysis.progress import Cancel, Progress, check, report
from iamdesk.analysis.snapshot import Snapshot, snapshot
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
    """What ``principal_arn`` can do: every catalog action of ``service`` (on ``*``), or of
    the service of ``resource`` on that resource; sorted by access level, then action."""
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
    if (resource is None) == (service is None):
        raise invalid_input("Give either a resource ARN or a service prefix (e.g. s3).")
    if resource is not None:
        parsed = try_parse_arn(resource)
        if parsed is None:
            raise invalid_input(f"Invalid resource ARN: {resource}")
        service = parsed.service
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
        verdict = decide(snap, actor, name, target)
        if verdict is not None:
            grants.append(
                AccessGrant(
                    actor.ref,
                    name,
                    target,
                    info.access_level,
                    verdict.conditional,
                    verdict.conditions,
                    verdict.statements,
                )
            )
    report(progress, len(infos), len(infos))
    order = {level: i for i, level in enumerate(ACCESS_LEVELS)}
    grants.sort(key=lambda g: (order.get(g.access_level, len(order)), g.action))
    return grants
