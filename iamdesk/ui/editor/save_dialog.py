"""Editing a modelled policy and saving it: the editor, the impact preview, then the save.

Save first previews the impact (access added and removed for the principals that have the
policy); a second click confirms. The save runs through the service, so an invalid policy is
refused with IAM's error text and nothing changes; a successful save goes on the window's undo
stack as one command whose undo restores the previous text through the inverse operation.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut, QUndoCommand
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from iamdesk.core.policy.document import PolicyKind, Span
from iamdesk.services.errors import IamError
from iamdesk.ui import theme
from iamdesk.ui.editor.impact import Impact, preview_impact
from iamdesk.ui.editor.policy_editor import PolicyEditor
from iamdesk.ui.editor.targets import (
    NotEditable,
    PolicyTarget,
    known_principals,
    target_for_involved,
)
from iamdesk.ui.unsaved import UnsavedEdit, asking
from iamdesk.ui.unsaved import ask as ask_unsaved
from iamdesk.ui.workers import TaskRunner

log = logging.getLogger(__name__)

_KINDS_CHANGED = {
    "managed": "policies",
    "inline": "policies",
    "trust": "roles",
    "bucket": "resources",
    "key": "resources",
    "org": "organization",
    "queue": "resources",
    "topic": "resources",
    "secret": "resources",
}


class SavePolicyCommand(QUndoCommand):
    """Undo restores the previous text; redo saves again. The first save has already happened
    when the command is pushed (so a refused save never reaches the stack)."""

    def __init__(self, context: Any, target: PolicyTarget, text: str, state: Any) -> None:
        super().__init__(f"Edit {target.title}")
        self.context = context
        self.target = target
        self.new_text = text
        self.state = state
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
        else:
            self.state = self.target.save(self.context.database, self.new_text)
        self._notify()

    def undo(self) -> None:
        self.target.restore(self.context.database, self.state)
        self._notify()

    def _notify(self) -> None:
        if hasattr(self.context, "notify"):
            self.context.notify(_KINDS_CHANGED.get(self.target.kind, "policies"))


class PolicySaveDialog(QDialog):
    saved = Signal()

    def __init__(
        self,
        context: Any,
        policy: Any,
        span: Span | None = None,
        parent: QWidget | None = None,
        *,
        principal_arn: str | None = None,
        resource_arn: str | None = None,
        context_entries: Any = None,
        first_actions: tuple[str, ...] = (),
        first_resources: tuple[str, ...] = (),
    ) -> None:
        """``policy`` is a PolicyTarget, or an involved policy of a test-access run (then the
        principal and resource of that run locate it, and the run's context and actions are
        used for the impact preview)."""
        super().__init__(parent)
        self.setObjectName("policySaveDialog")
        self.resize(1000, 760)
        self.context = context
        self.runner = TaskRunner(self)
        self.context_entries = context_entries
        self.first_actions = first_actions
        self.first_resources = first_resources
        self.impact: Impact | None = None
        self._impact_for: str | None = None
        self.target: PolicyTarget | None = None
        problem = ""
        text = getattr(policy, "text", "")
        try:
            if isinstance(policy, PolicyTarget):
                self.target = policy
                text = policy.load(context.database)
            else:
                self.target = target_for_involved(
                    context.database,
                    policy.source_type,
                    str(policy.name),
                    principal_arn or "",
                    resource_arn,
                )
        except NotEditable as error:
            problem = str(error)
        self.original = text
        title = self.target.title if self.target else str(getattr(policy, "name", "policy"))
        self.setWindowTitle(f"Edit {title}")

        kind = self.target.policy_kind if self.target else None
        self.editor = PolicyEditor(self, text=text, read_only=self.target is None)
        if kind is not None:
            self.editor.set_kind(kind)
        from iamdesk.services.resources import list_resources

        self.editor.set_known_resources([r["Arn"] for r in list_resources(context.database)])
        if kind in (PolicyKind.TRUST, PolicyKind.RESOURCE):
            self.editor.set_known_principals(known_principals(context.database))
        if span is not None:
            # The scheme's highlight: a light yellow under a dark palette's light text was
            # unreadable.
            self.editor.go_to_span(span, highlight=theme.color_name("near_miss_bg"))

        self.message = QLabel(problem, self)
        self.message.setObjectName("policySaveMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color:#b3261e" if problem else "")
        self.impact_view = QTreeWidget(self)
        self.impact_view.setObjectName("policyImpact")
        self.impact_view.setHeaderLabels(["Principal", "Action", "Resource", "Before → after"])
        self.impact_view.setColumnWidth(0, 300)
        self.impact_view.setColumnWidth(1, 220)
        self.impact_view.setColumnWidth(2, 260)
        self.impact_view.hide()

        self.region = QLineEdit("us-east-1", self)
        self.region.setObjectName("policyImpactRegion")
        self.region.setToolTip(
            "aws:RequestedRegion for the impact simulation when the request gives none "
            "(region conditions in SCPs and policies depend on it)"
        )
        self.region.setMaximumWidth(140)
        self.save_button = QPushButton("Review impact…", self)
        self.save_button.setObjectName("policySaveButton")
        self.save_button.setEnabled(self.target is not None)
        self.save_button.clicked.connect(self.save_clicked)
        self.save_button.setToolTip("Review the impact, then save (Ctrl+S)")
        save_shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        save_shortcut.activated.connect(
            lambda: self.save_clicked() if self.save_button.isEnabled() else None
        )
        cancel = QPushButton("Cancel", self)
        cancel.setObjectName("policyCancelButton")
        cancel.clicked.connect(self.reject)
        self.editor.textChanged.connect(self._edited)

        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(QLabel("Region:", self))
        buttons.addWidget(self.region)
        buttons.addWidget(self.save_button)
        buttons.addWidget(cancel)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter = splitter
        splitter.addWidget(self.editor)
        splitter.addWidget(self.impact_view)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

    def _edited(self) -> None:
        if self._impact_for is not None:
            self._impact_for = None
            self.save_button.setText("Review impact…")

    def save_clicked(self) -> bool:
        """First click: preview the impact. Second click (text unchanged since): save."""
        if self.target is None:
            return False
        text = self.editor.text()
        if text == self.original:
            self._say("Nothing to save: the policy is unchanged.", error=False)
            return False
        if self._impact_for != text:
            return self.review(text)
        return self.commit(text)

    def review(self, text: str) -> bool:
        """Simulate the change off the GUI thread; the impact shows when it is done."""
        assert self.target is not None
        db, target, original = self.context.database, self.target, self.original
        context, actions, resources = (
            self._impact_context(),
            self.first_actions,
            self.first_resources,
        )

        def work(control: Any) -> Impact:
            return preview_impact(
                db,
                target,
                original,
                text,
                context=context,
                first_actions=actions,
                first_resources=resources,
                control=control,
            )

        self.impact = None
        self.save_button.setEnabled(False)
        self._say("Simulating the change for the principals that have this policy…", error=False)
        self.runner.start(
            work,
            name="impact preview",
            on_done=lambda impact: self._reviewed(text, impact),
            on_error=self._review_failed,
            on_progress=lambda done, total, what: self._say(
                f"Simulating {done + 1} of {total}: {what}", error=False
            ),
        )
        return True

    def _reviewed(self, text: str, impact: Impact) -> None:
        self.save_button.setEnabled(True)
        if self.editor.text() != text:
            return  # edited meanwhile: that text needs its own review
        self.impact = impact
        self._impact_for = text
        self._show_impact(impact)
        self.save_button.setText("Save")

    def _review_failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if not isinstance(error, IamError | NotEditable):
            raise error  # a bug, not a refusal: the crash dialog shows it
        self._refused(error)  # the change itself is refused (IAM's text)

    def done(self, result: int) -> None:
        self.runner.cancel_all()
        super().done(result)

    # -- unsaved edits ------------------------------------------------------------------------
    def unsaved_edits(self) -> list[UnsavedEdit]:
        if self.target is None or self.editor.text() == self.original:
            return []
        return [UnsavedEdit(self.target.title, self._save_from_question, self._discard)]

    def _save_from_question(self) -> bool:
        """Saving goes through the impact preview: when this text has not been reviewed yet,
        the answer starts the review and the dialog stays open to show it."""
        text = self.editor.text()
        if self._impact_for == text:
            return self.commit(text)
        self.save_clicked()
        return False

    def _discard(self) -> None:
        self.original = self.editor.text()  # nothing left to lose

    def reject(self) -> None:
        """Cancel, Escape and closing the window all land here: ask before edits are lost."""
        edits = self.unsaved_edits()
        if not edits:
            super().reject()
            return
        if asking(self):
            return

        def closed() -> None:
            if self.isVisible():
                super(PolicySaveDialog, self).reject()

        ask_unsaved(self, edits, on_done=closed)

    def _impact_context(self) -> list[dict[str, Any]]:
        """The run's context entries, with the chosen region when they name none."""
        entries = [dict(e) for e in self.context_entries or ()]
        names = {str(e.get("ContextKeyName", "")).lower() for e in entries}
        region = self.region.text().strip()
        if region and "aws:requestedregion" not in names:
            entries.append(
                {
                    "ContextKeyName": "aws:RequestedRegion",
                    "ContextKeyValues": [region],
                    "ContextKeyType": "string",
                }
            )
        return entries

    def commit(self, text: str) -> bool:
        assert self.target is not None
        try:
            state = self.target.save(self.context.database, text)
        except (IamError, NotEditable) as error:
            self._refused(error)
            return False
        self.context.undo_stack.push(SavePolicyCommand(self.context, self.target, text, state))
        self.original = text
        self.saved.emit()
        self.accept()
        return True

    def _refused(self, error: BaseException) -> None:
        code = getattr(error, "code", None)
        message = getattr(error, "message", None) or str(error)
        self._say(f"{code}: {message}" if code else message, error=True)
        log.info("policy save refused: %s", error)

    def _say(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color:#b3261e" if error else "")

    def _show_impact(self, impact: Impact) -> None:
        view = self.impact_view
        view.clear()
        if not view.isVisible():
            view.show()
            self.splitter.setSizes([self.height() * 3 // 5, self.height() * 2 // 5])
        bold = QFont(view.font())
        bold.setBold(True)
        for title, changes, color in (
            ("Access added", impact.added, theme.color_name("allow_fg")),
            ("Access removed", impact.removed, theme.color_name("deny_fg")),
        ):
            head = QTreeWidgetItem([f"{title} ({len(changes)})", "", "", ""])
            head.setFont(0, bold)
            head.setForeground(0, QBrush(QColor(color)))
            view.addTopLevelItem(head)
            for change in changes:
                item = QTreeWidgetItem(
                    [
                        change.principal,
                        change.action,
                        change.resource,
                        f"{change.before} → {change.after}",
                    ]
                )
                head.addChild(item)
            head.setExpanded(True)
        summary = (
            f"Checked {impact.checked} request(s) for {len(impact.principals)} principal(s) "
            f"in {impact.seconds:.2f} s. {impact.note}"
        )
        self._say(summary + " Click Save to apply.", error=False)
