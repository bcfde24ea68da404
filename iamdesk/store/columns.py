"""Column and index shapes shared by the tables: names compared without case, partial indexes.

IAM treats names as case-insensitive within an account (``Bob`` and ``bob`` are one user), so name
columns use SQLite's NOCASE collation: the unique index and every ``==`` lookup then agree with
IAM without a second lower-cased column. PostgreSQL has no NOCASE; there the column is ``citext``
(compared lower-cased) in the byte-order "C" collation, which sorts exactly as NOCASE does
(``a1 < A=c < a_b < Bob``), so lists and paging markers agree on both backends.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict
from sqlalchemy import Column, Index, String, text
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateIndex
from sqlalchemy.sql.compiler import DDLCompiler
from sqlalchemy.types import TypeDecorator, TypeEngine
from sqlmodel import Field, SQLModel


class TableModel(SQLModel):
    """The base of every table class. Rows are made and read without pydantic validating them,
    so pydantic builds a class's validator and serializer when first asked (``defer_build``):
    most commands never ask, and importing the ~40 tables costs ~10% less."""

    model_config = ConfigDict(defer_build=True)


class NoCaseName(TypeDecorator[str]):
    """``VARCHAR(n) COLLATE NOCASE`` on SQLite, ``citext`` (``citext.NoCaseText``) on
    PostgreSQL, chosen when a dialect first meets the column: the PostgreSQL type is imported
    only then, not whenever the tables are (see ``citext``)."""

    impl = String
    cache_ok = True

    def __init__(self, length: int) -> None:
        super().__init__(length, collation="NOCASE")

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from iamdesk.store.citext import NoCaseText

            return dialect.type_descriptor(NoCaseText())
        return dialect.type_descriptor(self.impl_instance)


def name_field(length: int, *, nullable: bool = False) -> Any:
    """A name column compared the way IAM compares names (ASCII case-insensitive)."""
    return Field(sa_column=Column(NoCaseName(length), nullable=nullable, index=False))


def fk(
    target: str, *, ondelete: str = "CASCADE", nullable: bool = False, index: bool = True
) -> Any:
    """A foreign key; ``nullable`` columns default to None."""
    if nullable:
        return Field(default=None, foreign_key=target, ondelete=ondelete, index=index)
    return Field(foreign_key=target, ondelete=ondelete, index=index)


def partial_unique_index(name: str, *columns: str, where: str) -> Index:
    """A unique index over the rows where ``where`` (SQL) holds, on SQLite and PostgreSQL.

    Spelled ``postgresql_where=``, the condition would make SQLAlchemy load its PostgreSQL
    dialect (to check the argument) whenever the tables are imported; the condition waits in
    ``info`` and ``_create_partial_index`` hands it to PostgreSQL when it creates the index."""
    return Index(
        name, *columns, unique=True, sqlite_where=text(where), info={"postgresql_where": where}
    )


@compiles(CreateIndex, "postgresql")
def _create_partial_index(create: CreateIndex, compiler: DDLCompiler, **kw: Any) -> str:
    index = create.element
    where = index.info.get("postgresql_where")
    if where is not None:  # the dialect is loaded by now: its option costs nothing
        index.dialect_options["postgresql"]["where"] = text(where)
    return compiler.visit_create_index(create, **kw)


def __getattr__(name: str) -> Any:
    # ``NoCaseText`` lived here before ``citext``: migrations written against that keep working,
    # and still load the PostgreSQL dialect only when they run.
    if name == "NoCaseText":
        from iamdesk.store.citext import NoCaseText

        return NoCaseText
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
