"""Creating and migrating the schema, the same way on SQLite and PostgreSQL.

The history of the schema is Alembic's (``iamdesk/store/migrations/versions``): revision
``0001`` is the baseline and revision ``000N`` is schema version N, so the integer in the
``schema_version`` table (what ``open_database`` checks without Alembic) and Alembic's own
``alembic_version`` always name the same point.

- A new, empty database is built from the tables directly (``create_all``) and stamped at the
  newest revision: Alembic's recipe for a fresh database, and it keeps creating a file fast.
  ``tests/store/test_migrations.py`` checks that the revisions build the very same schema.
- An older database is upgraded by Alembic, only when it is behind; a file from before Alembic
  (schema 1, no ``alembic_version``) is first stamped at the revision its version names.

``initialise`` and ``migrate`` are what opening a model (a file, ``store.db``, or a server,
``store.server``) does under its write lock once it has read the stored version.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Column, MetaData, String, Table, select
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from iamdesk.store.errors import CorruptDatabaseError, SchemaTooNewError

# Importing tables registers every table on SQLModel.metadata before create_all.
from iamdesk.store.tables import DEFAULT_ACCOUNT_ID, Account, SchemaVersion

log = logging.getLogger(__name__)

# Raised with every new revision in migrations/versions (revision 000N is schema version N).
SCHEMA_VERSION = 7

MIGRATIONS = Path(__file__).parent / "migrations"

# The change log is append-only: the database itself refuses to rewrite or remove an entry.
TRIGGER_NAMES = ("change_log_no_update", "change_log_no_delete")
APPEND_ONLY: dict[str, tuple[str, ...]] = {
    "sqlite": (
        "CREATE TRIGGER IF NOT EXISTS change_log_no_update BEFORE UPDATE ON change_log"
        " BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS change_log_no_delete BEFORE DELETE ON change_log"
        " BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION change_log_append_only() RETURNS trigger LANGUAGE plpgsql AS"
        " $$BEGIN RAISE EXCEPTION 'the change log is append-only'; END$$",
        "CREATE OR REPLACE TRIGGER change_log_no_update BEFORE UPDATE ON change_log"
        " FOR EACH ROW EXECUTE FUNCTION change_log_append_only()",
        "CREATE OR REPLACE TRIGGER change_log_no_delete BEFORE DELETE ON change_log"
        " FOR EACH ROW EXECUTE FUNCTION change_log_append_only()",
    ),
}

_alembic_version = Table(
    "alembic_version",
    MetaData(),
    Column("version_num", String(32), primary_key=True),
)


def revision_of(version: int) -> str:
    return f"{version:04d}"


def prepare(conn: Connection) -> None:
    """What the tables need before they can be created (PostgreSQL: the citext type)."""
    if conn.dialect.name == "postgresql":
        # A trusted extension since PostgreSQL 13: the database's owner may create it.
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS citext")


def create_schema(conn: Connection) -> None:
    """Every table, index and trigger this iamdesk declares that the database lacks."""
    prepare(conn)
    _create_all(conn)
    # create_all adds missing tables only; indexes declared since a file was made come here.
    for table in SQLModel.metadata.tables.values():
        for index in table.indexes:
            index.create(conn, checkfirst=True)
    for statement in APPEND_ONLY[conn.dialect.name]:
        conn.exec_driver_sql(statement)


def _create_all(conn: Connection) -> None:
    """``create_all``, leaving the shared table objects as they were: on PostgreSQL it adds the
    organization -> account key by ALTER and marks that key "not inline" on the (process-wide)
    metadata, after which a new SQLite file in the same process (``db copy`` to a file) would be
    created without it."""
    keys = [
        key
        for table in SQLModel.metadata.tables.values()
        for key in table.foreign_key_constraints
        if key.use_alter
    ]
    rules = [key._create_rule for key in keys]
    try:
        SQLModel.metadata.create_all(conn)
    finally:
        for key, rule in zip(keys, rules, strict=True):
            key._create_rule = rule


def stamp(conn: Connection, version: int) -> None:
    """Record ``version`` as Alembic's current revision (what ``alembic stamp`` writes)."""
    _alembic_version.create(conn, checkfirst=True)
    conn.execute(_alembic_version.delete())
    conn.execute(_alembic_version.insert(), {"version_num": revision_of(version)})


def stamped(conn: Connection) -> str | None:
    if not conn.dialect.has_table(conn, "alembic_version"):
        return None
    return conn.execute(select(_alembic_version.c.version_num)).scalar()


def upgrade(conn: Connection, version: int, target: int) -> None:
    """Run Alembic's revisions from schema ``version`` (0: an empty database) up to ``target``
    inside the caller's transaction (a failed step leaves the database as it was)."""
    from alembic import command
    from alembic.config import Config

    if version and stamped(conn) is None:
        stamp(conn, version)  # a file from before Alembic: its version names its revision
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    log.info("migrating the schema from %d to %d", version, target)
    command.upgrade(config, revision_of(target))


def refuse_newer(where: object, version: int | None) -> None:
    """Raise ``SchemaTooNewError`` for a model a newer iamdesk wrote (``where``: its file or
    URL, as shown to people); such a model is never changed."""
    if version is not None and version > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"{where} was written by a newer iamdesk (schema {version}; this version reads up to"
            f" {SCHEMA_VERSION}); it was not changed"
        )


def initialise(conn: Connection, now: str) -> None:
    """Build a new model in an empty database (the tables as declared, stamped at the newest
    migration) with its default account."""
    create_schema(conn)
    stamp(conn, SCHEMA_VERSION)
    conn.execute(
        SchemaVersion.__table__.insert(),  # type: ignore[attr-defined]
        {"id": 1, "version": SCHEMA_VERSION, "updated_at": now},
    )
    conn.execute(
        Account.__table__.insert(),  # type: ignore[attr-defined]
        {
            "account_id": DEFAULT_ACCOUNT_ID,
            "name": "default",
            "is_default": True,
            "create_date": now,
            "status": "ACTIVE",
            "email": "",
        },
    )


def migrate(conn: Connection, where: object, version: int, now: str) -> None:
    """Bring a model at schema ``version`` up to ``SCHEMA_VERSION`` (refusing a newer one)."""
    refuse_newer(where, version)
    if version < SCHEMA_VERSION:
        log.info("migrating %s from schema %d to %d", where, version, SCHEMA_VERSION)
        try:
            upgrade(conn, version, SCHEMA_VERSION)
        except KeyError:
            raise CorruptDatabaseError(
                f"{where} is damaged: iamdesk never wrote schema version {version}; it was not"
                " changed"
            ) from None
    # A file whose tables, indexes or triggers were removed (or predate their declaration) gets
    # them back; a model made since migrations exist has them all already.
    create_schema(conn)
    if version != SCHEMA_VERSION:
        conn.execute(
            SchemaVersion.__table__.update().values(  # type: ignore[attr-defined]
                version=SCHEMA_VERSION, updated_at=now
            )
        )
