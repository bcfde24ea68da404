"""Matchers shared across policies, and the scans of plain statements that use them.

Matchers never change once built, so statements that list the same actions or resources
(common across the policies of an account or a batch) share one; and a policy read without
positions (``CompiledPolicy.from_plain``) finds the statements an action can match by scanning
their Action lists, whose answers are remembered per action and pattern.
"""

from __future__ import annotations

from typing import Any

from iamdesk.core.arn import Matcher, glob_matcher, has_wildcard
from iamdesk.core.evaluator.matching import ActionMatcher, ResourceMatcher

_ACTION_MATCHERS: dict[tuple[str, ...], ActionMatcher] = {}
_RESOURCE_MATCHERS: dict[tuple[tuple[str, ...], bool], ResourceMatcher] = {}


def action_matcher(actions: tuple[str, ...]) -> ActionMatcher:
    found = _ACTION_MATCHERS.get(actions)
    if found is None:
        found = ActionMatcher(actions)
        if len(_ACTION_MATCHERS) >= 16384:
            _ACTION_MATCHERS.clear()
        _ACTION_MATCHERS[actions] = found
    return found


def resource_matcher(resources: tuple[str, ...], variables: bool) -> ResourceMatcher:
    found = _RESOURCE_MATCHERS.get((resources, variables))
    if found is None:
        found = ResourceMatcher(resources, variables)
        if len(_RESOURCE_MATCHERS) >= 16384:
            _RESOURCE_MATCHERS.clear()
        _RESOURCE_MATCHERS[(resources, variables)] = found
    return found


_ACTION_PATTERNS: dict[str, Matcher] = {}


def plain_action_matches(raw: dict[str, Any], action: str) -> bool:
    """Whether a plain statement's Action (not NotAction) lists ``action`` (lower case)."""
    actions = raw.get("Action")
    if actions is None:
        return False
    for pattern in [actions] if type(actions) is str else actions:
        matcher = _ACTION_PATTERNS.get(pattern)
        if matcher is None:
            # As ActionMatcher compiles a pattern.
            lower = pattern.lower()
            matcher = glob_matcher(lower) if has_wildcard(lower) else lower.__eq__
            if len(_ACTION_PATTERNS) >= 65536:
                _ACTION_PATTERNS.clear()
            _ACTION_PATTERNS[pattern] = matcher
        if matcher(action):
            return True
    return False


def may_match(raw: dict[str, Any], service: str) -> bool:
    """Whether a plain statement's Action can match an action of ``service`` (lower case)."""
    actions = raw.get("Action")
    if actions is None:
        return True  # NotAction
    for pattern in [actions] if type(actions) is str else actions:
        prefix, colon, _ = pattern.partition(":")
        prefix = prefix.lower()
        if not colon or prefix == service or "*" in prefix or "?" in prefix:
            return True  # (as ``action_services``: a wildcard prefix may match any service)
    return False
