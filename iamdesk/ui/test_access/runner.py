"""Running a test-access request through the simulation service, into result rows.

The panel's only contact with ``iamdesk.services.simulate``: it expands wildcard actions
through the catalog, calls the service once for the whole request, and pairs each evaluation
result with its core ``Decision`` and the policies that took part (their text, for highlighting).
"""

from __future__ import annotations

import json
import logging
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from iamdesk.core import catalog
from iamdesk.core.arn import has_wildcard
from iamdesk.core.evaluator import allowed_if, evaluate_pattern
from iamdesk.ui.test_access.results_model import InvolvedPolicy, ResultRow

log = logging.getLogger(__name__)

MAX_ACTIONS = 500  # a wildcard that expands further is almost certainly a typo (e.g. "*")


@dataclass(frozen=True, slots=True)
class RunRequest:
    account_id: str
    principal_arn: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    context_entries: tuple[Mapping[str, Any], ...] = ()
    endpoint_policy: str | None = None  # the request goes through a VPC endpoint with this policy
    endpoint_id: str | None = None  # that endpoint's id (vpce-...), for aws:SourceVpce


class RequestError(ValueError):
    """The request cannot be run as given; the message says what to fix."""


def expand_actions(lines: Sequence[str]) -> list[str]:
    """Action names with wildcards expanded through the catalog, in order, without duplicates."""
    result: dict[str, None] = {}
    for line in lines:
        name = line.strip()
        if not name:
            continue
        if ":" not in name:
            raise RequestError(
                f"{name!r} is not an action: write service:Action, e.g. s3:GetObject"
            )
        if "*" in name or "?" in name:
            expanded = catalog.expand_action(name)
            if not expanded:
                raise RequestError(f"{name!r} matches no action")
            if len(expanded) > MAX_ACTIONS:
                raise RequestError(
                    f"{name!r} matches {len(expanded)} actions; narrow it to at most {MAX_ACTIONS}"
                )
            result.update(dict.fromkeys(expanded))
        else:
            result[name] = None
    if not result:
        raise RequestError("Enter at least one action.")
    return list(result)


def run(db: Any, request: RunRequest, *, explain: bool = False) -> list[ResultRow]:
    """Evaluate every action × resource; raises RequestError or the service's IamError.

    Without ``explain`` the decisions carry no trace or near misses (most of an evaluation's
    cost); ``explained`` fills them in for the one row the user looks at."""
    from iamdesk.services.simulate import simulate_principal_policy

    rows: list[ResultRow] = []
    # One call per resource: each resource brings its own resource policy, and the service
    # reports the involved policies per call.
    for resource in request.resources or ("*",):
        outcome = simulate_principal_policy(
            db,
            account_id=request.account_id,
            policy_source_arn=request.principal_arn,
            action_names=list(request.actions),
            resource_arns=[resource],
            context_entries=[dict(e) for e in request.context_entries] or None,
            explain=explain,
            endpoint_policy=request.endpoint_policy,
            endpoint_id=request.endpoint_id,
        )
        rows.extend(rows_from(outcome))
    return rows


def explained(db: Any, request: RunRequest, row: ResultRow) -> ResultRow:
    """``row`` evaluated again with its full trace (same request, same model)."""
    if getattr(row.decision, "trace", ()):
        return row
    single = replace(request, actions=(row.action,), resources=(row.resource,))
    again = run(db, single, explain=True)
    if len(again) == 1 and again[0].word == row.word:
        row.decision = again[0].decision
        row.policies = again[0].policies
        row.pattern = again[0].pattern
    return row


def cli_command(request: RunRequest, *, db_path: Any = None, account_id: str | None = None) -> str:
    """The same question as an ``iamdesk`` command line (AWS CLI's simulate-principal-policy),
    naming the model file and the account, so it answers the same from any shell."""
    words = ["iamdesk"]
    if db_path is not None:
        words += ["--db", str(db_path)]
    if account_id:
        words += ["--account-id", account_id]
    words += [
        "iam",
        "simulate-principal-policy",
        "--policy-source-arn",
        request.principal_arn,
        "--action-names",
        *request.actions,
    ]
    if request.resources and list(request.resources) != ["*"]:
        words += ["--resource-arns", *request.resources]
    if request.context_entries:
        words += ["--context-entries", json.dumps([dict(e) for e in request.context_entries])]
    return shlex.join(words)


def evaluator_type(label: str) -> str:
    """The evaluator's policy type from a label: ``"scps[0][1]"`` -> ``"scps"``."""
    return label.split("[", 1)[0]


def rows_from(outcome: Any) -> list[ResultRow]:
    """Result rows from the service's ``SimulationResult`` (decisions + involved policies)."""
    policies = tuple(
        InvolvedPolicy(
            label=p.label,
            policy_type=evaluator_type(p.label),
            name=p.name,
            text=p.text,
            source_type=p.policy_type,
        )
        for p in outcome.policies.values()
    )
    return [
        ResultRow(
            action=decision.request.action,
            resource=decision.request.resource,
            decision=decision,
            policies=policies,
            allowed_if=tuple(
                a.text for a in allowed_if(decision.request, decision.policy_set, decision)
            ),
            pattern=_pattern(decision),
        )
        for decision in outcome.decisions
    ]


def _pattern(decision: Any) -> Any:
    """For a resource with wildcards (other than ``*`` alone, every resource): the answer for
    every resource it names, with the statements that allow and deny within it."""
    resource = decision.request.resource
    if resource == "*" or not has_wildcard(resource):
        return None
    return evaluate_pattern(decision.request, decision.policy_set)
