"""Putting what a user typed into a message: at most a prefix of it, and always printable.

A 10 MB name must not become a 10 MB error message, and a name holding a byte that was not
UTF-8 must not make printing the message fail."""

from __future__ import annotations

import re

MAX_QUOTED = 300  # characters of a value quoted in a message
MAX_MESSAGE = 2_000  # characters of a whole message (its words may each be short)
# Longer than a word ``shorten`` already cut (its prefix, "…" and the quotes or brackets around
# it): bounding a message twice, or one that quoted its value already, changes nothing.
_LONG_WORD = re.compile(rf"\S{{{MAX_QUOTED + 10},}}")


def shorten(text: str, limit: int = MAX_QUOTED) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def printable(text: str) -> str:
    """``text`` with characters that are not Unicode (lone surrogates) as ``\\udcff`` escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def one_line(text: str) -> str:
    """``text`` with its line breaks and tabs as spaces: a message is one line."""
    return text.translate(_BREAKS)


_BREAKS = str.maketrans({"\n": " ", "\r": " ", "\t": " ", "\v": " ", "\f": " "})


def quoted(value: object, limit: int = MAX_QUOTED) -> str:
    """A value for a message: one printable line, shortened when long."""
    return printable(shorten(one_line(str(value)), limit))


def bounded(message: str) -> str:
    """An error message that echoes what a user typed, kept to a readable size: each run of
    more than ``MAX_QUOTED`` non-blank characters (a 10 MB name, an ARN built from it) is cut to
    its prefix, and a message still longer than ``MAX_MESSAGE`` (a long value with spaces in
    it) keeps its start and its end, where AWS's messages say which constraint failed."""
    if len(message) < MAX_QUOTED + 10:
        return message
    message = _LONG_WORD.sub(lambda found: shorten(found.group()), message)
    if len(message) <= MAX_MESSAGE:
        return message
    head, tail = MAX_MESSAGE * 3 // 4, MAX_MESSAGE // 4
    left = len(message) - head - tail
    return f"{message[:head]}… ({left:,} characters left out) …{message[-tail:]}"
