"""Column shapes shared by the tables: names compared without case, JSON text, timestamps.

IAM treats names as case-insensitive within an account (``Bob`` and ``bob`` are one user), so name
columns use SQLite's NOCASE collation: the unique index and every ``==`` lookup then agree with
IAM without a second lower-cased column.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, String
from sqlmodel import Field


def name_field(length: int, *, nullable: bool = False) -> Any:
    """A name column compared the way IAM compares names (ASCII case-insensitive)."""
    return Field(
        sa_column=Column(String(length, collation="NOCASE"), nullable=nullable, index=False)
    )


def fk(
    target: str, *, ondelete: str = "CASCADE", nullable: bool = False, index: bool = True
) -> Any:
    """A foreign key; ``nullable`` columns default to None."""
    if nullable:
        return Field(default=None, foreign_key=target, ondelete=ondelete, index=index)
    return Field(foreign_key=target, ondelete=ondelete, index=index)
