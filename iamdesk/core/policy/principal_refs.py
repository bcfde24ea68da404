"""The IAM users and roles a trust or resource policy names in ``Principal``/``NotPrincipal``,
and rewriting those names in the text.

AWS keeps such a principal by the entity's unique ID: saving a policy that names a user or role
that does not exist fails, deleting the entity leaves its old ID (``AIDA…``/``AROA…``) where the
ARN was, and a user created again under the same name is a different principal the policy does
not name. The services decide what to write (they know which entities exist); this module only
finds the names and replaces them where they stand, leaving every other byte of the text, so
positions elsewhere in the document and the author's layout survive.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Mapping

from iamdesk.core.policy.document import PolicyDocument, Value
from iamdesk.core.policy.parser import parse_policy

log = logging.getLogger(__name__)

# A user or role ARN without wildcards: the only principals IAM resolves to a unique ID.
ENTITY_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):(user|role)/[\w+=,.@/-]+", re.ASCII)
UNIQUE_ID = re.compile(r"A(?:IDA|ROA)[A-Z0-9]{12,}", re.ASCII)


def aws_principal_values(document: PolicyDocument) -> Iterator[Value]:
    """Every ``AWS`` value of every ``Principal`` and ``NotPrincipal``, in document order."""
    for statement in document.statements:
        for block in (statement.principal, statement.not_principal):
            if block is None:
                continue
            for principal_type, values in block.entries:
                if principal_type == "AWS":
                    yield from values


def entity_arns(document: PolicyDocument) -> list[str]:
    """The user and role ARNs the document names as principals, each once, in order."""
    seen: dict[str, None] = {}
    for value in aws_principal_values(document):
        if ENTITY_ARN.fullmatch(value.text):
            seen.setdefault(value.text)
    return list(seen)


def replace_principals(text: str, replacements: Mapping[str, str]) -> str:
    """``text`` with each ``AWS`` principal value found in ``replacements`` replaced by its
    mapped value; values elsewhere (a ``Condition`` on ``aws:PrincipalArn`` naming the same ARN,
    a ``Resource``) are kept, as AWS keeps them."""
    if not replacements or not any(old in text for old in replacements):
        return text
    document = parse_policy(text)
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    edits = []
    for value in aws_principal_values(document):
        new = replacements.get(value.text)
        if new is not None:
            start = line_starts[value.span.start.line - 1] + value.span.start.column - 1
            end = line_starts[value.span.end.line - 1] + value.span.end.column - 1
            edits.append((start, end, json.dumps(new)))
    for start, end, token in sorted(edits, reverse=True):
        text = text[:start] + token + text[end:]
    return text
