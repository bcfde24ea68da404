"""The policies that bear on one request, each placed where it sits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from iamdesk.core.evaluator.compiled import CompiledPolicy


class PolicyRef(NamedTuple):
    """A compiled policy placed in a request's policy set. ``label`` says where it sits
    (``identity[0]``, ``scps[1][0]``...); ``name`` is the policy's own name, if any."""

    # A NamedTuple, not a frozen dataclass: a batch makes one per document of every case, and a
    # tuple is built in half the instructions (the same fields, equality and hash).
    label: str
    policy: CompiledPolicy
    name: str | None = None

    @property
    def display_name(self) -> str:
        return self.name or self.label


# Not frozen, as Request: one is built per batch case (treat it as immutable all the same).
@dataclass(slots=True)
class PolicySet:
    """Every policy that bears on one request.

    ``scps``/``rcps``: levels from the organization root down to the account, each a sequence of
    policies; an empty sequence means the account is not governed by them. RCPFullAWSAccess is
    implied at every RCP level. ``resource_policy_must_allow``: the resource policy itself must
    allow (role trust policies, KMS key policies). ``endpoint_policy``: the policy of the VPC
    endpoint the request goes through; it must allow too, and its Deny denies."""

    identity: Sequence[PolicyRef] = ()
    permissions_boundary: PolicyRef | None = None
    session_policy: PolicyRef | None = None
    scps: Sequence[Sequence[PolicyRef]] = ()
    rcps: Sequence[Sequence[PolicyRef]] = ()
    resource_policy: PolicyRef | None = None
    resource_policy_must_allow: bool = False
    endpoint_policy: PolicyRef | None = (
        None  # the VPC endpoint's, when the request goes through one
    )


_MUST_ALLOW = (
    "sts:assumerole",
    "sts:tagsession",
    "sts:setsourceidentity",
    "sts:setcontext",
    "kms:",
)


def resource_policy_must_allow(action: str) -> bool:
    """Whether the resource policy must itself allow ``action`` even within one account: a role's
    trust policy for assuming it (and tagging or naming the session), a KMS key policy for key
    operations. Other resource policies are unioned with the identity side."""
    return action.lower().startswith(_MUST_ALLOW)
