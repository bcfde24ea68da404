"""Reading a batch case line with its policy documents known by their text.

A batch usually asks many questions of a few policies, and most of a case line is those
policies' text. Decoding it and then building a key for the cache of compiled policies (as
``PolicyCache.get`` does for an object) costs more than the evaluation that follows, so the
reader walks the case object itself, decodes every other value with the C scanner of the
``json`` module, and for a document met before finds the same text at the same place and takes
the compiled policy without decoding anything.

Why that is exact: a JSON object's text ends at its closing brace, so no complete object is a
proper prefix of another; if a line holds, where a policy starts, the text of a document seen
before, the decoder would return that same document there and end where the text ends. Texts
are found through a trie of fixed-size chunks, so a pool of documents that share long prefixes
(every policy opens with the same Version and Statement) costs a few dictionary lookups.

The reader takes only plain, well-formed lines: anything else (non-ASCII text, ``\\u``
escapes, ``NaN``, nesting near the limit, a key with an escape, a syntax error) makes it
return None, and the caller reads the line the careful way (``jsontext.loads``), which gives
the same value or the same error it always gave.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from iamdesk.core import jsontext
from iamdesk.core.evaluator import CompiledPolicy, PolicyRef

_ONE = ("permissions_boundary", "session_policy", "resource_policy", "endpoint_policy")
_LEVELS = ("scps", "rcps")

# Where a document may start: an object opening with one of a policy's own members. Such text
# is never inside a JSON string (it holds an unescaped quote), so every match is an object.
_START = re.compile(r'\{[ \t\n\r]*"(?:Version|Statement|Id)"')
# What stands in for a known document in the line decoded without them: a string no line the
# reader takes can hold (it needs a \u escape, and such lines go the careful way).
_MARK = "\x00"

# A document is found by its first chunks; texts sharing a chunk are told apart by the next.
# Policies tend to open alike ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", ...):
# texts that share their first chunks are told apart one level down.
_CHUNK = 64
# Documents remembered by text (a batch where every case brings its own documents would
# otherwise keep them all, and the garbage collector would walk them all).
_SEEN = 4096
_SPLIT = 4  # candidates a trie node holds before it splits them by their next chunk
# Policies sit at most 5 levels into a case (case, scps, level, {"document": ...}, document),
# so a document no deeper than this keeps the line within jsontext's limit wherever it stands;
# the rest of the line is checked on its own.
_DOCUMENT_DEPTH = jsontext.MAX_DEPTH - 5


class Known:
    """A policy document of a case line, as the cache holds it: compiled, or the message of
    why it could not be."""

    __slots__ = ("policy", "refs")

    def __init__(self, policy: CompiledPolicy | str) -> None:
        self.policy = policy
        self.refs: dict[tuple[str, str | None], PolicyRef] = {}

    def ref(self, label: str, name: str | None, error: type[Exception]) -> PolicyRef:
        """The policy placed at ``label`` (made once per place); ``error`` if it is none."""
        found = self.refs.get((label, name))
        if found is None:
            policy = self.policy
            if type(policy) is str:
                raise error(f"{label}: {policy}")
            found = PolicyRef(label, policy, name)  # type: ignore[arg-type]
            if len(self.refs) < 64:
                self.refs[(label, name)] = found
        return found


class _Node:
    """Texts that share a prefix; once there are too many, its ``children`` tell them apart by
    the next ``chunk`` characters."""

    __slots__ = ("children", "chunk", "texts")

    def __init__(self) -> None:
        self.texts: list[tuple[str, Known]] = []
        self.children: dict[str, _Node] | None = None
        self.chunk = _CHUNK


class CaseReader:
    """Reads case lines; ``compile_document`` turns a newly met document (a decoded object)
    into what ``Known`` holds."""

    def __init__(self, compile_document: Callable[[Any], CompiledPolicy | str], limit: int) -> None:
        self._compile = compile_document
        self._limit = limit
        self._count = 0
        self._root: dict[str, _Node] = {}
        # Documents met, by text: a second meeting puts them in the trie too (a batch where
        # every case brings its own documents never pays for the trie).
        self._seen: dict[str, Known] = {}
        decoder = jsontext._decoder(
            (("parse_constant", jsontext._not_json), ("parse_float", jsontext._finite))
        )
        self._scan = decoder.scan_once
        self._decode = decoder.decode

    def read(self, line: str) -> dict[str, Any] | None:
        """The case object of ``line`` (policy documents as ``Known``), or None when the line
        must be read with ``jsontext.loads``."""
        if len(line) > jsontext.MAX_CHARS or not line.isascii() or ("\\" in line and "\\u" in line):
            return None
        try:
            return self._case(line)
        except (StopIteration, ValueError, RecursionError):
            return None

    def _case(self, line: str) -> dict[str, Any] | None:
        pieces: list[str] = []
        known: dict[str, Known] = {}  # by the string that stands in for it
        done = 0  # where the text not yet copied into pieces starts
        search = _START.search
        found = search(line)
        while found is not None:
            pos = found.start()
            entry = self._find(line, pos)
            if entry is None:
                entry = self._met(line, pos)
                if entry is None:  # not a document: decoded with the rest
                    found = search(line, pos + 1)
                    continue
            n = len(known)
            if n < len(_MARKS):
                mark, text = _MARKS[n]
            else:
                mark, text = _mark(n)
            known[mark] = entry[1]
            pieces += (line[done:pos], text)
            done = pos + len(entry[0])
            found = search(line, done)
        if not known:
            return None  # nothing to gain: the careful reader does it all
        pieces.append(line[done:])
        rest = "".join(pieces)
        if rest.count("[") + rest.count("{") > _DOCUMENT_DEPTH:
            return None  # possibly too deep: the careful reader decides
        case = self._decode(rest)
        if type(case) is not dict or _place(case, known) != len(known):
            return None  # a document stood where no policy goes: decode it all
        return case

    def _met(self, line: str, pos: int) -> tuple[str, Known] | None:
        """A document not in the trie, decoded and compiled (None: not a policy document)."""
        value, end = self._scan(line, pos)
        if "Statement" not in value and "document" in value:
            return None  # {"name": ..., "document": ...}, read by the case's builder
        text = line[pos:end]
        entry = self._seen.get(text)
        if entry is not None:
            self._add(text, entry)  # met twice: worth finding without decoding
            return text, entry
        if text.count("[") + text.count("{") > _DOCUMENT_DEPTH and jsontext._value_deeper_than(
            value, _DOCUMENT_DEPTH
        ):
            raise ValueError("deep")  # the careful reader names where
        entry = Known(self._compile(value))
        if len(self._seen) >= _SEEN:
            self._seen.clear()
        self._seen[text] = entry
        return text, entry

    def _find(self, line: str, pos: int) -> tuple[str, Known] | None:
        node = self._root.get(line[pos : pos + _CHUNK])
        offset = pos + _CHUNK
        while node is not None:
            for entry in node.texts:
                if line.startswith(entry[0], pos):
                    return entry
            if node.children is None:
                return None
            chunk = node.chunk
            node = node.children.get(line[offset : offset + chunk])
            offset += chunk
        return None

    def _add(self, text: str, known: Known) -> None:
        if len(text) < _CHUNK:
            return  # found through _seen each time (a short text decodes quickly)
        if self._count >= self._limit:
            self._root.clear()
            self._count = 0
        node = self._root.get(text[:_CHUNK])
        if node is None:
            node = self._root[text[:_CHUNK]] = _Node()
        if self._insert(node, _CHUNK, (text, known)):
            self._count += 1

    def _insert(self, node: _Node, offset: int, entry: tuple[str, Known]) -> bool:
        """Put ``entry`` under ``node`` (whose texts share their first ``offset`` characters);
        False when the texts there are too many to look through."""
        text = entry[0]
        while node.children is not None and len(text) >= offset + node.chunk:
            size = node.chunk
            chunk = text[offset : offset + size]
            child = node.children.get(chunk)
            if child is None:
                child = node.children[chunk] = _Node()
            node, offset = child, offset + size
        if node.children is not None:
            if len(node.texts) >= _SPLIT:
                return False  # too many texts end within this node's chunk
            node.texts.append(entry)
            return True
        node.texts.append(entry)
        if len(node.texts) > _SPLIT:
            # Too many texts share this prefix: tell them apart by the characters that follow,
            # a chunk as long as the shortest allows (one that ends here stays).
            waiting, node.texts, node.children = node.texts, [], {}
            node.chunk = max(1, min(_CHUNK, min(len(t) for t, _ in waiting) - offset))
            for item in waiting:
                self._insert(node, offset, item)
        return True


def _mark(n: int) -> tuple[str, str]:
    """The string standing in for the ``n``-th document of a line, decoded and as JSON text."""
    return f"{_MARK}{n}", f'"\\u0000{n}"'


_MARKS = [_mark(n) for n in range(32)]
_POLICY_FIELDS = frozenset(("identity_policies", *_LEVELS, *_ONE))


def _place(case: dict[str, Any], known: dict[str, Known]) -> int:
    """Put the known documents back where the policies of ``case`` go; returns how many."""
    placed = 0
    for field in _POLICY_FIELDS.intersection(case):
        value = case[field]
        if field in _ONE:
            if type(value) is str:
                found = known.get(value)
                if found is not None:
                    case[field] = found
                    placed += 1
            elif type(value) is dict:
                placed += _wrapped(value, known)
        elif type(value) is list:
            for level in value if field in _LEVELS else (value,):
                if type(level) is not list:
                    continue
                for i, item in enumerate(level):
                    if type(item) is str:
                        found = known.get(item)
                        if found is not None:
                            level[i] = found
                            placed += 1
                    elif type(item) is dict:
                        placed += _wrapped(item, known)
    return placed


def _wrapped(value: dict[str, Any], known: dict[str, Known]) -> int:
    """{"name": ..., "document": <a known document>}: put it in; returns 1 if it did."""
    inner = value.get("document")
    if type(inner) is str and "Statement" not in value:
        found = known.get(inner)
        if found is not None:
            value["document"] = found
            return 1
    return 0


__all__ = ["CaseReader", "Known"]
