"""Column shapes shared by the tables: names compared without case, JSON text, timestamps.

IAM treats names as case-insensitive within an account (``Bob`` and ``bob`` are one user), so name
columns use SQLite's NOCASE collation: the unique index and every ``==`` lookup then agree with
IAM without a second lower-cased column. PostgreSQL has no NOCASE; there the column is ``citext``
(compared lower-cased) in the byte-order "C" collation, which sorts exactly as NOCASE does
(``a1 < A=c < a_b < Bob``), so lists and paging markers agree on both backends.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, String
from sqlalchemy.dialects.postgresql import CITEXT
from sqlalchemy.ext.compiler import compiles
from sqlmodel import Field


class NoCaseText(CITEXT):
    """PostgreSQL's stand-in for ``VARCHAR COLLATE NOCASE`` (needs the citext extension)."""

    cache_ok = True


@compiles(NoCaseText, "postgresql")
def _render_nocase(_type: NoCaseText, _compiler: Any, **_kw: Any) -> str:
    return 'CITEXT COLLATE "C"'


def nocase_string(length: int) -> Any:
    return String(length, collation="NOCASE").with_variant(NoCaseText(), "postgresql")


def name_field(length: int, *, nullable: bool = False) -> Any:
    """A name column compared the way IAM compares names (ASCII case-insensitive)."""
    return Field(sa_column=Column(nocase_string(length), nullable=nullable, index=False))


def fk(
    target: str, *, ondelete: str = "CASCADE", nullable: bool = False, index: bool = True
) -> Any:
    """A foreign key; ``nullable`` columns default to None."""
    if nullable:
        return Field(default=None, foreign_key=target, ondelete=ondelete, index=index)
    return Field(foreign_key=target, ondelete=ondelete, index=index)
