"""What can go wrong with a model, said as one line that names the file and never the SQL.

``StoreError`` and its kinds are what callers catch (the app shows them inline, the command line
prints them). ``plain_errors`` turns SQLite's and SQLAlchemy's failures inside a session into
them: SQLAlchemy's own text carries the statement and its parameters (a new secret, a TOTP
seed), so only the driver's reason is kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError

from iamdesk.core.text import quoted
from iamdesk.store.damage import first_bad_row


class StoreError(Exception):
    """The model file cannot be used; ``str()`` says which file and why."""


class CorruptDatabaseError(StoreError):
    pass


class SchemaTooNewError(StoreError):
    pass


class StorageError(StoreError):
    """The file system refused: a full disk, a file-size limit (``ulimit -f``), an I/O error."""


class MissingDatabaseError(StoreError):
    """The named model file does not exist (and the caller did not ask to create one)."""


class ReadOnlyError(StoreError):
    """The model file was opened read-only (the file or its folder is not writable)."""


# How SQLite says a file is damaged.
_DAMAGE_WORDS = ("malformed", "not a database", "corrupt")
# ... and that the file system refused (not the file's fault).
_STORAGE_WORDS = ("disk I/O error", "disk is full")
_STORAGE_HINT = "the disk may be full, or a file-size limit (ulimit -f) reached"
# What reading a damaged row raises in the code that uses it.
_ROW_FAILURES = (ValueError, TypeError, KeyError, AttributeError, OverflowError)


@contextmanager
def plain_errors(path: Path) -> Iterator[None]:
    """SQLite's failures as ``StoreError``s naming the file, in the driver's own words only."""
    try:
        yield
    except OperationalError as exc:
        reason = str(exc.orig).splitlines()[0] if exc.orig is not None else "unknown error"
        if any(word in reason for word in _STORAGE_WORDS):
            raise StorageError(
                f"{path} cannot be written: {reason} ({_STORAGE_HINT}); nothing was changed"
            ) from None
        if "readonly" in reason or "read-only" in reason:
            raise ReadOnlyError(f"{path} is read-only: {reason}; nothing was changed") from None
        if "Could not decode to UTF-8" in reason:
            column = reason.split("'")[1] if reason.count("'") >= 2 else "a"
            where = first_bad_row(path) or f"a value in its {column!r} column is not UTF-8 text"
            raise CorruptDatabaseError(f"{path} is damaged: {where}; it was not changed") from None
        raise StoreError(f"{path}: {quoted(reason)}") from None
    except UnicodeDecodeError:
        where = first_bad_row(path) or "it holds text that is not UTF-8"
        raise CorruptDatabaseError(f"{path} is damaged: {where}; it was not changed") from None
    except _ROW_FAILURES:
        # A value a flipped bit made into something its column cannot hold (a number where
        # text belongs) fails only where a service uses it. If a row is bad, say which.
        where = first_bad_row(path)
        if where is None:
            raise  # not the file's fault: a bug, shown as one
        raise CorruptDatabaseError(f"{path} is damaged: {where}; it was not changed") from None
    except DatabaseError as exc:
        reason = str(exc.orig).splitlines()[0] if exc.orig is not None else ""
        if isinstance(exc, IntegrityError) or not any(w in reason for w in _DAMAGE_WORDS):
            raise  # a constraint the services turn into AWS's words (EntityAlreadyExists...)
        raise CorruptDatabaseError(f"{path} is damaged: {quoted(reason)}") from None


def refuse_storage(path: Path, exc: BaseException) -> None:
    """Raise ``StorageError`` if ``exc`` is the file system refusing, not damage in the file."""
    reason = str(exc).splitlines()[0] if str(exc) else ""
    if any(word in reason for word in _STORAGE_WORDS):
        raise StorageError(
            f"{path} cannot be used: {reason} ({_STORAGE_HINT}); it was not changed"
        ) from None
