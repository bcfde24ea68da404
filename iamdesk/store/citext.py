"""PostgreSQL's stand-in for ``VARCHAR COLLATE NOCASE``: ``citext`` in the byte-order "C" collation.

Its own module because importing SQLAlchemy's PostgreSQL dialect loads every PostgreSQL driver
module (asyncpg, psycopg, pg8000: ~20 ms) and a model in an SQLite file never needs them: the
name columns (``columns.NoCaseName``) load this only when they meet a PostgreSQL server.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import CITEXT
from sqlalchemy.ext.compiler import compiles


class NoCaseText(CITEXT):
    """``citext`` (needs the citext extension): compared lower-cased; being a ``CITEXT`` the
    drivers bind values compared with it as ``citext`` too, without a cast to ``varchar``."""

    cache_ok = True


@compiles(NoCaseText, "postgresql")
def _render_nocase(_type: NoCaseText, _compiler: Any, **_kw: Any) -> str:
    return 'CITEXT COLLATE "C"'
