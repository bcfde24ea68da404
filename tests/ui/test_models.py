"""The item models: Qt's model tester on each, and the filtered/sorted/lazily fetched table
against a plain Python reference."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt

from iamdesk.ui.models.choice import ChoiceModel
from iamdesk.ui.models.table import BATCH, Column, EntityTableModel


def _model(rows):
    model = EntityTableModel(
        [
            Column("Name", lambda r: r["name"]),
            Column("Size", lambda r: r["size"], align_right=True, warn=lambda r: r["size"] > 5),
            Column("Note", lambda r: r["note"], tooltip=lambda r: r["note"] or None),
        ],
        key=lambda r: r["name"],
        search_text=lambda r: f"{r['name']} {r['note'] or ''}",
    )
    model.set_rows(rows)
    return model


ROWS = [
    {"name": f"user-{i:04d}", "size": i % 9, "note": None if i % 3 else f"note {i}"}
    for i in range(BATCH * 2 + 17)
]


def shown(model):
    return [model.row_at(i)["name"] for i in range(model.rowCount())]


def test_entity_model_passes_model_tester(qtmodeltester):
    model = _model(ROWS)
    qtmodeltester.check(model)
    model.set_filter("note")
    qtmodeltester.check(model)
    model.sort(1, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)
    model.set_rows(ROWS[:10])
    qtmodeltester.check(model)


def test_rows_arrive_in_batches(qtmodeltester):
    model = _model(ROWS)
    assert model.rowCount() == BATCH
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == len(ROWS)
    assert not model.canFetchMore(QModelIndex())
    # Looking up a row beyond the loaded ones loads it.
    fresh = _model(ROWS)
    position = fresh.row_of_key("user-0520")
    assert position is not None and fresh.rowCount() > position
    assert fresh.key_at(position) == "user-0520"


def test_filter_sort_and_refresh_keep_changes_local(qtbot):
    model = _model(ROWS[:20])
    model.set_filter("NOTE 1")
    assert shown(model) == ["user-0012", "user-0015", "user-0018"]
    assert model.match_count() == 3 and model.total_count() == 20
    model.set_filter("")
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert [model.row_at(i)["size"] for i in range(4)] == [8, 8, 7, 7]
    changed = [dict(r) for r in ROWS[:20]]
    changed[3]["size"] = 99
    with (
        qtbot.waitSignal(model.dataChanged) as blocker,
        qtbot.assertNotEmitted(model.modelReset),
    ):
        model.set_rows(changed)
    top, bottom = blocker.args[0], blocker.args[1]
    assert top.row() == bottom.row() == model.row_of_key("user-0003")
    assert model.index(top.row(), 1).data(Qt.ItemDataRole.ForegroundRole) is not None


@settings(max_examples=40, deadline=None)
@given(
    names=st.lists(st.text("abcXYZ-", min_size=1, max_size=6), unique=True, max_size=40),
    needle=st.text("abcxyz", max_size=2),
    column=st.sampled_from([0, 1]),
    descending=st.booleans(),
)
def test_model_matches_reference(names, needle, column, descending):
    rows = [{"name": n, "size": len(n), "note": None} for n in names]
    model = _model(rows)
    model.set_filter(needle)
    order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
    model.sort(column, order)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    expected = [r for r in rows if needle.casefold() in r["name"].casefold()]
    key = (lambda r: r["name"].casefold()) if column == 0 else (lambda r: r["size"])
    assert sorted(shown(model)) == sorted(r["name"] for r in expected)
    values = [key(model.row_at(i)) for i in range(model.rowCount())]
    assert values == sorted(values, reverse=descending)


def test_choice_model_under_proxy_passes_model_tester(qtmodeltester):
    rows = [{"PolicyName": f"Policy{i}", "Description": f"grants {i}"} for i in range(50)]
    model = ChoiceModel(["Name", "Description"], ["PolicyName", "Description"], rows)
    qtmodeltester.check(model)
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setFilterKeyColumn(-1)
    proxy.setFilterFixedString("grants 1")
    assert proxy.rowCount() == 11  # 1, 10..19
    qtmodeltester.check(proxy)


@settings(max_examples=40, deadline=None)
@given(
    names=st.lists(st.text("abAB", min_size=1, max_size=5), unique=True, max_size=30),
    typed=st.lists(st.text("ab", max_size=3), min_size=1, max_size=6),
)
def test_narrowing_while_typing_matches_a_fresh_filter(names, typed):
    rows = [{"name": n, "size": len(n), "note": None} for n in names]
    model = _model(rows)
    model.sort(1, Qt.SortOrder.AscendingOrder)
    for text in typed:
        model.set_filter(text)
        while model.canFetchMore(QModelIndex()):
            model.fetchMore(QModelIndex())
        fresh = _model(rows)
        fresh.sort(1, Qt.SortOrder.AscendingOrder)
        fresh.set_filter(text)
        while fresh.canFetchMore(QModelIndex()):
            fresh.fetchMore(QModelIndex())
        assert shown(model) == shown(fresh)


def test_sorting_keeps_the_selection_on_its_entity(qtbot):
    from PySide6.QtCore import QItemSelectionModel

    model = _model(ROWS[:30])
    selection = QItemSelectionModel(model)
    selection.setCurrentIndex(model.index(4, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert model.key_at(selection.currentIndex().row()) == "user-0004"
