"""File → Export…: every format written from the dialog, scopes, overwrite consent, errors."""

from __future__ import annotations

import csv
import json
import re

import pytest

from app.export_dialog import EXTENSIONS, with_format
from index.export import FORMATS


def export_now(qtbot, dialog):
    with qtbot.waitSignal(dialog.exported, timeout=30_000) as blocker:
        assert dialog.start() is not None
    return blocker.args[0]


def check_file(path, fmt: str, count: int) -> None:
    data = path.read_bytes()
    if fmt == "csv":
        rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
        assert rows[0][0] == "id" and len(rows) == count + 1
    elif fmt in ("json", "csl-json"):
        assert len(json.loads(data)) == count
    elif fmt == "md":
        assert data.decode().count("\n## ") == count
    elif fmt == "html":
        assert data.decode().lower().count("<h2") == count
    elif fmt == "pdf":
        assert data.startswith(b"%PDF")
    elif fmt == "ris":
        assert len(re.findall(rb"^TY  - ", data, flags=re.M)) == count


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_dialog_writes_each_format(window, qtbot, tmp_path, fmt, archive):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    dialog = window.export_command.open_dialog()
    dialog.set_scope("results")
    dialog.path.setText(str(tmp_path / "meetings.csv"))
    dialog.set_format(fmt)
    assert dialog.path.text().endswith(EXTENSIONS[fmt])  # the extension follows the format
    outcome = export_now(qtbot, dialog)
    target = tmp_path / ("meetings" + EXTENSIONS[fmt])
    assert outcome.report.path == target and outcome.report.count == archive.count()
    check_file(target, fmt, archive.count())
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temp file left
    assert f"Exported {archive.count()} meetings to {target}" in window.statusBar().currentMessage()
    assert window.settings.export_format == fmt and window.settings.export_folder == str(tmp_path)


def test_export_selected_rows_in_list_order(window, qtbot, tmp_path):
    sm = window.table.selectionModel()
    window.table.selectRow(1)
    sm.select(window.model.index(3, 0), sm.SelectionFlag.Select | sm.SelectionFlag.Rows)
    wanted = [window.model.meeting_id(1), window.model.meeting_id(3)]
    dialog = window.export_command.open_dialog()
    assert dialog.scope() == "selected"  # several rows selected: that is the default
    dialog.set_format("json")
    dialog.path.setText(str(tmp_path / "two.json"))
    export_now(qtbot, dialog)
    assert [r["id"] for r in json.loads((tmp_path / "two.json").read_text())] == wanted


def test_export_bookmarks_of_one_tag(window, qtbot, tmp_path):
    a, b = window.model.meeting_id(0), window.model.meeting_id(2)
    window.bookmarks.toggle([a, b])
    window.bookmarks.save(b, "read this", ["later"])
    dialog = window.export_command.open_dialog()
    dialog.set_scope("bookmarks", "later")
    dialog.set_format("csv")
    dialog.path.setText(str(tmp_path / "later.csv"))
    export_now(qtbot, dialog)
    rows = list(csv.DictReader((tmp_path / "later.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert [(r["id"], r["note"], r["tags"]) for r in rows] == [(b, "read this", "later")]


def test_overwrite_asks_and_refuses_without_consent(window, qtbot, tmp_path, messages):
    target = tmp_path / "out.csv"
    target.write_text("keep me", encoding="utf-8")
    dialog = window.export_command.open_dialog()
    dialog.set_format("csv")
    dialog.path.setText(str(target))

    messages.answer = False
    assert dialog.start() is None
    assert messages.shown[-1].level == "question" and "out.csv" in messages.shown[-1].text
    assert target.read_text(encoding="utf-8") == "keep me"
    assert "Not exported" in dialog.status.text() and dialog.isVisible()

    messages.answer = True
    export_now(qtbot, dialog)
    assert target.read_text(encoding="utf-8-sig").startswith("id,")


def test_browse_uses_the_injected_chooser_and_adds_the_extension(window, tmp_path):
    seen = []

    def choose(_parent, _caption, start, name_filter):
        seen.append((start, name_filter))
        return str(tmp_path / "chosen")

    window.export_command.choose_path = choose
    dialog = window.export_command.open_dialog()
    dialog.set_format("ris")
    dialog.browse.click()
    assert dialog.path.text() == str(tmp_path / "chosen.ris")
    assert seen and "*.ris" in seen[0][1]
    dialog.reject()


def test_an_unwritable_target_is_reported(window, qtbot, tmp_path, messages):
    dialog = window.export_command.open_dialog()
    dialog.set_format("csv")
    dialog.path.setText(str(tmp_path / "no-such-folder" / "x.csv"))
    with qtbot.waitSignal(dialog.export_failed, timeout=10_000):
        dialog.start()
    assert messages.shown[-1].level == "error" and "does not exist" in messages.shown[-1].text
    assert dialog.isVisible() and dialog.export_button.isEnabled()


def test_with_format_replaces_known_extensions():
    assert with_format("/x/a.csv", "csl-json") == "/x/a.csl.json"
    assert with_format("/x/a.csl.json", "md") == "/x/a.md"
    assert with_format("/x/report.v2", "pdf") == "/x/report.v2.pdf"
    assert with_format("", "pdf") == ""
