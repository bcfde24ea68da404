"""Policies compiled for evaluation: every statement's matchers built once, statements indexed by
the service prefix of the actions they can match, so a request looks only at candidates."""

from __future__ import annotations

import logging
import marshal
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from iamdesk.core.evaluator.matcher_cache import may_match, plain_action_hits
from iamdesk.core.evaluator.policy_set import PolicyRef, PolicySet, resource_policy_must_allow
from iamdesk.core.evaluator.statement import CompiledStatement
from iamdesk.core.evaluator.variables import VARIABLES_VERSION
from iamdesk.core.policy.document import ConditionEntry, PolicyDocument, Span
from iamdesk.core.policy.parser import parse_policy
from iamdesk.core.policy.plain import PlainPolicy, plain_policy
from iamdesk.core.policy.typed import Statement

logger = logging.getLogger(__name__)

# Re-exported: where the rest of the evaluator has always found them.
__all__ = [
    "CompiledPolicy",
    "CompiledStatement",
    "PolicyRef",
    "PolicySet",
    "compile_policy",
    "resource_policy_must_allow",
]


# The memo of a policy that has remembered nothing yet (read-only, so shared).
_UNWRITTEN: Any = MappingProxyType({})


class CompiledPolicy:
    """A parsed document with its statements compiled; evaluate it against many requests.

    A policy object read without positions (``from_plain``) compiles a statement only when a
    request's action may match it, and parses the document (for positions and traces) only when
    asked for ``document``."""

    __slots__ = (
        "_by_action",
        "_by_service",
        "_compiled",
        "_document",
        "_indexed",
        "_origin",
        "_plain",
        "_variables",
        "_wild",
    )

    def __init__(self, document: PolicyDocument) -> None:
        self._document: PolicyDocument | None = document
        self._origin: PlainPolicy | None = None
        self._plain: list[Statement] = []
        self._variables = document.version == VARIABLES_VERSION
        compiled = [CompiledStatement(s, self._variables) for s in document.statements]
        self._compiled: list[CompiledStatement | None] = list(compiled)
        self._index([st.services for st in compiled])

    @classmethod
    def from_plain(cls, plain: PlainPolicy) -> CompiledPolicy:
        """Compile a policy read as typed statements; the parser reads it later, if positions or
        traces are asked for."""
        self = cls.__new__(cls)
        self._document = None
        self._origin = plain
        self._plain = plain.statements
        self._variables = plain.typed.get("Version") == VARIABLES_VERSION
        self._compiled = [None] * len(self._plain)
        # No index: a policy read this way is often asked one question; ``candidates`` scans
        # the Action lists for the service asked about (and remembers the answer). Nor any
        # memo until there is something to remember.
        self._indexed = None
        self._wild = ()
        self._by_service = _UNWRITTEN
        self._by_action = _UNWRITTEN
        return self

    def _index(self, services: list[frozenset[str] | None]) -> None:
        indexed: dict[str, list[int]] = {}
        wild: list[int] = []
        for i, found in enumerate(services):
            if found is None:
                wild.append(i)
            else:
                for service in found:
                    indexed.setdefault(service, []).append(i)
        self._indexed: dict[str, list[int]] | None = indexed
        self._wild: tuple[int, ...] = tuple(wild)
        self._by_service: dict[str, tuple[CompiledStatement, ...]] = {}
        self._by_action: dict[str, tuple[CompiledStatement, ...]] = {}

    @property
    def document(self) -> PolicyDocument:
        found = self._document
        if found is None:
            assert self._origin is not None
            found = self._document = self._origin.document
        return found

    @property
    def statements(self) -> tuple[CompiledStatement, ...]:
        return tuple(self._statement(i) for i in range(len(self._compiled)))

    def _statement(self, index: int) -> CompiledStatement:
        found = self._compiled[index]
        if found is None:
            origin = self._origin
            assert origin is not None
            found = CompiledStatement.from_plain(self._plain[index], index, self._variables, origin)
            self._compiled[index] = found
        return found

    def statement_span(self, index: int) -> Span:
        if self._origin is not None:
            return self._origin.statement_span(index)
        return self.document.statements[index].span

    def condition_entry(self, statement: int, condition: int) -> ConditionEntry:
        return self.document.statements[statement].conditions[condition]

    def for_action(self, action: str) -> tuple[CompiledStatement, ...]:
        """Statements whose Action/NotAction matches ``action`` (lower case), in document order.
        Remembered per action: account-wide queries ask the same actions of every policy."""
        found = self._by_action.get(action)
        if found is None:
            if self._indexed is None:
                # Read without an index (often asked one question): compile only the
                # statements whose Action matches, found on the plain statements.
                hits = plain_action_hits(self._plain, action)
                compiled = self._compiled
                found = tuple([compiled[i] or self._statement(i) for i in hits]) if hits else ()
            else:
                found = tuple(
                    st
                    for st in self.candidates(action.partition(":")[0])
                    if st.action(action) != st.not_action
                )
            memo = self._by_action
            if memo is _UNWRITTEN:
                memo = self._by_action = {}
            elif len(memo) >= 4096:
                memo.clear()
            memo[action] = found
        return found

    def candidates(self, service: str) -> tuple[CompiledStatement, ...]:
        """Statements that can match an action of ``service`` (lower case), in document order."""
        found = self._by_service.get(service)
        if found is None:
            if self._indexed is None:
                order = [i for i, raw in enumerate(self._plain) if may_match(raw, service)]
            else:
                order = sorted(set(self._wild) | set(self._indexed.get(service, ())))
            found = tuple(self._statement(i) for i in order)
            if self._by_service is _UNWRITTEN:
                self._by_service = {}
            if len(self._by_service) < 4096:
                self._by_service[service] = found
        return found


def compile_policy(doc: PolicyDocument | str | Mapping[str, Any]) -> CompiledPolicy:
    """Compile a parsed document (or parse text / an object first). An object is copied and
    read without positions; its positions are worked out when they are reported."""
    if isinstance(doc, PolicyDocument):
        return CompiledPolicy(doc)
    if type(doc) is dict:
        try:
            copy = marshal.loads(marshal.dumps(doc, 2))
        except ValueError:  # not plain JSON data: the parser says what is wrong
            copy = None
        plain = plain_policy(copy) if copy is not None else None
        if plain is not None:
            return CompiledPolicy.from_plain(plain)
    return CompiledPolicy(parse_policy(doc))
