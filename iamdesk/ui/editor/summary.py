"""The policy summary the AWS console shows: per service, the access level a policy grants.

Computed from the document's JSON and the action catalog. Access levels follow the console's
wording: "Full access" when every action of the service is granted, otherwise for each level
("List", "Read", "Write", "Permissions management", "Tagging") "Full" or "Limited".
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from iamdesk.core import catalog, jsontext
from iamdesk.ui.editor.wording import condition_phrase

log = logging.getLogger(__name__)


@dataclass
class ServiceSummary:
    effect: str  # "Allow" or "Deny"
    service: str  # prefix, or "*" for every service
    service_name: str
    granted: set[str] = field(default_factory=set)  # full action names
    total: int = 0
    level_counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # level -> (n, of)
    resources: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    wildcard_notes: list[str] = field(default_factory=list)
    known: bool = True

    @property
    def access(self) -> str:
        if self.service == "*":
            return "Full access"
        if not self.known:
            return "Unrecognized service"
        if self.total and len(self.granted) >= self.total:
            return "Full access"
        full = [lvl for lvl, (n, of) in self.level_counts.items() if n and n == of]
        limited = [lvl for lvl, (n, of) in self.level_counts.items() if n and n < of]
        parts = []
        if full:
            parts.append("Full: " + ", ".join(full))
        if limited:
            parts.append("Limited: " + ", ".join(limited))
        return "; ".join(parts) if parts else "None"

    @property
    def resource_text(self) -> str:
        if "*" in self.resources:
            return "All resources"
        return ", ".join(self.resources) if self.resources else "-"

    @property
    def condition_text(self) -> str:
        return "; ".join(self.conditions) if self.conditions else "None"


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    raw = document.get("Statement", [])
    if isinstance(raw, Mapping):
        raw = [raw]
    return [s for s in raw if isinstance(s, Mapping)] if isinstance(raw, list) else []


def _conditions(statement: Mapping[str, Any]) -> list[str]:
    block = statement.get("Condition")
    if not isinstance(block, Mapping):
        return []
    out = []
    for operator, pairs in block.items():
        if not isinstance(pairs, Mapping):
            continue
        for key, values in pairs.items():
            out.append(condition_phrase(str(operator), str(key), _as_list(values)))
    return out


def _actions_by_service(statement: Mapping[str, Any]) -> dict[str, tuple[set[str], list[str]]]:
    """service prefix -> (granted action names, wildcard notes). "*" when all services."""
    found: dict[str, tuple[set[str], list[str]]] = {}
    if "NotAction" in statement:
        excluded = _as_list(statement["NotAction"])
        services = {p.split(":", 1)[0].lower() for p in excluded if ":" in p}
        # NotAction grants every action of every other service: the console shows "All services".
        found["*"] = (set(), [f"NotAction grants everything except {', '.join(excluded)}"])
        for prefix in services:
            if "*" in prefix or not catalog.service_exists(prefix):
                continue
            removed = {a for p in excluded for a in catalog.expand_action(p)}
            granted = {a.full_name for a in catalog.actions(prefix)} - removed
            found[prefix] = (granted, [])
        return found
    for pattern in _as_list(statement.get("Action")):
        if pattern == "*" or pattern.startswith("*:"):
            found.setdefault("*", (set(), []))
            continue
        prefix = pattern.split(":", 1)[0].lower()
        granted, notes = found.setdefault(prefix, (set(), []))
        expanded = catalog.expand_action(pattern)
        granted.update(expanded)
        if "*" in pattern or "?" in pattern:
            risky = [
                a
                for a in expanded
                if (info := catalog.action(a)) is not None
                and info.access_level == "Permissions management"
            ]
            if risky:
                notes.append(
                    f"{pattern} matches {len(expanded)} actions, including {len(risky)} "
                    f"permissions-management actions (e.g. {', '.join(risky[:3])})"
                )
    return found


def summarize(document: Mapping[str, Any]) -> list[ServiceSummary]:
    """One row per effect and service, Allow first, services by name."""
    rows: dict[tuple[str, str], ServiceSummary] = {}
    for statement in _statements(document):
        effect = str(statement.get("Effect", "Allow"))
        resources = _as_list(statement.get("Resource"))
        if "NotResource" in statement:
            resources = ["All except " + ", ".join(_as_list(statement["NotResource"]))]
        conditions = _conditions(statement)
        for prefix, (granted, notes) in _actions_by_service(statement).items():
            if effect != "Allow":
                notes = []  # a broad Deny takes away more, never grants more
            row = rows.get((effect, prefix))
            if row is None:
                known = prefix == "*" or catalog.service_exists(prefix)
                name = "All services" if prefix == "*" else catalog.service_name(prefix) or prefix
                row = ServiceSummary(effect, prefix, name, known=known)
                rows[(effect, prefix)] = row
            row.granted |= granted
            row.wildcard_notes.extend(n for n in notes if n not in row.wildcard_notes)
            row.resources.extend(r for r in resources if r not in row.resources)
            row.conditions.extend(c for c in conditions if c not in row.conditions)
    for row in rows.values():
        _count_levels(row)
    return sorted(rows.values(), key=lambda r: (r.effect != "Allow", r.service_name.lower()))


def _count_levels(row: ServiceSummary) -> None:
    if row.service == "*" or not row.known:
        return
    everything = catalog.actions(row.service)
    row.total = len(everything)
    counts: dict[str, list[int]] = {level: [0, 0] for level in catalog.ACCESS_LEVELS}
    for info in everything:
        slot = counts.setdefault(info.access_level, [0, 0])
        slot[1] += 1
        if info.full_name in row.granted:
            slot[0] += 1
    row.level_counts = {lvl: (n, of) for lvl, (n, of) in counts.items() if of}


def summarize_text(text: str) -> list[ServiceSummary]:
    """Summary of the JSON text; raises ``ValueError`` when it is not a JSON object."""
    data = jsontext.loads(text)
    if not isinstance(data, Mapping):
        raise ValueError("the policy must be a JSON object")
    return summarize(data)


def granted_actions(rows: Iterable[ServiceSummary]) -> set[str]:
    return {a for row in rows if row.effect == "Allow" for a in row.granted}
