"""The request half of the test-access panel: principal, actions, resources, context entries
and the missing context keys, turned into a ``RunRequest``."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from iamdesk.ui.icons import icon
from iamdesk.ui.test_access.context_table import ContextTable
from iamdesk.ui.test_access.line_completer import LineCompleter, action_candidates
from iamdesk.ui.test_access.principals import PrincipalChoice, list_principals
from iamdesk.ui.test_access.runner import RequestError, RunRequest, expand_actions

log = logging.getLogger(__name__)

# Amazon VPC User Guide: the default endpoint policy, attached when none is given.
FULL_ACCESS_ENDPOINT = (
    '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}'
)


class RequestForm(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("testAccessRequest")
        self.principals: list[PrincipalChoice] = []
        self.principal = QComboBox(self)
        self.principal.setObjectName("testAccessPrincipal")
        self.principal.setEditable(True)
        self.principal.setMinimumContentsLength(24)
        self.principal.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.principal.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.principal.lineEdit().setPlaceholderText("user, role or session (or type an ARN)")
        self.principal.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.principal.currentTextChanged.connect(lambda _t: self._principal_tooltip())
        self.new_session = QPushButton("New session…", self)
        self.new_session.setObjectName("testAccessNewSession")
        self.new_session.setIcon(icon("roles"))
        self.new_session.setToolTip("Assume a role (with MFA and a session policy) to test as it")

        self.action_lines = QPlainTextEdit(self)
        self.action_lines.setObjectName("testAccessActions")
        self.action_lines.setPlaceholderText(
            "One action per line, e.g. s3:GetObject (s3:Get* expands)"
        )
        self.action_lines.setTabChangesFocus(True)
        self.action_lines.setMaximumHeight(96)
        self.action_completer = LineCompleter(self.action_lines, action_candidates)

        self.resources = QPlainTextEdit(self)
        self.resources.setObjectName("testAccessResources")
        self.resources.setPlaceholderText("One ARN per line; empty means *")
        self.resources.setTabChangesFocus(True)
        self.resources.setMaximumHeight(80)
        self.resource_picker = QComboBox(self)
        self.resource_picker.setObjectName("testAccessResourcePicker")
        self.resource_picker.setToolTip("Add a modelled resource")
        self.resource_picker.activated.connect(self._resource_picked)
        self._resource_arns: list[str] = []
        self.resource_completer = LineCompleter(
            self.resources,
            lambda p: [a for a in self._resource_arns if a.lower().startswith(p.lower())],
        )

        self.context_table = ContextTable(self)
        self.context_table.setMaximumHeight(210)
        self.missing = QListWidget(self)
        self.missing.setObjectName("testAccessMissingKeys")
        self.missing.setToolTip(
            "Keys the policies use that the request does not give: click to add"
        )
        self.missing.setMaximumHeight(70)
        self.missing.itemClicked.connect(self._add_missing)
        self.missing_label = QLabel("Missing context keys (click to add):", self)

        # A request made through a VPC endpoint must also be allowed by the endpoint's policy.
        self.endpoint = QCheckBox("Through VPC endpoint", self)
        self.endpoint.setObjectName("testAccessEndpoint")
        self.endpoint.setToolTip(
            "The request goes through a VPC endpoint whose policy must allow it"
        )
        self.endpoint_id = QLineEdit(self)
        self.endpoint_id.setObjectName("testAccessEndpointId")
        self.endpoint_id.setPlaceholderText("vpce-… (fills aws:SourceVpce)")
        self.endpoint_policy = QPlainTextEdit(self)
        self.endpoint_policy.setObjectName("testAccessEndpointPolicy")
        self.endpoint_policy.setPlaceholderText(
            "The endpoint policy (JSON); empty means full access"
        )
        self.endpoint_policy.setTabChangesFocus(True)
        self.endpoint_policy.setMaximumHeight(90)
        self.endpoint.toggled.connect(self._endpoint_toggled)

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        principal_row = QHBoxLayout()
        principal_row.addWidget(self.principal, 1)
        principal_row.addWidget(self.new_session)
        form.addRow("Principal", principal_row)
        form.addRow("Actions", self.action_lines)
        resources_box = QVBoxLayout()
        resources_box.addWidget(self.resources)
        resources_box.addWidget(self.resource_picker)
        form.addRow("Resources", resources_box)
        form.addRow("Context", self.context_table)
        form.addRow(self.missing_label)
        form.addRow(self.missing)
        endpoint_row = QHBoxLayout()
        endpoint_row.addWidget(self.endpoint)
        endpoint_row.addWidget(self.endpoint_id, 1)
        form.addRow(endpoint_row)
        form.addRow(self.endpoint_policy)
        self.set_missing([])
        self._endpoint_toggled(False)

    def _endpoint_toggled(self, on: bool) -> None:
        self.endpoint_id.setVisible(on)
        self.endpoint_policy.setVisible(on)

    def _fit_principal_popup(self) -> None:
        """The list is as wide as its longest entry (up to the screen's half), and an entry
        still too long loses its middle, not its end: kind, name and account stay readable."""
        view = self.principal.view()
        view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        metrics = view.fontMetrics()
        longest = max(
            (metrics.horizontalAdvance(c.label) for c in self.principals[:2000]), default=0
        )
        screen = self.principal.screen()
        limit = screen.availableGeometry().width() // 2 if screen is not None else 900
        view.setMinimumWidth(min(longest + 48, limit))
        popup = self.principal.completer().popup()
        if popup is not None:  # typing filters in the completer's own list
            popup.setTextElideMode(Qt.TextElideMode.ElideMiddle)
            popup.setMinimumWidth(min(longest + 48, limit))

    def _principal_tooltip(self) -> None:
        index = self.principal.currentIndex()
        text = self.principal.currentText()
        if index >= 0 and self.principal.itemText(index) == text:
            text = f"{text}\n{self.principal.itemData(index)}"
        self.principal.setToolTip(text)

    def reload(self, db: Any) -> None:
        """Offer the principals and resources of every modelled account."""
        current = self.principal_arn()
        self.principals = list_principals(db)
        # One model built in one go: tens of thousands of principals in a large account.
        model = QStandardItemModel(self.principal)
        for choice in self.principals:
            item = QStandardItem(choice.label)
            item.setData(choice.arn, Qt.ItemDataRole.UserRole)
            item.setToolTip(choice.arn)
            model.appendRow(item)
        self.principal.setModel(model)
        self._fit_principal_popup()
        self.principal.completer().setModel(model)
        self.principal.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        if current:
            self.set_principal(current)
        from iamdesk.services.resources import list_resources

        self._resource_arns = [r["Arn"] for r in list_resources(db)]
        self.resource_picker.clear()
        self.resource_picker.addItem("Add a modelled resource…", None)
        for arn in self._resource_arns:
            self.resource_picker.addItem(arn, arn)

    def principal_arn(self) -> str:
        index = self.principal.currentIndex()
        text = self.principal.currentText().strip()
        if index >= 0 and self.principal.itemText(index) == text:
            return str(self.principal.itemData(index))
        return text

    def set_principal(self, arn: str) -> None:
        index = self.principal.findData(arn)
        if index >= 0:
            self.principal.setCurrentIndex(index)
        else:
            self.principal.setEditText(arn)
        self.principal.lineEdit().setCursorPosition(0)  # show the start: kind and name

    def _resource_picked(self, index: int) -> None:
        arn = self.resource_picker.itemData(index)
        if arn:
            lines = [line for line in self.resources.toPlainText().splitlines() if line.strip()]
            if arn not in lines:
                lines.append(arn)
            self.resources.setPlainText("\n".join(lines))
        self.resource_picker.setCurrentIndex(0)

    def set_request(self, principal: str, actions: list[str], resources: list[str]) -> None:
        self.set_principal(principal)
        self.action_lines.setPlainText("\n".join(actions))
        self.resources.setPlainText("\n".join(resources))

    def account_of(self, arn: str, default: str) -> str:
        for choice in self.principals:
            if choice.arn == arn:
                return choice.account_id
        parts = arn.split(":")
        if len(parts) > 4 and parts[4].isdigit():
            return parts[4]
        return default

    def build_request(self, default_account: str) -> RunRequest:
        """The request in the inputs; raises ValueError (RequestError) saying what to fix."""
        principal = self.principal_arn()
        if not principal:
            raise RequestError("Choose a principal to test.")
        actions = expand_actions(self.action_lines.toPlainText().splitlines())
        resources = [r.strip() for r in self.resources.toPlainText().splitlines() if r.strip()]
        entries = self.context_table.model.entries()
        endpoint_policy = endpoint_id = None
        if self.endpoint.isChecked():
            endpoint_policy = self.endpoint_policy.toPlainText().strip() or FULL_ACCESS_ENDPOINT
            endpoint_id = self.endpoint_id.text().strip() or None
        return RunRequest(
            account_id=self.account_of(principal, default_account),
            principal_arn=principal,
            actions=tuple(actions),
            resources=tuple(resources or ["*"]),
            context_entries=tuple(entries),
            endpoint_policy=endpoint_policy,
            endpoint_id=endpoint_id,
        )

    def set_missing(self, keys: list[str]) -> None:
        self.missing.clear()
        for key in keys:
            QListWidgetItem(f"+ {key}", self.missing).setData(Qt.ItemDataRole.UserRole, key)
        self.missing.setVisible(bool(keys))
        self.missing_label.setVisible(bool(keys))

    def missing_keys(self) -> list[str]:
        return [
            str(self.missing.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.missing.count())
        ]

    def _add_missing(self, item: QListWidgetItem) -> None:
        key = str(item.data(Qt.ItemDataRole.UserRole))
        self.context_table.add_key(key)
        self.missing.takeItem(self.missing.row(item))
