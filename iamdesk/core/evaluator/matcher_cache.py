"""Matchers shared across policies, and the scans of plain statements that use them.

Matchers never change once built, so statements that list the same actions or resources
(common across the policies of an account or a batch) share one; and a policy read without
positions (``CompiledPolicy.from_plain``) finds the statements an action can match by scanning
their Action lists, whose answers are remembered per action and pattern.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from iamdesk.core.arn import Matcher, glob_matcher, has_wildcard
from iamdesk.core.evaluator.matching import ActionMatcher, PrincipalMatcher, ResourceMatcher
from iamdesk.core.policy.typed import UNSET, PrincipalBlock, Statement

_ACTION_MATCHERS: dict[tuple[str, ...], ActionMatcher] = {}
_RESOURCE_MATCHERS: dict[tuple[str | tuple[str, ...], bool], ResourceMatcher] = {}


def action_matcher(actions: tuple[str, ...]) -> ActionMatcher:
    found = _ACTION_MATCHERS.get(actions)
    if found is None:
        found = ActionMatcher(actions)
        if len(_ACTION_MATCHERS) >= 16384:
            _ACTION_MATCHERS.clear()
        _ACTION_MATCHERS[actions] = found
    return found


def resource_matcher(resources: str | Sequence[str], variables: bool) -> ResourceMatcher:
    """The matcher of a Resource element: one pattern, or a list of them."""
    key = (resources, variables) if type(resources) is str else (tuple(resources), variables)
    found = _RESOURCE_MATCHERS.get(key)
    if found is None:
        found = ResourceMatcher([resources] if type(resources) is str else resources, variables)
        if len(_RESOURCE_MATCHERS) >= 16384:
            _RESOURCE_MATCHERS.clear()
        _RESOURCE_MATCHERS[key] = found
    return found


_PRINCIPAL_MATCHERS: dict[Any, PrincipalMatcher] = {}
_EVERYONE = PrincipalMatcher(True, ())


def principal_matcher(block: PrincipalBlock) -> PrincipalMatcher:
    """The matcher of a plain Principal/NotPrincipal block: ``"*"`` or {type: name(s)}.
    Shared by the blocks that name the same principals (accounts, roles and services recur
    across an account's resource policies)."""
    if isinstance(block, str):
        return _EVERYONE  # "*", the only string a typed statement holds there
    key = tuple([(t, v if type(v) is str else tuple(v)) for t, v in block.items()])
    found = _PRINCIPAL_MATCHERS.get(key)
    if found is None:
        found = PrincipalMatcher(False, [(t, [v] if type(v) is str else v) for t, v in key])
        if len(_PRINCIPAL_MATCHERS) >= 16384:
            _PRINCIPAL_MATCHERS.clear()
        _PRINCIPAL_MATCHERS[key] = found
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


def plain_action_hits(plain: list[Statement], action: str) -> list[int]:
    """The indices of the typed statements (exactly one of Action and NotAction, a string or
    a non-empty list of strings) that let ``action`` (lower case) through: their Action lists
    it, or their NotAction does not. Each pattern's answer comes from the memo of ``action``,
    so no statement is compiled to find out."""
    answers = _ANSWERS.get(action)
    if answers is None:
        answers = action_answers(action)
    hits = []
    i = -1
    for raw in plain:
        i += 1
        actions: Any = raw.Action
        try:
            # Every pattern already answered (the usual case: patterns recur), looked up by
            # subscript: no call per pattern.
            if actions is UNSET:
                actions = raw.NotAction
                if type(actions) is str:
                    if not answers[actions]:
                        hits.append(i)
                else:
                    for pattern in actions:
                        if answers[pattern]:
                            break
                    else:
                        hits.append(i)
            elif type(actions) is str:
                if answers[actions]:
                    hits.append(i)
            else:
                for pattern in actions:
                    if answers[pattern]:
                        hits.append(i)
                        break
        except KeyError:  # (before any append for this statement)
            patterns = [actions] if type(actions) is str else actions
            if _answers_of(answers, patterns, action) is (raw.Action is not UNSET):
                hits.append(i)
    return hits


def _answers_of(answers: dict[str, bool], patterns: list[str], action: str) -> bool:
    """Whether one of ``patterns`` matches ``action``, answering those not answered yet."""
    for pattern in patterns:
        found = answers.get(pattern)
        if found is None:
            found = _answer(answers, pattern, action)
        if found:
            return True
    return False


def may_match(raw: Statement, service: str) -> bool:
    """Whether a typed statement's Action can match an action of ``service`` (lower case)."""
    actions = raw.Action
    if actions is UNSET:
        return True  # NotAction
    for pattern in [actions] if type(actions) is str else actions:
        prefix, colon, _ = pattern.partition(":")
        prefix = prefix.lower()
        if not colon or prefix == service or "*" in prefix or "?" in prefix:
            return True  # (as ``action_services``: a wildcard prefix may match any service)
    return False
