"""Reading JSON that a person wrote or pasted: bounded in size and nesting, and valid Unicode.

``json.loads`` recurses once per level, so 50,000 ``[`` raise ``RecursionError`` (or exhaust the
stack of whatever walks the result next); a string holding a lone surrogate (``"\\udcff"``, or a
byte that was not UTF-8 smuggled through the command line) decodes fine and fails much later,
when it is written to the model file or printed. ``loads`` refuses all three up front with
``JsonInputError``, a ``json.JSONDecodeError``: every place that already reports bad JSON
(``MalformedPolicyDocument``, a batch line's ``error``, a usage error) reports these the same
way, with the line and column where the text went wrong.

Real documents are shallow (a policy is about 6 levels deep, a whole account's authorization
details about 12), so ``MAX_DEPTH`` leaves plenty of room while keeping every recursive walk of
the result far from Python's recursion limit.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

MAX_DEPTH = 64
MAX_CHARS = 10 * 1024 * 1024  # a command-line value, a batch line, a document in the editor

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKETS = str.maketrans("[{]}", "(())")
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[{]|[\]}]', re.DOTALL)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class JsonInputError(json.JSONDecodeError):
    """The text is not JSON this program will read: too large, too deep, not Unicode."""


class NotJsonValueError(JsonInputError):
    """Well-formed and bounded, but holding ``NaN``, ``Infinity`` or a number beyond a float:
    the rest of the document is readable (e.g. to name the batch case it belongs to)."""


def decode_utf8(data: bytes) -> str:
    """Bytes a user gave (a file, standard input) as text; a byte-order mark is dropped. Raises
    ``JsonInputError`` naming the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        readable = data.decode("utf-8-sig", errors="replace")
        offset = len(data[: exc.start].decode("utf-8-sig"))
        raise JsonInputError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x})", readable, offset
        ) from None


def nesting_exceeds(text: str, max_depth: int) -> bool:
    """Whether ``text`` nests arrays and objects deeper than ``max_depth`` (strings ignored).

    Exact for text whose brackets balance. Otherwise the text is not JSON, and the answer only
    promises that a parser meets no more than ``2 * max_depth`` levels before it fails. Each
    round of removing innermost ``()`` pairs takes one level off; all of it runs in C, so a
    many-megabyte file costs a few milliseconds."""
    if text.count("[") + text.count("{") <= max_depth:
        return False
    shape = _NOT_BRACKET.sub("", _STRING.sub("", text)).translate(_BRACKETS)
    for _ in range(max_depth):
        reduced = shape.replace("()", "")
        if reduced == shape:
            break
        shape = reduced
    # Left over: pairs deeper than max_depth, or openers never closed (each inside the last).
    return "()" in shape or shape.count("(") > max_depth


def _deepest_offset(text: str, max_depth: int) -> int:
    """Where the nesting first goes past ``max_depth`` (only called once it is known to)."""
    depth = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                return match.start()
        elif token in "]}":
            depth -= 1
    return 0


def check(text: str, *, max_depth: int = MAX_DEPTH, max_chars: int = MAX_CHARS) -> None:
    """Raise ``JsonInputError`` if ``text`` is longer than ``max_chars``, nests deeper than
    ``max_depth`` or holds a character that is not Unicode (a lone surrogate)."""
    if len(text) > max_chars:
        raise JsonInputError(
            f"the text is longer than the {max_chars:,} characters allowed", text, max_chars
        )
    if nesting_exceeds(text, max_depth):
        raise JsonInputError(
            f"nested deeper than the {max_depth} levels allowed",
            text,
            _deepest_offset(text, max_depth),
        )
    _check_unicode(text)


def _check_unicode(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise JsonInputError(
            f"character U+{ord(text[exc.start]):04X} is not Unicode text (a byte that was not"
            " UTF-8, or half of a surrogate pair)",
            text,
            exc.start,
        ) from None


def _check_escapes(text: str, value: Any) -> None:
    """A ``\\ud800``-style escape may decode to half a surrogate pair: check the result."""
    if _SURROGATE_ESCAPE.search(text) is None:
        return
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        found = _SURROGATE_ESCAPE.search(text)
        raise JsonInputError(
            "a \\u escape names half of a surrogate pair, which is not a Unicode character",
            text,
            found.start() if found else 0,
        ) from None


class _NotJson(ValueError):
    def __init__(self, token: str, message: str) -> None:
        super().__init__(message)
        self.token = token


def _not_json(name: str) -> Any:
    """Python's json reads NaN and Infinity; JSON has no such values, and strict parsers
    reject output that echoes them."""
    raise _NotJson(name, f"{name} is not a JSON value")


def _finite(digits: str) -> float:
    value = float(digits)
    if value in (float("inf"), float("-inf")):
        raise _NotJson(digits, f"the number {digits[:40]} is too large")
    return value


def _nesting_exceeds_parsed(text: str, max_depth: int) -> bool:
    """``nesting_exceeds`` for text ``json`` has just parsed, cheaper: in valid JSON a ``"`` only
    opens or closes a string unless escaped, so without ``\\"`` the pieces between quotes
    alternate outside/inside a string, and no regex has to find the strings. Returns True
    (meaning "check carefully") whenever that shortcut does not apply."""
    if text.count("[") + text.count("{") <= max_depth:
        return False
    if '\\"' in text:
        return True
    shape = _NOT_BRACKET.sub("", "".join(text.split('"')[::2])).translate(_BRACKETS)
    for _ in range(max_depth):
        reduced = shape.replace("()", "")
        if reduced == shape:
            return False
        shape = reduced
    return bool(shape)


_CONTAINERS = (dict, list)


def _value_deeper_than(value: Any, max_depth: int) -> bool:
    """Whether a value plain ``json.loads`` returned nests deeper than ``max_depth``: then, and
    only then, its text does. One list per level, so a wide document costs a few list
    comprehensions rather than a scan of its text."""
    level = [value] if type(value) in _CONTAINERS else []
    for _ in range(max_depth):
        if not level:
            return False
        level = [
            child
            for node in level
            for child in (node.values() if type(node) is dict else node)
            if type(child) in _CONTAINERS
        ]
    return bool(level)


@lru_cache(maxsize=32)
def _decoder(options: tuple[tuple[str, Any], ...]) -> json.JSONDecoder:
    """``json.loads`` with options builds a decoder (and its C scanner) on every call; the
    options used in practice are a handful of module-level functions, so keep those."""
    return json.JSONDecoder(**dict(options))


def loads(
    text: str | bytes,
    *,
    max_depth: int = MAX_DEPTH,
    max_chars: int = MAX_CHARS,
    **options: Any,
) -> Any:
    """``json.loads`` for input from a person: bounded (see ``check``), Unicode throughout, and
    strict JSON (no ``NaN``, ``Infinity`` or numbers too large for a float). ``options`` go to
    ``json.loads`` (``object_pairs_hook``, ``parse_constant``...).

    Ordinary input takes a fast path: the C parser runs first (its ``RecursionError`` is a
    sign of depth), and the careful checks of ``check`` run only when the parse failed or a
    cheap test says they might fail (many brackets, non-ASCII text, a ``\\u`` escape). Either
    way the result and every error, position included, are those of checking first."""
    text = decode_utf8(text) if isinstance(text, bytes) else text.removeprefix("\ufeff")
    if len(text) > max_chars:
        check(text, max_depth=max_depth, max_chars=max_chars)
    options.setdefault("parse_constant", _not_json)
    options.setdefault("parse_float", _finite)
    try:
        decoder = _decoder(tuple(options.items()))
    except TypeError:  # an option that cannot be a cache key
        decoder = json.JSONDecoder(**options)
    try:
        value = decoder.decode(text)
    except RecursionError:
        # Too deep for the C scanner: the depth check names where; else a hook recursed.
        check(text, max_depth=max_depth, max_chars=max_chars)
        raise JsonInputError("nested too deeply", text, 0) from None
    except _NotJson as exc:
        check(text, max_depth=max_depth, max_chars=max_chars)
        raise NotJsonValueError(str(exc), text, max(text.find(exc.token), 0)) from None
    except json.JSONDecodeError:
        check(text, max_depth=max_depth, max_chars=max_chars)
        raise
    if not text.isascii():
        check(text, max_depth=max_depth, max_chars=max_chars)
    elif text.count("[") + text.count("{") <= max_depth:
        pass
    elif (
        _value_deeper_than(value, max_depth)
        if "object_hook" not in options and "object_pairs_hook" not in options
        else _nesting_exceeds_parsed(text, max_depth)
    ):
        check(text, max_depth=max_depth, max_chars=max_chars)
    if "\\u" in text:
        _check_escapes(text, value)
    return value
