"""Reading a batch case line, and the policies it brings, as fast as a plain line allows.

The careful reading (``jsontext.loads``, then ``build_case`` with ``PolicyCache.ref``) bounds
depth, refuses NaN, Infinity and numbers beyond a float, checks Unicode and names whatever is
wrong. Most lines are plain, and for them ``read_plain`` decodes with orjson, about twice as
fast as json's C scanner, and ``PolicyCache.plain_ref`` finds a document met before by orjson's
compact rendering of it (canonical: it tells 1 from 1.0 from true and keeps key order), so a
batch that asks many questions of a few policies compiles each once.

orjson reads a few inputs differently from json, so a line takes the fast way only where the
two agree, and any doubt sends it the careful way, which gives the value or the error it
always gave:
- what orjson refuses (NaN, Infinity, 1e400, a lone surrogate, a control character, a trailing
  comma...) is read carefully, and the careful reading names the error;
- orjson reads an integer beyond 64 bits as a float, so the fast way takes no float where the
  batch reads one (the id, the request's context, a policy: ``plain_statements`` takes none);
- orjson allows 1,024 levels of nesting, json here 64: a document the fast way takes is
  shallow by its shape, and every other container of the case is checked (``builder``).
"""

from __future__ import annotations

import logging
import marshal
from typing import Any

import orjson

from iamdesk.core.evaluator import CompiledPolicy, PolicyRef, Principal, compile_policy
from iamdesk.core.policy.document import PolicyParseError
from iamdesk.core.policy.parser import parse_policy
from iamdesk.core.policy.plain import plain_statements

logger = logging.getLogger(__name__)

_CACHE_LIMIT = 20000
# Documents met once, remembered by a hash of their text (see ``plain_ref``).
_ONCE_LIMIT = 65536


class CaseError(ValueError):
    """A case that cannot be evaluated; the message names the field."""


class NotPlain(Exception):
    """The fast reading declines the line: read it the careful way."""


def read_plain(line: str) -> dict[str, Any] | None:
    """The case object of ``line`` decoded the fast way, or None when orjson refuses it."""
    try:
        case = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    return case if type(case) is dict else None


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
    statements = plain_statements(source) if type(source) is dict else None
    try:
        if statements is not None:
            return CompiledPolicy.from_plain(source, statements)  # type: ignore[arg-type]
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

    def plain_ref(self, value: Any, label: str) -> PolicyRef:
        """``ref`` for a case read the fast way: a document ``plain_statements`` takes (or one
        wrapped as {"name": ..., "document": ...}), found by its compact text; raises
        ``NotPlain`` for anything else."""
        if type(value) is not dict:
            if type(value) is str:
                return self.ref(value, label, None)  # JSON text: orjson read it exactly
            raise NotPlain
        name = None
        if "Statement" not in value and "document" in value:
            name = value.get("name")
            # Another member, which nobody reads, is the careful way's to check.
            if (name is not None and type(name) is not str) or len(value) > 1 + ("name" in value):
                raise NotPlain
            value = value["document"]
            if type(value) is not dict:
                if type(value) is str:
                    return self.ref(value, label, name)
                raise NotPlain
        key = orjson.dumps(value)
        entry = self._plain.get(key)
        if entry is None:
            statements = plain_statements(value)
            if statements is None:
                raise NotPlain
            policy = CompiledPolicy.from_plain(value, statements)
            # Kept from its second meeting on: a batch where every case brings its own
            # documents keeps none of them (each is freed with its case, while its memory is
            # still in the processor's cache), only a hash of each.
            met = hash(key)
            if met not in self._once:
                if len(self._once) >= _ONCE_LIMIT:
                    self._once.clear()
                self._once.add(met)
                return PolicyRef(label, policy, name)
            if len(self._plain) >= _CACHE_LIMIT:
                self._plain.clear()
            entry = self._plain[key] = _Plain(policy)
        place = label if name is None else (label, name)
        found = entry.refs.get(place)
        if found is None:
            found = PolicyRef(label, entry.policy, name)
            if len(entry.refs) < 64:
                entry.refs[place] = found
        return found


__all__ = [
    "CaseError",
    "NotPlain",
    "PolicyCache",
    "compile_source",
    "read_plain",
]
