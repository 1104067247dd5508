"""The facet panel (value counts of the current result set, click to filter) and the chip bar
(every active filter as a removable chip)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from index.models import FacetCount

from .meeting_model import format_label, type_label

# Facet name -> heading, in display order.
FACET_TITLES = {
    "type": "Meeting type",
    "format": "Format",
    "country": "Countries taking part",
    "participant": "Participants",
    "person": "People mentioned",
    "mentioned_country": "Countries mentioned",
    "place": "Places",
    "organization": "Organisations",
    "initiative": "Initiatives",
    "agreement": "Agreements",
}
SHOWN_PER_FACET = 12
_VALUE_ROLE = Qt.ItemDataRole.UserRole


def facet_value_label(name: str, value: str) -> str:
    if name == "type":
        return type_label(value)
    if name == "format":
        return format_label(value)
    return value


class FacetPanel(QWidget):
    """Counts per facet over all matches of the current search; clicking a value filters by it."""

    facet_selected = Signal(str, str)  # facet name, value

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderHidden(True)
        self.tree.setColumnCount(2)
        self.tree.setAccessibleName("Facets of the current results")
        self.tree.setToolTip("How many of the current results have each value; click one to filter by it")
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 32)
        self.tree.itemActivated.connect(self._on_tree_item_activated)
        self.tree.itemClicked.connect(self._on_tree_item_activated)
        self._expanded: set[str] = {"type", "country", "participant", "organization", "initiative"}
        self.tree.itemExpanded.connect(lambda item: self._expanded.add(item.data(0, _VALUE_ROLE)[0]))
        self.tree.itemCollapsed.connect(lambda item: self._expanded.discard(item.data(0, _VALUE_ROLE)[0]))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)

    def set_facets(self, facets: tuple[tuple[str, tuple[FacetCount, ...]], ...]) -> None:
        """Show the counts of the current result (``SearchResult.facets``)."""
        self.tree.clear()
        facets = dict(facets)
        for name, title in FACET_TITLES.items():
            counts = facets.get(name, ())
            if not counts:
                continue
            top = QTreeWidgetItem([f"{title}", str(len(counts))])
            top.setData(0, _VALUE_ROLE, (name, None))
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            top.setTextAlignment(1, Qt.AlignmentFlag.AlignRight)
            for count in counts[:SHOWN_PER_FACET]:
                label = facet_value_label(name, count.value)
                child = QTreeWidgetItem([label, str(count.count)])
                child.setData(0, _VALUE_ROLE, (name, count.value))
                child.setToolTip(0, f"{label} — {count.count} meeting(s); click to show only these")
                child.setTextAlignment(1, Qt.AlignmentFlag.AlignRight)
                top.addChild(child)
            if len(counts) > SHOWN_PER_FACET:
                more = QTreeWidgetItem([f"… {len(counts) - SHOWN_PER_FACET} more", ""])
                more.setFlags(Qt.ItemFlag.NoItemFlags)
                top.addChild(more)
            self.tree.addTopLevelItem(top)
            top.setExpanded(name in self._expanded)

    @Slot(QTreeWidgetItem, int)
    def _on_tree_item_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        data = item.data(0, _VALUE_ROLE)
        if data and data[1] is not None:
            self.facet_selected.emit(data[0], data[1])


class ChipBar(QWidget):
    """Active filters as chips "Organisations: ASEAN ✕"; clicking a chip removes that filter."""

    chip_removed = Signal(str, str)  # key, value as given to set_chips

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self._label = QLabel("Filters:", self)
        self._layout.addWidget(self._label)
        self._layout.addStretch(1)
        self.chips: list[QToolButton] = []
        self.setVisible(False)

    def set_chips(self, chips: list[tuple[str, str, str]]) -> None:
        """(key, value, text) for each active filter."""
        for chip in self.chips:
            self._layout.removeWidget(chip)
            chip.deleteLater()
        self.chips = []
        for key, value, text in chips:
            chip = QToolButton(self)
            chip.setText(f"{text}  ✕")
            chip.setToolTip(f"Remove the filter {text}")
            chip.setAccessibleName(f"Remove filter {text}")
            chip.setAutoRaise(False)
            chip.clicked.connect(lambda _checked=False, k=key, v=value: self.chip_removed.emit(k, v))
            self._layout.insertWidget(self._layout.count() - 1, chip)
            self.chips.append(chip)
        self.setVisible(bool(chips))
