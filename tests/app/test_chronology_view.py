"""The chronology tab over the sample archive: items, two-way selection, zoom scales, export."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage

from app.chronology import DAY, MONTH, YEAR, ChronologyView, short_title
from index.chronology import build_chronology, chronology_for
from index.ingest import meeting_id_for
from index.paths import sample_archive_dir

# Meeting ids are hashes of the absolute source path: compute them for this checkout.
VISIT = meeting_id_for(sample_archive_dir() / "003_b8b090782a076984.txt")  # seed 003: 27–30 November 2023
CALL = meeting_id_for(
    sample_archive_dir() / "001_aa49ef18c32ede26.txt"
)  # the summit video call of 9 February 2023


@pytest.fixture
def chrono(window, qtbot):
    """The window's chronology tab, shown, with the sample's meetings and referenced events."""
    window.result_tabs.setCurrentWidget(window.chronology)
    view = window.chronology
    qtbot.waitUntil(
        lambda: len(view.chronology.meetings) == 5 and bool(view.chronology.references), timeout=10_000
    )
    return view


@pytest.fixture
def standalone(qtbot, archive):
    """A view without a window, showing the sample's chronology directly."""
    view = ChronologyView(None, None)
    qtbot.addWidget(view)
    view.resize(1000, 360)
    view.show()
    qtbot.waitExposed(view)
    view.set_chronology(chronology_for(archive))
    return view


def test_the_tab_shows_every_seed_with_its_lane_and_references(chrono):
    canvas = chrono.canvas
    ids = [e.meeting_id for e in chrono.chronology.meetings]
    assert len(ids) == 5 and ids[-1] == VISIT
    assert canvas.lane_labels() == ["Referenced events", "Summit", "Foreign ministers", "Defence ministers"]
    plot = canvas.plot_rect()
    for mid in ids:
        pos = canvas.marker_pos(mid)
        assert pos is not None and plot.contains(pos), mid  # "fit all" shows every meeting
    assert "5 meetings" in chrono.summary.text() and "referenced event" in chrono.summary.text()
    assert not chrono.canvas.grab().isNull()  # paints offscreen without errors


def test_the_visit_is_a_bar_and_month_references_are_spans(standalone):
    canvas = standalone.canvas
    visit = standalone.chronology.meetings[-1]
    assert visit.days == 4
    canvas.center_on(visit.start.toordinal())
    canvas.set_px_per_day(30)
    start = canvas.x_of(visit.start.toordinal())
    end = canvas.x_of(visit.end.toordinal() + 1)
    assert end - start == pytest.approx(4 * 30)
    vision = next(r for r in standalone.chronology.references if r.precision == "month")
    assert vision.days in (28, 29, 30, 31)


def test_tooltips_show_date_title_and_participants(standalone):
    canvas = standalone.canvas
    pos = canvas.marker_pos(VISIT)
    tip = canvas.tooltip_at(pos)
    assert "27–30 November 2023" in tip and "Kishida Fumio" in tip and "Vo Van Thuong" in tip
    assert "Half-century" in tip


def test_clicking_a_marker_selects_the_meeting_in_the_list(chrono, window, qtbot):
    canvas = chrono.canvas
    pos = canvas.marker_pos(CALL)
    with qtbot.waitSignal(chrono.meeting_selected) as blocker:
        qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=pos.toPoint())
    assert blocker.args == [CALL]
    current = window.table.currentIndex()
    assert window.model.meeting_id(current.row()) == CALL
    assert window.detail.meeting is not None and window.detail.meeting.id == CALL
    assert canvas.selected_id == CALL


def test_selecting_in_the_list_highlights_the_marker(chrono, window):
    row = window.model.row_of(VISIT)
    window.table.setCurrentIndex(window.model.index(row, 0))
    assert chrono.selected_id == VISIT
    other = window.model.row_of(CALL)
    window.table.setCurrentIndex(window.model.index(other, 0))
    assert chrono.selected_id == CALL


def test_left_and_right_keys_move_between_meetings(chrono, window, qtbot):
    canvas = chrono.canvas
    chrono.select_meeting(CALL)
    canvas.setFocus()
    order = [e.meeting_id for e in chrono.chronology.meetings]
    with qtbot.waitSignal(chrono.meeting_selected) as blocker:
        qtbot.keyClick(canvas, Qt.Key.Key_Right)
    assert blocker.args == [order[order.index(CALL) + 1]]
    assert window.model.meeting_id(window.table.currentIndex().row()) == blocker.args[0]
    qtbot.keyClick(canvas, Qt.Key.Key_Left)
    qtbot.keyClick(canvas, Qt.Key.Key_Left)
    assert canvas.selected_id == order[order.index(CALL) - 1]


def test_zooming_in_changes_the_scale_from_years_to_months_to_days(standalone, qtbot):
    canvas = standalone.canvas
    canvas.set_px_per_day(0.05)
    assert standalone.scale_unit == YEAR
    seen = [standalone.scale_unit]
    for _ in range(40):
        qtbot.keyClick(canvas, Qt.Key.Key_Plus)
        if standalone.scale_unit != seen[-1]:
            seen.append(standalone.scale_unit)
    assert seen == [YEAR, MONTH, DAY]
    assert "scale: days" in standalone.summary.text()
    qtbot.keyClick(canvas, Qt.Key.Key_0)  # fit all
    assert standalone.scale_unit in (YEAR, MONTH)


def test_wheel_zooms_around_the_cursor(standalone, qtbot):
    from PySide6.QtCore import QPointF as P
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    canvas = standalone.canvas
    at = canvas.plot_rect().center()
    day = canvas.ordinal_at(at.x())
    before = canvas.ppd
    event = QWheelEvent(
        at,
        canvas.mapToGlobal(at),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(canvas, event)
    assert canvas.ppd > before
    assert canvas.ordinal_at(at.x()) == pytest.approx(day, abs=1e-6)
    assert isinstance(P(0, 0), QPointF)


def test_lanes_combo_regroups_the_meetings(standalone):
    standalone.set_lanes("countries")
    assert standalone.canvas.lane_labels() == ["Referenced events", "Japan–Viet Nam"]
    standalone.set_lanes("participant")
    assert "Kishida Fumio" in standalone.canvas.lane_labels()


def test_gaps_are_marked_and_explained(standalone):
    canvas = standalone.canvas
    assert len(canvas.gaps) == 3  # six months is the default threshold
    gap = canvas.gaps[0]
    middle = (gap.start.toordinal() + gap.end.toordinal()) / 2
    canvas.center_on(middle)
    plot = canvas.plot_rect()
    tip = canvas.tooltip_at(QPointF(plot.center().x(), plot.bottom() - 3))
    assert "No meetings for 23 months" in tip
    standalone.gaps_combo.setCurrentIndex(0)  # no gaps
    assert canvas.gaps == ()


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf", "csv", "md"])
def test_export_writes_a_non_empty_file(standalone, tmp_path, fmt):
    path = standalone.export(tmp_path / f"chronology.{fmt}")
    assert path.is_file() and path.stat().st_size > 0
    assert not list(tmp_path.glob(".*tmp*"))  # written through a temp file
    if fmt == "png":
        assert not QImage(str(path)).isNull()
    if fmt == "svg":
        assert "<svg" in path.read_text("utf-8")
    if fmt == "csv":
        assert "2023-11-27,2023-11-30" in path.read_text("utf-8")
    if fmt == "md":
        assert path.read_text("utf-8").startswith("| Date |")


def test_the_chronology_follows_the_search(chrono, window, type_search, qtbot):
    with qtbot.waitSignal(chrono.chronology_shown, timeout=10_000):
        result = type_search(window, "summit")
    qtbot.waitUntil(lambda: len(chrono.chronology.meetings) == result.total, timeout=10_000)
    assert {e.meeting_id for e in chrono.chronology.meetings} == {h.id for h in result.hits}


def test_a_selection_made_before_loading_is_shown_when_the_meetings_arrive(qtbot, archive):
    view = ChronologyView(None, None)
    qtbot.addWidget(view)
    view.select_meeting(VISIT)
    assert view.selected_id is None
    view.set_chronology(chronology_for(archive, with_references=False))
    assert view.selected_id == VISIT


def test_an_empty_result_paints_a_message(qtbot):
    view = ChronologyView(None, None)
    qtbot.addWidget(view)
    view.resize(600, 300)
    view.set_chronology(build_chronology([]))
    assert not view.canvas.grab().isNull()
    assert view.canvas.step(1) is None


def test_short_titles_drop_the_readout_prefix():
    assert short_title("Readout of President Biden’s Call with X") == "President Biden’s Call with X"
    assert short_title("Joint Readout of the Inaugural Meeting") == "Inaugural Meeting"
    assert short_title("Japan-Viet Nam Summit") == "Japan-Viet Nam Summit"
    assert dt.date(2023, 11, 27).toordinal() > 0


def test_lanes_gaps_and_tab_are_remembered(make_window):
    first = make_window()
    first.result_tabs.setCurrentWidget(first.chronology)
    first.chronology.set_lanes("participant")
    other_gap = next(
        first.chronology.gaps_combo.itemData(i)
        for i in range(first.chronology.gaps_combo.count())
        if first.chronology.gaps_combo.itemData(i) != first.chronology.gap_days
    )
    first.chronology.set_gap_days(other_gap)
    first.close()

    second = make_window()
    assert second.result_tabs.currentWidget() is second.chronology
    assert second.chronology.lanes == "participant"
    assert second.chronology.canvas.lanes_by == "participant"
    assert second.chronology.gap_days == other_gap


def test_a_hidden_chronology_reads_nothing_until_it_is_shown(window, type_search, qtbot):
    view = window.chronology
    assert window.result_tabs.currentWidget() is not view
    type_search(window, "summit")
    assert not view.chronology.meetings and not window.tasks.running("chronology")
    window.result_tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: len(view.chronology.meetings) == window.model.total, timeout=10_000)


def test_the_canvas_finds_a_meeting_by_id_among_many():
    from app.chronology import _IdIndex
    from index.chronology import MEETING, TimelineEvent

    day = dt.date(2024, 5, 1)
    ids = [f"m{n:05d}" for n in range(2000)]
    meetings = [TimelineEvent(MEETING, day, day, f"Meeting {mid}", mid) for mid in reversed(ids)]
    index = _IdIndex(meetings)
    for mid in ("m00000", "m01234", "m01999"):
        assert meetings[index[mid]].meeting_id == mid and mid in index
    assert index.get("m02000") is None and "m02000" not in index and None not in index
    assert index.get(None, -1) == -1 and index.get(5) is None and 5 not in index
    with pytest.raises(KeyError):
        index["nope"]
    assert "x" not in _IdIndex(())
