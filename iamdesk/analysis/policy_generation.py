"""A least-privilege policy for a principal from its imported activity, resources generalised the
way IAM Access Analyzer does, checked by our validator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from iamdesk.analysis.policy_findings import PolicyValidationFinding
from iamdesk.analysis.progress import Cancel, Progress
from iamdesk.analysis.refs import EntityRef


@dataclass(frozen=True)
class GeneratedPolicy:
    principal: EntityRef
    document: str  # the policy text, ready for the editor
    actions: tuple[str, ...]  # the used actions it allows
    days: int
    findings: tuple[PolicyValidationFinding, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        import json

        return {
            "principal": self.principal.arn,
            "days": self.days,
            "actions": list(self.actions),
            "policyDocument": json.loads(self.document),
            "findings": [f.to_json() for f in self.findings],
        }


def generate_policy(
    db: Any,
    account_id: str | None,
    principal_arn: str,
    days: int = 90,
    *,
    progress: Progress = None,
    cancel: Cancel = None,
) -> GeneratedPolicy:
    raise NotImplementedError("policy generation is being built")
