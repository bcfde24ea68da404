"""The vocabulary analysis results share with their readers (the Analysis view, the graph, the CLI).

Every result row names the entities it is about with an ``EntityRef`` and the policy statements
that decided it with a ``StatementRef``, so a reader can open the entity in its view, or the
policy in the editor with the deciding statement highlighted, without knowing how the analysis
found them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from iamdesk.core.policy.document import Statement

ENTITY_KINDS = (
    "user",
    "group",
    "role",
    "policy",
    "session",
    "resource",
    "account",
    "external",
    "service",
)
POLICY_KINDS = ("managed", "inline", "trust", "resource", "boundary", "scp", "rcp", "session")


@dataclass(frozen=True)
class EntityRef:
    kind: str  # one of ENTITY_KINDS
    arn: str  # a get-session-token session: its ASIA key (it has its user's ARN)
    name: str
    account_id: str | None
    parent: str | None = None  # a session: the ARN of its role or user

    def to_json(self) -> dict[str, Any]:
        out = {"kind": self.kind, "arn": self.arn, "name": self.name, "accountId": self.account_id}
        if self.parent is not None:
            out["parent"] = self.parent
        return out


@dataclass(frozen=True)
class StatementRef:
    policy_label: str  # "PowerUserAccess", "inline AllowS3 on user/alice", "trust policy of role/x"
    policy_arn: str | None  # managed policy ARN, else None
    owner: EntityRef | None  # entity carrying an inline/trust/resource policy (None for managed)
    policy_kind: str  # one of POLICY_KINDS
    statement_index: int  # 0-based, as AWS, the evaluator's trace and the editor number them
    sid: str | None
    # 1-based, the statement's braces included (what the editor highlights)
    start_line: int
    start_column: int
    end_line: int
    end_column: int
    # The policy's own name (managed, inline, SCP/RCP), so nothing has to parse the label.
    policy_name: str | None = None

    @classmethod
    def of(
        cls,
        statement: Statement,
        *,
        policy_label: str,
        policy_kind: str,
        policy_arn: str | None = None,
        owner: EntityRef | None = None,
        policy_name: str | None = None,
    ) -> StatementRef:
        span = statement.span
        return cls(
            policy_label=policy_label,
            policy_arn=policy_arn,
            owner=owner,
            policy_kind=policy_kind,
            statement_index=statement.index,
            sid=statement.sid,
            start_line=span.start.line,
            start_column=span.start.column,
            end_line=span.end.line,
            end_column=span.end.column,
            policy_name=policy_name,
        )

    @property
    def display(self) -> str:
        """How a row shows it: "PowerUserAccess, statement 1 (AllowAll)"."""
        sid = f" ({self.sid})" if self.sid else ""
        return f"{self.policy_label}, statement {self.statement_index}{sid}"

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy_label,
            "policyArn": self.policy_arn,
            "policyKind": self.policy_kind,
            "policyName": self.policy_name,
            "owner": self.owner.arn if self.owner else None,
            "statementIndex": self.statement_index,
            "sid": self.sid,
            "start": {"line": self.start_line, "column": self.start_column},
            "end": {"line": self.end_line, "column": self.end_column},
        }
