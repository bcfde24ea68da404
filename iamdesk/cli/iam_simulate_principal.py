"""``iamdesk iam simulate-principal-policy``: IAM's SimulatePrincipalPolicy over the model.

The principal's policies, boundary, SCPs, resource policy and session policy come from the model
and the context keys AWS fills are filled (``--context-entries`` win over them)."""

from __future__ import annotations

from typing import Any

from iamdesk.services.simulate import simulate_principal_policy
from iamdesk.store.db import Database


def _simulate(db: Database, account_id: str | None, **options: Any) -> dict[str, Any]:
    result = simulate_principal_policy(db, account_id=account_id, explain=False, **options)
    return result.to_aws()


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
