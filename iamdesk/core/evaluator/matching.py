"""Action, resource and principal matchers, compiled once per statement.

Actions are case-insensitive with ``*``/``?``; resources follow ``iamdesk.core.arn`` (segment by
segment, resource part case-sensitive) and may hold policy variables; principals are matched by
the names a policy can use for them (see ``PrincipalMatcher``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from iamdesk.core.arn import Matcher, glob_matcher, has_wildcard, resource_matcher
from iamdesk.core.evaluator.request import (
    ANONYMOUS,
    ASSUMED_ROLE,
    ROLE,
    ROOT,
    Env,
    PrincipalInfo,
)
from iamdesk.core.evaluator.variables import Template, parse_template
from iamdesk.core.policy.document import PrincipalBlock

logger = logging.getLogger(__name__)

# How a resource policy's Principal matched: the principal-type rules of the decision flow
# depend on it (a grant to a role ARN is limited by the boundary, one to the session is not).
DIRECT = "direct"  # the exact user / session / service, or "*"
VIA_ROLE = "role"  # the role ARN, matching a session of that role
VIA_ACCOUNT = "account"  # the account id or its root ARN


def action_services(patterns: Sequence[str]) -> frozenset[str] | None:
    """The service prefixes (lower case) Action patterns can match; None when any."""
    services = set()
    for raw in patterns:
        prefix, colon, _ = raw.lower().partition(":")
        if not colon or has_wildcard(prefix):
            return None  # "*" or "s*:..." may match any service
        services.add(prefix)
    return frozenset(services)


class ActionMatcher:
    __slots__ = ("exact", "patterns", "services")

    def __init__(self, patterns: Sequence[str]) -> None:
        exact: set[str] = set()
        globs: list[Matcher] = []
        for raw in patterns:
            pattern = raw.lower()
            if has_wildcard(pattern):
                globs.append(glob_matcher(pattern))
            else:
                exact.add(pattern)
        self.exact = frozenset(exact)
        self.patterns = tuple(globs)
        self.services = action_services(patterns)

    def __call__(self, action: str) -> bool:
        if action in self.exact:
            return True
        return any(m(action) for m in self.patterns)


class ResourceMatcher:
    """Resource patterns, some possibly with policy variables (resolved per request)."""

    __slots__ = ("static", "templates")

    def __init__(self, patterns: Sequence[str], variables: bool) -> None:
        static: list[Matcher] = []
        templates: list[Template] = []
        for pattern in patterns:
            part = parse_template(pattern) if variables else pattern
            if isinstance(part, Template):
                templates.append(part)
            else:
                static.append(resource_matcher(part))
        self.static = tuple(static)
        self.templates = tuple(templates)

    def report_missing(self, env: Env) -> None:
        """Record the variables without a value (and without a default) as missing keys."""
        for template in self.templates:
            for variable in template.variables:
                if variable.default is None and env.single(variable.key) is None:
                    env.missing.setdefault(variable.key, variable.written)

    def match(self, env: Env) -> tuple[bool, bool]:
        """(matched, some variable had no value)."""
        resource = env.resource
        for m in self.static:
            if m(resource):
                return True, False
        unresolved = False
        for template in self.templates:
            pattern = template.resolve(env)
            if pattern is None:
                unresolved = True
            elif resource_matcher(pattern)(resource):
                return True, False
        return False, unresolved


class PrincipalMatcher:
    """The principals a ``Principal``/``NotPrincipal`` block names.

    ``"*"`` and ``{"AWS": "*"}`` name everyone, anonymous callers included; an account id or
    ``arn:...:root`` names every principal of that account; a role ARN names the role and its
    sessions; a session, user or federated-user ARN names exactly that principal; ``Service``,
    ``Federated`` and ``CanonicalUser`` name the principal with that identifier."""

    __slots__ = ("accounts", "arns", "others", "roles", "wildcard")

    def __init__(self, wildcard: bool, entries: Sequence[tuple[str, Sequence[str]]]) -> None:
        """``entries``: (principal type, the names it lists), as a block's entries are."""
        self.wildcard = wildcard
        accounts: set[str] = set()
        arns: set[str] = set()
        roles: set[tuple[str, str]] = set()
        others: set[str] = set()
        for ptype, values in entries:
            for value in values:
                text = value.strip()
                if ptype != "AWS":
                    others.add(text.lower() if ptype == "Service" else text)
                    continue
                if text == "*":
                    self.wildcard = True
                elif text.isdigit():
                    accounts.add(text)
                elif text.startswith("arn:") and text.endswith(":root"):
                    accounts.add(text.split(":")[4])
                else:
                    arns.add(text)
                    parts = text.split(":", 5)
                    if len(parts) == 6 and parts[5].startswith("role/"):
                        roles.add((parts[4], parts[5].rsplit("/", 1)[-1]))
        self.accounts = frozenset(accounts)
        self.arns = frozenset(arns)
        self.roles = frozenset(roles)
        self.others = frozenset(others)

    @classmethod
    def of_block(cls, block: PrincipalBlock) -> PrincipalMatcher:
        return cls(block.wildcard, [(t, [v.text for v in values]) for t, values in block.entries])

    def match(self, who: PrincipalInfo) -> str | None:
        """How the block names ``who``: DIRECT, VIA_ROLE, VIA_ACCOUNT, or None."""
        if who.kind == ANONYMOUS:
            return DIRECT if self.wildcard else None
        arn = who.arn or ""
        if who.kind == ROLE:
            # The role itself (not one of its sessions): what a grant to the role ARN gives is
            # limited by the boundary and session policy, as for its sessions.
            if self.wildcard or arn in self.arns or (who.account, who.role_name) in self.roles:
                return VIA_ROLE
        elif self.wildcard or arn in self.arns or arn in self.others or arn.lower() in self.others:
            return DIRECT
        elif who.kind == ASSUMED_ROLE and (who.account, who.role_name) in self.roles:
            return VIA_ROLE
        if who.account is not None and who.account in self.accounts and who.is_iam:
            return VIA_ACCOUNT
        return None

    def covers_all(self, who: PrincipalInfo) -> bool:
        """For NotPrincipal: whether every name the caller goes by is listed. A session goes by
        its session ARN, its role and its account; a user by its ARN and its account; so an
        exception must list the account too (as AWS's documentation warns)."""
        if self.wildcard:
            return True
        if who.kind == ANONYMOUS:
            return False
        arn = who.arn or ""
        if who.kind == ROOT:
            return who.account in self.accounts
        if not who.is_iam:
            return arn in self.arns or arn.lower() in self.others or arn in self.others
        if arn not in self.arns and not (who.kind == ROLE and self.match(who) == DIRECT):
            return False
        if who.kind == ASSUMED_ROLE and (who.account, who.role_name) not in self.roles:
            return False
        return who.account is not None and who.account in self.accounts
