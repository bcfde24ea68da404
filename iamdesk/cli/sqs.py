"""``iamdesk sqs``: queues and their ``Policy`` attribute, as ``aws sqs``."""

from __future__ import annotations

from iamdesk.cli.aws_service import ServiceCli, as_map
from iamdesk.services import integration, removals

cli = ServiceCli("sqs")
cli.command(
    "create-queue",
    "CreateQueue",
    integration.create_queue,
    "queue_name!",
    "attributes",
    "tags",
    convert={"attributes": as_map("--attributes"), "tags": as_map("--tags")},
)
cli.command(
    "set-queue-attributes",
    "SetQueueAttributes",
    integration.set_queue_attributes,
    "queue_url!",
    "attributes!",
    convert={"attributes": as_map("--attributes")},
)
cli.command(
    "get-queue-attributes",
    "GetQueueAttributes",
    integration.get_queue_attributes,
    "queue_url!",
    "attribute_names:list",
)
cli.command("delete-queue", "DeleteQueue", removals.delete_queue, "queue_url!")
run = cli.run
