"""The schema's history is Alembic's, one for both backends: the revisions build exactly the tables
the code declares, an older model is upgraded by them, a newer one is refused untouched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel

from iamdesk.store import schema
from iamdesk.store.db import SCHEMA_VERSION, SchemaTooNewError, open_database
from iamdesk.store.server import server_url


def _engine_for(place: Path | str):
    if isinstance(place, str):
        return create_engine(server_url(place))
    return create_engine(f"sqlite:///{place / 'empty.sqlite'}")


def _empty(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Path | str:
    if backend == "sqlite":
        return tmp_path
    cluster = request.getfixturevalue("pg_cluster")
    return cluster.url(cluster.new_database())


def test_the_newest_revision_is_the_schema_version() -> None:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(schema.MIGRATIONS))
    assert ScriptDirectory.from_config(cfg).get_current_head() == schema.revision_of(SCHEMA_VERSION)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_revisions_build_the_declared_tables(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path
) -> None:
    """If this fails after a table change: add a revision in iamdesk/store/migrations/versions
    (and raise SCHEMA_VERSION) instead of relying on create_all."""
    engine = _engine_for(_empty(request, backend, tmp_path))
    with engine.begin() as conn:
        schema.upgrade(conn, 0, SCHEMA_VERSION)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = [
            d
            for d in compare_metadata(context, SQLModel.metadata)
            if not (d[0] == "remove_table" and d[1].name in ("alembic_version", "iamdesk_change"))
        ]
        triggers = _triggers(conn)
    engine.dispose()
    assert diff == []
    assert set(schema.TRIGGER_NAMES) <= triggers


def _triggers(conn) -> set[str]:
    if conn.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    return {row[0] for row in conn.execute(text(query))}


_ADD_COLUMN = '''"""Test revision: a column added to account."""

import sqlalchemy as sa
from alembic import op

revision = "0099"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("account", sa.Column("extra", sa.String(), nullable=True))
'''


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_older_model_is_upgraded_by_alembic(
    request: pytest.FixtureRequest,
    backend: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    place = _empty(request, backend, tmp_path)
    target = place if isinstance(place, str) else place / "m.sqlite"
    open_database(target).close()
    # Make it a model of schema 1 (before the analysis tables); a file from before Alembic
    # (no alembic_version) on SQLite, one stamped 0001 on the server.
    engine = _engine_for(place) if backend == "postgresql" else create_engine(f"sqlite:///{target}")
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE activity"))
        conn.execute(text("DROP TABLE archived_finding"))
        conn.execute(text("UPDATE schema_version SET version = 1"))
        if backend == "sqlite":
            conn.execute(text("DROP TABLE alembic_version"))
        else:
            conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    engine.dispose()
    migrations = tmp_path / "migrations"
    shutil.copytree(schema.MIGRATIONS, migrations)
    (migrations / "versions" / "0099_extra.py").write_text(_ADD_COLUMN)
    monkeypatch.setattr(schema, "MIGRATIONS", migrations)
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 99)
    if backend == "postgresql":
        import iamdesk.store.server as server

        monkeypatch.setattr(server, "SCHEMA_VERSION", 99)
    with open_database(target) as database, database.read() as session:
        conn = session.connection()
        columns = [c["name"] for c in inspect(conn).get_columns("account")]
        tables = inspect(conn).get_table_names()
        version = session.execute(text("SELECT version FROM schema_version")).scalar()
        stamped = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert "extra" in columns
    assert (version, stamped) == (99, "0099")
    assert "archived_finding" in tables  # 0001 -> 0002 ran on the way


def test_a_newer_model_on_the_server_is_refused_untouched(pg_cluster) -> None:
    name = pg_cluster.new_database()
    url = pg_cluster.url(name)
    open_database(url).close()
    pg_cluster.sql(
        f"UPDATE schema_version SET version = {SCHEMA_VERSION + 1}",
        "DROP TABLE iamdesk_change",  # what opening would write back were it to touch anything
        database=name,
    )
    with pytest.raises(SchemaTooNewError, match="newer iamdesk"):
        open_database(url)
    engine = create_engine(server_url(url))
    with engine.connect() as conn:
        assert not inspect(conn).has_table("iamdesk_change")
        assert conn.execute(text("SELECT version FROM schema_version")).scalar() == (
            SCHEMA_VERSION + 1
        )
    engine.dispose()


def test_an_empty_server_database_is_initialised_on_first_open(pg_cluster) -> None:
    url = pg_cluster.url(pg_cluster.new_database())
    with open_database(url) as database:
        assert database.backend == "postgresql"
        assert database.default_account_id() == "123456789012"
        with database.read() as session:
            stamped = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert stamped == schema.revision_of(SCHEMA_VERSION)
