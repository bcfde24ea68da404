"""The questions of the Analysis view: for each, its inputs, the engine call and the columns of
its table. The engine (``iamdesk.analysis``) is imported when a question first runs, on the
worker thread, so opening the view costs nothing."""

from __future__ import annotations

import logging
from typing import Any

from iamdesk.ui.views.analysis.inputs import Field
from iamdesk.ui.views.analysis.question_tab import Question
from iamdesk.ui.views.analysis.results import ResultColumn

log = logging.getLogger(__name__)

SEVERITY_COLORS = {
    "high": "deny_fg",
    "medium": "warn_fg",
    "low": "muted_fg",
    "ERROR": "ERROR",
    "SECURITY_WARNING": "SECURITY_WARNING",
    "WARNING": "WARNING",
    "SUGGESTION": "SUGGESTION",
}


def _severity_color(row: Any) -> str | None:
    return SEVERITY_COLORS.get(str(getattr(row, "severity", "")))


def _chain(grant: Any) -> str:
    return " → ".join(e.name for e in grant.chain) if grant.chain else "direct"


def _grant_columns(*, principal_first: bool) -> list[ResultColumn]:
    who = [
        ResultColumn("Principal", lambda g: g.principal, 180),
        ResultColumn("Type", lambda g: g.principal.kind, 70),
        ResultColumn("Account", lambda g: g.principal.account_id, 110),
    ]
    what = [
        ResultColumn("Access level", lambda g: g.access_level, 150),
        ResultColumn("Action", lambda g: g.action, 220),
        ResultColumn("Resource", lambda g: g.resource, 220),
    ]
    tail = [
        ResultColumn(
            "Decision",
            lambda g: "conditional" if g.conditional else "allowed",
            90,
            lambda g: "warn_fg" if g.conditional else "allow_fg",
        ),
        ResultColumn("Via roles", _chain, 140),
        ResultColumn("Conditions", lambda g: g.conditions, 220),
        ResultColumn("Deciding statements", lambda g: g.statements, 300),
    ]
    return [*who, *what[1:], *tail] if principal_first else [*what, *tail]


def _who_can(db: Any, account: str | None, v: dict[str, Any], progress: Any, cancel: Any) -> Any:
    from iamdesk.analysis.who_can import who_can

    return who_can(db, account, v["Action"], v["Resource"] or "*", progress=progress, cancel=cancel)


def _what_can(db: Any, account: str | None, v: dict[str, Any], progress: Any, cancel: Any) -> Any:
    from iamdesk.analysis.what_can import what_can

    if not v["Resource"] and not v["Service"]:
        raise ValueError("Give a resource, a service (such as s3), or both.")
    return what_can(
        db,
        account,
        v["Principal"],
        resource=v["Resource"] or None,
        service=v["Service"] or None,
        progress=progress,
        cancel=cancel,
    )


def _external(db: Any, account: str | None, v: dict[str, Any], progress: Any, cancel: Any) -> Any:
    from iamdesk.analysis.external_access import find_external_access

    return find_external_access(db, account, v["Zone"], progress=progress, cancel=cancel)


def _unused(db: Any, account: str | None, v: dict[str, Any], progress: Any, cancel: Any) -> Any:
    from iamdesk.analysis.unused_access import find_unused_access

    return find_unused_access(db, account, int(v["Days"]), progress=progress, cancel=cancel)


def _privesc(db: Any, account: str | None, v: dict[str, Any], progress: Any, cancel: Any) -> Any:
    from iamdesk.analysis.privesc import find_escalation_paths

    return find_escalation_paths(
        db, account, v["Principal"] or None, progress=progress, cancel=cancel
    )


def _best(db: Any, account: str | None, _v: dict[str, Any], progress: Any, cancel: Any) -> Any:
    from iamdesk.analysis.best_practices import find_best_practice_issues

    return find_best_practice_issues(db, account, progress=progress, cancel=cancel)


def _validate(db: Any, account: str | None, _v: dict[str, Any], progress: Any, cancel: Any) -> Any:
    from iamdesk.analysis.policy.findings import validate_all

    return validate_all(db, account, progress=progress, cancel=cancel)


def _path_text(path: Any) -> str:
    parts = [path.principal.name]
    for step in path.steps:
        parts.append(f"—{step.technique}→ {step.target.name}")
    return " ".join(parts)


def _location(finding: Any) -> Any:
    """A validation finding is its own location: it has the policy's label, kind, ARN, owner
    and span, which is all the editor needs."""
    return finding


WHO_CAN = Question(
    "WhoCan",
    "Who can",
    "Every user, role and session (of a role or a user) that can perform the action on the "
    "resource, through identity and resource policies, boundaries, SCPs and RCPs, and the "
    "roles it can assume.",
    (
        Field("Action", "Action", "action", placeholder="e.g. s3:GetObject"),
        Field("Resource", "Resource", "resource", placeholder="ARN (empty: *)", required=False),
    ),
    _who_can,
    lambda: _grant_columns(principal_first=True),
)
WHAT_CAN = Question(
    "WhatCan",
    "What can",
    "What a principal can do on a resource, or across a service's actions, by access level.",
    (
        Field("Principal", "Principal", "principal"),
        Field("Service", "Service", "service", required=False, placeholder="e.g. s3"),
        Field("Resource", "Resource", "resource", required=False, placeholder="ARN (optional)"),
    ),
    _what_can,
    lambda: _grant_columns(principal_first=False),
)
EXTERNAL = Question(
    "External",
    "External access",
    "Role trust policies and resource policies (S3, KMS, Lambda, SQS, SNS, Secrets Manager) "
    "that let principals outside the zone of trust in, or everyone.",
    (Field("Zone", "Zone of trust", "zone"),),
    _external,
    lambda: [
        ResultColumn(
            "Status",
            lambda f: f.status,
            70,
            lambda f: "muted_fg" if f.status == "archived" else None,
        ),
        ResultColumn("Resource", lambda f: f.resource, 180),
        ResultColumn("Type", lambda f: f.resource_type, 130),
        ResultColumn(
            "Principal",
            lambda f: f.principal,
            200,
            lambda f: "deny_fg" if f.is_public else None,
        ),
        ResultColumn("Public", lambda f: f.is_public, 55),
        ResultColumn("Access levels", lambda f: f.access_levels, 150),
        ResultColumn("Actions", lambda f: f.actions, 200),
        ResultColumn("Conditions", lambda f: f.conditions or "none", 180),
        ResultColumn("Statement", lambda f: f.statement, 220),
        ResultColumn("Archive reason", lambda f: f.archive_reason, 160),
    ],
)
UNUSED = Question(
    "Unused",
    "Unused access",
    "Roles, access keys and passwords not used for the period, and granted services or actions "
    "that imported CloudTrail activity never shows used (iamdesk activity import FILE).",
    (Field("Days", "Unused for", "days", default="90"),),
    _unused,
    lambda: [
        ResultColumn("Kind", lambda f: f.kind, 90),
        ResultColumn("Entity", lambda f: f.entity, 160),
        ResultColumn("Type", lambda f: f.entity.kind, 60),
        ResultColumn("Days unused", lambda f: f.days_unused, 90),
        ResultColumn(
            "Last used",
            lambda f: f.last_used.strftime("%Y-%m-%d") if f.last_used else "never",
            100,
        ),
        ResultColumn("Detail", lambda f: f.detail, 280),
        ResultColumn("Unused items", lambda f: f.items, 220),
        ResultColumn("Granted by", lambda f: f.statements, 220),
    ],
)
PRIVESC = Question(
    "Escalation",
    "Escalation paths",
    "For each principal that is not already administrator-equivalent, the shortest ways to "
    "become so (create keys, attach or put policies, PassRole with a service, assume role...), "
    "each step backed by an evaluator decision. Select a path to see and open its steps.",
    (
        Field(
            "Principal",
            "Principal",
            "principal",
            required=False,
            placeholder="empty: every principal",
        ),
    ),
    _privesc,
    lambda: [
        ResultColumn("Principal", lambda p: p.principal, 160),
        ResultColumn("Type", lambda p: p.principal.kind, 60),
        ResultColumn("Reaches", lambda p: p.reaches, 160),
        ResultColumn("Steps", lambda p: len(p.steps), 50),
        ResultColumn("Path", _path_text, 380),
        ResultColumn("First step's statements", lambda p: p.steps[0].statements, 260),
    ],
)
BEST = Question(
    "BestPractices",
    "Best practices",
    "Console users without MFA, old or unused keys, unused roles, administrator-equivalent "
    "principals, wildcards on sensitive services, inline policies, risky trust and policies "
    "with validation findings.",
    (),
    _best,
    lambda: [
        ResultColumn("Severity", lambda f: f.severity, 70, _severity_color),
        ResultColumn("Check", lambda f: f.check_id, 190),
        ResultColumn("Entity", lambda f: f.entity, 170),
        ResultColumn("Type", lambda f: f.entity.kind, 60),
        ResultColumn("Detail", lambda f: f.detail, 360),
        ResultColumn("Statement", lambda f: f.statement, 220),
    ],
)
VALIDATE = Question(
    "Validation",
    "Policy validation",
    "Every policy of the model (managed, inline, trust, resource, SCPs and RCPs) checked by the "
    "validator, as IAM Access Analyzer's ValidatePolicy reports.",
    (),
    _validate,
    lambda: [
        ResultColumn("Severity", lambda f: f.severity, 130, _severity_color),
        ResultColumn("Code", lambda f: f.code, 190),
        ResultColumn("Policy", lambda f: f.policy_label, 220),
        ResultColumn("Kind", lambda f: f.policy_kind, 70),
        ResultColumn("Owner", lambda f: f.owner, 140),
        ResultColumn("Line", lambda f: f.start_line, 45),
        ResultColumn("Message", lambda f: f.message, 360),
    ],
    statement_of=_location,
)

# In tab order; policy generation and the graph have tabs of their own kind.
QUESTIONS = (WHO_CAN, WHAT_CAN, EXTERNAL, UNUSED, PRIVESC, BEST, VALIDATE)
