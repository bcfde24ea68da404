"""Reading a batch case line, and the policies it brings, as fast as a plain line allows.

The careful reading (``jsontext.loads``, then ``build_case`` with ``PolicyCache.ref``) bounds
depth, refuses NaN, Infinity and numbers beyond a float, checks Unicode and names whatever is
wrong. Most lines are plain, and for them ``read_plain`` decodes the line with msgspec into a
typed case (``PlainCase``) whose every field has the shape the builder reads, checked in C while
decoding; each policy is kept as its JSON text (``msgspec.Raw``). ``PolicyCache.plain_ref``
finds a document met before by that text, so a batch that asks many questions of a few
policies compiles each once, and decodes a new one into typed statements (``core.policy.typed``).
A batch whose documents are mostly new gains nothing from finding them, and reading each twice
(skipped over in the line, then decoded) costs; while the documents looked up are mostly new,
lines are read with their documents in one pass (``FreshCase``), and looked at again now and
then (``PolicyCache.fresh``).

Any doubt sends the line the careful way, which gives the value or the error it always gave:
what msgspec refuses (NaN, a lone surrogate, a trailing comma...), a member the typed case does
not know (nobody reads it, so the careful way bounds its depth), a value of another type (a
float, a principal "type"...), a document the typed reading refuses, a line longer than the
careful way allows. The typed case holds no untyped value, so its depth is bounded by its types.
"""

from __future__ import annotations

import logging
import marshal
from typing import Annotated, Any

import msgspec
import orjson
from msgspec import Meta, Raw, Struct

from iamdesk.core.evaluator import CompiledPolicy, PolicyRef, Principal, compile_policy
from iamdesk.core.jsontext import MAX_CHARS
from iamdesk.core.policy.document import PolicyParseError
from iamdesk.core.policy.parser import parse_policy
from iamdesk.core.policy.plain import PlainPolicy, plain_policy, read_policy
from iamdesk.core.policy.typed import Document, document_statements

logger = logging.getLogger(__name__)

_CACHE_LIMIT = 20000
# Documents met once, remembered by a hash of their text (see ``plain_ref``).
_ONCE_LIMIT = 65536


class CaseError(ValueError):
    """A case that cannot be evaluated; the message names the field."""


class NotPlain(Exception):
    """The fast reading declines the line: read it the careful way."""


_NonEmpty = Annotated[str, Meta(min_length=1)]
_Scalar = str | int | bool | None
# Absent policy fields hold this very object (a JSON null reads as b"null").
ABSENT = Raw()


class PlainWho(Struct, forbid_unknown_fields=True, gc=False):
    """The case's principal, as the fast way takes it (no "type": anonymous is careful)."""

    arn: _NonEmpty
    account: str | None = None


class PlainRequest(Struct, forbid_unknown_fields=True, gc=False):
    action: _NonEmpty
    resource: str = "*"
    # No float (an integer beyond 64 bits reads as one elsewhere), no nested lists.
    context: dict[str, _Scalar | list[_Scalar]] | None = None


class PlainCase(Struct, forbid_unknown_fields=True, gc=False):
    """A case line as the fast way reads it: every field typed, each policy its JSON text."""

    principal: PlainWho
    request: PlainRequest
    id: str | int | bool | None = None
    identity_policies: list[Raw] | None = None
    permissions_boundary: Raw = ABSENT
    session_policy: Raw = ABSENT
    scps: list[list[Raw]] | None = None
    rcps: list[list[Raw]] | None = None
    resource_policy: Raw = ABSENT
    resource_policy_must_allow: bool | None = None
    endpoint_policy: Raw = ABSENT
    resource_account: str | None = None


class FreshCase(Struct, forbid_unknown_fields=True, dict=True):
    """``PlainCase`` with its documents decoded in the same pass, as typed documents: how the
    fast way reads a batch whose documents are mostly new (``PolicyCache.fresh``), where
    finding a document by its text would cost a second pass over it and find nothing. Carries
    its ``line``, where a document's text is found again if its positions are asked for."""

    principal: PlainWho
    request: PlainRequest
    id: str | int | bool | None = None
    identity_policies: list[Document] | None = None
    permissions_boundary: Document | None = None
    session_policy: Document | None = None
    scps: list[list[Document]] | None = None
    rcps: list[list[Document]] | None = None
    resource_policy: Document | None = None
    resource_policy_must_allow: bool | None = None
    endpoint_policy: Document | None = None
    resource_account: str | None = None


class InLine(Struct, gc=False):
    """Where a document read with its case stands: its text is found again (only when its
    positions or trace are asked for) by reading the line the keyed way."""

    line: str
    label: str

    def __call__(self) -> bytes:
        case = _CASE.decode(self.line)
        field, _, rest = self.label.partition("[")
        field = {"identity": "identity_policies"}.get(field, field)
        value: Any = getattr(case, field)
        for index in rest.replace("]", "").split("[") if rest else ():
            value = value[int(index)]
        return bytes(value)


class _Named(Struct, forbid_unknown_fields=True, gc=False):
    """A policy given as {"name": ..., "document": ...}."""

    document: Raw
    name: str | None = None


_CASE = msgspec.json.Decoder(PlainCase)
_NAMED = msgspec.json.Decoder(_Named)
_TEXT = msgspec.json.Decoder(str)
_FRESH = msgspec.json.Decoder(FreshCase)


def read_plain(line: str, cache: PolicyCache | None = None) -> PlainCase | FreshCase | None:
    """The case of ``line`` read the fast way, or None when the careful way must read it. While
    ``cache`` finds few of the documents it looks up, documents are read with their case."""
    if len(line) > MAX_CHARS:
        return None  # (the careful way names the bound)
    if cache is not None and (cache.fresh_left or cache.looked >= _WINDOW) and cache.fresh():
        try:
            fresh = _FRESH.decode(line)
        except (msgspec.DecodeError, RecursionError, UnicodeEncodeError):
            # A named document, JSON text, or no plain line: the keyed way tells. Lines like
            # it would be decoded twice: the keyed way judges again after a window.
            cache.fresh_left = 0
        else:
            fresh.line = line
            return fresh
    try:
        return _CASE.decode(line)
    except (msgspec.DecodeError, RecursionError, UnicodeEncodeError):
        # (msgspec encodes a str line as UTF-8 first: a lone surrogate in it, which a caller's
        # str may hold, cannot be; the careful way names it)
        return None


# Documents looked up by their text before the cache judges whether the batch brings mostly new
# ones; lines then read with their documents before it looks again.
_WINDOW = 256
_FRESH_LINES = 2048


class _Plain:
    """A document the fast way compiled, with the PolicyRef made for each place it was put."""

    __slots__ = ("policy", "refs")

    def __init__(self, policy: CompiledPolicy) -> None:
        self.policy = policy
        # By label, or (label, name) for a named document.
        self.refs: dict[str | tuple[str, str], PolicyRef] = {}


def compile_source(source: dict[str, Any] | str) -> CompiledPolicy | str:
    """A policy as the cache holds it: compiled, or the message saying why it is not one."""
    # A case's objects are fresh from decoding and never change: read them in place, without
    # positions (worked out only for the statements a result reports).
    plain = plain_policy(source)
    try:
        if plain is not None:
            return CompiledPolicy.from_plain(plain)
        return compile_policy(parse_policy(source))
    except PolicyParseError as exc:
        return str(exc)


class PolicyCache:
    """Compiled policies by their source text (parse errors too), so a policy repeated across a
    batch is compiled once; and the principals met."""

    def __init__(self, fast: bool = True) -> None:
        # Whether lines may take the fast way (the careful way alone is the reference).
        self.fast = fast
        # A policy that does not parse is remembered by its error message.
        self._compiled: dict[bytes, CompiledPolicy | str] = {}
        self._plain: dict[bytes, _Plain] = {}
        self._once: set[int] = set()  # hashes of the documents met once
        # Documents looked up by their text since the last judgement, and those met before;
        # lines still to read with their documents (``fresh``).
        self.looked = self.found = 0
        self.fresh_left = 0
        self.line = ""  # the line of the case read with its documents being built
        self.principals: dict[tuple[str, str | None], Principal] = {}
        # Result-line fragments of deciding statements, by statement and place (see simulate).
        self.fragments: dict[Any, str] = {}

    def get(self, source: Any, where: str) -> CompiledPolicy:
        """The compiled policy of a document read the careful way (an object or JSON text)."""
        if isinstance(source, str):
            key = b"s" + source.encode("utf-8", "surrogatepass")
        elif isinstance(source, dict):
            try:
                # Canonical as orjson renders it; marshal for what orjson cannot render (an
                # integer beyond 64 bits). The prefixes keep the two apart.
                key = b"o" + orjson.dumps(source)
            except TypeError:
                try:
                    key = b"m" + marshal.dumps(source, 2)
                except ValueError as exc:
                    raise CaseError(f"{where}: {exc}") from None
        else:
            raise CaseError(f"{where}: a policy must be a JSON object or a JSON string")
        found = self._compiled.get(key)
        if found is None:
            found = compile_source(source)
            if len(self._compiled) >= _CACHE_LIMIT:
                self._compiled.clear()
            self._compiled[key] = found
        if isinstance(found, str):
            raise CaseError(f"{where}: {found}")
        return found

    def ref(self, value: Any, label: str, name: str | None) -> PolicyRef:
        return PolicyRef(label, self.get(value, label), name)

    def plain_ref(self, value: Raw, label: str) -> PolicyRef:
        """``ref`` for a case read the fast way: a document the typed reading takes, found by
        its text (or one wrapped as {"name": ..., "document": ...}, or JSON text); raises
        ``NotPlain`` for anything else."""
        key = bytes(value)
        entry = self._plain.get(key)
        self.looked += 1
        if entry is not None:  # (the usual case of a batch that reuses its policies)
            self.found += 1
            found = entry.refs.get(label)
            return self._placed(entry, label, None) if found is None else found
        found = self._document(key, label, None)
        return self._other(key, label) if found is None else found

    def _document(self, key: bytes, label: str, name: str | None) -> PolicyRef | None:
        """The placed policy of a document's JSON text not met twice yet; None if the typed
        reading refuses it."""
        plain = read_policy(key)
        if plain is None:
            return None
        policy = CompiledPolicy.from_plain(plain)
        # Kept from its second meeting on: a batch where every case brings its own documents
        # keeps none of them (each is freed with its case, while its memory is still in the
        # processor's cache), only a hash of each.
        met = hash(key)
        once = self._once
        if met in once:
            self.found += 1
        else:
            if len(once) >= _ONCE_LIMIT:
                once.clear()
            once.add(met)
            return PolicyRef(label, policy, name)
        if len(self._plain) >= _CACHE_LIMIT:
            self._plain.clear()
        entry = self._plain[key] = _Plain(policy)
        return self._placed(entry, label, name)

    @staticmethod
    def _placed(entry: _Plain, label: str, name: str | None) -> PolicyRef:
        place = label if name is None else (label, name)
        found = entry.refs.get(place)
        if found is None:
            found = PolicyRef(label, entry.policy, name)
            if len(entry.refs) < 64:
                entry.refs[place] = found
        return found

    def fresh(self) -> bool:
        """Whether to read the next line with its documents: while few of the documents
        looked up in the last window were met before (a batch of new documents)."""
        if self.fresh_left:
            self.fresh_left -= 1
            return True
        if self.found * 4 < self.looked:
            self.fresh_left = _FRESH_LINES - 1
        self.looked = self.found = 0
        return self.fresh_left > 0

    def fresh_ref(self, document: Document, label: str) -> PolicyRef:
        """``plain_ref`` for a document of a case read with its documents (``FreshCase``; the
        builder sets ``line`` to its line first): not looked up."""
        statements = document_statements(document)
        if statements is None:
            raise NotPlain
        plain = PlainPolicy(document, statements, InLine(self.line, label))
        return PolicyRef(label, CompiledPolicy.from_plain(plain), None)

    def _other(self, key: bytes, label: str) -> PolicyRef:
        """A policy given as JSON text (the parser reads it, as the careful way does) or as a
        named document; ``NotPlain`` for anything else."""
        try:
            if key[:1] == b'"':
                return self.ref(_TEXT.decode(key), label, None)
            named = _NAMED.decode(key)  # an object of these members only
            document = bytes(named.document)
            if document[:1] == b'"':
                return self.ref(_TEXT.decode(document), label, named.name)
        except msgspec.DecodeError:
            raise NotPlain from None
        entry = self._plain.get(document)
        if entry is not None:  # (looked up: counted in ``plain_ref``)
            self.found += 1
            return self._placed(entry, label, named.name)
        found = self._document(document, label, named.name)
        if found is None:
            raise NotPlain
        return found


__all__ = [
    "ABSENT",
    "CaseError",
    "NotPlain",
    "PlainCase",
    "PolicyCache",
    "compile_source",
    "read_plain",
]
