"""The shared vocabulary: a StatementRef points at the statement's braces as core parsed them."""

from __future__ import annotations

from iamdesk.analysis.refs import EntityRef, StatementRef
from iamdesk.core.policy.parser import parse_policy

TEXT = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    {
      "Sid": "Second",
      "Effect": "Deny",
      "Action": "s3:*",
      "Resource": "*"
    }
  ]
}"""


def test_statement_ref_spans_the_statement_braces() -> None:
    doc = parse_policy(TEXT)
    owner = EntityRef("user", "arn:aws:iam::111122223333:user/alice", "alice", "111122223333")
    ref = StatementRef.of(
        doc.statements[1], policy_label="inline P on user/alice", policy_kind="inline", owner=owner
    )
    assert (ref.statement_index, ref.sid) == (1, "Second")
    assert (ref.start_line, ref.start_column, ref.end_line, ref.end_column) == (5, 5, 10, 6)
    assert ref.display == "inline P on user/alice, statement 1 (Second)"
    lines = TEXT.splitlines()
    assert lines[ref.start_line - 1][ref.start_column - 1] == "{"
    assert lines[ref.end_line - 1][ref.end_column - 2] == "}"
    assert ref.to_json()["owner"] == owner.arn
    assert owner.to_json()["accountId"] == "111122223333"
