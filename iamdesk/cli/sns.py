"""``iamdesk sns``: topics and their ``Policy`` attribute, as ``aws sns``."""

from __future__ import annotations

from iamdesk.cli.aws_service import ServiceCli, tag_map
from iamdesk.services import integration, removals

cli = ServiceCli("sns")
cli.command(
    "create-topic",
    "CreateTopic",
    integration.create_topic,
    "name!",
    "tags:structs",
    convert={"tags": tag_map("--tags")},
)
cli.command(
    "set-topic-attributes",
    "SetTopicAttributes",
    integration.set_topic_attributes,
    "topic_arn!",
    "attribute_name!",
    "attribute_value:doc!",
)
cli.command(
    "get-topic-attributes", "GetTopicAttributes", integration.get_topic_attributes, "topic_arn!"
)
cli.command("delete-topic", "DeleteTopic", removals.delete_topic, "topic_arn!")
run = cli.run
