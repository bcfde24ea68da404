"""IAM's List* paging over one account's users, groups or roles, and the refusal to delete an
entity that still owns something.

IAM pages by name: ``Marker`` is the last name of the previous page and ``MaxItems`` caps the
page; ``PathPrefix`` keeps entities whose path starts with it. Reading one row more than the
page tells whether the list goes on, without counting the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row, Select, Table, func, select
from sqlmodel import Session

from iamdesk.services import entities
from iamdesk.services.errors import delete_conflict
from iamdesk.services.validation import check_max_items, check_path_prefix
from iamdesk.store.db import Database

log = logging.getLogger(__name__)


def page_by_name(
    db: Database,
    account_id: str | None,
    table: Table,
    columns: Sequence[str],
    *,
    path_prefix: str | None,
    marker: str | None,
    max_items: int | None,
) -> tuple[list[Row[Any]], bool]:
    """One page of ``columns`` of ``table``'s rows in the account, ordered by name, and whether
    more rows follow. Bad ``path_prefix`` or ``max_items`` values raise IAM's errors first."""
    prefix = check_path_prefix(path_prefix)
    check_max_items(max_items)
    query = select(*(table.c[name] for name in columns)).order_by(table.c.name)
    # One statement once the account is known (a later read knows it without asking): on a
    # server it then runs without a transaction around it, a third of the round trips.
    with db.read(one_statement=True) as session:
        account = entities.resolve_account(session, db, account_id)
        query = query.where(table.c.account_id == account)
        if prefix != "/":
            query = query.where(func.substr(table.c.path, 1, len(prefix)) == prefix)
        if marker:
            query = query.where(table.c.name > marker)
        if max_items is not None:
            query = query.limit(max_items + 1)
        rows = list(session.execute(query).all())
    truncated = max_items is not None and len(rows) > max_items
    return (rows[:max_items] if truncated else rows), truncated


def page_result(key: str, items: list[dict[str, Any]], truncated: bool) -> dict[str, Any]:
    """AWS's List* output: the items, ``IsTruncated`` and, when truncated, the ``Marker`` (the
    last item's name, the ``<Kind>Name`` field of ``key`` "Users" / "Groups" / "Roles")."""
    result: dict[str, Any] = {key: items, "IsTruncated": truncated}
    if truncated:
        result["Marker"] = items[-1][f"{key[:-1]}Name"]
    return result


def refuse_delete_while(session: Session, owned: Iterable[tuple[Select[Any], str]]) -> None:
    """IAM's DeleteConflict for the first of ``owned`` (a query for what the entity still owns,
    and what must be done first) that finds a row."""
    for query, what in owned:
        if session.execute(query.limit(1)).first() is not None:
            raise delete_conflict(f"Cannot delete entity, must {what} first.")


def page_of(
    items: list[Any], marker: str | None, max_items: int | None
) -> tuple[list[Any], dict[str, Any]]:
    """One page of a list already read whole (a kept report's rows), ``marker`` being the
    position to start at as the previous page's ``Marker`` gave it; and the output's tail,
    ``IsTruncated`` and, when more follow, the next page's ``Marker``."""
    start = int(marker) if marker and marker.isdigit() else 0
    end = len(items) if max_items is None else start + max_items
    tail: dict[str, Any] = {"IsTruncated": end < len(items)}
    if end < len(items):
        tail["Marker"] = str(end)
    return items[start:end], tail
