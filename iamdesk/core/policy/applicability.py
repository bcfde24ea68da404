"""Do a statement's actions and resources fit together?

Each action works on certain resource types, each with an ARN format in the catalog
(``s3:GetObject`` -> ``arn:${Partition}:s3:::${BucketName}/${ObjectName}``). A statement that
pairs ``s3:ListBucket`` with only ``arn:aws:s3:::bucket/*`` never allows listing: the request's
resource is the bucket, which no listed ARN matches. Both sides are patterns (``*``, ``?``, and
the template's placeholders), so "could they name the same resource" is a question about two
glob patterns having a common match, answered exactly by a small search over their positions.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Mapping
from typing import Any

from iamdesk.core import catalog
from iamdesk.core.policy.findings import WARNING, Path, Report, has_wildcard

log = logging.getLogger(__name__)

_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
_SLASH_FREE = frozenset({"BucketName"})
_MAX_ACTIONS = 400  # beyond this many named actions the statement is too broad to be a mistake

# A pattern is a tuple of tokens: (LITERAL, "c"); (ONE, excluded), one character not in
# ``excluded`` ("?" excludes nothing); (RUN, excluded), any run of such characters.
LITERAL, ONE, RUN = 0, 1, 2
Token = tuple[int, str]
Pattern = tuple[Token, ...]


def policy_pattern(arn: str) -> Pattern:
    """A Resource entry: ``*`` and ``?`` wildcards; a policy variable may hold anything."""
    tokens: list[Token] = []
    for i, part in enumerate(_PLACEHOLDER.split(arn)):
        if i % 2:
            tokens.append((RUN, ""))
            continue
        for ch in part:
            tokens.append((RUN, "") if ch == "*" else (ONE, "") if ch == "?" else (LITERAL, ch))
    return tuple(tokens)


def template_pattern(template: str) -> Pattern:
    """A catalog ARN format. A placeholder inside the ARN holds no ":" (names may hold "/":
    log groups "/aws/x", load balancers "net/name/id"); the last one holds anything, except an
    S3 bucket name, which never holds "/" (the bucket-versus-object mix-up is the one worth
    catching)."""
    parts = _PLACEHOLDER.split(template)
    tokens: list[Token] = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            tokens.extend((LITERAL, ch) for ch in part)
            continue
        last = i == len(parts) - 2 and parts[-1] == ""
        excluded = ":" if not last else "/" if part in _SLASH_FREE else ""
        tokens.extend(((ONE, excluded), (RUN, excluded)))  # a name is never empty
    return tuple(tokens)


def _common(x: Token, y: Token) -> bool:
    """Some single character both tokens can produce."""
    if x[0] == LITERAL and y[0] == LITERAL:
        return x[1] == y[1]
    if x[0] == LITERAL:
        return x[1] not in y[1]
    if y[0] == LITERAL:
        return y[1] not in x[1]
    return True  # two wildcards share some ordinary letter


@functools.lru_cache(maxsize=65536)
def overlap(a: Pattern, b: Pattern) -> bool:
    """Whether some string matches both patterns: a search over (position in a, position in b)
    where a run may end, or both sides produce one common character."""
    seen: set[tuple[int, int]] = set()
    stack = [(0, 0)]
    while stack:
        i, j = stack.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(a) and j == len(b):
            return True
        ta = a[i] if i < len(a) else None
        tb = b[j] if j < len(b) else None
        if ta is not None and ta[0] == RUN:
            stack.append((i + 1, j))
        if tb is not None and tb[0] == RUN:
            stack.append((i, j + 1))
        if ta is None or tb is None or not _common(ta, tb):
            continue
        ni = i if ta[0] == RUN else i + 1
        nj = j if tb[0] == RUN else j + 1
        if (ni, nj) != (i, j):
            stack.append((ni, nj))
    return False


def glob_overlap(a: str, b: str) -> bool:
    """``overlap`` for two policy patterns given as text."""
    return overlap(policy_pattern(a), policy_pattern(b))


@functools.lru_cache(maxsize=8192)
def action_templates(full_name: str) -> tuple[Pattern, ...] | None:
    """Glob forms of the ARN formats an action works on; None when the catalog cannot say.

    Actions the reference lists without resource types are "cannot say" too: several of them
    (iam:ListRoles, logs:DescribeLogGroups) are in fact authorized against ARNs."""
    info = catalog.action(full_name)
    if info is None or not info.resources:
        return None
    templates = []
    for resource in info.resources:
        rtype = catalog.resource_type(info.service, resource.name)
        if rtype is None or not rtype.arn_template:
            return None
        templates.append(template_pattern(rtype.arn_template))
    return tuple(templates)


def _fits(templates: frozenset[Pattern], resource: str) -> bool:
    pattern = policy_pattern(resource)
    return any(overlap(t, pattern) for t in templates)


@functools.lru_cache(maxsize=8192)
def entry_templates(entry: str) -> frozenset[Pattern] | None:
    """Every ARN format the actions an ``Action`` entry names work on; None when the catalog
    cannot speak for all of them (or the entry names too many to be a slip)."""
    names = catalog.expand_action(entry) if has_wildcard(entry) else (entry,)
    if len(names) > _MAX_ACTIONS:
        return None
    found: set[Pattern] = set()
    for name in names:
        templates = action_templates(name)
        if templates is None:
            return None
        found.update(templates)
    return frozenset(found)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def check_statement(report: Report, path: Path, st: Mapping[str, Any]) -> None:
    """Actions none of whose resource types any listed ARN can name, and ARNs that none of the
    statement's actions work on (WARNING ``ACTION_RESOURCE_MISMATCH``)."""
    if "Action" not in st or "Resource" not in st:
        return
    resources = [r for r in _as_list(st["Resource"]) if isinstance(r, str)]
    if not resources or any(policy_pattern(r) == ((RUN, ""),) for r in resources):
        return
    actions = _as_list(st["Action"])
    listed = isinstance(st["Action"], list)
    judged = True  # every entry's resource types known, so the resources can be judged too
    every: set[Pattern] = set()
    for i, entry in enumerate(actions):
        if not isinstance(entry, str):
            continue
        templates = None if entry in ("*", "*:*") else entry_templates(entry)
        if templates is None:
            judged = False
            continue
        every.update(templates)
        if not has_wildcard(entry) and not any(_fits(templates, r) for r in resources):
            where = (*path, "Action", i) if listed else (*path, "Action")
            _report_action(report, where, entry)
    if not judged or not every:
        return
    frozen = frozenset(every)
    for k, resource in enumerate(_as_list(st["Resource"])):
        if isinstance(resource, str) and not _fits(frozen, resource):
            where = (
                (*path, "Resource", k) if isinstance(st["Resource"], list) else (*path, "Resource")
            )
            report.add(
                WARNING,
                "ACTION_RESOURCE_MISMATCH",
                f"None of the statement's actions works on {resource}: the statement never "
                "applies to it. Check the resource type each action needs.",
                report.raw.span(where),
            )


def _report_action(report: Report, path: Path, action: str) -> None:
    info = catalog.action(action)
    if info is None:
        return
    formats = []
    for resource in info.resources:
        rtype = catalog.resource_type(info.service, resource.name)
        if rtype is not None:
            formats.append(f"{resource.name} ({rtype.arn_template})")
    report.add(
        WARNING,
        "ACTION_RESOURCE_MISMATCH",
        f"{info.full_name} never applies to the statement's resources: it works on "
        f"{', '.join(formats)}.",
        report.raw.span(path),
    )
