"""Every navigation entry renders real content from the demo organization, from a model file and
from the same model on a PostgreSQL server (copied with ``iamdesk db copy``'s ``copy_model``);
edits and their undo work on both."""

from __future__ import annotations

from contextlib import contextmanager
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


def _on_server(demo_file: Path, pg_cluster) -> str:
    """A new database on the test server holding a copy of the demo; its URL."""
    from iamdesk.store.copy import copy_model
    from iamdesk.store.db import open_database

    url = pg_cluster.url(pg_cluster.new_database())
    with open_database(demo_file, create=False) as source, open_database(url) as target:
        copy_model(source, target)
    return url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_place(request, demo_file) -> Path | str:
    """The demo for tests that only read it: the file itself, or a copy on the server."""
    if request.param == "sqlite":
        return demo_file
    return _on_server(demo_file, request.getfixturevalue("pg_cluster"))


@pytest.fixture(params=["sqlite", "postgresql"])
def writable_demo(request, demo_file, tmp_path) -> Path | str:
    """A private copy of the demo, for tests that change it: a file, or a server database."""
    if request.param == "postgresql":
        return _on_server(demo_file, request.getfixturevalue("pg_cluster"))
    import shutil

    copy = tmp_path / "demo-copy.sqlite"
    shutil.copy(demo_file, copy)
    return copy


@contextmanager
def window_on(place: Path | str, qtbot, settings):
    """A shown main window over the model at ``place``, closed (its listener first) after."""
    from iamdesk.store.db import open_database

    database = open_database(place)
    context = AppContext(database, "111122223333", place if isinstance(place, Path) else None)
    window = MainWindow(context, settings)
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    try:
        yield window
    finally:
        window.close()
        window.model_watcher.close()
        database.close()


@pytest.fixture
def demo_window(qtbot, demo_place, settings):
    with window_on(demo_place, qtbot, settings) as window:
        yield window


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


def test_bucket_policy_edited_and_undone(qtbot, writable_demo, settings):
    from iamdesk.services import resources

    with window_on(writable_demo, qtbot, settings) as window:
        context = window.context
        database = context.database
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
        context.undo_stack.redo()
        again = resources.get_bucket_policy(database, bucket="example-corp-shared-data")
        assert again == after


@pytest.fixture
def writable_demo_window(qtbot, writable_demo, settings):
    """A window over a private copy of the demo, for tests that change it."""
    with window_on(writable_demo, qtbot, settings) as window:
        yield window


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
