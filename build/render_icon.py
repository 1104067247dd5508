"""Render resources/icons/readout-archive.svg to PNG with Qt (run after editing the SVG).

    QT_QPA_PLATFORM=offscreen python build/render_icon.py

The bundle ships the PNG so the frozen app needs no SVG image plugin; app/ should load the
``.png`` (QIcon from an SVG file needs Qt's iconengines/svg plugin, which the bundle drops).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZE = 256


def render(svg: Path, size: int, out: Path) -> None:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"render_icon: cannot read {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    if not image.save(str(out), "PNG"):
        raise SystemExit(f"render_icon: cannot write {out}")


def main() -> int:
    QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    svg = ICONS / "readout-archive.svg"
    out = ICONS / "readout-archive.png"
    render(svg, SIZE, out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
