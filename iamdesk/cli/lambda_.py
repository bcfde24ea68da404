"""``iamdesk lambda``: functions and their resource-based policies, as ``aws lambda``.

``--zip-file``/``--code`` are accepted and ignored: the model keeps a function's identity, role
and policy, not its code."""

from __future__ import annotations

from iamdesk.cli.aws_service import ServiceCli, as_map
from iamdesk.services import integration, removals

cli = ServiceCli("lambda")
cli.command(
    "create-function",
    "CreateFunction",
    integration.create_function,
    "function_name!",
    "role!",
    "runtime",
    "handler",
    "tags",
    convert={"tags": as_map("--tags")},
    ignore=("zip-file", "code", "timeout", "memory-size", "description"),
)
cli.command(
    "add-permission",
    "AddPermission",
    integration.add_permission,
    "function_name!",
    "statement_id!",
    "action!",
    "principal!",
    "source_arn",
    "source_account",
    "principal_org_id",
)
cli.command("get-policy", "GetPolicy", integration.get_policy, "function_name!")
cli.command(
    "remove-permission",
    "RemovePermission",
    integration.remove_permission,
    "function_name!",
    "statement_id!",
)
cli.command("delete-function", "DeleteFunction", removals.delete_function, "function_name!")
run = cli.run
