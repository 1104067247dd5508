"""Facet counts, filtering by a facet value, removable chips and date presets."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt


def _facet_rows(window, name):
    tree = window.facet_panel.tree
    for i in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(i)
        if top.data(0, Qt.ItemDataRole.UserRole)[0] == name:
            return {top.child(j).text(0): int(top.child(j).text(1) or 0) for j in range(top.childCount())}
    return {}


def test_facets_count_the_current_results(make_window, qtbot):
    window = make_window()
    # the counts come after the list, from their own background task
    with qtbot.waitSignals([window.search_finished, window.facets_shown], timeout=10_000):
        window.search(now=True)
    countries = _facet_rows(window, "country")
    assert countries == {"Japan": 5, "Viet Nam": 5}
    types = _facet_rows(window, "type")
    assert sum(types.values()) == 5
    assert _facet_rows(window, "initiative")["Free and Open Indo-Pacific"] == 4


def test_clicking_a_facet_filters_and_a_chip_removes_it(window, qtbot):
    with qtbot.waitSignal(window.facets_shown, timeout=10_000):
        window.facet_panel.facet_selected.emit("initiative", "Free and Open Indo-Pacific")
    assert window.model.rowCount() == 4
    assert [c.text() for c in window.chip_bar.chips] == ["Initiatives: Free and Open Indo-Pacific  ✕"]
    assert sum(_facet_rows(window, "type").values()) == 4  # the facets follow the narrowed results
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.facet_panel.facet_selected.emit("type", "summit")
    assert window.model.rowCount() == 1
    assert window.filter_bar.meeting_type.currentData() == "summit"
    assert len(window.chip_bar.chips) == 2
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.chip_bar.chips[1].click()  # the initiative chip
    assert window.model.rowCount() == 2  # both summits
    assert len(window.chip_bar.chips) == 1
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.chip_bar.chips[0].click()
    assert window.model.rowCount() == 5 and not window.chip_bar.isVisible()


def test_date_preset_sets_and_enables_the_range(window, qtbot):
    bar = window.filter_bar
    index = bar.presets.findText("Last year")
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        bar.presets.activated.emit(index)
    year = QDate.currentDate().year() - 1
    assert bar.use_dates.isChecked()
    assert bar.date_from.date() == QDate(year, 1, 1) and bar.date_to.date() == QDate(year, 12, 31)
    assert window.chip_bar.chips and "Meeting date" in window.chip_bar.chips[0].text()
    assert bar.presets.currentIndex() == 0
