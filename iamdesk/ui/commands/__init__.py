"""Undoable edits: one ``QUndoCommand`` per service operation, pushed on the window's stack."""

from iamdesk.ui.commands.base import ServiceCommand, execute

__all__ = ["ServiceCommand", "execute"]
