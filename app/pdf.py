"""PDF export through Qt: each meeting laid out by a QTextDocument and painted on a QPdfWriter.

Every meeting starts on a new page (a long one continues over several). People and countries
are highlighted in the text with the detail pane's colours; a footer carries the meeting title
and its page numbers. No other PDF engine is involved. ``write_pdf`` plugs into
``index.export.export(..., pdf_writer=write_pdf)``.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QFont,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from index.errors import ExportError
from index.export import ExportItem, metadata_rows

from .detail import KINDS, Span, entity_spans, kind_colour

RESOLUTION = 300  # dots per inch of the PDF's coordinate system
FOOTER_MM = 8.0

SpansFn = Callable[[ExportItem], Iterable[Span]]


@dataclass(frozen=True)
class PdfReport:
    meetings: int
    pages: int
    first_pages: tuple[int, ...]  # 0-based page where each meeting starts


_headless_app: QGuiApplication | None = None  # kept alive for the CLI process


def _ensure_gui_application() -> None:
    """Fonts and text layout need a QGuiApplication. The GUI has one; for the CLI a headless one
    is made (the offscreen platform needs no display)."""
    global _headless_app
    if QGuiApplication.instance() is None:
        _headless_app = QGuiApplication(["readout-archive", "-platform", "offscreen"])


def _default_spans(item: ExportItem) -> list[Span]:
    return entity_spans(item.meeting)


def meeting_html(item: ExportItem, spans: Iterable[Span] = ()) -> str:
    """The page content for one meeting; all readout text is escaped."""
    e = html.escape
    p = item.meeting.parsed
    rows = "".join(
        f'<tr><td style="padding-right: 10px; vertical-align: top"><b>{e(label)}</b></td><td>{e(value)}</td></tr>'
        for label, value in metadata_rows(item)
    )
    parts = [f"<h2>{e(p.title)}</h2>", f'<table cellspacing="0" cellpadding="1">{rows}</table>']
    if item.bookmark is not None and item.bookmark.note:
        parts.append(
            '<table width="100%" cellpadding="6" style="margin-top: 6px; background-color: #fff6cc">'
            f'<tr><td><b>Note:</b> <span style="white-space: pre-wrap">{e(item.bookmark.note)}</span></td></tr></table>'
        )
    spans = sorted((s for s in spans if 0 <= s.start < s.end <= len(p.text)), key=lambda s: s.start)
    kinds = [k for k in KINDS if any(s.kind == k for s in spans)]
    if kinds:
        legend = " &nbsp; ".join(
            f'<span style="color: {kind_colour(k, False)}">{e(KINDS[k].name)}</span>' for k in kinds
        )
        parts.append(f'<p style="font-size: small">Highlighted: {legend}</p>')
    parts.append("<hr/>")
    parts.append(_text_html(p.text, spans))
    return "\n".join(parts)


def _text_html(text: str, spans: list[Span]) -> str:
    """Paragraphs of ``text`` with non-overlapping ``spans`` coloured (the first one wins)."""
    out: list[str] = []
    pos = 0
    for span in spans:
        if span.start < pos:
            continue
        out.append(html.escape(text[pos : span.start]))
        colour = kind_colour(span.kind, False)
        out.append(
            f'<span style="color: {colour}; font-weight: 600">{html.escape(text[span.start : span.end])}</span>'
        )
        pos = span.end
    out.append(html.escape(text[pos:]))
    body = "".join(out)
    paragraphs = [line for line in body.split("\n") if line.strip()]
    return "".join(f'<p style="margin-bottom: 6px">{para}</p>' for para in paragraphs)


def write_pdf(
    items: Iterable[ExportItem],
    path: str | Path,
    *,
    title: str = "Readout Archive export",
    spans_for: SpansFn | None = _default_spans,
    page_size: QPageSize.PageSizeId = QPageSize.PageSizeId.A4,
) -> PdfReport:
    """Write ``items`` to ``path``, each meeting from a new page. ``spans_for`` gives the
    highlights of a meeting (None: no highlights)."""
    _ensure_gui_application()
    writer = QPdfWriter(str(path))
    writer.setResolution(RESOLUTION)
    writer.setTitle(title)
    writer.setCreator("Readout Archive")
    writer.setPageLayout(
        QPageLayout(
            QPageSize(page_size),
            QPageLayout.Orientation.Portrait,
            QMarginsF(18, 16, 18, 12),
            QPageLayout.Unit.Millimeter,
        )
    )
    painter = QPainter()
    if not painter.begin(writer):
        raise ExportError(f"cannot write the PDF {path}")
    width = float(writer.width())
    footer = FOOTER_MM / 25.4 * RESOLUTION
    body_height = float(writer.height()) - footer
    font = QFont("DejaVu Serif")
    font.setStyleHint(QFont.StyleHint.Serif)
    font.setPointSizeF(10)
    footer_font = QFont(font)
    footer_font.setPointSizeF(7.5)
    pages = 0
    first_pages: list[int] = []
    try:
        for item in items:
            doc = QTextDocument()
            doc.documentLayout().setPaintDevice(writer)
            doc.setDefaultFont(font)
            doc.setDocumentMargin(0)
            doc.setHtml(meeting_html(item, spans_for(item) if spans_for else ()))
            doc.setPageSize(QSizeF(width, body_height))
            count = max(1, doc.pageCount())
            first_pages.append(pages)
            for page in range(count):
                if pages:
                    writer.newPage()
                painter.save()
                painter.translate(0, -page * body_height)
                doc.drawContents(painter, QRectF(0, page * body_height, width, body_height))
                painter.restore()
                painter.setFont(footer_font)
                painter.setPen(Qt.GlobalColor.darkGray)
                label = _elide(item.meeting.parsed.title, 90)
                painter.drawText(
                    QRectF(0, body_height, width, footer),
                    int(Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignLeft),
                    label,
                )
                painter.drawText(
                    QRectF(0, body_height, width, footer),
                    int(Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignRight),
                    f"{page + 1} / {count}",
                )
                pages += 1
    finally:
        painter.end()
    return PdfReport(len(first_pages), pages, tuple(first_pages))


def _elide(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
