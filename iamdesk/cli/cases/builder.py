"""A decoded batch case (DESIGN.md §5) as the evaluator's request and policy set.

``build_case`` checks every field and names the first that is wrong (``CaseError``), in a fixed
order. ``build_plain`` builds a case read the fast way (``reader.read_plain``), the same request
and policies, checking only what makes a case plain: anything else, a case in error included,
raises ``NotPlain`` and the caller reads the line the careful way. Besides the fields' shapes it
declines what orjson may have read differently from json: a float where the batch reads one
(orjson's reading of an integer beyond 64 bits), a container nobody reads nested beyond json's
limit, a document ``plain_statements`` does not take.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from iamdesk.cli.cases.reader import CaseError, NotPlain, PolicyCache
from iamdesk.core.evaluator import PolicyRef, PolicySet, Principal, Request
from iamdesk.core.evaluator.compiled import resource_policy_must_allow
from iamdesk.core.jsontext import MAX_DEPTH, _value_deeper_than

logger = logging.getLogger(__name__)

_CACHE_LIMIT = 20000

# The members the builder reads; the fast way checks any other for depth.
_FIELDS = frozenset(
    (
        "id",
        "principal",
        "identity_policies",
        "permissions_boundary",
        "session_policy",
        "scps",
        "rcps",
        "resource_policy",
        "resource_policy_must_allow",
        "endpoint_policy",
        "resource_account",
        "request",
    )
)
_PRINCIPAL_FIELDS = frozenset(("arn", "account", "type"))
_REQUEST_FIELDS = frozenset(("action", "resource", "context"))
_CONTAINERS = (dict, list)


def _label(field: str, index: int) -> str:
    return f"{field}[{index}]"


# Labels of the first few policies of each kind, made once (a batch builds them per case).
_IDENTITY_LABELS = [_label("identity", i) for i in range(16)]
_LEVEL_LABELS = {
    field: [[_label(_label(field, i), j) for j in range(8)] for i in range(8)]
    for field in ("scps", "rcps")
}


def _named(value: Any, label: str, cache: PolicyCache) -> PolicyRef:
    """A policy given as a document, as JSON text, or as {"name": ..., "document": ...}."""
    name = None
    if type(value) is dict and "document" in value and "Statement" not in value:
        name = value.get("name")
        if name is not None and not isinstance(name, str):
            raise CaseError(f"{label}: name must be a string")
        value = value["document"]
    return cache.ref(value, label, name)


def _levels(case: dict[str, Any], field: str, cache: PolicyCache) -> list[list[PolicyRef]]:
    value = case.get(field)
    if not value:
        return []
    if not isinstance(value, list):
        raise CaseError(f"{field}: must be a list of levels, each a list of policies")
    labels = _LEVEL_LABELS[field]
    levels = []
    for i, level in enumerate(value):
        if not isinstance(level, list):
            raise CaseError(f"{field}[{i}]: must be a list of policies")
        known = labels[i] if i < len(labels) else ()
        levels.append(
            [
                _named(p, known[j] if j < len(known) else _label(_label(field, i), j), cache)
                for j, p in enumerate(level)
            ]
        )
    return levels


def _principal(value: Any, cache: PolicyCache) -> Principal:
    if value is None:
        raise CaseError("principal: missing")
    if not isinstance(value, Mapping):
        raise CaseError("principal: must be an object")
    if value.get("type") == "anonymous":
        return Principal.anonymous()
    arn = value.get("arn")
    if not isinstance(arn, str) or not arn:
        raise CaseError('principal.arn: must be a non-empty string (or use {"type": "anonymous"})')
    account = value.get("account")
    if account is not None and not isinstance(account, str):
        raise CaseError("principal.account: must be a string")
    found = cache.principals.get((arn, account))
    if found is None:
        if account is None:
            parts = arn.split(":")
            account = parts[4] if len(parts) > 5 and parts[4] else None
        found = Principal(arn, account)
        if len(cache.principals) >= _CACHE_LIMIT:
            cache.principals.clear()
        cache.principals[(arn, value.get("account"))] = found
    return found


def build_case(case: Any, cache: PolicyCache) -> tuple[Request, PolicySet]:
    """The request and policies of a decoded case, or ``CaseError`` naming what is wrong."""
    if type(case) is not dict:
        raise CaseError("a case must be a JSON object")
    principal = _principal(case.get("principal"), cache)
    identity = case.get("identity_policies") or []
    if type(identity) is not list:
        raise CaseError("identity_policies: must be a list")
    req = case.get("request")
    if not isinstance(req, Mapping):
        raise CaseError("request: must be an object with action, resource and context")
    action = req.get("action")
    if type(action) is not str or not action:
        raise CaseError("request.action: must be a non-empty string")
    resource = req.get("resource", "*")
    if type(resource) is not str:
        raise CaseError("request.resource: must be a string")
    context = req.get("context") or {}
    if not isinstance(context, Mapping):
        raise CaseError("request.context: must be an object")
    resource_account = case.get("resource_account")
    if resource_account is not None and type(resource_account) is not str:
        raise CaseError("resource_account: must be a string")
    get = case.get
    value = get("resource_policy")
    resource_policy = None if value is None else _named(value, "resource_policy", cache)
    must_allow = get("resource_policy_must_allow")
    if must_allow is not None and type(must_allow) is not bool:
        raise CaseError("resource_policy_must_allow: must be true, false or null")
    if must_allow is None:
        must_allow = resource_policy is not None and resource_policy_must_allow(action)
    refs = [
        _named(p, _IDENTITY_LABELS[i] if i < 16 else _label("identity", i), cache)
        for i, p in enumerate(identity)
    ]
    value = get("permissions_boundary")
    boundary = None if value is None else _named(value, "permissions_boundary", cache)
    value = get("session_policy")
    session = None if value is None else _named(value, "session_policy", cache)
    scps = _levels(case, "scps", cache)
    rcps = _levels(case, "rcps", cache)
    value = get("endpoint_policy")
    endpoint = None if value is None else _named(value, "endpoint_policy", cache)
    policy_set = PolicySet(
        refs, boundary, session, scps, rcps, resource_policy, bool(must_allow), endpoint
    )
    return Request(principal, action, resource, resource_account, context), policy_set


def _unread(value: dict[str, Any], read: frozenset[str], level: int) -> None:
    """Members of ``value`` (an object ``level`` deep in the line) that nobody reads may be
    anything but nested beyond the limit."""
    for key, item in value.items():
        if (
            key not in read
            and type(item) in _CONTAINERS
            and _value_deeper_than(item, MAX_DEPTH - level)
        ):
            raise NotPlain


def _plain_levels(value: Any, cache: PolicyCache, labels: list[list[str]]) -> list[list[PolicyRef]]:
    if type(value) is not list or len(value) > len(labels):
        raise NotPlain
    ref = cache.plain_ref
    levels = []
    for i, level in enumerate(value):
        if type(level) is not list or len(level) > 8:
            raise NotPlain
        known = labels[i]
        levels.append([ref(p, known[j]) for j, p in enumerate(level)])
    return levels


def build_plain(case: dict[str, Any], cache: PolicyCache) -> tuple[Request, PolicySet]:
    """``build_case`` for a case read the fast way; ``NotPlain`` for anything not plain."""
    get = case.get
    if not _FIELDS.issuperset(case):
        _unread(case, _FIELDS, 1)
    kind = type(get("id"))
    if kind is float or kind is dict or kind is list:
        raise NotPlain  # written back as it was given
    who = get("principal")
    if type(who) is not dict or "type" in who:
        raise NotPlain
    principal = cache.principals.get((who.get("arn"), who.get("account")))
    if principal is None:
        principal = _principal(who, cache)
    if not _PRINCIPAL_FIELDS.issuperset(who):
        _unread(who, _PRINCIPAL_FIELDS, 2)
    req = get("request")
    if type(req) is not dict:
        raise NotPlain
    action = req.get("action")
    resource = req.get("resource", "*")
    context = req.get("context") or {}
    if type(action) is not str or not action or type(resource) is not str:
        raise NotPlain
    if type(context) is not dict:
        raise NotPlain
    if not _REQUEST_FIELDS.issuperset(req):
        _unread(req, _REQUEST_FIELDS, 2)
    for value in context.values():
        # Strings, integers, booleans or null, or lists of them: a float may be orjson's
        # reading of a larger integer.
        kind = type(value)
        if kind is str or kind is bool or kind is int or value is None:
            continue
        if kind is not list:
            raise NotPlain
        for item in value:
            kind = type(item)
            if not (kind is str or kind is bool or kind is int or item is None):
                raise NotPlain
    resource_account = get("resource_account")
    if resource_account is not None and type(resource_account) is not str:
        raise NotPlain
    ref = cache.plain_ref
    value = get("resource_policy")
    resource_policy = None if value is None else ref(value, "resource_policy")
    must_allow = get("resource_policy_must_allow")
    if must_allow is None:
        must_allow = resource_policy is not None and resource_policy_must_allow(action)
    elif type(must_allow) is not bool:
        raise NotPlain
    identity = get("identity_policies")
    if not identity:
        refs = []
    elif type(identity) is not list or len(identity) > 16:
        raise NotPlain
    else:
        refs = [ref(p, _IDENTITY_LABELS[i]) for i, p in enumerate(identity)]
    value = get("permissions_boundary")
    boundary = None if value is None else ref(value, "permissions_boundary")
    value = get("session_policy")
    session = None if value is None else ref(value, "session_policy")
    value = get("scps")
    scps = _plain_levels(value, cache, _LEVEL_LABELS["scps"]) if value else []
    value = get("rcps")
    rcps = _plain_levels(value, cache, _LEVEL_LABELS["rcps"]) if value else []
    value = get("endpoint_policy")
    endpoint = None if value is None else ref(value, "endpoint_policy")
    policies = PolicySet(refs, boundary, session, scps, rcps, resource_policy, must_allow, endpoint)
    return Request(principal, action, resource, resource_account, context), policies


__all__ = ["build_case", "build_plain"]
