"""ARNs: parsing, and the wildcard matching IAM applies to Resource elements and Arn* conditions.

IAM compares an ARN pattern with an ARN segment by segment: partition, service, region and
account are matched on their own (a wildcard there never crosses a colon), and the resource part,
which may itself hold colons and slashes, is matched as a whole (``*`` spans ``/`` and ``:``).
Patterns are compiled to regular expressions once and cached by their text, because the same
few patterns are matched millions of times in account-wide analyses.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

logger = logging.getLogger(__name__)

# Wildcard characters that came from a policy variable's value (or from ${*} / ${?}) are literal,
# not wildcards; the variable substitution marks them with these private-use characters.
LITERAL_STAR = "\ue000"
LITERAL_QMARK = "\ue001"

Matcher = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"

    @property
    def resource_type(self) -> str:
        """The part of the resource before the first ``/`` or ``:`` (``user``, ``role``...)."""
        for i, ch in enumerate(self.resource):
            if ch in "/:":
                return self.resource[:i]
        return self.resource


class ArnError(ValueError):
    pass


def parse_arn(text: str) -> Arn:
    """Split ``arn:partition:service:region:account:resource``; raise ArnError if not an ARN."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise ArnError(f"{text!r} is not an ARN (arn:partition:service:region:account:resource)")
    if not parts[1] or not parts[2]:
        raise ArnError(f"{text!r} is not an ARN: partition and service must not be empty")
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def try_parse_arn(text: str) -> Arn | None:
    try:
        return parse_arn(text)
    except ArnError:
        return None


def _glob_body(pattern: str, *, star: str, qmark: str) -> str:
    out: list[str] = []
    for ch in pattern:
        if ch == "*":
            out.append(star)
        elif ch == "?":
            out.append(qmark)
        elif ch == LITERAL_STAR:
            out.append(r"\*")
        elif ch == LITERAL_QMARK:
            out.append(r"\?")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


@lru_cache(maxsize=65536)
def glob_regex(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    """``*`` = any run of characters (also none), ``?`` = any one character; all else literal."""
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile(_glob_body(pattern, star=".*", qmark="."), flags)


def unmark(text: str) -> str:
    """Turn the literal-wildcard marks back into the characters they stand for."""
    if LITERAL_STAR in text or LITERAL_QMARK in text:
        return text.replace(LITERAL_STAR, "*").replace(LITERAL_QMARK, "?")
    return text


@lru_cache(maxsize=65536)
def glob_matcher(pattern: str, ignore_case: bool = False) -> Matcher:
    """A predicate for a plain wildcard pattern (String*Like, actions). Fast paths for the
    common shapes: no wildcard at all, ``*`` alone, and ``prefix*``."""
    if pattern == "*":
        return _always
    if not has_wildcard(pattern):
        literal = unmark(pattern)
        if ignore_case:
            folded = literal.casefold()
            return lambda value: value.casefold() == folded
        return literal.__eq__
    body = pattern[:-1]
    if pattern.endswith("*") and not has_wildcard(body) and not ignore_case:
        prefix = unmark(body)
        return lambda value: value.startswith(prefix)
    regex = glob_regex(pattern, ignore_case)
    return lambda value: regex.fullmatch(value) is not None


def _always(_value: str) -> bool:
    return True


def _never(_value: str) -> bool:
    return False


@lru_cache(maxsize=65536)
def arn_regex(pattern: str, segment_ignore_case: bool) -> re.Pattern[str] | None:
    """A regex for an ARN pattern, or None when the pattern is not ARN-shaped."""
    parts = pattern.split(":", 5)
    if len(parts) != 6:
        return None
    segments = [_glob_body(p, star="[^:]*", qmark="[^:]") for p in parts[:5]]
    head = ":".join(segments)
    if segment_ignore_case:
        head = f"(?i:{head})"
    tail = _glob_body(parts[5], star=".*", qmark=".")
    return re.compile(f"{head}:{tail}", re.DOTALL)


@lru_cache(maxsize=65536)
def resource_matcher(pattern: str) -> Matcher:
    """A predicate for a ``Resource`` pattern against a request's resource.

    The service, region and account segments are compared case-insensitively, the resource
    part case-sensitively (IAM treats resource names as case-sensitive)."""
    if pattern == "*":
        return _always
    regex = arn_regex(pattern, True)
    if regex is None:
        return glob_matcher(pattern)
    if not has_wildcard(pattern):
        parts = unmark(pattern).split(":", 5)
        head = ":".join(parts[:5]).lower() + ":"
        tail = parts[5]
        size = len(head) + len(tail)
        return lambda value: (
            len(value) == size and value.endswith(tail) and value[: len(head)].lower() == head
        )
    return lambda value: regex.fullmatch(value) is not None


@lru_cache(maxsize=65536)
def arn_condition_matcher(pattern: str) -> Matcher:
    """ArnEquals/ArnLike: each of the six components compared on its own, case-sensitively,
    with ``*`` and ``?`` wildcards; a value that is not an ARN never matches.

    A wildcard never spans a ``:``, so a pattern of fewer than six components
    (``arn:aws:iam::*``) names no ARN and matches nothing; ``*`` alone still matches any value."""
    regex = arn_regex(pattern, False)
    if regex is None:
        return _always if pattern == "*" else _never
    return lambda value: regex.fullmatch(value) is not None
