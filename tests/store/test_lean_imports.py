"""A model in an SQLite file never loads SQLAlchemy's PostgreSQL dialect (with it come the
asyncpg, psycopg and pg8000 dialect modules: ~20 ms of every command's start-up); a model on a
server loads it when opened."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CHECK = """
import sys
from iamdesk.services import users
from iamdesk.store.db import open_database

with open_database(sys.argv[1]) as db:
    users.create_user(db, None, "Bob")
    print(users.get_user(db, None, "bob")["User"]["UserName"])
loaded = sorted(m for m in sys.modules if any(w in m for w in ("postgresql", "psycopg", "citext")))
print(loaded)
"""


def test_an_sqlite_model_loads_no_postgresql_module(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK, str(tmp_path / "model.iamdesk")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.splitlines() == ["Bob", "[]"]


def test_a_server_model_loads_the_postgresql_type(pg_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK, pg_url], capture_output=True, text=True, check=True
    )
    name, loaded = done.stdout.splitlines()
    assert name == "Bob"
    assert "iamdesk.store.citext" in loaded
