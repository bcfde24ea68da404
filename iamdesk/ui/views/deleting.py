"""Deleting an entity: ask first, and when IAM refuses with ``DeleteConflict`` say what still
hangs on the entity, so the user knows what to remove first."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMessageBox, QWidget

from iamdesk.ui import messages

if TYPE_CHECKING:
    from iamdesk.ui.views.entity_view import EntityView

log = logging.getLogger(__name__)


def confirm_delete(
    parent: QWidget,
    what: str,
    name: str,
    delete: Callable[[], object],
    dependents: Callable[[], list[str]],
    *,
    note: str = "You can undo this with Edit ▸ Undo.",
) -> QMessageBox:
    """Ask, then call ``delete``; a ``DeleteConflict`` opens a box listing ``dependents()``."""

    def go() -> None:
        from iamdesk.services.errors import IamError

        try:
            delete()
        except IamError as exc:
            if exc.code != "DeleteConflict":
                messages.show_error(parent, f"Delete {what}", f"{exc.code}: {exc.message}")
                return
            hanging = dependents()
            detail = "\n".join(f"• {line}" for line in hanging)
            messages.message_box(
                parent,
                f"Cannot delete {what} {name}",
                f"IAM refused: {exc.message}",
                icon=QMessageBox.Icon.Warning,
                informative=(
                    f"The {what} still has:\n{detail}\n\nRemove these first, then delete again."
                    if hanging
                    else "Remove what still refers to it, then delete again."
                ),
                object_name="deleteConflictBox",
            )

    return messages.confirm(
        parent,
        f"Delete {what}",
        f"Delete the {what} {name}?",
        go,
        informative=note,
        yes_text="Delete",
        object_name="confirmDeleteBox",
    )


def plural(count: int, word: str) -> str:
    if count == 1:
        return f"1 {word}"
    # policy -> policies, but key -> keys: only a consonant before the y turns it into -ies.
    consonant_y = word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou"
    return f"{count} {word[:-1]}ies" if consonant_y else f"{count} {word}s"


def current_row(view: EntityView, name: str) -> dict[str, Any] | None:
    """The entity's row as the model holds it now (a refused delete may follow other edits)."""
    return next((r for r in view.load_rows() if view.row_name(r) == name), None)


def counted(row: dict[str, Any], counts: Sequence[tuple[str, str, str]]) -> list[str]:
    """``lead`` + "N words" for each ``(key, word, lead)`` whose count in ``row`` is not zero."""
    return [f"{lead}{plural(row[key], word)}" for key, word, lead in counts if row[key]]
