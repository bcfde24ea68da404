"""The impact of saving a changed policy: the access it adds and removes for the principals that
have it, by simulating before and after over the actions the policy names and the modelled
resources.

"After" is simulated on a scratch copy of the model with the change applied through the same
service the real save uses, so the preview runs exactly the code the save will, and the open
model is never touched.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iamdesk.core import catalog, jsontext
from iamdesk.ui.editor.targets import PolicyTarget
from iamdesk.ui.editor.wording import as_list

log = logging.getLogger(__name__)

MAX_ACTIONS = 400
MAX_RESOURCES = 40


@dataclass(frozen=True, slots=True)
class AccessChange:
    principal: str
    action: str
    resource: str
    before: str
    after: str


@dataclass
class Impact:
    principals: list[str]
    actions: list[str]
    resources: list[str]
    added: list[AccessChange] = field(default_factory=list)
    removed: list[AccessChange] = field(default_factory=list)
    seconds: float = 0.0
    note: str = ""
    context: Any = None  # AWS ContextEntries or a key -> value(s) mapping

    checked: int = 0


def _documents_named(texts: list[str]) -> tuple[list[str], list[str]]:
    """(actions, resource ARNs) named in any of the documents; wildcards expanded."""
    actions: dict[str, None] = {}
    resources: dict[str, None] = {}
    for text in texts:
        try:
            document = jsontext.loads(text)
        except json.JSONDecodeError:
            continue
        raw = document.get("Statement", []) if isinstance(document, dict) else []
        statements = [raw] if isinstance(raw, dict) else raw if isinstance(raw, list) else []
        for statement in statements:
            if not isinstance(statement, dict):
                continue
            for pattern in as_list(statement.get("Action")):
                if pattern == "*":
                    continue  # every action of every service: too broad to enumerate
                actions.update(dict.fromkeys(catalog.expand_action(pattern)))
            for arn in as_list(statement.get("Resource")):
                if "*" not in arn and "?" not in arn and "${" not in arn:
                    resources[arn] = None
    return list(actions), list(resources)


def preview_impact(
    db: Any,
    target: PolicyTarget,
    old_text: str,
    new_text: str,
    *,
    context: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    first_actions: Sequence[str] = (),
    first_resources: Sequence[str] = (),
    control: Any = None,
) -> Impact:
    """Simulate the holders of ``target`` before and after ``new_text`` replaces ``old_text``.

    ``context`` is the request context to simulate with (the test-access panel's entries, or a
    key -> value(s) mapping);
    ``first_actions`` and ``first_resources`` (the request the user was testing) are checked
    even when the policies name more than the caps.
    ``control`` (a worker's TaskControl) receives progress per principal and may cancel."""
    from iamdesk.services.queries.files import copy_database
    from iamdesk.services.resources import list_resources
    from iamdesk.services.simulate import simulate_principal_policy
    from iamdesk.store.db import open_database

    started = time.perf_counter()
    principals = target.holders(db)
    old_actions, old_named = _documents_named([old_text])
    new_actions, new_named = _documents_named([new_text])
    named = list(dict.fromkeys([*old_named, *new_named]))
    # What the edit added or dropped goes first: those are the actions whose access can change.
    changed = [a for a in new_actions if a not in set(old_actions)]
    changed += [a for a in old_actions if a not in set(new_actions)]
    actions = list(dict.fromkeys([*first_actions, *changed, *old_actions, *new_actions]))
    modelled = []
    for resource in list_resources(db):
        modelled.append(resource["Arn"])
        if resource["Service"] == "s3":
            # Object actions need an object: one stands for the bucket's contents.
            modelled.append(f"{resource['Arn']}/example-object")
    governed = target.resource_arns(db)
    resources = list(dict.fromkeys([*first_resources, *governed, *named, *modelled, "*"]))
    resources = resources[:MAX_RESOURCES]
    impact = Impact(principals, actions[:MAX_ACTIONS], resources, context=context or None)
    if len(actions) > MAX_ACTIONS:
        impact.note = f"Checked the first {MAX_ACTIONS} of {len(actions)} actions. "
    if not principals or not actions:
        impact.note += "No principal has this policy." if not principals else "It names no action."
        impact.seconds = time.perf_counter() - started
        return impact

    with tempfile.TemporaryDirectory(prefix="iamdesk-impact-") as folder:
        scratch_path = copy_database(db, Path(folder) / "scratch.sqlite")
        scratch = open_database(scratch_path)
        try:
            target.save(scratch, new_text)
            for number, principal in enumerate(principals):
                if control is not None:
                    control.check()
                    control.progress(number, len(principals), principal)
                before = _decisions(db, simulate_principal_policy, principal, impact)
                after = _decisions(scratch, simulate_principal_policy, principal, impact)
                impact.checked += len(before)
                for key, was in before.items():
                    now = after.get(key, was)
                    if (was == "allowed") == (now == "allowed"):
                        continue  # explicit vs implicit deny changes no access
                    change = AccessChange(principal, key[0], key[1], was, now)
                    (impact.added if now == "allowed" else impact.removed).append(change)
        finally:
            scratch.close()
    impact.seconds = time.perf_counter() - started
    log.info(
        "impact of %s: +%d -%d over %d checks in %.2fs",
        target.title,
        len(impact.added),
        len(impact.removed),
        impact.checked,
        impact.seconds,
    )
    return impact


def _by_service(impact: Impact) -> list[tuple[list[str], list[str]]]:
    """(actions, resources) per service: an action is checked against the modelled resources
    of its own service and "*", not against every resource of every service."""
    groups: dict[str, list[str]] = {}
    for action in impact.actions:
        groups.setdefault(action.split(":", 1)[0].lower(), []).append(action)
    result = []
    for service, actions in groups.items():
        resources = [r for r in impact.resources if r.split(":")[2:3] == [service]]
        result.append((actions, [*resources, "*"] if "*" in impact.resources else resources))
    return result


def _decisions(
    db: Any, simulate: Any, principal: str, impact: Impact
) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for actions, resources in _by_service(impact):
        if not resources:
            continue
        outcome = simulate(
            db,
            policy_source_arn=principal,
            action_names=actions,
            resource_arns=resources,
            context_entries=impact.context or None,
            explain=False,
        )
        for d in outcome.decisions:
            found[(d.request.action, d.request.resource)] = d.decision
    return found
