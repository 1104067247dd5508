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
        )

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

    def reset(self) -> None:
        for widget in (self.use_dates, self.meeting_type, self.format, self.country, self.person):
            widget.blockSignals(True)
        self.use_dates.setChecked(False)
        self._on_use_dates_toggled_silent()
        self.meeting_type.setCurrentIndex(0)
        self.format.setCurrentIndex(0)
        self.country.setEditText("")
        self.person.clear()
        for widget in (self.use_dates, self.meeting_type, self.format, self.country, self.person):
            widget.blockSignals(False)
        self.filters_changed.emit()

    def _on_use_dates_toggled_silent(self) -> None:
        self.date_from.setEnabled(False)
        self.date_to.setEnabled(False)
