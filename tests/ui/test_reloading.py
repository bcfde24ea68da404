"""Views read the model only while shown: a change reloads a visible view once (however many
signals it sends), and a hidden one only when it is shown again."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("name", ["dashboard", "organization", "users"])
def test_a_view_reloads_once_when_visible_and_later_when_hidden(window, context, qtbot, name):
    window.show()
    other = "roles" if name != "roles" else "groups"
    view = window.show_view(name)
    qtbot.waitUntil(lambda: not view._dirty)
    calls: list[str] = []
    real = view.reload

    def counting() -> None:
        calls.append(name)
        real()

    view.reload = counting
    context.notify("users", "groups")
    context.notify("users")
    qtbot.waitUntil(lambda: calls == [name])
    qtbot.wait(20)
    assert calls == [name]  # two signals, one reload

    window.show_view(other)
    assert not view.isVisible()
    context.notify("users")
    qtbot.wait(20)
    assert calls == [name] and view._dirty
    window.show_view(name)
    qtbot.waitUntil(lambda: calls == [name, name])
