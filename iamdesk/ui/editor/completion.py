"""What to offer at the cursor: element names, service prefixes, actions, condition operators,
condition keys (global and the document's actions' own) and ARN formats, from the catalog.

``completion_context`` reads the text before the cursor with a small tolerant scan (the document
is usually mid-edit and not valid JSON), tracking the chain of keys down to the cursor.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from iamdesk.core import catalog
from iamdesk.ui.editor.highlighter import ELEMENT_NAMES
from iamdesk.ui.editor.wording import OPERATORS

log = logging.getLogger(__name__)

_TOKENS = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\]:,]')
_ACTION_VALUES = re.compile(r'"(?:Not)?Action"\s*:\s*(\[[^\]]*\]|"[^"]*")')
_QUOTED = re.compile(r'"([^"\\]*)"')

STATEMENT_KEYS = tuple(k for k in sorted(ELEMENT_NAMES) if k not in ("Version", "Id", "Statement"))
QUANTIFIERS = ("ForAnyValue:", "ForAllValues:")
PRINCIPAL_KINDS = ("AWS", "Service", "Federated", "CanonicalUser")


@dataclass(frozen=True, slots=True)
class CompletionContext:
    kind: str  # "key" or "value"
    prefix: str  # the text typed so far inside the open string
    path: tuple[str, ...]  # the keys enclosing the cursor, outermost first
    key: str | None  # for a value: the key it belongs to


def completion_context(before: str) -> CompletionContext | None:
    """The context when the cursor is inside an open string, else None."""
    # The cursor must be inside an open string: an odd number of unescaped quotes on its line.
    line_start = before.rfind("\n") + 1
    quotes = [m.start() for m in re.finditer(r'(?<!\\)"', before[line_start:])]
    if len(quotes) % 2 == 0:
        return None
    opening = line_start + quotes[-1]
    prefix = before[opening + 1 :]
    stack: list[dict[str, object]] = []
    pending: str | None = None
    for match in _TOKENS.finditer(before, 0, opening):
        token = match.group()
        if token.startswith('"'):
            if stack and stack[-1]["type"] == "obj" and not stack[-1]["colon"]:
                pending = token[1:-1]
        elif token in "{[":
            parent_key = _current_key(stack)
            kind = "obj" if token == "{" else "arr"
            stack.append({"type": kind, "name": parent_key, "colon": False, "key": None})
        elif token in "}]":
            if stack:
                stack.pop()
        elif token == ":":
            if stack and stack[-1]["type"] == "obj":
                stack[-1]["colon"] = True
                stack[-1]["key"] = pending
        elif token == "," and stack and stack[-1]["type"] == "obj":
            stack[-1]["colon"] = False
            stack[-1]["key"] = None
    if not stack:
        return None
    path = tuple(str(f["name"]) for f in stack if f["name"] is not None)
    top = stack[-1]
    if top["type"] == "obj" and not top["colon"]:
        return CompletionContext("key", prefix, path, None)
    key = str(top["key"]) if top["type"] == "obj" else (str(top["name"]) if top["name"] else None)
    return CompletionContext("value", prefix, path, key)


def _current_key(stack: list[dict[str, object]]) -> str | None:
    if not stack:
        return None
    top = stack[-1]
    if top["type"] == "obj":
        return str(top["key"]) if top["key"] is not None else None
    return str(top["name"]) if top["name"] is not None else None


def document_actions(text: str) -> list[str]:
    """Every action named in the document's Action/NotAction elements."""
    found: list[str] = []
    for match in _ACTION_VALUES.finditer(text):
        found.extend(_QUOTED.findall(match.group(1)))
    return found


@functools.lru_cache(maxsize=512)
def _service_actions(prefix: str) -> tuple[str, ...]:
    return tuple(info.full_name for info in catalog.actions(prefix))


@functools.lru_cache(maxsize=1)
def _service_principals() -> tuple[str, ...]:
    # Most services' principals are their prefix under amazonaws.com (ec2, lambda, s3, ...).
    return tuple(f"{p}.amazonaws.com" for p in catalog.services())


@functools.lru_cache(maxsize=1)
def _service_prefixes() -> tuple[str, ...]:
    return tuple(f"{p}:" for p in catalog.services())


def _keys_for_actions(actions: list[str]) -> list[str]:
    keys: dict[str, None] = {}
    for name in actions:
        for expanded in catalog.expand_action(name)[:200]:
            info = catalog.action(expanded)
            if info is not None:
                keys.update(dict.fromkeys(info.all_condition_keys()))
    return list(keys)


def _arn_templates(actions: list[str]) -> list[str]:
    templates: dict[str, None] = {}
    for name in actions:
        prefix = name.split(":", 1)[0]
        for expanded in catalog.expand_action(name)[:200]:
            info = catalog.action(expanded)
            if info is None:
                continue
            for resource in info.resources:
                rtype = catalog.resource_type(prefix, resource.name)
                if rtype is not None and rtype.arn_template:
                    templates[rtype.arn_template.replace("${Partition}", "aws")] = None
    return list(templates)


def candidates(
    context: CompletionContext,
    document_text: str,
    resources: Sequence[str] = (),
    principals: Sequence[str] = (),
) -> list[str]:
    """Completions for ``context``; the caller filters them by ``context.prefix``.
    ``resources`` are modelled resource ARNs, offered in Resource before the ARN formats;
    ``principals`` are modelled account roots, users and roles, offered under Principal AWS."""
    parent = context.path[-1] if context.path else None
    in_principal = bool({"Principal", "NotPrincipal"} & set(context.path))
    if context.kind == "key" and parent in ("Principal", "NotPrincipal"):
        return list(PRINCIPAL_KINDS)
    if context.kind == "value" and (in_principal or context.key in ("Principal", "NotPrincipal")):
        if context.key == "AWS":
            return [*principals, "*"]
        if context.key == "Service":
            return list(_service_principals())
        return ["*"] if context.key in ("Principal", "NotPrincipal") else []
    if context.kind == "key":
        if parent == "Condition":
            return [q + op for q in ("", *QUANTIFIERS) for op in OPERATORS]
        if len(context.path) >= 2 and context.path[-2] == "Condition":
            return [k.name for k in catalog.GLOBAL_CONDITION_KEYS] + _keys_for_actions(
                document_actions(document_text)
            )
        if parent == "Statement":
            return list(STATEMENT_KEYS)
        if parent is None:
            return ["Version", "Id", "Statement"]
        return []
    key = context.key
    if "Condition" in context.path[:-1]:
        # A condition value: the operator is the key right under Condition.
        at = len(context.path) - 1 - context.path[::-1].index("Condition")
        operator = context.path[at + 1].split(":")[-1].removesuffix("IfExists")
        return ["true", "false"] if operator in ("Bool", "Null") else []
    if key in ("Action", "NotAction"):
        prefix, sep, _ = context.prefix.partition(":")
        if not sep:
            return list(_service_prefixes())
        return list(_service_actions(prefix.lower()))
    if key in ("Resource", "NotResource"):
        return [*resources, *_arn_templates(document_actions(document_text)), "*"]
    if key == "Effect":
        return ["Allow", "Deny"]
    if key == "Version":
        return ["2012-10-17"]
    return []


def complete(
    before: str,
    document_text: str,
    resources: Sequence[str] = (),
    principals: Sequence[str] = (),
) -> tuple[CompletionContext, list[str]] | None:
    """The context and matching completions (case-insensitive prefix), or None."""
    context = completion_context(before)
    if context is None:
        return None
    needle = context.prefix.lower()
    found = [
        c
        for c in candidates(context, document_text, resources, principals)
        if c.lower().startswith(needle)
    ]
    return context, found
