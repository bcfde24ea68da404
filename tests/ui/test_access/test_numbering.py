"""Issue 10 item 7: the explanation sentence and the explanation tree name a statement the
same way (numbered from 0, as the evaluator's trace and `iamdesk simulate` do)."""

from __future__ import annotations

import re


def test_explanation_and_tree_number_statements_alike(panel):
    bob = f"arn:aws:iam::{panel.context.account_id}:user/bob"
    panel.set_request(bob, ["ec2:RunInstances"], [])
    panel.context_table.apply_preset("Requested region")
    assert [r.word for r in panel.run()] == ["allowed"]
    said = re.findall(r"statement \d+(?: \([^)]*\))?", panel.details.explanation.text())
    assert said, panel.details.explanation.text()
    decided = [i.text(0) for i in panel.details.tree.statement_items() if "decided" in i.text(0)]
    assert decided
    for item in decided:
        assert any(name in item for name in said), (said, decided)
