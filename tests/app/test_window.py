"""The main window over the sample archive: search, filters, detail pane, settings."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.meeting_model import COLUMNS, DATE_COLUMN


def test_typing_a_query_fills_the_list(window, type_search, archive):
    result = type_search(window, "kamikawa")
    assert result.total == 1
    assert window.model.rowCount() == 1
    assert "Japan-Viet Nam" in window.model.index(0, 1).data()
    assert window.count_label.text() == f"1 of {archive.count()} meetings"


def test_empty_query_lists_every_meeting(window, archive):
    assert window.model.rowCount() == archive.count() == 5
    assert "5 of 5 meetings" == window.count_label.text()


def test_a_filter_narrows_the_list(window, qtbot):
    combo = window.filter_bar.meeting_type
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        combo.setCurrentIndex(combo.findData("summit"))
    assert window.model.rowCount() == 2
    assert {window.model.index(r, 2).data() for r in range(2)} == {"Summit"}

    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.filter_bar.format.setCurrentIndex(window.filter_bar.format.findData("video"))
    assert window.model.rowCount() == 1


def test_selecting_a_row_shows_the_meeting_with_hits_highlighted(window, type_search):
    type_search(window, "minister")
    window.table.selectRow(0)
    meeting_id = window.model.meeting_id(0)
    assert window.detail.meeting is not None and window.detail.meeting.id == meeting_id
    html = window.detail.browser.toHtml()
    assert "#ffe14d" in html  # hit background
    assert window.detail.hit_count > 0
    text = window.detail.browser.toPlainText()
    assert window.detail.meeting.parsed.title in text
    assert "Meeting date" in text and "Published" in text


def test_entities_are_coloured_and_the_legend_toggles_them(window, type_search):
    type_search(window, "kamikawa")
    kinds = {s.kind for s in window.detail.spans}
    assert {"person", "country", "hit"} <= kinds
    person_colour = "#1f5fbf"
    assert person_colour in window.detail.browser.toHtml()
    window.detail._boxes["person"].setChecked(False)
    assert person_colour not in window.detail.browser.toHtml()
    assert window.settings.hidden_entity_kinds == ["person"]


def test_every_extracted_entity_kind_is_shown_with_its_canonical(window, type_search):
    type_search(window, "Cybersecurity")
    window.table.selectRow(0)
    spans = window.detail.spans
    kinds = {s.kind for s in spans}
    assert {"person", "country", "organization", "agreement", "initiative", "place"} <= kinds
    text = window.detail.meeting.parsed.text
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
    giang = [s for s in spans if s.kind == "person" and text[s.start : s.end] == "Minister Giang"]
    assert giang and giang[0].label == "Phan Van Giang"
    assert "#0f766e" in window.detail.browser.toHtml()  # agreements


def test_show_all_meetings_mentioning_an_entity(window, qtbot):
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.detail.entity_search_requested.emit("initiative", "Free and Open Indo-Pacific")
    assert window.search_bar.edit.text() == 'entity:"Free and Open Indo-Pacific"'
    assert window.model.rowCount() == 4


def test_f3_steps_through_hits(window, type_search, qtbot):
    type_search(window, "kamikawa")
    detail = window.detail
    assert detail.hit_count >= 3
    window.activateWindow()
    qtbot.keyClick(window.table, Qt.Key.Key_F3)
    first = detail.browser.textCursor()
    assert first.hasSelection() and first.selectedText().lower() == "kamikawa"
    qtbot.keyClick(window.table, Qt.Key.Key_F3)
    second = detail.browser.textCursor()
    assert second.selectionStart() > first.selectionStart()
    assert detail.current_hit == 1
    qtbot.keyClick(window.table, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert detail.browser.textCursor().selectionStart() == first.selectionStart()


def test_invalid_query_shows_a_message_under_the_bar(window, qtbot, messages):
    qtbot.keyClicks(window.search_bar.edit, 'kamikawa "viet')
    qtbot.waitUntil(lambda: window.search_bar.error_text != "", timeout=10_000)
    assert "quote" in window.search_bar.error_text
    assert window.search_bar.error_label.isVisible()
    assert messages.shown == []  # not a dialog
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        qtbot.keyClicks(window.search_bar.edit, ' nam"')
    assert window.search_bar.error_text == ""
    assert window.model.rowCount() == 1


def test_sorting_by_date_requeries_oldest_first(window, qtbot):
    header = window.table.horizontalHeader()
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        header.setSortIndicator(DATE_COLUMN, Qt.SortOrder.AscendingOrder)
    dates = [window.model.index(r, DATE_COLUMN).data() for r in range(window.model.rowCount())]
    assert dates == sorted(dates)
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        header.setSortIndicator(DATE_COLUMN, Qt.SortOrder.DescendingOrder)
    dates = [window.model.index(r, DATE_COLUMN).data() for r in range(window.model.rowCount())]
    assert dates == sorted(dates, reverse=True)


def test_sorting_by_title_sorts_the_result(window, qtbot):
    title = [c.key for c in COLUMNS].index("title")
    window.table.horizontalHeader().setSortIndicator(title, Qt.SortOrder.AscendingOrder)  # sorted here
    titles = [window.model.index(r, title).data() for r in range(window.model.rowCount())]
    assert titles == sorted(titles, key=str.casefold)


def test_ctrl_l_clears_and_ctrl_f_focuses(window, type_search, qtbot):
    type_search(window, "kamikawa")
    window.table.setFocus()
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.actions.clear_search.trigger()
    assert window.search_bar.text() == ""
    assert window.model.rowCount() == 5
    window.table.setFocus()
    window.actions.focus_search.trigger()
    assert window.actions.focus_search.shortcut().toString() == "Ctrl+F"
    assert window.actions.clear_search.shortcut().toString() == "Ctrl+L"


def test_enter_in_the_list_opens_the_meeting(window, type_search, qtbot):
    type_search(window, "kamikawa")
    window.table.setFocus()
    window.table.setCurrentIndex(window.model.index(0, 0))
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    assert window.detail.current_hit == 0
    assert window.settings.query_history[0] == "kamikawa"


def test_open_file_location_link_is_handled_by_the_app(window, revealed):
    window.table.selectRow(0)
    window.detail.browser.anchorClicked.emit(window.detail.browser.source().fromUserInput("action:reveal"))
    assert revealed == [window.detail.meeting.source]


def test_settings_persist_across_windows(make_window, qtbot, settings):
    first = make_window()
    first.resize(1100, 760)
    first.splitter.setSizes([200, 400])
    sizes = first.splitter.sizes()
    first.table.horizontalHeader().resizeSection(2, 177)
    first.table.horizontalHeader().setSectionHidden(6, True)
    first.close()

    second = make_window()
    assert second.splitter.sizes() == sizes
    assert second.table.horizontalHeader().sectionSize(2) == 177
    assert second.table.horizontalHeader().isSectionHidden(6)
    assert not settings.window_geometry.isEmpty()


def test_shortcuts_dialog_lists_actions(window):
    window.actions.shortcuts.trigger()
    table = window.shortcuts_dialog.findChild(type(window.shortcuts_dialog.children()[1]))
    assert table is not None
    window.shortcuts_dialog.close()


def test_every_control_has_an_accessible_name(window):
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QDateEdit, QLineEdit, QTableView, QTextBrowser

    missing = []
    for kind in (QLineEdit, QComboBox, QDateEdit, QTableView, QTextBrowser, QAbstractButton):
        for widget in window.findChildren(kind):
            if widget.parent() is not None and type(widget.parent()).__name__ in ("QComboBox", "QDateEdit"):
                continue  # the combo's own line edit
            if widget.objectName().startswith("qt_") or isinstance(widget.parent(), QLineEdit):
                continue  # Qt's own overflow button and line-edit clear buttons
            if not widget.accessibleName() and not getattr(widget, "text", lambda: "")():
                missing.append(f"{type(widget).__name__} in {type(widget.parent()).__name__}")
    assert missing == []


def test_a_large_result_shows_its_first_page_then_the_rest_without_a_reset(window, qtbot, monkeypatch):
    import app.search

    monkeypatch.setattr(app.search, "FIRST_PAGE", 2)  # the sample's 5 meetings count as large
    with qtbot.waitSignals([window.search_finished, window.facets_shown], timeout=10_000):
        window.search_bar.set_text("Kamikawa")  # another result in the list first
        window.search(now=True)
    resets, pages = [], []
    window.model.modelReset.connect(lambda: resets.append(window.model.total))
    window.searches.first_page.connect(lambda _request, result: pages.append(result))
    enabled = []
    window.searches.first_page.connect(lambda *_: enabled.append(window.facet_panel.isEnabled()))
    window.facets_shown.connect(lambda: enabled.append(window.facet_panel.isEnabled()))
    window.search_bar.set_text("")
    with qtbot.waitSignals([window.searches.first_page, window.search_finished], timeout=10_000):
        window.search(now=True)
    (first,) = pages
    assert first.total == 5 and len(first.hits) == 2
    assert window.result_ids() == window.model.ids()  # complete now: no search run again
    assert window.model.total == 5 and len(window.model.ids()) == 5
    assert resets == [5]  # the first page reset the list once; the rest was appended
    assert window.model.ids()[:2] == [h.id for h in first.hits]
    # stale counts not clickable while the first page is shown; the new counts are
    qtbot.waitUntil(lambda: enabled == [False, True], timeout=10_000)


def test_the_model_appends_the_rest_of_a_result_and_keeps_its_rows():
    from app.meeting_model import MeetingTableModel
    from index.models import Hit, SearchResult

    hits = tuple(Hit(f"m{i}", f"Meeting {i}", None, None, None, 1.0, "", ()) for i in range(5))
    loaded: list[list[str]] = []
    model = MeetingTableModel(lambda ids: loaded.append(list(ids)) or {}, page_size=2)
    assert model.set_result(SearchResult("", 5, hits[:2])) is False
    assert model.rowCount() == 2 and model.index(1, 1).data() == "Meeting 1" and loaded == [["m0", "m1"]]
    inserted, resets = [], []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    model.modelReset.connect(lambda: resets.append(True))
    assert model.set_result(SearchResult("", 5, hits)) is True  # the same top, more of it
    assert inserted == [(2, 4)] and resets == [] and model.rowCount() == 5
    assert model.ids() == [h.id for h in hits] and model.index(4, 1).data() == "Meeting 4"
    assert model.index(0, 1).data() == "Meeting 0" and loaded == [["m0", "m1"], ["m4"]]  # kept
    other = tuple(reversed(hits))
    assert model.set_result(SearchResult("", 5, other)) is False  # a different order: replaced
    assert model.ids() == [h.id for h in other]


def test_while_only_the_first_page_is_in_the_list_the_result_ids_are_all_of_them(window, monkeypatch, qtbot):
    import app.search

    monkeypatch.setattr(app.search, "FIRST_PAGE", 2)
    everything = [h.id for h in window.archive.search("", limit=None, snippets=0).hits]
    with qtbot.waitSignal(window.search_finished, timeout=10_000):  # another result in the list
        window.search_bar.set_text("Kamikawa")
        window.search(now=True)
    shown = []
    # Hold the list at its first page: the rest of the search is not delivered.
    monkeypatch.setattr(window.searches, "_on_succeeded", lambda request, result: None)
    window.searches.first_page.connect(lambda *_: shown.append(True))
    window.search_bar.set_text("")
    window.search(now=True)
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert len(window.model.ids()) == 2 and window.model.total == 5
    assert sorted(window.result_ids()) == sorted(everything) and len(everything) == 5


def test_the_same_search_again_keeps_the_list_and_the_selection_until_it_ends(window, monkeypatch, qtbot):
    """After indexing the window searches again: its first page must not replace the list shown
    (a selected meeting below the first page would be lost)."""
    import app.search

    monkeypatch.setattr(app.search, "FIRST_PAGE", 2)
    window.table.setCurrentIndex(window.model.index(4, 0))
    chosen = window.model.meeting_id(4)
    sizes = []
    window.model.modelReset.connect(lambda: sizes.append(window.model.rowCount()))
    firsts = []
    window.searches.first_page.connect(lambda *_: firsts.append(True))
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.search(now=True)
    assert firsts  # the first page came, and was not shown
    assert 2 not in sizes and window.model.rowCount() == 5
    assert window.model.meeting_id(window.table.currentIndex().row()) == chosen
