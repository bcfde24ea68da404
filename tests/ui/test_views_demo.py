"""Every navigation entry renders real content from the demo organization."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QTreeWidget

from iamdesk.ui.context import AppContext
from iamdesk.ui.main_window import MainWindow
from iamdesk.ui.views import VIEW_NAMES
from iamdesk.ui.views.entity_view import EntityView


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    from iamdesk.services.demo import write_demo

    return write_demo(tmp_path_factory.mktemp("demo") / "demo.sqlite")


@pytest.fixture
def demo_window(qtbot, demo_file, settings):
    from iamdesk.store.db import open_database

    database = open_database(demo_file)
    context = AppContext(database, "111122223333", demo_file)
    window = MainWindow(context, settings)
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    yield window
    window.close()
    database.close()


@pytest.mark.parametrize("name", VIEW_NAMES)
def test_view_renders_demo_content(demo_window, name, tmp_path):
    view = demo_window.show_view(name)
    assert view.isVisible()
    if isinstance(view, EntityView):
        assert view.model.rowCount() > 0, f"{name} shows no rows"
        view.select_first()
        tab = view.tabs.currentWidget()
        assert tab.key is not None, f"{name}: the first tab did not load"
    picture = tmp_path / f"{name}.png"
    assert demo_window.grab().save(str(picture))
    assert picture.stat().st_size > 10_000


def test_dashboard_lists_findings_with_links(demo_window, qtbot):
    dashboard = demo_window.show_view("dashboard")
    findings = dashboard.findChild(QTreeWidget, "dashboardFindings")
    qtbot.waitUntil(lambda: findings.topLevelItemCount() > 0, timeout=20000)  # off-thread
    assert dashboard.cards["users"].count.text() == "5"
    first = findings.topLevelItem(0)
    view, arn = first.data(0, 256)
    dashboard._open_finding(first)
    assert demo_window.current_view_name() == view
    target = demo_window.views[view]
    assert target.selected_row()["Arn"] == arn


def test_roles_trust_tab_explains_in_words(demo_window):
    roles = demo_window.show_view("roles")
    roles.select_key("arn:aws:iam::111122223333:role/WebServerRole")
    roles.tabs.setCurrentIndex(1)
    summary = roles.detail_tabs[1].words.text()
    assert "AWS service: ec2" in summary


def test_organization_tree_shows_scps(demo_window):
    org = demo_window.show_view("organization")
    tree = org.tree
    root = tree.topLevelItem(0)
    assert root.text(0) == "Root"
    assert tree.currentItem().text(1) == "111122223333"
    # The account's own SCPs, then those of its OU and of the root: all levels govern it.
    levels = {org.policies.topLevelItem(i).text(2) for i in range(org.policies.topLevelItemCount())}
    assert "this node" in levels
    assert any(level.startswith("Root (r-") for level in levels)


def test_switching_to_partner_account(demo_window, qtbot):
    users = demo_window.show_view("users")
    before = users.model.total_count()
    index = demo_window.account_switcher.findData("444455556666")
    demo_window.account_switcher.activated.emit(index)
    qtbot.waitUntil(lambda: users.model.total_count() != before)
    assert all(
        ":444455556666:" in users.model.row_at(i)["Arn"] for i in range(users.model.rowCount())
    )


def test_bucket_policy_edited_and_undone(qtbot, demo_file, settings, tmp_path):
    import shutil

    from iamdesk.services import resources
    from iamdesk.store.db import open_database

    copy = tmp_path / "demo-copy.sqlite"
    shutil.copy(demo_file, copy)
    database = open_database(copy)
    context = AppContext(database, "111122223333", copy)
    window = MainWindow(context, settings)
    qtbot.addWidget(window)
    window.show()
    try:
        view = window.show_view("resources")
        assert view.select_key("arn:aws:s3:::example-corp-shared-data")
        tab = view.detail_tabs[0]
        before = resources.get_bucket_policy(database, bucket="example-corp-shared-data")
        edited = before["Policy"].replace("s3:GetObject", "s3:GetObjectVersion")
        assert edited != before["Policy"]
        tab.document.set_text(edited)
        view.findChild(type(tab.bar.buttons["Save"]), "resourcesPolicySaveButton").click()
        after = resources.get_bucket_policy(database, bucket="example-corp-shared-data")
        assert "s3:GetObjectVersion" in after["Policy"]
        context.undo_stack.undo()
        assert resources.get_bucket_policy(database, bucket="example-corp-shared-data") == before
    finally:
        window.close()
        database.close()


@pytest.fixture
def writable_demo_window(qtbot, demo_file, settings, tmp_path):
    """A window over a private copy of the demo, for tests that change it."""
    import shutil

    from iamdesk.store.db import open_database

    copy = tmp_path / "demo-copy.sqlite"
    shutil.copy(demo_file, copy)
    database = open_database(copy)
    window = MainWindow(AppContext(database, "111122223333", copy), settings)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()
    database.close()


def test_recent_change_opens_its_entity(writable_demo_window, qtbot):
    from iamdesk.services import users

    demo_window = writable_demo_window
    context = demo_window.context
    dashboard = demo_window.show_view("dashboard")
    users.create_user(context.database, context.account_id, "newcomer")
    context.notify("users")
    qtbot.waitUntil(lambda: dashboard.recent.topLevelItem(0).text(2) == "user newcomer")
    dashboard._open_change(dashboard.recent.topLevelItem(0))
    assert demo_window.current_view_name() == "users"
    assert demo_window.views["users"].selected_row()["UserName"] == "newcomer"


README_NAMES = {
    "dashboard": ["dashboardView", "dashboardFindings", "dashboardRecent", "dashboardUsersCard"],
    "users": [
        "usersView",
        "usersTable",
        "usersFilter",
        "usersCount",
        "usersDetailTabs",
        "usersSplitter",
        "usersCopyArnButton",
        "usersCreateButton",
        "usersEditButton",
        "usersDeleteButton",
        "usersPermissionsTab",
        "usersPermissionsList",
        "usersPermissionsAttachButton",
        "usersPermissionsSetBoundaryButton",
        "usersGroupsList",
        "usersConsoleStatus",
        "usersConsoleSetPasswordButton",
        "usersMfaList",
        "usersMfaAssignButton",
        "usersAccessKeyList",
        "usersAccessKeyCreateButton",
        "usersTagsList",
        "usersHistoryList",
    ],
    "groups": ["groupsMembersList", "groupsMembersAddButton", "groupsPermissionsList"],
    "roles": ["rolesTrustSummary", "rolesTrustDocument", "rolesTrustEditButton"],
    "policies": [
        "policiesTypeFilter",
        "policiesDocumentEditor",
        "policiesDocumentSaveButton",
        "policiesAttachedList",
        "policiesVersionsList",
    ],
    "resources": ["resourcesPolicyDocument", "resourcesPolicySaveButton", "resourcesDetailsList"],
    "organization": ["organizationTree", "organizationPolicies", "organizationPolicyDocument"],
}
WINDOW_NAMES = [
    "mainWindow",
    "navigation",
    "viewStack",
    "accountSwitcher",
    "taskProgress",
    "taskCancelButton",
    "databaseLabel",
]


def test_object_names_listed_in_the_readme_exist(demo_window):
    from PySide6.QtCore import QObject

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for name in WINDOW_NAMES:
        assert demo_window.objectName() == name or demo_window.findChild(QObject, name), name
        assert f"`{name}`" in readme, name
    for view, names in README_NAMES.items():
        widget = demo_window.show_view(view)
        for name in names:
            assert widget.objectName() == name or widget.findChild(QObject, name), name
    for action in ("undoAction", "redoAction", "findAction", "shortcutsAction", "openAction"):
        assert demo_window.findChild(QObject, action), action
