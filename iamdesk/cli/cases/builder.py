"""A decoded batch case (DESIGN.md §5) as the evaluator's request and policy set.

``build_case`` checks every field and names the first that is wrong (``CaseError``), in a fixed
order. ``build_plain`` builds a case read the fast way (``reader.read_plain``: a typed case, its
fields' shapes checked while decoding), the same request and policies; a policy the fast way
does not take raises ``NotPlain``, and the caller reads the line the careful way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from msgspec import Raw

from iamdesk.cli.cases.reader import ABSENT, CaseError, FreshCase, PlainCase, PolicyCache
from iamdesk.core.evaluator import PolicyRef, PolicySet, Principal, Request
from iamdesk.core.evaluator.compiled import resource_policy_must_allow

logger = logging.getLogger(__name__)

_CACHE_LIMIT = 20000


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
    return _placed_levels(value, field, lambda p, label: _named(p, label, cache))


def _placed_levels(
    value: list[Any], field: str, place: Callable[[Any, str], PolicyRef]
) -> list[list[PolicyRef]]:
    """The SCP or RCP levels of ``field``, each policy placed (``place(policy, label)``) under
    its label; the careful way and the fast way both read levels through this."""
    labels = _LEVEL_LABELS[field]
    levels = []
    for i, level in enumerate(value):
        if not isinstance(level, list):
            raise CaseError(f"{field}[{i}]: must be a list of policies")
        known = labels[i] if i < len(labels) else ()
        levels.append(
            [
                place(p, known[j] if j < len(known) else _label(_label(field, i), j))
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
    return _principal_of(arn, account, cache) if found is None else found


def _principal_of(arn: str, account: str | None, cache: PolicyCache) -> Principal:
    """The principal of an ARN and the account given with it (None: the ARN's), remembered."""
    given = account
    if account is None:
        parts = arn.split(":")
        account = parts[4] if len(parts) > 5 and parts[4] else None
    found = Principal(arn, account)
    if len(cache.principals) >= _CACHE_LIMIT:
        cache.principals.clear()
    cache.principals[(arn, given)] = found
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


# A policy field absent: None (FreshCase) or the very ABSENT object (PlainCase); null: None or
# b"null". (A test of ``value in _NOTHING`` compares a Raw by its bytes, a document with none.)
_NOTHING = (None, ABSENT, Raw(b"null"))


def build_plain(case: PlainCase | FreshCase, cache: PolicyCache) -> tuple[Request, PolicySet]:
    """``build_case`` for a case read the fast way (``reader.read_plain``: its fields' shapes
    are checked); ``NotPlain`` for a policy the fast way does not take."""
    who = case.principal
    principal = cache.principals.get((who.arn, who.account))
    if principal is None:
        principal = _principal_of(who.arn, who.account, cache)
    request = case.request
    action = request.action
    if type(case) is FreshCase:
        cache.line = case.line  # (where its documents' texts are, for ``fresh_ref``)
        ref = cache.fresh_ref
    else:
        ref = cache.plain_ref
    value = case.resource_policy
    resource_policy = None if value in _NOTHING else ref(value, "resource_policy")
    must_allow = case.resource_policy_must_allow
    if must_allow is None:
        must_allow = resource_policy is not None and resource_policy_must_allow(action)
    identity = case.identity_policies
    if identity:
        labels = _IDENTITY_LABELS
        refs = [
            ref(p, labels[i] if i < 16 else _label("identity", i)) for i, p in enumerate(identity)
        ]
    else:
        refs = []
    value = case.permissions_boundary
    boundary = None if value in _NOTHING else ref(value, "permissions_boundary")
    value = case.session_policy
    session = None if value in _NOTHING else ref(value, "session_policy")
    value = case.scps
    scps = _placed_levels(value, "scps", ref) if value else []
    value = case.rcps
    rcps = _placed_levels(value, "rcps", ref) if value else []
    value = case.endpoint_policy
    endpoint = None if value in _NOTHING else ref(value, "endpoint_policy")
    policies = PolicySet(refs, boundary, session, scps, rcps, resource_policy, must_allow, endpoint)
    context = request.context
    return (
        Request(
            principal,
            action,
            request.resource,
            case.resource_account,
            {} if context is None else context,
        ),
        policies,
    )


__all__ = ["build_case", "build_plain"]
