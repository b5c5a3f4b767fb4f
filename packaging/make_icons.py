"""Paint the application icon from one source (this script) into every format the builds need:
PNG sizes for Linux, an .ico for Windows and an .icns for macOS, all in resources/; and the
tray's first icon (the loading ring, `desktop/ui/icon_boot.py`) with the app's own painter, into
resources/icons/loading/ (`tests/ui/test_boot_icon.py` keeps them equal to what it paints).

Run: .venv/bin/python packaging/make_icons.py [loading]   # `loading`: the loading ring only
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QImage,
    QImageWriter,
    QLinearGradient,
    QPainter,
    QPen,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the app's painter, from this checkout
RESOURCES = ROOT / "resources"
NAME = "neo-usage-tray"
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
GREEN = QColor("#2fb35f")


def paint_app_icon(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    margin = size * 0.04
    tile = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
    gradient = QLinearGradient(tile.topLeft(), tile.bottomRight())
    gradient.setColorAt(0, QColor("#22364b"))
    gradient.setColorAt(1, QColor("#0f1a26"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(gradient)
    painter.drawRoundedRect(tile, size * 0.2, size * 0.2)
    width = size * 0.13
    inset = size * 0.2
    ring = QRectF(inset, inset, size - 2 * inset, size - 2 * inset)
    track = QPen(QColor(255, 255, 255, 60), width)
    painter.setPen(track)
    painter.drawEllipse(ring)
    arc = QPen(GREEN, width)
    arc.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(arc)
    painter.drawArc(ring, 90 * 16, -round(0.72 * 360 * 16))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#e8f5ec"))
    painter.drawEllipse(QPointF(size / 2, size / 2), size * 0.07, size * 0.07)
    painter.end()
    return image


def write(image: QImage, path: Path, fmt: str) -> None:
    writer = QImageWriter(str(path), fmt.encode())
    if not writer.write(image):
        raise SystemExit(f"could not write {path}: {writer.errorString()}")


def write_ico(path: Path, sizes: tuple[int, ...] = (16, 24, 32, 48, 64, 128, 256)) -> None:
    """A multi-size .ico with PNG-compressed entries (Vista and later), so Windows never scales."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    blobs = []
    for size in sizes:
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        paint_app_icon(size).save(buffer, "PNG")
        blobs.append(bytes(data.data()))
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries = b""
    for size, blob in zip(sizes, blobs, strict=True):
        side = 0 if size >= 256 else size  # 0 means 256 in the ICO format
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
    path.write_bytes(header + entries + b"".join(blobs))


def write_loading_icons(folder: Path) -> int:
    """The loading ring as the tray paints it, at each of its sizes, for a light and a dark
    theme and at each shipped device pixel ratio; returns the number of files written."""
    from desktop.core.looks import Look, LookKind
    from desktop.ui.gauge import render_image
    from desktop.ui.icon_boot import ICON_SIZES, SHIPPED_RATIOS, loading_file_name, png_file

    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for ratio in SHIPPED_RATIOS:
        for dark in (False, True):
            for size in ICON_SIZES:
                image = render_image(Look(LookKind.LOADING), size, ratio, dark)
                rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
                pixels = bytes(rgba.constBits())[: rgba.sizeInBytes()]
                data = png_file(rgba.width(), rgba.height(), pixels)
                (folder / loading_file_name(dark, size, ratio)).write_bytes(data)
                written += 1
    return written


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    (RESOURCES / "icons").mkdir(parents=True, exist_ok=True)
    loading = write_loading_icons(RESOURCES / "icons" / "loading")
    print(f"wrote {loading} PNGs of the loading ring to {RESOURCES / 'icons' / 'loading'}")
    if sys.argv[1:] == ["loading"]:
        return 0
    for size in PNG_SIZES:
        write(paint_app_icon(size), RESOURCES / "icons" / f"{NAME}-{size}.png", "png")
    write_ico(RESOURCES / f"{NAME}.ico")
    write(paint_app_icon(512), RESOURCES / f"{NAME}.icns", "icns")  # Qt's icns writer
    print(f"wrote {len(PNG_SIZES)} PNGs, {NAME}.ico and {NAME}.icns to {RESOURCES}")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
