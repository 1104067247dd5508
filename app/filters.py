"""The filter row: meeting-date range, type, format, country and person, without query syntax."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QWidget,
)

from index.models import FORMATS, MEETING_TYPES
from index.query import SearchFilters

from .facets import FACET_TITLES
from .meeting_model import format_label, type_label


class FilterBar(QWidget):
    filters_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._typing = QTimer(self)  # person/country text: wait for a pause like the search bar
        self._typing.setSingleShot(True)
        self._typing.setInterval(300)
        self._typing.timeout.connect(self.filters_changed)

        self.use_dates = QCheckBox("Meeting date", self)
        self.use_dates.setAccessibleName("Filter by meeting date")
        self.use_dates.setToolTip("Only meetings held between the two dates")
        self.date_from = self._date_edit("From date", QDate.currentDate().addYears(-1))
        self.date_to = self._date_edit("To date", QDate.currentDate())
        self.use_dates.toggled.connect(self._on_use_dates_toggled)
        self._on_use_dates_toggled(False)

        self.meeting_type = QComboBox(self)
        self.meeting_type.setAccessibleName("Meeting type")
        self.meeting_type.addItem("Any type", None)
        for value in MEETING_TYPES:
            self.meeting_type.addItem(type_label(value), value)
        self.meeting_type.currentIndexChanged.connect(self.filters_changed)

        self.format = QComboBox(self)
        self.format.setAccessibleName("Meeting format")
        self.format.addItem("Any format", None)
        for value in FORMATS:
            self.format.addItem(format_label(value), value)
        self.format.currentIndexChanged.connect(self.filters_changed)

        self.country = QComboBox(self)
        self.country.setEditable(True)
        self.country.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.country.setAccessibleName("Country")
        self.country.lineEdit().setPlaceholderText("Any country")
        self.country.lineEdit().setClearButtonEnabled(True)
        self.country.setMinimumContentsLength(12)
        self.country.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.country.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.country.completer().setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.country.lineEdit().textEdited.connect(lambda _t: self._typing.start())
        self.country.activated.connect(lambda _i: self.filters_changed.emit())
        self.country.lineEdit().returnPressed.connect(self.filters_changed)

        self.person = QLineEdit(self)
        self.person.setPlaceholderText("Any person")
        self.person.setAccessibleName("Participant")
        self.person.setToolTip("A participant's name, e.g. Kamikawa")
        self.person.setClearButtonEnabled(True)
        self.person.setMinimumWidth(self.fontMetrics().averageCharWidth() * 14)
        self.person.textEdited.connect(lambda _t: self._typing.start())
        self.person.returnPressed.connect(self.filters_changed)

        self.presets = QComboBox(self)
        self.presets.setAccessibleName("Date range presets")
        self.presets.setToolTip("Quick meeting-date ranges")
        self.presets.addItem("Presets…", None)
        for label, days in (("Last 30 days", 30), ("Last 12 months", 365), ("Last 5 years", 5 * 365)):
            self.presets.addItem(label, ("days", days))
        self.presets.addItem("This year", ("year", 0))
        self.presets.addItem("Last year", ("year", -1))
        self.presets.activated.connect(self._on_presets_activated)

        self._mentions: list[tuple[str, str]] = []  # exact facet filters, from the facet panel

        self.reset_button = QToolButton(self)
        self.reset_button.setText("Reset")
        self.reset_button.setToolTip("Remove all filters")
        self.reset_button.setAccessibleName("Reset filters")
        self.reset_button.clicked.connect(self.reset)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.use_dates)
        layout.addWidget(self.date_from)
        layout.addWidget(QLabel("–", self))
        layout.addWidget(self.date_to)
        layout.addWidget(self.presets)
        layout.addSpacing(8)
        layout.addWidget(self.meeting_type)
        layout.addWidget(self.format)
        layout.addWidget(self.country, 1)
        layout.addWidget(self.person, 1)
        layout.addWidget(self.reset_button)

    def _date_edit(self, name: str, value: QDate) -> QDateEdit:
        edit = QDateEdit(value, self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setAccessibleName(name)
        edit.dateChanged.connect(
            lambda _d: self.filters_changed.emit() if self.use_dates.isChecked() else None
        )
        return edit

    def _on_use_dates_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.filters_changed.emit()

    # -- values ---------------------------------------------------------------------------------
    def filters(self) -> SearchFilters:
        dates = self.use_dates.isChecked()
        return SearchFilters(
            date_from=self.date_from.date().toPython() if dates else None,
            date_to=self.date_to.date().toPython() if dates else None,
            meeting_type=self.meeting_type.currentData(),
            format=self.format.currentData(),
            country=self.country.currentText().strip() or None,
            person=self.person.text().strip() or None,
            mentions=tuple(self._mentions),
        )

    # -- presets, facet filters and chips -------------------------------------------------------
    def _on_presets_activated(self, index: int) -> None:
        preset = self.presets.itemData(index)
        self.presets.setCurrentIndex(0)
        if preset is None:
            return
        today = QDate.currentDate()
        kind, amount = preset
        if kind == "days":
            start, end = today.addDays(-amount), today
        else:
            year = today.year() + amount
            start, end = QDate(year, 1, 1), QDate(year, 12, 31)
        self.set_date_range(start, end)

    def set_date_range(self, start: QDate, end: QDate) -> None:
        for edit, value in ((self.date_from, start), (self.date_to, end)):
            edit.blockSignals(True)
            edit.setDate(value)
            edit.blockSignals(False)
        if self.use_dates.isChecked():
            self.filters_changed.emit()
        else:
            self.use_dates.setChecked(True)  # emits filters_changed

    def add_mention(self, name: str, value: str) -> None:
        """Filter by one facet value (type and format go to their own boxes)."""
        combo = {"type": self.meeting_type, "format": self.format}.get(name)
        if combo is not None:
            combo.setCurrentIndex(max(0, combo.findData(value)))  # emits filters_changed
            return
        if (name, value) not in self._mentions:
            self._mentions.append((name, value))
            self.filters_changed.emit()

    def chips(self) -> list[tuple[str, str, str]]:
        """(key, value, label) of every active filter, for the chip bar."""
        f = self.filters()
        chips = []
        if f.date_from or f.date_to:
            chips.append(("dates", "", f"Meeting date {f.date_from} – {f.date_to}"))
        if f.meeting_type:
            chips.append(("type", f.meeting_type, f"Type: {self.meeting_type.currentText()}"))
        if f.format:
            chips.append(("format", f.format, f"Format: {self.format.currentText()}"))
        if f.country:
            chips.append(("country_box", f.country, f"Country: {f.country}"))
        if f.person:
            chips.append(("person_box", f.person, f"Person: {f.person}"))
        for name, value in self._mentions:
            chips.append((name, value, f"{FACET_TITLES.get(name, name)}: {value}"))
        return chips

    def remove_chip(self, key: str, value: str) -> None:
        if key == "dates":
            self.use_dates.setChecked(False)
        elif key == "type":
            self.meeting_type.setCurrentIndex(0)
        elif key == "format":
            self.format.setCurrentIndex(0)
        elif key == "country_box":
            self.set_country("")
        elif key == "person_box":
            self.set_person("")
        elif (key, value) in self._mentions:
            self._mentions.remove((key, value))
            self.filters_changed.emit()

    def set_countries(self, countries: list[str]) -> None:
        text = self.country.currentText()
        self.country.blockSignals(True)
        self.country.clear()
        self.country.addItems(sorted(set(countries), key=str.casefold))
        self.country.setEditText(text)
        self.country.blockSignals(False)

    def set_date_span(self, first, last) -> None:
        """Default the (unused) date range to the archive's first and last meeting dates."""
        if self.use_dates.isChecked():
            return
        for edit, value in ((self.date_from, first), (self.date_to, last)):
            edit.blockSignals(True)
            edit.setDate(QDate(value.year, value.month, value.day))
            edit.blockSignals(False)

    def set_person(self, name: str) -> None:
        self.person.setText(name)
        self.filters_changed.emit()

    def set_country(self, name: str) -> None:
        self.country.setEditText(name)
        self.filters_changed.emit()

    def set_filters(self, filters: SearchFilters) -> None:
        """Show ``filters`` (e.g. of a saved search) in the row; emits ``filters_changed`` once."""
        widgets = (self.use_dates, self.date_from, self.date_to, self.meeting_type, self.format, self.country)
        for widget in widgets:
            widget.blockSignals(True)
        dates = bool(filters.date_from or filters.date_to)
        self.use_dates.setChecked(dates)
        self.date_from.setEnabled(dates)
        self.date_to.setEnabled(dates)
        if filters.date_from:
            self.date_from.setDate(filters.date_from)
        if filters.date_to:
            self.date_to.setDate(filters.date_to)
        self.meeting_type.setCurrentIndex(max(0, self.meeting_type.findData(filters.meeting_type)))
        self.format.setCurrentIndex(max(0, self.format.findData(filters.format)))
        self.country.setEditText(filters.country or "")
        self.person.setText(filters.person or "")
        self._mentions = list(filters.mentions)
        for widget in widgets:
            widget.blockSignals(False)
        self.filters_changed.emit()

    def reset(self) -> None:
        for widget in (self.use_dates, self.meeting_type, self.format, self.country, self.person):
            widget.blockSignals(True)
        self.use_dates.setChecked(False)
        self._on_use_dates_toggled_silent()
        self.meeting_type.setCurrentIndex(0)
        self.format.setCurrentIndex(0)
        self.country.setEditText("")
        self.person.clear()
        self._mentions.clear()
        for widget in (self.use_dates, self.meeting_type, self.format, self.country, self.person):
            widget.blockSignals(False)
        self.filters_changed.emit()

    def _on_use_dates_toggled_silent(self) -> None:
        self.date_from.setEnabled(False)
        self.date_to.setEnabled(False)
