"""File > Import as a person uses it (issue 10): an import is one undo step (Ctrl+Z, Ctrl+Y),
an account already in the model is replaced or compared first, and the window stays live."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit

from iamdesk.services.importexport import export_authorization_details
from tests.ui.helpers import click_box_button, no_visible_window, visible_window

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "authorization-details-example.json"
ACCOUNT = "200611803367"
OTHER = "012345678901"


def _idle(window: Any, qtbot: Any) -> None:
    qtbot.waitUntil(lambda: window.tasks.running == 0, timeout=60_000)
    qtbot.wait(10)  # the tasks' queued results reach the GUI thread
    qtbot.waitUntil(lambda: window.tasks.running == 0, timeout=60_000)


def _state(context: Any) -> dict[str, Any]:
    db = context.database
    known = {a for a in (ACCOUNT, OTHER) if a in _account_ids(context)}
    return {
        "accounts": _account_ids(context),
        "default": db.default_account_id(),
        "exports": {a: export_authorization_details(db, a) for a in sorted(known)},
    }


def _account_ids(context: Any) -> list[str]:
    from sqlalchemy import select

    from iamdesk.store.tables import Account

    with context.database.read() as session:
        return sorted(session.scalars(select(Account.account_id)))


def _newer(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    gone = data["UserDetailList"].pop(0)
    changed = data["UserDetailList"][0]
    changed["Tags"] = [{"Key": "team", "Value": "platform"}]
    changed["AttachedManagedPolicies"] = []
    path = tmp_path / "newer.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path, {"gone": gone["UserName"], "changed": changed["UserName"]}


def _sample_then_newer(window: Any, qtbot: Any, context: Any, tmp_path: Path) -> tuple[Any, ...]:
    """The sample imported through the window, then File > Import of a newer dump of it: the
    state after the first import, the names changed, and the choice box that opened."""
    window.show()
    window.file_actions.import_path(SAMPLE)
    _idle(window, qtbot)
    first = _state(context)
    newer, names = _newer(tmp_path)
    window.file_actions.import_path(newer)
    qtbot.waitUntil(lambda: not no_visible_window("importChoiceBox"), timeout=20_000)
    return first, newer, names, visible_window("importChoiceBox")


def _keys(window: Any, qtbot: Any, key: Qt.Key, modifiers: Qt.KeyboardModifier) -> None:
    from PySide6.QtWidgets import QApplication

    window.apply_shortcuts()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    qtbot.keyClick(window, key, modifiers)
    _idle(window, qtbot)


def test_an_import_is_one_undo_step_restored_exactly(window, context, qtbot) -> None:
    window.show()
    before = _state(context)
    window.file_actions.import_path(SAMPLE)
    _idle(window, qtbot)
    imported = _state(context)
    assert ACCOUNT in imported["accounts"] and imported["default"] == ACCOUNT
    assert len(imported["exports"][ACCOUNT]["UserDetailList"]) == 41
    assert context.undo_stack.count() == 1
    assert context.undo_stack.text(0) == f"Import {SAMPLE.name}"

    _keys(window, qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _state(context) == before  # accounts, default and contents as they were
    assert "Undo" in window.statusBar().currentMessage()

    _keys(window, qtbot, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert _state(context) == imported  # the same UserIds, dates, policies and versions
    view = window.show_view("users")
    context.set_account(ACCOUNT)
    qtbot.waitUntil(lambda: view.model.rowCount() == 41, timeout=20_000)


def test_replace_after_looking_at_the_differences_then_undo(
    window, context, qtbot, tmp_path
) -> None:
    first, _newer_path, names, box = _sample_then_newer(window, qtbot, context, tmp_path)
    assert ACCOUNT in box.text()
    click_box_button("importChoiceBox", "importDiffButton")
    qtbot.waitUntil(lambda: not no_visible_window("importDiffDialog"), timeout=20_000)
    dialog = visible_window("importDiffDialog")
    rows = dialog.visible_rows()
    assert ("removed", "user", names["gone"]) in rows
    assert ("changed", "user", names["changed"]) in rows
    assert "1 removed, 1 changed" in dialog.summary.text()
    kind = dialog.findChild(QComboBox, "importDiffKind")
    kind.setCurrentText("Removed")
    assert dialog.visible_rows() == [("removed", "user", names["gone"])]
    kind.setCurrentText("All changes")
    qtbot.keyClicks(dialog.findChild(QLineEdit, "importDiffFilter"), "team")
    assert dialog.visible_rows() == [("changed", "user", names["changed"])]
    assert _state(context) == first  # looking changes nothing
    dialog.apply_button.click()
    _idle(window, qtbot)
    replaced = _state(context)
    users = {u["UserName"]: u for u in replaced["exports"][ACCOUNT]["UserDetailList"]}
    assert names["gone"] not in users
    assert users[names["changed"]]["Tags"] == [{"Key": "team", "Value": "platform"}]
    assert context.undo_stack.text(1) == f"Replace account {OTHER}, {ACCOUNT} from newer.json"

    _keys(window, qtbot, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _state(context) == first
    _keys(
        window,
        qtbot,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert _state(context) == replaced


def test_replace_straight_away_and_cancel_leave_or_change_the_model(
    window, context, qtbot, tmp_path
) -> None:
    first, newer, names, _box = _sample_then_newer(window, qtbot, context, tmp_path)
    click_box_button("importChoiceBox", "importCancelButton")
    _idle(window, qtbot)
    assert _state(context) == first and context.undo_stack.count() == 1
    window.file_actions.import_path(newer)
    qtbot.waitUntil(lambda: not no_visible_window("importChoiceBox"), timeout=20_000)
    click_box_button("importChoiceBox", "importReplaceButton")
    _idle(window, qtbot)
    exported = export_authorization_details(context.database, ACCOUNT)
    assert names["gone"] not in {u["UserName"] for u in exported["UserDetailList"]}
    assert context.undo_stack.count() == 2


@pytest.mark.allow_ui_warnings
def test_the_app_refuses_what_the_command_line_refuses(window, context, qtbot, tmp_path) -> None:
    from iamdesk.cli.main import main

    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    data["UserDetailList"][1]["UserName"] = "two words"
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xef\xbb\xbf" + json.dumps(data, indent=2).encode())
    window.show()
    window.file_actions.import_path(bad)
    qtbot.waitUntil(lambda: not no_visible_window("errorBox"), timeout=20_000)
    shown = visible_window("errorBox").text()
    assert "UserDetailList[1].UserName: ValidationError" in shown and "(line " in shown
    visible_window("errorBox").close()
    assert _account_ids(context) == [context.database.default_account_id()]
    # The command line gives the same words for the same bytes.
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["--db", str(context.db_path), "import", str(bad)]) == 254
    message = err.getvalue().split(": ", 2)[2].removesuffix("; nothing was imported\n")
    assert message in shown
