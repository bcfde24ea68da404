"""The table of an entity view: rows arrive in batches as the user scrolls, and Ctrl+End still
goes to the last row of the whole list, not of the batch loaded so far."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView

from iamdesk.ui.models.table import EntityTableModel


class LazyTableView(QTableView):
    def moveCursor(
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex | QPersistentModelIndex:
        model = self.model()
        going_to_bottom = (
            cursorAction == QAbstractItemView.CursorAction.MoveEnd
            and modifiers & Qt.KeyboardModifier.ControlModifier
        )
        if going_to_bottom and isinstance(model, EntityTableModel):
            model.fetch_all()
        return super().moveCursor(cursorAction, modifiers)
