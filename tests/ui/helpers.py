"""Finding the dialogs and boxes the window opens (they never block: ``open()``, not ``exec()``)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget


def visible_window(name: str) -> QWidget:
    found = [w for w in QApplication.topLevelWidgets() if w.objectName() == name and w.isVisible()]
    assert found, f"no visible window named {name}"
    return found[-1]


def no_visible_window(name: str) -> bool:
    return not any(w.objectName() == name and w.isVisible() for w in QApplication.topLevelWidgets())


def click_box_button(box_name: str, button_name: str) -> None:
    box = visible_window(box_name)
    assert isinstance(box, QMessageBox)
    [button] = [b for b in box.buttons() if b.objectName() == button_name]
    button.click()


def button(parent: QWidget, name: str) -> QPushButton:
    found = parent.findChild(QPushButton, name)
    assert found is not None, f"no button {name}"
    return found


def show_active(qtbot, widget: QWidget) -> None:
    """Show ``widget`` as the active window, as a user's click would: on a real X server
    (``.ci/run`` runs these tests under Xvfb too) window shortcuts and completion popups only
    work in the active window; the offscreen platform treats every window as active."""
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    widget.raise_()
    qtbot.waitUntil(widget.isActiveWindow)
