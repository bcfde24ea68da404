"""``iamdesk secretsmanager``: secrets and their resource policies, as ``aws secretsmanager``.

``--secret-string``/``--secret-binary`` are accepted and dropped: the model never stores a
secret's value."""

from __future__ import annotations

from iamdesk.cli.aws_service import ServiceCli, tag_map
from iamdesk.services import integration, removals

cli = ServiceCli("secretsmanager")
cli.command(
    "create-secret",
    "CreateSecret",
    integration.create_secret,
    "name!",
    "description",
    "tags:structs",
    convert={"tags": tag_map("--tags")},
    ignore=("secret-string", "secret-binary", "kms-key-id"),
)
cli.command(
    "put-resource-policy",
    "PutResourcePolicy",
    integration.put_resource_policy,
    "secret_id!",
    "resource_policy:doc!",
)
cli.command(
    "get-resource-policy", "GetResourcePolicy", integration.get_resource_policy, "secret_id!"
)
cli.command(
    "delete-secret",
    "DeleteSecret",
    removals.delete_secret,
    "secret_id!",
    "recovery_window_in_days:int",
    "force_delete_without_recovery:flag",
)
run = cli.run
