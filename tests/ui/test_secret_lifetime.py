"""Issue 8 item 10: a new access key's secret lives only as long as the dialog that shows it. Once
the dialog closes, nothing reachable from the undo stack holds the secret; undo deletes the key,
redo makes a new key (new id, new secret) and shows that one once."""

from __future__ import annotations

import gc
import types
from typing import Any

from PySide6.QtWidgets import QDialog, QLineEdit

from iamdesk.services import access_keys, users
from tests.ui.helpers import button, show_active, visible_window


def holders_of(secret: str, roots: list[Any], limit: int = 2_000_000) -> list[str]:
    """Type names of the containers reachable from ``roots`` that hold ``secret`` (modules and
    classes are not followed: they reach the whole program, not what these objects keep)."""
    seen: set[int] = set()
    stack = list(roots)
    found: list[str] = []
    while stack and len(seen) < limit:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, (types.ModuleType, type)):
            continue
        seen.add(id(obj))
        for child in gc.get_referents(obj):
            if isinstance(child, str):
                if secret in child:
                    found.append(type(obj).__name__)
            elif isinstance(child, (bytes, bytearray)):
                if secret.encode() in child:
                    found.append(type(obj).__name__)
            else:
                stack.append(child)
    return found


def create_key_in_the_window(window, qtbot) -> tuple[str, str]:
    """The access key dialog that just opened: read it, close it, wait until it is gone."""
    shown = visible_window("accessKeyDialog")
    key_id = shown.findChild(QLineEdit, "accessKeyIdField").text()
    secret = shown.findChild(QLineEdit, "accessKeySecretField").text()
    button(shown, "accessKeyCloseButton").click()
    qtbot.waitUntil(lambda: not window.findChildren(QDialog, "accessKeyDialog"))
    return key_id, secret


def test_the_undo_stack_never_holds_the_secret(window, context, qtbot) -> None:
    db, account = context.database, context.account_id
    users.create_user(db, account, "bob")
    show_active(qtbot, window)
    view = window.show_view("users")
    assert view.select_name("bob")
    view.tabs.setCurrentIndex(2)

    button(view, "usersAccessKeyCreateButton").click()
    key_id, secret = create_key_in_the_window(window, qtbot)
    assert len(secret) == 40 and access_keys.verify(db, key_id, secret)
    gc.collect()
    stack = context.undo_stack
    commands = [stack.command(i) for i in range(stack.count())]
    assert commands and commands[-1].text() == "Create access key for bob"
    assert commands[-1].result["AccessKey"]["AccessKeyId"] == key_id
    assert holders_of(secret, [stack, *commands]) == []

    # Undo deletes the key; redo makes a new one and shows its (new) secret once.
    stack.undo()
    assert access_keys.list_access_keys(db, account, "bob")["AccessKeyMetadata"] == []
    stack.redo()
    again_id, again_secret = create_key_in_the_window(window, qtbot)
    assert again_id != key_id and again_secret != secret
    listed = access_keys.list_access_keys(db, account, "bob")["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in listed] == [again_id]
    assert access_keys.verify(db, again_id, again_secret)
    gc.collect()
    assert holders_of(again_secret, [stack, *commands]) == []
    stack.undo()  # and the redone key goes again
    assert access_keys.list_access_keys(db, account, "bob")["AccessKeyMetadata"] == []
