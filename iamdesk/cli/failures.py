"""What the ``iamdesk`` command does when something goes wrong that no command handled.

The AWS CLI prints any unexpected failure as one line on standard error and exits 255; so does
iamdesk: never a traceback, never SQL or its parameters (a failed write may have been carrying a
new secret), never a multi-megabyte value. Expected errors keep their own codes (252 for a bad
command line, 254 for a service error), set by the commands themselves.

Command-line words that are not UTF-8 (``$'\\xff'``) reach Python as lone surrogates; only file
names may hold them (a file name is bytes), so any other such word is refused up front, before
it could reach the model file or the output.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sys
from collections.abc import Callable, Sequence

from iamdesk.core.text import printable, shorten

log = logging.getLogger(__name__)

EXIT_USAGE = 252
EXIT_OTHER = 255
EXIT_INTERRUPTED = 130

# Options whose value is a file name, so it may hold any bytes the file system allows.
PATH_OPTIONS = frozenset({"--db", "--screenshot", "--outfile", "--cases"})


def _is_text(word: str) -> bool:
    try:
        word.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def non_text_argument(argv: Sequence[str]) -> str | None:
    """The first word of ``argv`` that is not UTF-8 text and cannot be a file name, if any."""
    previous = ""
    for word in argv:
        option, equals, _ = word.partition("=")
        names_a_file = (
            previous in PATH_OPTIONS
            or (equals and option in PATH_OPTIONS)
            or word.startswith(("file://", "fileb://"))
            or os.path.lexists(word)
        )
        if not _is_text(word) and not names_a_file:
            return word
        previous = word
    return None


def describe(exc: BaseException) -> str:
    """One line for an unexpected failure, without SQL, parameters or huge values."""
    orig = getattr(exc, "orig", None)  # SQLAlchemy's DBAPIError: the driver's own words only
    if orig is not None and isinstance(orig, BaseException):
        exc = orig
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"cannot write{where}: {exc.strerror or os.strerror(exc.errno or 0)}"
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply"
    if isinstance(exc, MemoryError):
        return "out of memory"
    text = str(exc).strip() or type(exc).__name__
    first = text.splitlines()[0]
    message = first if first.startswith(type(exc).__name__) else f"{type(exc).__name__}: {first}"
    if "disk is full" in message or "database or disk is full" in message:
        return "cannot write the model file: the disk is full"
    return printable(shorten(message))


def guard(run: Callable[[], int]) -> int:
    """``run()``'s exit code; an exception it let through becomes one line and exit 255."""
    try:
        return run()
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return EXIT_INTERRUPTED
    except SystemExit:
        raise
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, and keep the interpreter from
        # complaining when it flushes standard output at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:
        log.debug("unexpected failure", exc_info=True)
        # If standard error itself is gone, the exit code still says it.
        with contextlib.suppress(OSError):
            print(f"\n{describe(exc)}", file=sys.stderr)
        return EXIT_OTHER
