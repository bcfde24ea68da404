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
# For each action asked about, whether each Action pattern met matches it: a batch asks a few
# actions of many policies, whose patterns repeat (s3:*, s3:Get*...).
_ANSWERS: dict[str, dict[str, bool]] = {}


def action_answers(action: str) -> dict[str, bool]:
    """The remembered answers for ``action`` (lower case), to pass to ``plain_action_matches``."""
    found = _ANSWERS.get(action)
    if found is None:
        if len(_ANSWERS) >= 4096:
            _ANSWERS.clear()
        found = _ANSWERS[action] = {}
    return found


def _answer(answers: dict[str, bool], pattern: str, action: str) -> bool:
    matcher = _ACTION_PATTERNS.get(pattern)
    if matcher is None:
        # As ActionMatcher compiles a pattern.
        lower = pattern.lower()
        matcher = glob_matcher(lower) if has_wildcard(lower) else lower.__eq__
        if len(_ACTION_PATTERNS) >= 65536:
            _ACTION_PATTERNS.clear()
        _ACTION_PATTERNS[pattern] = matcher
    found = bool(matcher(action))
    if len(answers) >= 65536:
        answers.clear()
    answers[pattern] = found
    return found


def plain_action_matches(raw: dict[str, Any], action: str, answers: dict[str, bool]) -> bool:
    """Whether a plain statement's Action (not NotAction) lists ``action`` (lower case);
    ``answers``: ``action_answers(action)``."""
    actions = raw.get("Action")
    if actions is None:
        return False
    if type(actions) is str:
        found = answers.get(actions)
        return _answer(answers, actions, action) if found is None else found
    for pattern in actions:
        found = answers.get(pattern)
        if found is None:
            found = _answer(answers, pattern, action)
        if found:
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
