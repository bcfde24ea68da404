"""Privilege-escalation paths: how a principal that is not administrator-equivalent could become
one, each step backed by an evaluator decision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from iamdesk.analysis.progress import Cancel, Progress
from iamdesk.analysis.refs import EntityRef, StatementRef


@dataclass(frozen=True)
class EscalationStep:
    """One edge: ``source`` can act as (or gain the permissions of) ``target``."""

    technique: str  # "create-access-key", "attach-user-policy", "pass-role-lambda", "assume-role"
    actions: tuple[str, ...]  # e.g. iam:PassRole + lambda:CreateFunction
    source: EntityRef
    target: EntityRef
    statements: tuple[StatementRef, ...]  # the allow statements deciding each action
    description: str

    def to_json(self) -> dict[str, Any]:
        return {
            "technique": self.technique,
            "actions": list(self.actions),
            "from": self.source.arn,
            "to": self.target.arn,
            "statements": [s.to_json() for s in self.statements],
            "description": self.description,
        }


@dataclass(frozen=True)
class EscalationPath:
    principal: EntityRef
    steps: tuple[EscalationStep, ...]

    @property
    def reaches(self) -> EntityRef:
        """The administrator-equivalent entity at the end of the path."""
        return self.steps[-1].target

    def to_json(self) -> dict[str, Any]:
        return {
            "principal": self.principal.arn,
            "reaches": self.reaches.arn,
            "steps": [s.to_json() for s in self.steps],
        }


def escalation_edges(
    db: Any,
    account_id: str | None,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> list[EscalationStep]:
    raise NotImplementedError("escalation analysis is being built")


def find_escalation_paths(
    db: Any,
    account_id: str | None,
    principal_arn: str | None = None,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> list[EscalationPath]:
    raise NotImplementedError("escalation analysis is being built")
