"""Who can perform an action on a resource, and what a principal can do: one ``AccessGrant`` per
answer, with the statements that decided it and the conditions it depends on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from iamdesk.analysis.progress import Cancel, Progress
from iamdesk.analysis.refs import EntityRef, StatementRef


@dataclass(frozen=True)
class AccessGrant:
    principal: EntityRef  # who starts: a user, a role, or a role session
    action: str
    resource: str
    access_level: str  # "List" | "Read" | "Write" | "Permissions management" | "Tagging" | ""
    conditional: bool  # allowed only when the conditions below hold
    conditions: tuple[str, ...]  # "aws:MultiFactorAuthPresent is true"
    statements: tuple[StatementRef, ...]  # the allow statements that decided it
    chain: tuple[EntityRef, ...] = ()  # roles assumed in order to act (empty: acts directly)

    @property
    def acting(self) -> EntityRef:
        """The principal whose policies make the final call: the last role of the chain."""
        return self.chain[-1] if self.chain else self.principal

    def to_json(self) -> dict[str, Any]:
        return {
            "principal": self.principal.arn,
            "principalType": self.principal.kind,
            "action": self.action,
            "resource": self.resource,
            "accessLevel": self.access_level,
            "decision": "conditional" if self.conditional else "allowed",
            "conditions": list(self.conditions),
            "statements": [s.to_json() for s in self.statements],
            "chain": [e.arn for e in self.chain],
        }


def who_can(
    db: Any,
    account_id: str | None,
    action: str,
    resource: str,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> list[AccessGrant]:
    raise NotImplementedError("who-can is being built")
