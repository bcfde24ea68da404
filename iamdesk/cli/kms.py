"""``iamdesk kms``: keys and key policies, as ``aws kms``."""

from __future__ import annotations

from iamdesk.cli.aws_service import ServiceCli, tag_map
from iamdesk.services import removals, resources

cli = ServiceCli("kms")
cli.command(
    "create-key",
    "CreateKey",
    resources.create_key,
    "description",
    "policy:doc",
    "tags:structs",
    convert={"tags": tag_map("--tags", "TagKey", "TagValue")},
)
cli.command(
    "put-key-policy",
    "PutKeyPolicy",
    resources.put_key_policy,
    "key_id!",
    "policy:doc!",
    "policy_name",
)
cli.command("get-key-policy", "GetKeyPolicy", resources.get_key_policy, "key_id!", "policy_name")
cli.command("list-keys", "ListKeys", resources.list_keys)
cli.command(
    "schedule-key-deletion",
    "ScheduleKeyDeletion",
    removals.schedule_key_deletion,
    "key_id!",
    "pending_window_in_days:int",
)
cli.command("cancel-key-deletion", "CancelKeyDeletion", removals.cancel_key_deletion, "key_id!")
run = cli.run
