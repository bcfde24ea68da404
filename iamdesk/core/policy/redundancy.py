"""Redundant actions, resources and statements, and over-broad grants of sensitive actions.

An action entry is redundant when another entry of the same statement already names every
action it names (by the catalog's expansion); a resource is redundant when another resource
pattern, using only ``*``, matches it as text (then it matches everything the first one does).
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from iamdesk.core import catalog
from iamdesk.core.policy.findings import SECURITY_WARNING, SUGGESTION, WARNING, Path, Report

log = logging.getLogger(__name__)


_EVERYTHING = frozenset({"*", "*:*"})


@functools.lru_cache(maxsize=8192)
def _action_set(pattern: str) -> frozenset[str]:
    """The actions an entry names (lower case). Not for ``*``: see ``_everything``."""
    return frozenset(name.lower() for name in catalog.expand_action(pattern))


def _everything(pattern: str) -> bool:
    # Every action; expanding it would load the whole catalog just to compare sets.
    return pattern in _EVERYTHING


@functools.lru_cache(maxsize=8192)
def _glob(pattern: str) -> re.Pattern[str]:
    parts = (".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile("".join(parts), re.DOTALL)


def _covers(outer: str, inner: str) -> bool:
    """Every resource ``inner`` can name is also named by ``outer`` (sound, not complete)."""
    if outer == inner:
        return True
    if "?" in outer or "*" not in outer or "${" in outer or "${" in inner:
        return False
    return _glob(outer).fullmatch(inner) is not None


def _redundant_actions(texts: list[str]) -> list[int]:
    """Indexes of entries that another entry makes redundant (the later of two equals).

    Indexed by action name so that a statement listing a thousand actions (ReadOnlyAccess)
    costs a pass over its names rather than a million set comparisons."""
    star = next((i for i, t in enumerate(texts) if _everything(t)), None)
    if star is not None:
        return [i for i, t in enumerate(texts) if i != star and (_everything(t) or _action_set(t))]
    sets = [_action_set(t) for t in texts]
    owners: dict[str, list[int]] = {}
    for i, names in enumerate(sets):
        for name in names:
            owners.setdefault(name, []).append(i)
    redundant = []
    for i, mine in enumerate(sets):
        if not mine:
            continue
        candidates: set[int] | None = None
        for name in sorted(mine, key=lambda n: len(owners[n])):
            holders = set(owners[name])
            candidates = holders if candidates is None else candidates & holders
            if len(candidates) <= 1:
                break
        others = (candidates or set()) - {i}
        if any(sets[j] != mine or j < i for j in others):
            redundant.append(i)
    return redundant


def check_actions(report: Report, items: list[tuple[str, Path]]) -> None:
    texts = [text for text, _ in items]
    for i in _redundant_actions(texts):
        text, where = items[i]
        report.add(
            SUGGESTION,
            "REDUNDANT_ACTION",
            f"The {text} action(s) are redundant because they provide similar permissions. "
            f"Update the policy to remove the redundant action such as: {text}.",
            report.raw.span(where),
        )


class _Covering:
    """Which of many resource patterns name a given resource text (equal, or a ``*`` pattern
    that ``_covers`` it), found without comparing every pair: a pattern can cover a text only
    if the text starts with the pattern's literal prefix (what precedes its first ``*``), so
    patterns are filed by prefix and a text looks up its own prefixes of those lengths."""

    def __init__(self, patterns: list[tuple[str, int]]) -> None:
        self.exact: dict[str, list[int]] = {}
        self.wild: dict[str, list[tuple[str, int]]] = {}
        for pattern, owner in patterns:
            self.exact.setdefault(pattern, []).append(owner)
            if "*" in pattern and "?" not in pattern and "${" not in pattern:
                prefix = pattern[: pattern.index("*")]
                self.wild.setdefault(prefix, []).append((pattern, owner))
        self.lengths = sorted({len(prefix) for prefix in self.wild})

    def owners(self, text: str) -> list[int]:
        """Owners of the patterns that name ``text``, in ascending order."""
        found = set(self.exact.get(text, ()))
        if "${" not in text:
            for length in self.lengths:
                if length > len(text):
                    break
                for pattern, owner in self.wild.get(text[:length], ()):
                    if owner not in found and _covers(pattern, text):
                        found.add(owner)
        return sorted(found)


def _redundant_resources(texts: list[str]) -> list[int]:
    index = _Covering([(text, i) for i, text in enumerate(texts)])
    redundant = []
    for i, mine in enumerate(texts):
        for j in index.owners(mine):
            if i == j:
                continue
            if (mine == texts[j] and j < i) or mine != texts[j]:
                redundant.append(i)
                break
    return redundant


def check_resources(report: Report, items: list[tuple[str, Path]]) -> None:
    texts = [text for text, _ in items]
    for i in _redundant_resources(texts):
        text, where = items[i]
        report.add(
            SUGGESTION,
            "REDUNDANT_RESOURCE",
            f"The {text} resource ARN(s) are redundant because they reference the same "
            "resource. Review the use of wildcards (*)",
            report.raw.span(where),
        )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


_SAME = ("Effect", "Principal", "NotPrincipal", "Condition", "NotAction", "NotResource")


def _signature(st: Mapping[str, Any]) -> str:
    """What two statements must share for one to include the other: the elements compared
    whole, and which of Action/Resource they use."""
    shared = [st.get(e) for e in _SAME] + ["Action" in st, "Resource" in st]
    return json.dumps(shared, sort_keys=True, default=str)


def _includes(outer: Mapping[str, Any], inner: Mapping[str, Any]) -> bool:
    """``outer`` grants (or denies) everything ``inner`` does; both have the same signature."""
    if "Action" in outer:
        mine = [a for a in _as_list(inner["Action"]) if isinstance(a, str)]
        theirs = [a for a in _as_list(outer["Action"]) if isinstance(a, str)]
        if sorted(a.lower() for a in mine) != sorted(a.lower() for a in theirs) and not any(
            _everything(a) for a in theirs
        ):
            if not mine or any(_everything(a) for a in mine):
                return False
            covered: frozenset[str] = frozenset().union(*(_action_set(a) for a in theirs))
            if not all(_action_set(a) and _action_set(a) <= covered for a in mine):
                return False
    if "Resource" in outer:
        mine = [r for r in _as_list(inner["Resource"]) if isinstance(r, str)]
        theirs = [r for r in _as_list(outer["Resource"]) if isinstance(r, str)]
        if not mine or not all(any(_covers(o, r) for o in theirs) for r in mine):
            return False
    return True


def _strings(value: Any) -> list[str]:
    return [v for v in _as_list(value) if isinstance(v, str)]


def _candidates(statements: list[Mapping[str, Any]], members: list[int]) -> dict[int, list[int]]:
    """For each member, the members that may include it (ascending): those whose Resource
    names its first resource, or, without Resource, whose Action lists its first action or a
    wildcard. Every other pair fails ``_includes`` at once, so only these are compared."""
    found: dict[int, list[int]] = {}
    if all("Resource" in statements[i] for i in members):
        index = _Covering([(r, i) for i in members for r in _strings(statements[i]["Resource"])])
        for i in members:
            mine = _strings(statements[i]["Resource"])
            found[i] = index.owners(mine[0]) if mine else []
        return found
    wild = [i for i in members if any("*" in a for a in _strings(statements[i].get("Action")))]
    named: dict[str, set[int]] = {}
    for i in members:
        for a in _strings(statements[i].get("Action")):
            named.setdefault(a.lower(), set()).add(i)
    for i in members:
        mine = _strings(statements[i].get("Action"))
        if "Action" not in statements[i] or not mine or "*" in mine[0] or "?" in mine[0]:
            # A wildcard may be covered by a list of the actions it expands to.
            found[i] = list(members)
        else:
            found[i] = sorted(named.get(mine[0].lower(), set()).union(wild))
    return found


def check_statements(report: Report, statements: list[tuple[Path, Mapping[str, Any]]]) -> None:
    """A statement that another statement fully includes adds nothing (the later of twins).
    Only statements with the same signature can include each other, so compare within those,
    and there only with the statements that may include it (``_candidates``)."""
    groups: dict[str, list[int]] = {}
    for i, (_, st) in enumerate(statements):
        groups.setdefault(_signature(st), []).append(i)
    documents = [st for _, st in statements]
    flagged: set[int] = set()
    for members in groups.values():
        candidates = _candidates(documents, members)
        for i in members:
            mine = documents[i]
            for j in candidates[i]:
                if i == j or j in flagged:
                    continue
                other = documents[j]
                if _includes(other, mine) and (j < i or not _includes(mine, other)):
                    flagged.add(i)
                    report.add(
                        SUGGESTION,
                        "REDUNDANT_STATEMENT",
                        "The statements are redundant because they provide identical "
                        "permissions. Update the policy to remove the redundant statement.",
                        report.raw.span(statements[i][0]),
                    )
                    break


# Probes: a resource pattern that matches both can name any role in any account.
_ROLE_PROBES = (
    "arn:aws:iam::123456789012:role/QzX7k",
    "arn:aws:iam::210987654321:role/path/Wv3Jq",
)

_SENSITIVE = {
    # action -> (severity, code stem, what the grant allows)
    "iam:passrole": (
        SECURITY_WARNING,
        "PASS_ROLE",
        "iam:PassRole permissions on multiple resources",
        " or add the iam:PassedToService condition key to your statement",
    ),
    "iam:createservicelinkedrole": (
        WARNING,
        "CREATE_SLR",
        "creation of unintended service-linked roles",
        "",
    ),
}


def _any_role(patterns: list[str]) -> bool:
    return any(all(_glob(p).fullmatch(probe) for probe in _ROLE_PROBES) for p in patterns)


def _action_grant(st: Mapping[str, Any], action: str) -> str | None:
    """How a statement's actions reach ``action``: "exact", "star", "notaction" or None."""
    if "Action" in st:
        entries = [a for a in _as_list(st["Action"]) if isinstance(a, str)]
        if any(a.lower() == action for a in entries):
            return "exact"
        if any(_everything(a) or action in _action_set(a) for a in entries):
            return "star"
        return None
    if "NotAction" in st:
        entries = [a for a in _as_list(st["NotAction"]) if isinstance(a, str)]
        if any(_everything(a) or action in _action_set(a) for a in entries):
            return None
        return "notaction"
    return None


def check_sensitive_actions(
    report: Report, path: Path, st: Mapping[str, Any], effect: str | None
) -> None:
    """Allow statements that grant iam:PassRole or iam:CreateServiceLinkedRole on any role."""
    if effect != "Allow":
        return
    for action, (severity, stem, what, advice) in _SENSITIVE.items():
        grant = _action_grant(st, action)
        if grant is None:
            continue
        if action == "iam:passrole" and _mentions_key(st, "iam:passedtoservice"):
            continue
        if "Resource" in st:
            resources = [r for r in _as_list(st["Resource"]) if isinstance(r, str)]
            if not _any_role(resources):
                continue
            resource_part = "star in resource" if grant != "star" else "star in action and resource"
            code = {
                "exact": f"{stem}_WITH_STAR_IN_RESOURCE",
                "star": f"{stem}_WITH_STAR_IN_ACTION_AND_RESOURCE",
                "notaction": f"{stem}_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
            }[grant]
            where = (*path, "Resource")
        elif "NotResource" in st:
            excluded = [r for r in _as_list(st["NotResource"]) if isinstance(r, str)]
            if any(_glob(r).fullmatch(_ROLE_PROBES[0]) for r in excluded):
                continue
            resource_part = "NotResource"
            code = {
                "exact": f"{stem}_WITH_NOT_RESOURCE",
                "star": f"{stem}_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
                "notaction": f"{stem}_WITH_NOT_ACTION_AND_NOT_RESOURCE",
            }[grant]
            where = (*path, "NotResource")
        else:
            continue
        report.add(
            severity,
            code,
            f"Granting {catalog_name(action)} with {resource_part} can allow {what}. We "
            f"recommend that you specify resource ARNs{advice}.",
            report.raw.span(where),
        )


def catalog_name(action: str) -> str:
    info = catalog.action(action)
    return info.full_name if info is not None else action


def _mentions_key(st: Mapping[str, Any], key: str) -> bool:
    block = st.get("Condition")
    if not isinstance(block, Mapping):
        return False
    return any(
        isinstance(keys, Mapping) and any(k.lower() == key for k in keys) for keys in block.values()
    )
