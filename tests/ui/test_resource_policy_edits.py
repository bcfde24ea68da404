"""The Resources view edits SQS queue and SNS topic policies (undoable); a Lambda function
policy stays read-only and says why."""

from __future__ import annotations

import json
import shutil

import pytest

from iamdesk.services import integration
from iamdesk.ui.commands.resources import editable, set_resource_policy
from iamdesk.ui.context import AppContext

PROD = "111122223333"
QUEUE_URL = f"https://sqs.us-east-1.amazonaws.com/{PROD}/order-events"
TOPIC = f"arn:aws:sns:us-east-1:{PROD}:order-notifications"


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    from iamdesk.services.demo import write_demo

    return write_demo(tmp_path_factory.mktemp("demo") / "demo.sqlite")


@pytest.fixture
def context(demo_file, tmp_path):
    from iamdesk.store.db import open_database

    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_file, path)
    database = open_database(path)
    yield AppContext(database, PROD, path)
    database.close()


def _queue_policy(context) -> str | None:
    got = integration.get_queue_attributes(context.database, queue_url=QUEUE_URL, account_id=PROD)[
        "Attributes"
    ]
    return got.get("Policy")


def _topic_policy(context) -> str:
    got = integration.get_topic_attributes(context.database, topic_arn=TOPIC, account_id=PROD)
    return str(got["Attributes"]["Policy"])


def _with_deny(text: str, action: str) -> str:
    document = json.loads(text)
    statements = document["Statement"]
    statements = statements if isinstance(statements, list) else [statements]
    statements.append({"Effect": "Deny", "Principal": "*", "Action": action, "Resource": "*"})
    document["Statement"] = statements
    return json.dumps(document, indent=4)


def test_editable_services() -> None:
    assert editable("sqs", None) and editable("sqs", "{}")
    assert editable("sns", "{}") and not editable("sns", None)
    assert not editable("lambda", "{}")


def test_queue_policy_saved_and_undone(qtbot, context) -> None:
    before = _queue_policy(context)
    assert before is not None
    edited = _with_deny(before, "sqs:DeleteQueue")
    set_resource_policy(context, "sqs", "order-events", before, edited)
    assert _queue_policy(context) == edited
    context.undo_stack.undo()
    assert _queue_policy(context) == before
    context.undo_stack.redo()
    assert _queue_policy(context) == edited


def test_a_new_queue_policy_is_removed_by_undo(qtbot, context) -> None:
    integration.create_queue(context.database, queue_name="bare", account_id=PROD)
    url = f"https://sqs.us-east-1.amazonaws.com/{PROD}/bare"
    policy = _with_deny('{"Version": "2012-10-17", "Statement": []}', "sqs:*")
    set_resource_policy(context, "sqs", "bare", None, policy)
    attrs = integration.get_queue_attributes(context.database, queue_url=url, account_id=PROD)
    assert attrs["Attributes"]["Policy"] == policy
    context.undo_stack.undo()
    attrs = integration.get_queue_attributes(context.database, queue_url=url, account_id=PROD)
    assert "Policy" not in attrs["Attributes"]


def test_topic_policy_saved_and_undone(qtbot, context) -> None:
    before = _topic_policy(context)
    edited = _with_deny(before, "sns:Publish")
    set_resource_policy(context, "sns", "order-notifications", before, edited)
    assert _topic_policy(context) == edited
    context.undo_stack.undo()
    assert _topic_policy(context) == before


def test_a_malformed_topic_policy_is_refused_and_nothing_changes(qtbot, context) -> None:
    from iamdesk.services.errors import IamError

    before = _topic_policy(context)
    with pytest.raises(IamError):
        set_resource_policy(context, "sns", "order-notifications", before, "{not json")
    assert _topic_policy(context) == before
    assert context.undo_stack.count() == 0
