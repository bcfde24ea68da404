"""Putting what a user typed into a message: at most a prefix of it, and always printable.

A 10 MB name must not become a 10 MB error message, and a name holding a byte that was not
UTF-8 must not make printing the message fail."""

from __future__ import annotations

MAX_QUOTED = 300  # characters of a value quoted in a message


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
