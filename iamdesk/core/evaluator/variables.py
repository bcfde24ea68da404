"""Policy variables: ``${aws:username}``, ``${aws:PrincipalTag/team}``, ``${key, 'default'}``
and the escapes ``${*}``, ``${?}``, ``${$}``.

Only documents with ``"Version": "2012-10-17"`` substitute variables; elsewhere ``${...}`` is
literal text. A value is split into literal text and variable references once, when the policy is
compiled. A substituted value is literal text: wildcard characters in it are marked so pattern
matchers do not treat them as wildcards. A variable with no value and no default makes the whole
value unresolvable (``None``), which the caller turns into "cannot match".
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from iamdesk.core.arn import LITERAL_QMARK, LITERAL_STAR
from iamdesk.core.evaluator.request import Env

logger = logging.getLogger(__name__)

VARIABLES_VERSION = "2012-10-17"

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$")
_ESCAPES = {"*": LITERAL_STAR, "?": LITERAL_QMARK, "$": "$"}
_MARK = str.maketrans({"*": LITERAL_STAR, "?": LITERAL_QMARK})


@dataclass(frozen=True, slots=True)
class Variable:
    key: str  # lower-case context key
    written: str  # as the policy wrote it, for messages
    default: str | None


Part = str | Variable


@dataclass(frozen=True, slots=True)
class Template:
    """A value with variables: literal strings and ``Variable`` references in order."""

    parts: tuple[Part, ...]
    text: str

    @property
    def variables(self) -> tuple[Variable, ...]:
        return tuple(p for p in self.parts if isinstance(p, Variable))

    def resolve(self, env: Env) -> str | None:
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = env.single(part.key)
            if value is None:
                if part.default is None:
                    return None
                value = part.default
            out.append(value.translate(_MARK))
        return "".join(out)


def parse_template(text: str) -> Template | str:
    """Split ``text`` into a Template when it holds variables; else return it unchanged."""
    if "${" not in text:
        return text
    parts: list[Part] = []
    pos = 0
    for m in _VARIABLE.finditer(text):
        inner = m.group(1)
        if m.start() > pos:
            parts.append(text[pos : m.start()])
        pos = m.end()
        stripped = inner.strip()
        if stripped in _ESCAPES:
            parts.append(_ESCAPES[stripped])
            continue
        dm = _DEFAULT.match(inner)
        if dm:
            parts.append(Variable(dm.group(1).lower(), dm.group(1), dm.group(2)))
        elif stripped and "," not in stripped and " " not in stripped:
            parts.append(Variable(stripped.lower(), stripped, None))
        else:
            parts.append(m.group())  # not a variable IAM recognises: literal text
    if pos < len(text):
        parts.append(text[pos:])
    if not any(isinstance(p, Variable) for p in parts):
        return "".join(p for p in parts if isinstance(p, str))
    return Template(tuple(parts), text)
