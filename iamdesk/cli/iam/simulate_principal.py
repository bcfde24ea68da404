"""``iamdesk iam simulate-principal-policy``: IAM's SimulatePrincipalPolicy over the model.

The principal's policies, boundary, SCPs, resource policy and session policy come from the model
and the context keys AWS fills are filled (``--context-entries`` win over them)."""

from __future__ import annotations

from typing import Any

from iamdesk.services.simulate import simulate_principal_policy
from iamdesk.store.db import Database

# Most restrictive first: the decision for an action over several resources is the first of
# these that any resource produced (as in simulate-custom-policy).
_SEVERITY = ("explicitDeny", "implicitDeny", "allowed")


def _simulate(db: Database, account_id: str | None, **options: Any) -> dict[str, Any]:
    result = simulate_principal_policy(db, account_id=account_id, explain=False, **options)
    out = result.to_aws()
    if options.get("resource_arns"):
        out["EvaluationResults"] = _per_action(out["EvaluationResults"])
    return out


def _per_action(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """With ``--resource-arns`` IAM returns one result per action: the aggregate over the
    resources (the most restrictive decision, with the statements and missing keys of the
    resources that produced it) and each resource's own in ``ResourceSpecificResults``."""
    by_action: dict[str, list[dict[str, Any]]] = {}
    for item in results:
        by_action.setdefault(item["EvalActionName"], []).append(item)
    grouped = []
    for action, items in by_action.items():
        decision = min((i["EvalDecision"] for i in items), key=_SEVERITY.index)
        deciding = [i for i in items if i["EvalDecision"] == decision]
        matched: list[dict[str, Any]] = []
        for item in deciding:
            matched += [m for m in item["MatchedStatements"] if m not in matched]
        aggregate = {
            "EvalActionName": action,
            "EvalResourceName": deciding[0]["EvalResourceName"],
            "EvalDecision": decision,
            "MatchedStatements": matched,
            "MissingContextValues": sorted({k for i in items for k in i["MissingContextValues"]}),
        }
        for key in ("OrganizationsDecisionDetail", "PermissionsBoundaryDecisionDetail"):
            if key in deciding[0]:
                aggregate[key] = deciding[0][key]
        aggregate["EvalDecisionDetails"] = {}
        aggregate["ResourceSpecificResults"] = [
            {
                "EvalResourceName": i["EvalResourceName"],
                "EvalResourceDecision": i["EvalDecision"],
                "MatchedStatements": i["MatchedStatements"],
                "MissingContextValues": i["MissingContextValues"],
                "EvalDecisionDetails": {},
                **(
                    {"PermissionsBoundaryDecisionDetail": i["PermissionsBoundaryDecisionDetail"]}
                    if "PermissionsBoundaryDecisionDetail" in i
                    else {}
                ),
            }
            for i in items
        ]
        grouped.append(aggregate)
    return grouped


def register_iam_commands(register: Any) -> None:
    from iamdesk.cli.iam import command

    command(
        "simulate-principal-policy",
        "SimulatePrincipalPolicy",
        _simulate,
        "policy_source_arn!",
        "action_names:list!",
        "resource_arns:list",
        "context_entries:structs",
        "resource_policy:doc",
        "resource_owner",
        "caller_arn",
        "permissions_boundary_policy_input_list:list",
        "policy_input_list:list",
        help="evaluate a modelled user's, role's or session's access",
    )
