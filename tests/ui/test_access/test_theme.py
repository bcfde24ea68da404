"""Light and dark palettes: the editor gutter, the JSON key colour and the test-access
explanation stay readable (WCAG contrast) in both, and switching while running re-colours them."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from iamdesk.ui import theme
from iamdesk.ui.editor.code_view import CodeView
from iamdesk.ui.test_access.context_table import ContextRow

TEXT = 4.5  # WCAG AA for body text

DARK = {
    QPalette.ColorRole.Window: "#2b2b2b",
    QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#1e1e1e",
    QPalette.ColorRole.AlternateBase: "#262626",
    QPalette.ColorRole.Text: "#e6e6e6",
    QPalette.ColorRole.Button: "#333333",
    QPalette.ColorRole.ButtonText: "#e6e6e6",
}


def _dark_palette() -> QPalette:
    palette = QPalette()
    for role, value in DARK.items():
        palette.setColor(role, QColor(value))
    return palette


@pytest.fixture
def scheme(qapp):
    """Yields a function that switches the application palette; the original comes back after."""
    original = QPalette(qapp.palette())

    def switch(name: str) -> None:
        QApplication.setPalette(_dark_palette() if name == "dark" else original)
        QApplication.processEvents()
        assert theme.is_dark() == (name == "dark")

    yield switch
    QApplication.setPalette(original)
    QApplication.processEvents()


def _pixel(widget, x: int, y: int) -> QColor:
    return widget.grab().toImage().pixelColor(x, y)


@pytest.mark.parametrize("name", ["light", "dark"])
def test_editor_gutter_and_keys_are_readable(qtbot, scheme, name):
    scheme(name)
    code = CodeView()
    qtbot.addWidget(code)
    code.setPlainText('{\n    "Version": "2012-10-17"\n}')
    code.resize(400, 200)
    code.show()
    qtbot.waitExposed(code)
    gutter_bg = _pixel(code._gutter, 1, code._gutter.height() - 2)
    base = code.palette().color(QPalette.ColorRole.Base)
    key = code.highlighter.formats["key"].foreground().color()
    assert theme.contrast_ratio(key, base) >= TEXT, (key.name(), base.name())
    current = theme.color("gutter_current_fg")
    assert theme.contrast_ratio(current, gutter_bg) >= TEXT, (current.name(), gutter_bg.name())
    # Other line numbers are deliberately quieter, but still legible (WCAG non-text 3:1).
    assert theme.contrast_ratio(theme.color("gutter_fg"), gutter_bg) >= 3
    # The gutter is light on a light palette and dark on a dark one.
    assert (gutter_bg.lightnessF() < 0.5) == (name == "dark")


@pytest.mark.parametrize("name", ["light", "dark"])
def test_test_access_explanation_and_highlights_are_readable(panel, qtbot, scheme, name):
    scheme(name)
    bob = f"arn:aws:iam::{panel.context.account_id}:user/bob"
    panel.set_request(bob, ["ec2:RunInstances"], [])
    panel.context_table.model.add(ContextRow("aws:RequestedRegion", "string", "ap-southeast-2"))
    assert [r.word for r in panel.run()] == ["explicitDeny"]
    label = panel.details.explanation
    assert "explicitly denies" in label.text()
    label.show()
    background = _pixel(label, 2, 2)
    text = label.palette().color(label.foregroundRole())
    assert theme.contrast_ratio(text, background) >= TEXT, (text.name(), background.name())
    view = panel.details.policies_layout.itemAt(0).widget()
    assert list(view.highlighted_lines()) == ["deny"]
    deny_bg = view.code.layer("highlight")[0].format.background().color()
    code_text = view.code.palette().color(QPalette.ColorRole.Text)
    assert theme.contrast_ratio(code_text, deny_bg) >= TEXT, (code_text.name(), deny_bg.name())


def test_switching_scheme_while_running_recolours(panel, qtbot, scheme):
    scheme("light")
    bob = f"arn:aws:iam::{panel.context.account_id}:user/bob"
    panel.set_request(bob, ["ec2:RunInstances"], [])
    panel.context_table.model.add(ContextRow("aws:RequestedRegion", "string", "ap-southeast-2"))
    panel.run()
    view = panel.details.policies_layout.itemAt(0).widget()
    light_key = view.code.highlighter.formats["key"].foreground().color().name()
    light_deny = view.code.layer("highlight")[0].format.background().color().name()
    assert light_key == "#1f4e9c" and light_deny == "#fddede"  # light mode unchanged

    scheme("dark")
    assert view.code.highlighter.formats["key"].foreground().color().name() != light_key
    dark_deny = view.code.layer("highlight")[0].format.background().color()
    assert dark_deny.lightnessF() < 0.5
    # Highlights still read back by kind after the switch.
    assert list(view.highlighted_lines()) == ["deny"]
    label = panel.details.explanation
    label.show()
    assert _pixel(label, 2, 2).lightnessF() < 0.5


def test_every_named_colour_has_readable_variants():
    light, dark = QColor("#ffffff"), QColor("#1e1e1e")
    for name in theme.names():
        if name.endswith("_bg") or name in {"icon_mark", "gutter_fg"}:
            continue
        colour_light = QColor(theme._COLORS[name][0])
        colour_dark = QColor(theme._COLORS[name][1])
        assert theme.contrast_ratio(colour_dark, dark) >= TEXT, name
        # Light values are the app's historical colours; the warning orange is a marker only.
        if name not in {"WARNING", "SUGGESTION", "ERROR"}:
            assert theme.contrast_ratio(colour_light, light) >= TEXT, name
    with pytest.raises(KeyError, match="unknown theme colour 'nope'"):
        theme.color("nope")


@pytest.mark.parametrize("name", ["light", "dark"])
def test_organization_inherited_policies_are_dimmed_but_readable(
    qtbot, demo_context, settings, scheme, name
):
    from iamdesk.ui.main_window import MainWindow

    scheme(name)
    window = MainWindow(demo_context, settings)
    qtbot.addWidget(window)
    window.show()
    org = window.show_view("organization")
    org.tree.setCurrentItem(org.tree.currentItem())
    base = org.policies.palette().color(QPalette.ColorRole.Base)
    items = [org.policies.topLevelItem(i) for i in range(org.policies.topLevelItemCount())]
    inherited = [item for item in items if item.text(2) != "this node"]
    assert inherited, "the demo account inherits SCPs from its OU and the root"
    for item in inherited:
        colour = item.foreground(0).color()
        assert theme.contrast_ratio(colour, base) >= TEXT, (item.text(0), colour.name())


def test_the_edit_dialogs_deciding_statement_is_readable_in_dark(panel, qtbot, scheme):
    """Issue 10 item 11: the statement the Edit policy dialog opens on is highlighted in the
    scheme's colour, readable under a dark palette's light text."""
    scheme("dark")
    bob = f"arn:aws:iam::{panel.context.account_id}:user/bob"
    panel.set_request(bob, ["ec2:RunInstances"], [])
    panel.context_table.model.add(ContextRow("aws:RequestedRegion", "string", "ap-southeast-2"))
    panel.run()
    view = panel.details.policies_layout.itemAt(0).widget()
    view.edit_button.click()
    dialog = panel.edit_dialog
    highlight = dialog.editor.code.layer("highlight")[0].format.background().color()
    text = dialog.editor.code.palette().color(QPalette.ColorRole.Text)
    assert theme.contrast_ratio(text, highlight) >= TEXT, (text.name(), highlight.name())
    dialog.editor.set_text(dialog.original)
    dialog.reject()


@pytest.mark.parametrize("name", ["light", "dark"])
def test_placeholders_in_test_access_are_readable(panel, scheme, name):
    scheme(name)
    find = panel.result_find
    assert find.placeholderText() == "Filter by action or resource"
    hint = find.palette().color(QPalette.ColorRole.PlaceholderText)
    base = find.palette().color(QPalette.ColorRole.Base)
    # A dark palette without a PlaceholderText left Qt's half-transparent black on near-black.
    assert hint.alpha() == 255
    assert theme.contrast_ratio(hint, base) >= TEXT, (hint.name(), base.name())


@pytest.mark.parametrize("name", ["light", "dark"])
def test_dashboard_links_are_readable(qtbot, qapp, scheme, name):
    """A dark palette that names no link colour keeps Qt's #0000ff: the app's guard replaces
    it once the palette changes, and the dashboard cards' links read on the card."""
    from iamdesk.ui.views.dashboard import Card

    theme.keep_links_readable(qapp)
    light_link = qapp.palette().color(QPalette.ColorRole.Link).name()
    scheme(name)
    palette = qapp.palette()
    link = palette.color(QPalette.ColorRole.Link)
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
        assert theme.contrast_ratio(link, palette.color(role)) >= TEXT, (link.name(), role)
    if name == "light":
        assert link.name() == light_link  # a palette whose links read keeps its own
    else:
        assert link.name() == theme.color_name("link")
    card = Card("users", "Users")
    qtbot.addWidget(card)
    card.resize(240, 120)
    card.show()
    qtbot.waitExposed(card)
    image = card.link.grab().toImage()
    colours = {
        image.pixelColor(x, y).name() for x in range(image.width()) for y in range(image.height())
    }
    assert link.name() in colours  # the underline is drawn in the link colour
