"""Schema 6: trust and resource policies written before principals were entities.

Since principals are entities (``services.principal_refs``), deleting a user or role rewrites
every trust and resource policy naming it to the entity's unique ID, as AWS shows it. A model
written before that keeps the ARN of a user or role that no longer exists, which trusts a user
created again under the same name: a false "allowed". This revision rewrites those principals
as the delete path would have: the ID the deleted entity had, read from the change log's
``DeleteUser``/``DeleteRole`` entry; an entity the log does not know (deleted by an older
iamdesk, or an import that named it) gets a new ID of its kind, which names no one either.
Principals of accounts the model does not hold stay as they are, as the commands accept them.
No table changes: the data only.
"""

from __future__ import annotations

import json
import logging
import re

import sqlalchemy as sa
from alembic import op

from iamdesk.core.policy.document import PolicyParseError
from iamdesk.core.policy.principal_refs import ENTITY_ARN, replace_principals
from iamdesk.store.ids import unique_id

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

_account = sa.table("account", sa.column("account_id"))
_user = sa.table("iam_user", sa.column("arn"))
_role = sa.table("iam_role", sa.column("pk"), sa.column("arn"), sa.column("assume_role_policy"))
_resource = sa.table("resource", sa.column("pk"), sa.column("policy"))
_log = sa.table("change_log", sa.column("pk"), sa.column("operation"), sa.column("before"))
_ID_KEYS = {"DeleteUser": "UserId", "DeleteRole": "RoleId"}
_ID_SHAPE = re.compile(r"A(?:IDA|ROA)[A-Z0-9]{12,}", re.ASCII)


def upgrade() -> None:
    conn = op.get_bind()
    modelled = set(conn.scalars(sa.select(_account.c.account_id)))
    existing = set(conn.scalars(sa.select(_user.c.arn)))
    existing.update(conn.scalars(sa.select(_role.c.arn)))
    policies = [
        (_role, row.pk, "assume_role_policy", row.assume_role_policy)
        for row in conn.execute(sa.select(_role.c.pk, _role.c.assume_role_policy))
    ]
    policies += [
        (_resource, row.pk, "policy", row.policy)
        for row in conn.execute(
            sa.select(_resource.c.pk, _resource.c.policy).where(_resource.c.policy.is_not(None))
        )
    ]
    ids: dict[str, str] | None = None
    changed = 0
    for table, pk, column, text in policies:
        # Every user/role ARN in the text; replace_principals touches only the principals.
        gone = {
            m.group(0)
            for m in ENTITY_ARN.finditer(text)
            if m.group(0) not in existing and m.group(1) in modelled
        }
        if not gone:
            continue
        if ids is None:
            ids = _deleted_ids(conn)
        for match in ENTITY_ARN.finditer(text):
            if match.group(0) in gone and match.group(0) not in ids:
                ids[match.group(0)] = unique_id(match.group(2))
        try:
            new = replace_principals(text, {arn: ids[arn] for arn in gone})
        except PolicyParseError:
            log.warning("%s %s: policy does not parse; principals left as they are", table, pk)
            continue
        if new != text:
            conn.execute(sa.update(table).where(table.c.pk == pk).values({column: new}))
            changed += 1
    if changed:
        log.info("named %d policies' deleted principals by their unique IDs", changed)


def _deleted_ids(conn: sa.Connection) -> dict[str, str]:
    """ARN -> the unique ID its last DeleteUser/DeleteRole entry recorded."""
    found: dict[str, str] = {}
    query = (
        sa.select(_log.c.operation, _log.c.before)
        .where(_log.c.operation.in_(sorted(_ID_KEYS)))
        .order_by(_log.c.pk)
    )
    for operation, before in conn.execute(query):
        try:
            shape = json.loads(before or "{}")
        except ValueError:
            continue
        if not isinstance(shape, dict):
            continue
        arn, unique = shape.get("Arn"), shape.get(_ID_KEYS[operation])
        if isinstance(arn, str) and isinstance(unique, str) and _ID_SHAPE.fullmatch(unique):
            found[arn] = unique
    return found


def downgrade() -> None:
    raise NotImplementedError("iamdesk never downgrades a model")
