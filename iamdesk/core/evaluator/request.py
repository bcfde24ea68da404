"""The request being authorized: who asks, for which action on which resource, in what context.

``Request`` is the public, frozen description; ``Env`` is its normalized form, built once per
evaluation (lower-case context keys, values as tuples of strings, the principal classified),
which every matcher reads.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from iamdesk.core.arn import try_parse_arn

logger = logging.getLogger(__name__)

ContextScalar = str | bool | int | float
ContextValue = ContextScalar | Sequence[ContextScalar] | None

# Principal kinds.
ANONYMOUS = "anonymous"
SERVICE = "service"
USER = "user"
ROLE = "role"
ASSUMED_ROLE = "assumed-role"
FEDERATED_USER = "federated-user"
ROOT = "root"
FEDERATED = "federated"  # a web identity / SAML provider
OTHER = "other"

IAM_KINDS = frozenset({USER, ROLE, ASSUMED_ROLE, FEDERATED_USER, ROOT})
SESSION_KINDS = frozenset({ASSUMED_ROLE, FEDERATED_USER})


@dataclass(frozen=True, slots=True)
class Principal:
    """Who makes the request. ``arn`` is an IAM user/role/root ARN, an STS session ARN, a service
    principal (``lambda.amazonaws.com``) or a federation provider; None for an anonymous call."""

    arn: str | None
    account: str | None = None

    @classmethod
    def anonymous(cls) -> Principal:
        return cls(None, None)


# Not frozen (treat it as immutable all the same): a batch builds one per case, and a frozen
# dataclass's __init__ costs more than a case's evaluation does.
@dataclass(slots=True)
class Request:
    principal: Principal
    action: str
    resource: str = "*"
    resource_account: str | None = None
    context: Mapping[str, ContextValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PrincipalInfo:
    """A principal classified once: its kind, account, and the names a policy may use for it."""

    kind: str
    arn: str | None
    account: str | None
    role_name: str | None = None  # for assumed-role sessions and roles
    service_linked: bool = False

    @property
    def is_iam(self) -> bool:
        return self.kind in IAM_KINDS

    @property
    def is_session(self) -> bool:
        return self.kind in SESSION_KINDS


@lru_cache(maxsize=4096)
def classify_principal(arn: str | None, account: str | None) -> PrincipalInfo:
    if not arn:
        return PrincipalInfo(ANONYMOUS, None, None)
    parsed = try_parse_arn(arn)
    if parsed is None:
        kind = SERVICE if arn.endswith(".amazonaws.com") or "." in arn else OTHER
        return PrincipalInfo(kind, arn, account)
    acct = account or parsed.account or None
    res = parsed.resource
    if parsed.service == "iam":
        if res == "root":
            return PrincipalInfo(ROOT, arn, acct)
        rtype, _, rest = res.partition("/")
        if rtype == "user":
            return PrincipalInfo(USER, arn, acct)
        if rtype == "role":
            name = rest.rsplit("/", 1)[-1]
            linked = rest.startswith("aws-service-role/")
            return PrincipalInfo(ROLE, arn, acct, name, linked)
        if rtype in ("saml-provider", "oidc-provider"):
            return PrincipalInfo(FEDERATED, arn, acct)
    if parsed.service == "sts":
        rtype, _, rest = res.partition("/")
        if rtype == "assumed-role":
            name = rest.split("/", 1)[0]
            return PrincipalInfo(
                ASSUMED_ROLE, arn, acct, name, name.startswith("AWSServiceRoleFor")
            )
        if rtype == "federated-user":
            return PrincipalInfo(FEDERATED_USER, arn, acct)
    return PrincipalInfo(OTHER, arn, acct)


def _text(value: ContextScalar) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value if isinstance(value, str) else str(value)


def normalize_context(context: Mapping[str, ContextValue]) -> dict[str, tuple[str, ...]]:
    """Keys lower-cased (context keys are case-insensitive), every value a tuple of strings."""
    out: dict[str, tuple[str, ...]] = {}
    for key, value in context.items():
        if type(value) is str:  # the common case first
            out[key.lower()] = (value,)
        elif value is None:
            continue
        elif isinstance(value, (str, bool, int, float)):
            out[key.lower()] = (_text(value),)
        else:
            out[key.lower()] = tuple(_text(v) for v in value if v is not None)
    return out


class Env:
    """The normalized request every matcher reads; also collects missing context keys."""

    __slots__ = (
        "_context",
        "action",
        "has_boundary",
        "missing",
        "principal",
        "request",
        "resource",
        "service",
    )

    def __init__(self, request: Request) -> None:
        self.request = request
        action = request.action.lower()
        self.action = action
        self.service = action.partition(":")[0]
        self.resource = request.resource
        # Normalized when a condition or variable first reads it: most requests of a batch
        # are decided by statements without conditions.
        self._context: dict[str, tuple[str, ...]] | None = None
        p = request.principal
        self.principal = classify_principal(p.arn, p.account)
        self.missing: dict[str, str] = {}
        self.has_boundary = False  # set by the decision flow: a permissions boundary applies

    @property
    def context(self) -> dict[str, tuple[str, ...]]:
        """The request context: keys lower case, every value a tuple of strings."""
        found = self._context
        if found is None:
            raw = self.request.context
            found = self._context = normalize_context(raw) if raw else {}
        return found

    def single(self, key: str) -> str | None:
        """The value of a single-valued key (lower-case name), or None if absent/multi-valued."""
        values = self.context.get(key)
        if values is None or len(values) != 1:
            return None
        return values[0]
