"""The Policies view shows an AWS managed policy's real version history, and the attach dialog
still finds AWS managed policies by name."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from iamdesk.services import groups, policies

POWER = "arn:aws:iam::aws:policy/PowerUserAccess"


def _versions_of(window, qtbot, name: str) -> list[list[str]]:
    window.show()
    view = window.show_view("policies")
    qtbot.waitUntil(lambda: view.model.total_count() > 1500, timeout=10_000)
    view.filter.setText(name)
    assert view.select_key(POWER)
    tab = next(t for t in view.detail_tabs if t.name == "Versions")
    view.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.list.topLevelItemCount() > 0)
    return [
        [tab.list.topLevelItem(i).text(c) for c in range(2)]
        for i in range(tab.list.topLevelItemCount())
    ]


def test_versions_tab_lists_power_user_access_history(window, qtbot) -> None:
    rows = _versions_of(window, qtbot, "PowerUserAccess")
    assert [r[0] for r in rows] == ["v12", "v10", "v8", "v7", "v6", "v5", "v4", "v3", "v2", "v1"]
    assert [r[1] for r in rows] == ["Yes"] + [""] * 9
    row = window.views["policies"].selected_row()
    assert row["PolicyName"] == "PowerUserAccess" and row["Versions"] == 10


def test_versions_tab_is_the_same_once_the_policy_is_attached(window, context, qtbot) -> None:
    groups.create_group(context.database, context.account_id, "Developers")
    from iamdesk.services.attachments import attach_policy

    attach_policy(context.database, context.account_id, "group", "Developers", POWER)
    context.notify("groups")
    rows = _versions_of(window, qtbot, "PowerUserAccess")
    assert len(rows) == 10 and rows[0] == ["v12", "Yes"]
    got = policies.get_policy(context.database, context.account_id, POWER)["Policy"]
    assert got["AttachmentCount"] == 1


def test_attach_dialog_finds_aws_managed_policies(window, context, qtbot) -> None:
    from iamdesk.ui.dialogs.policy_dialogs import attach_policy_dialog

    groups.create_group(context.database, context.account_id, "Developers")
    dialog = attach_policy_dialog(context, "group", "Developers", set(), window)
    qtbot.addWidget(dialog)
    total = dialog.model.rowCount()
    assert total > 1500
    dialog.filter.setText("poweruser")
    names = {dialog.proxy.index(r, 0).data() for r in range(dialog.proxy.rowCount())}
    assert "PowerUserAccess" in names and len(names) < 20
    assert dialog.choose("PolicyName", "PowerUserAccess")
    dialog.submit()
    QApplication.processEvents()
    attached = policies.get_policy(context.database, context.account_id, POWER)["Policy"]
    assert attached["AttachmentCount"] == 1 and attached["DefaultVersionId"] == "v12"


def test_an_imported_older_snapshot_shows_its_own_default(window, context, qtbot) -> None:
    import json
    from pathlib import Path

    from iamdesk.services.importexport import import_authorization_details

    sample = Path(__file__).resolve().parents[1] / "data" / "authorization-details-example.json"
    data = json.loads(sample.read_text(encoding="utf-8"))
    (entry,) = [p for p in data["Policies"] if p["Arn"] == POWER]
    import_authorization_details(context.database, sample.read_text(encoding="utf-8"))
    rows = _versions_of(window, qtbot, "PowerUserAccess")
    assert rows == [["v4", "Yes"], ["v3", ""], ["v2", ""], ["v1", ""]]
    view = window.views["policies"]
    document = next(t for t in view.detail_tabs if t.name == "Document")
    view.tabs.setCurrentWidget(document)
    qtbot.waitUntil(lambda: bool(document.document.text()))
    assert json.loads(document.document.text()) == entry["PolicyVersionList"][0]["Document"]


def test_permissions_tab_shows_the_models_version_of_an_aws_policy(tmp_path, qtbot, settings):
    """A role of the imported sample uses AWSConfigServiceRolePolicy v42 (the catalog has v96):
    its Permissions tab shows v42, the document simulations use."""
    import json
    from pathlib import Path

    from iamdesk.services.importexport import import_authorization_details
    from iamdesk.store.db import open_database
    from iamdesk.ui.context import AppContext
    from iamdesk.ui.main_window import MainWindow

    sample = Path(__file__).resolve().parents[1] / "data" / "authorization-details-example.json"
    arn = "arn:aws:iam::aws:policy/aws-service-role/AWSConfigServiceRolePolicy"
    (entry,) = [p for p in json.loads(sample.read_text())["Policies"] if p["Arn"] == arn]
    database = open_database(tmp_path / "sample.sqlite")
    import_authorization_details(database, sample.read_text(encoding="utf-8"))
    window = MainWindow(AppContext(database, "200611803367", tmp_path / "sample.sqlite"), settings)
    qtbot.addWidget(window)
    window.show()
    view = window.show_view("roles")
    qtbot.waitUntil(lambda: view.model.total_count() > 10)
    assert view.select_name("AWSServiceRoleForConfig")
    tab = next(t for t in view.detail_tabs if t.name == "Permissions")
    view.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.list.topLevelItemCount() > 0)
    item = next(
        tab.list.topLevelItem(i)
        for i in range(tab.list.topLevelItemCount())
        if tab.list.topLevelItem(i).text(0) == "AWSConfigServiceRolePolicy"
    )
    tab.list.setCurrentItem(item)
    assert entry["DefaultVersionId"] == "v42"
    assert json.loads(tab.document.text()) == entry["PolicyVersionList"][0]["Document"]
    window.close()
    database.close()
