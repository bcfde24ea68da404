"""The navigation entries of the main window and the views behind them.

Views are imported and built the first time they are shown, so the window paints without
loading the modules (or querying the data) of views nobody opened.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from iamdesk.ui.context import AppContext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ViewSpec:
    name: str  # the --view name and the objectName stem
    label: str
    icon: str
    target: str  # "module:Class"; the class takes (context, parent)
    shortcut: str


VIEWS: tuple[ViewSpec, ...] = (
    ViewSpec(
        "dashboard", "Dashboard", "dashboard", "iamdesk.ui.views.dashboard:DashboardView", "Ctrl+1"
    ),
    ViewSpec("users", "Users", "users", "iamdesk.ui.views.users:UsersView", "Ctrl+2"),
    ViewSpec("groups", "Groups", "groups", "iamdesk.ui.views.groups:GroupsView", "Ctrl+3"),
    ViewSpec("roles", "Roles", "roles", "iamdesk.ui.views.roles:RolesView", "Ctrl+4"),
    ViewSpec(
        "policies", "Policies", "policies", "iamdesk.ui.views.policies:PoliciesView", "Ctrl+5"
    ),
    ViewSpec(
        "resources", "Resources", "resources", "iamdesk.ui.views.resources:ResourcesView", "Ctrl+6"
    ),
    ViewSpec(
        "organization",
        "Organization",
        "organization",
        "iamdesk.ui.views.organization:OrganizationView",
        "Ctrl+7",
    ),
    ViewSpec(
        "test-access",
        "Test access",
        "test-access",
        "iamdesk.ui.test_access:TestAccessPanel",
        "Ctrl+8",
    ),
    ViewSpec(
        "analysis", "Analysis", "analysis", "iamdesk.ui.views.analysis:AnalysisView", "Ctrl+9"
    ),
)
VIEW_NAMES = tuple(spec.name for spec in VIEWS)


def spec_named(name: str) -> ViewSpec:
    for spec in VIEWS:
        if spec.name == name:
            return spec
    raise ValueError(f"unknown view {name!r}; choose from {', '.join(VIEW_NAMES)}")


def build_view(spec: ViewSpec, context: AppContext, parent: QWidget | None) -> QWidget:
    """Import and build the view; a panel another helper has not delivered yet shows a label."""
    module_name, class_name = spec.target.split(":")
    try:
        module = importlib.import_module(module_name)
        cls = getattr(module, class_name)
    except (ImportError, AttributeError) as exc:
        log.warning("view %s not available: %s", spec.name, exc)
        from iamdesk.ui.views.placeholder import PlaceholderView

        return PlaceholderView(spec.label, str(exc), parent)
    widget: QWidget = cls(context, parent)
    if not widget.objectName():
        widget.setObjectName(f"{spec.name.replace('-', '_')}View")
    return widget
