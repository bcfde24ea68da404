"""A resource with wildcards in test access is answered for every resource it names: all, some or
none of them allowed, with the statements that allow and deny within it highlighted."""

from __future__ import annotations

from PySide6.QtCore import Qt

from iamdesk.core.policy.parser import parse_policy

ROLE = "arn:aws:iam::{account}:role/ThumbnailFunctionRole"
UPLOADS = "arn:aws:s3:::example-corp-uploads"


def _statement_lines(text: str, index: int) -> list[int]:
    span = parse_policy(text).statements[index].span
    return list(range(span.start.line, span.end.line + 1))


def _run(panel, qtbot, resources: list[str], region: bool = True) -> list:
    panel.set_request(ROLE.format(account=panel.context.account_id), ["s3:PutObject"], resources)
    if region:  # an approved region: the organization's guardrail does not deny
        panel.context_table.apply_preset("Requested region")
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    return panel.model.rows


def test_a_pattern_is_answered_all_some_or_none(panel, qtbot):
    rows = _run(
        panel,
        qtbot,
        [f"{UPLOADS}/thumbnails/*", f"{UPLOADS}/*", "arn:aws:s3:::example-corp-logs/*"],
    )
    shown = [panel.model.data(panel.model.index(i, 0)) for i in range(3)]
    assert shown == ["All allowed", "Some allowed", "None allowed"]
    assert [r.pattern.answer for r in rows] == ["all", "some", "none"]
    assert [r.verdict for r in rows] == ["allowed", "some", "implicitDeny"]
    assert "1 partly allowed" in panel.summary.text()
    assert panel.model.data(panel.model.index(1, 3)) == "identity ✓ part · SCP ✓"
    # The literal resource is still what the row's AWS decision is about.
    assert rows[1].word == "implicitDeny"


def test_some_names_the_statement_that_allows_within_the_pattern(panel, qtbot):
    _run(panel, qtbot, [f"{UPLOADS}/*"])
    panel.results.selectRow(0)
    text = panel.details.explanation.text()
    assert text.startswith(f"Allowed for some of the resources matching {UPLOADS}/*.")
    assert "Allowed by Identity policy WriteThumbnails, statement 0" in text
    assert f"{UPLOADS}/thumbnails/* (part of the pattern)" in text
    assert f"Taken as one resource named {UPLOADS}/*:" in text
    view = panel.details.views["identity[0]"]
    assert view.title.text() == "Identity policy · WriteThumbnails"
    assert view.highlighted_lines() == {"allow": _statement_lines(view.code.toPlainText(), 0)}


def test_a_deny_over_the_whole_pattern_shows_as_an_explicit_deny(panel, qtbot):
    (row,) = _run(panel, qtbot, [f"{UPLOADS}/*"], region=False)
    assert row.pattern.answer == "none"
    assert row.verdict == "explicitDeny"
    panel.results.selectRow(0)
    text = panel.details.explanation.text()
    assert "Denied by SCP Guardrails (level 1), statement 1 (DenyOutsideApprovedRegions)" in text
    assert panel.model.data(panel.model.index(0, 3)).startswith("SCP ✗ deny · ")
    first = panel.details.policies_layout.itemAt(0).widget()
    assert first.title.text() == "SCP · Guardrails (level 1)"
    assert list(first.highlighted_lines()) == ["deny"]


def test_a_resource_without_wildcards_has_no_pattern_answer(panel, qtbot):
    rows = _run(panel, qtbot, [f"{UPLOADS}/thumbnails/a.png", "*"])
    assert [r.pattern for r in rows] == [None, None]
    assert panel.model.data(panel.model.index(0, 0)) == "Allowed"
