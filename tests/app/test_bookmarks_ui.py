"""Bookmarks and saved searches in the window: Ctrl+D, ★ column, note/tags, the Show scope,
the manager with missing meetings, saved searches saved and run again."""

from __future__ import annotations

import json

from PySide6.QtCore import QModelIndex, Qt

from app.bookmarks_ui import parse_tags
from app.meeting_model import BOOKMARK_COLUMN, STAR
from index.bookmarks import Bookmarks, SavedSearches


def stored_ids(data_dir) -> list[str]:
    data = json.loads((data_dir / "bookmarks.json").read_text(encoding="utf-8"))
    return [b["id"] for b in data["bookmarks"]]


def press_ctrl_d(qtbot, window) -> None:
    window.activateWindow()
    window.table.setFocus()
    qtbot.waitUntil(window.table.hasFocus, timeout=5_000)
    qtbot.keyClick(window.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    # QTest keeps the modifiers of the last key event as the application's state: without this
    # release, later clicks and selectRow() in the same process would act as Ctrl+click.
    qtbot.keyRelease(window.table, Qt.Key.Key_Control)


def test_ctrl_d_adds_and_removes_a_bookmark(window, qtbot, data_dir):
    window.table.selectRow(0)
    mid = window.model.meeting_id(0)
    star = window.model.index(0, BOOKMARK_COLUMN)
    assert star.data() == ""

    press_ctrl_d(qtbot, window)
    assert stored_ids(data_dir) == [mid]
    assert star.data() == STAR
    assert window.actions.toggle_bookmark.isChecked()
    assert "Bookmarked" in window.detail.browser.toPlainText()

    press_ctrl_d(qtbot, window)
    assert stored_ids(data_dir) == []
    assert star.data() == ""
    assert not window.actions.toggle_bookmark.isChecked()


def test_ctrl_d_on_several_selected_rows_bookmarks_them_all(window, data_dir):
    window.table.selectRow(0)
    window.table.selectionModel().select(
        window.model.index(2, 0),
        window.table.selectionModel().SelectionFlag.Select | window.table.selectionModel().SelectionFlag.Rows,
    )
    assert window.selected_ids() == [window.model.meeting_id(0), window.model.meeting_id(2)]
    window.actions.toggle_bookmark.trigger()
    assert sorted(stored_ids(data_dir)) == sorted(window.selected_ids())
    assert [window.model.index(r, BOOKMARK_COLUMN).data() for r in range(3)] == [STAR, "", STAR]


def test_note_and_tags_are_edited_and_shown(window, data_dir, messages):
    Bookmarks.open(data_dir).add("elsewhere", tags=["ASEAN"])  # an existing tag for the completer
    window.table.selectRow(1)
    mid = window.model.meeting_id(1)
    editor = window.bookmark_commands.edit(mid)
    assert "ASEAN" in editor.tags.completer().model().stringList()
    editor.note.setPlainText("Follow up <b>next</b> week")
    editor.tags.setText("asean, follow-up , ")
    editor.accept()

    mark = Bookmarks.open(data_dir).get(mid)
    assert mark is not None and mark.note == "Follow up <b>next</b> week"
    assert mark.tags == ("asean", "follow-up")
    text = window.detail.browser.toPlainText()
    assert "Follow up <b>next</b> week" in text  # escaped, shown as text
    assert "tags: asean, follow-up" in text
    tip = window.model.index(1, BOOKMARK_COLUMN).data(Qt.ItemDataRole.ToolTipRole)
    assert "follow-up" in tip and "Follow up" in tip

    editor = window.bookmark_commands.edit(mid)  # the editor opens on what was saved
    assert editor.note.toPlainText() == mark.note and editor.tags.text() == "asean, follow-up"
    editor.reject()
    assert not [m for m in messages.shown if m.level == "error"]


def test_tag_completer_completes_the_last_tag():
    assert parse_tags(" a, b ,, c ") == ["a", "b", "c"]


def test_tag_completer_keeps_earlier_tags(window, data_dir):
    Bookmarks.open(data_dir).add("elsewhere", tags=["follow-up", "ASEAN"])
    window.table.selectRow(0)
    editor = window.bookmark_commands.edit(window.model.meeting_id(0))
    completer = editor.tags.completer()
    editor.tags.setText("ASEAN, fol")
    assert completer.splitPath(editor.tags.text()) == ["fol"]
    index = completer.model().index(completer.model().stringList().index("follow-up"), 0)
    assert completer.pathFromIndex(index) == "ASEAN, follow-up, "
    editor.reject()


def test_show_bookmarked_and_by_tag_narrows_the_list_with_counts(window, qtbot, archive):
    ids = [window.model.meeting_id(r) for r in (0, 3)]
    window.bookmarks.toggle(ids)
    window.bookmarks.save(ids[1], "", ["Japan"])

    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.scope.set_scope("bookmarked")
    assert window.model.rowCount() == 2
    assert {window.model.meeting_id(r) for r in range(2)} == set(ids)
    assert window.count_label.text() == f"2 of {archive.count()} meetings"
    assert window.scope.currentText() == "Bookmarked (2)"

    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.scope.set_scope("tag", "Japan")
    assert [window.model.meeting_id(r) for r in range(window.model.rowCount())] == [ids[1]]
    assert window.count_label.text() == f"1 of {archive.count()} meetings"

    # removing the last bookmark with that tag: the tag vanishes, the list falls back to bookmarked
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.bookmarks.remove([ids[1]], ask=False)
    assert window.scope.scope() == ("bookmarked", "")
    assert [window.model.meeting_id(r) for r in range(window.model.rowCount())] == [ids[0]]
    assert window.count_label.text() == f"1 of {archive.count()} meetings"

    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.scope.set_scope("all")
    assert window.model.rowCount() == archive.count()


def test_bookmarked_scope_with_no_bookmarks_shows_nothing(window, qtbot, archive):
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.scope.set_scope("bookmarked")
    assert window.model.rowCount() == 0
    assert window.count_label.text() == f"0 of {archive.count()} meetings"


def test_manager_lists_missing_bookmarks_flagged(window, data_dir, messages, qtbot):
    window.bookmarks.toggle([window.model.meeting_id(0)])
    store = Bookmarks.open(data_dir)
    store.add("gone-meeting-id", note="its file was deleted")

    dialog = window.bookmark_commands.manage()
    assert len(dialog.statuses) == 2
    missing = dialog.status_of("gone-meeting-id")
    assert missing is not None and missing.missing
    row = next(
        r
        for r in range(dialog.table.rowCount())
        if dialog.table.item(r, 0).data(Qt.ItemDataRole.UserRole) == "gone-meeting-id"
    )
    assert dialog.table.item(row, 0).text() == "Missing"
    assert dialog.table.item(row, 1).font().italic()
    assert "1 of them missing" in dialog.summary.text()

    dialog.table.selectRow(row)
    assert not dialog.open_button.isEnabled() and dialog.remove_button.isEnabled()
    messages.answer = False  # it has a note: asked first, and "no" keeps it
    dialog.remove_button.click()
    assert messages.shown[-1].level == "question"
    assert "gone-meeting-id" in Bookmarks.open(data_dir)
    messages.answer = True
    dialog.table.selectRow(row)
    dialog.remove_button.click()
    assert "gone-meeting-id" not in Bookmarks.open(data_dir)
    assert dialog.table.rowCount() == 1

    # Open selects the meeting in the main window
    window.table.clearSelection()
    window.table.setCurrentIndex(window.model.index(3, 0))
    dialog.table.selectRow(0)
    assert dialog.open_button.isEnabled()
    dialog.open_button.click()
    assert window.table.currentIndex().row() == 0
    dialog.close()


def test_damaged_bookmarks_file_is_reported_once(make_window, data_dir, messages, qtbot):
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "bookmarks.json").write_text("{ not json", encoding="utf-8")
    window = make_window()
    window.bookmarks.show_notices()
    window.bookmarks.show_notices()
    warnings = [m for m in messages.shown if m.level == "warning" and m.title == "Bookmarks"]
    assert len(warnings) == 1 and "moved to" in warnings[0].text


# -- saved searches --------------------------------------------------------------------------------


def test_saved_search_is_saved_and_run_again(window, qtbot, type_search, data_dir):
    type_search(window, "minister")
    combo = window.filter_bar.meeting_type
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        combo.setCurrentIndex(combo.findData("summit"))
    expected = [window.model.meeting_id(r) for r in range(window.model.rowCount())]
    assert expected

    window.saved_searches.ask = lambda *_args: "Summit ministers"
    saved = window.saved_searches.save_current()
    assert saved is not None
    on_disk = SavedSearches.open(data_dir).get("summit ministers")
    assert on_disk.query == "minister" and on_disk.filters.meeting_type == "summit"
    assert "Summit ministers" in [a.text() for a in window.saved_searches.menu.actions()]

    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.filter_bar.reset()
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.clear_search()
    assert window.model.rowCount() > len(expected)

    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        next(a for a in window.saved_searches.menu.actions() if a.text() == "Summit ministers").trigger()
    assert window.search_bar.text() == "minister"
    assert window.filter_bar.meeting_type.currentData() == "summit"
    assert [window.model.meeting_id(r) for r in range(window.model.rowCount())] == expected


def test_saved_search_keeps_dates_and_sort(window, qtbot, data_dir):
    import datetime as dt

    from index.query import SearchFilters

    filters = SearchFilters(date_from=dt.date(2023, 1, 1), date_to=dt.date(2023, 12, 31), country="Japan")
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.set_search("", filters, "date-asc")
    window.saved_searches.ask = lambda *_args: "2023"
    window.saved_searches.save_current()
    stored = SavedSearches.open(data_dir).get("2023")
    assert stored.filters == filters and stored.sort == "date-asc"

    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.set_search("", SearchFilters(), "relevance")
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.saved_searches.run("2023")
    assert window.filter_bar.filters() == filters
    assert window.sort == "date-asc"
    assert window.table.horizontalHeader().sortIndicatorSection() == 0


def test_saving_under_an_existing_name_asks(window, messages, data_dir):
    window.saved_searches.ask = lambda *_args: "Mine"
    window.saved_searches.save_current()
    window.search_bar.set_text("kamikawa")
    messages.answer = False
    assert window.saved_searches.save_current() is None
    assert SavedSearches.open(data_dir).get("Mine").query == ""
    messages.answer = True
    window.saved_searches.save_current()
    assert SavedSearches.open(data_dir).get("Mine").query == "kamikawa"


def test_manage_saved_searches_renames_and_removes(window, data_dir):
    window.saved_searches.ask = lambda *_args: "First"
    window.saved_searches.save_current()
    dialog = window.saved_searches.manage()
    assert dialog.table.rowCount() == 1
    dialog.table.selectRow(0)
    window.saved_searches.ask = lambda *_args: "Renamed"
    dialog.rename_button.click()
    assert [s.name for s in SavedSearches.open(data_dir).list()] == ["Renamed"]
    assert dialog.table.item(0, 0).text() == "Renamed"
    dialog.table.selectRow(0)
    dialog.remove_button.click()
    assert SavedSearches.open(data_dir).list() == []
    assert dialog.table.rowCount() == 0 and not dialog.empty.isHidden()
    dialog.close()


def test_facet_filters_are_saved_and_restored(window, qtbot, data_dir):
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.filter_bar.add_mention("initiative", "Free and Open Indo-Pacific")
    window.saved_searches.ask = lambda *_args: "FOIP"
    window.saved_searches.save_current()
    stored = SavedSearches.open(data_dir).get("FOIP")  # a fresh read: the file stays readable
    assert stored.filters.mentions == (("initiative", "Free and Open Indo-Pacific"),)
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.filter_bar.reset()
    assert window.model.rowCount() == 5
    with qtbot.waitSignal(window.search_finished, timeout=10_000):
        window.saved_searches.run("FOIP")
    assert window.model.rowCount() == 4
    assert [c.text() for c in window.chip_bar.chips] == ["Initiatives: Free and Open Indo-Pacific  ✕"]


def test_model_bookmark_column_sorts(window):
    window.bookmarks.toggle([window.model.meeting_id(3)])
    mid = window.model.meeting_id(3)
    window.model.sort(BOOKMARK_COLUMN, Qt.SortOrder.AscendingOrder)
    assert window.model.meeting_id(0) == mid
    assert window.model.index(0, BOOKMARK_COLUMN).data() == STAR
    assert window.model.index(0, BOOKMARK_COLUMN).parent() == QModelIndex()
