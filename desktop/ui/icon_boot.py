"""The tray's first icon, shown before the painter is imported: the loading ring as PNGs that
`packaging/make_icons.py` renders with the painter itself (`gauge.render_image`), one per size
the tray is given, for a light and a dark theme, at device pixel ratios 1 and 2.

Why not paint it at start: the painter's pens and brushes use PySide's `Qt` enum namespace, and
PySide creates all of its ~100 enums at the first use of any (13-15 ms of the main thread and
1.3 MB, issue 26). Qt's colour scheme is one of those enums too, so the first icon's theme is
the palette's (`palette_is_dark`); the tray repaints with the full check (`gauge.is_dark_theme`)
as soon as it adopts the icon, a few hundred milliseconds later. A test keeps the PNGs equal to
what the painter draws (`tests/ui/test_boot_icon.py`).

The PNGs are read here (`png_pixels`), not by Qt's image reader: its first use scans the image
format plugins and stays in the tray's memory (0.8-1 MB of RSS), and they are written in the one
simple shape this reads (8-bit RGBA, rows unfiltered).
"""

from __future__ import annotations

import zlib
from pathlib import Path

from PySide6.QtGui import QGuiApplication, QIcon, QImage, QPixmap

from desktop.system import resources

#: The logical sizes each tray icon is made at (the tray host picks one), in pixels.
ICON_SIZES = (16, 22, 24, 32, 48, 64)
#: The device pixel ratios the loading ring is shipped at; at any other it is painted.
SHIPPED_RATIOS = (1.0, 2.0)


def device_pixel_ratio() -> float:
    """The primary screen's device pixel ratio (1.0 without a screen)."""
    screen = QGuiApplication.primaryScreen()
    return float(screen.devicePixelRatio()) if screen is not None else 1.0


def palette_is_dark() -> bool:
    """Whether the application palette's window colour is dark (lightness below 128 of 255)."""
    return QGuiApplication.palette().window().color().lightness() < 128


def loading_file_name(dark: bool, size: int, ratio: float) -> str:
    """The shipped PNG of the loading ring, e.g. `loading-dark-22@2x.png` (`size` logical
    pixels at `ratio`, one of SHIPPED_RATIOS)."""
    scale = "" if ratio == 1.0 else f"@{ratio:g}x"
    return f"loading-{'dark' if dark else 'light'}-{size}{scale}.png"


def loading_files(dark: bool, ratio: float, folder: Path | None = None) -> list[Path] | None:
    """The loading ring's PNGs for each of ICON_SIZES, or None when this ratio is not shipped
    or a file is missing (a checkout whose icons were not made)."""
    folder = folder or resources.loading_icons_dir()
    if folder is None or ratio not in SHIPPED_RATIOS:
        return None
    files = [folder / loading_file_name(dark, size, ratio) for size in ICON_SIZES]
    return files if all(path.is_file() for path in files) else None


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: IHDR's tail for 8-bit RGBA (colour type 6), deflate, adaptive filtering, not interlaced.
PNG_RGBA8 = b"\x08\x06\x00\x00\x00"


def png_pixels(data: bytes) -> tuple[int, int, bytes] | None:
    """(width, height, RGBA bytes: straight alpha, 4 per pixel, row by row) of a PNG in the
    shape `png_file` writes (8-bit RGBA, not interlaced, every row unfiltered, chunks' CRCs
    right); None for any other PNG or damaged data."""
    if not data.startswith(PNG_SIGNATURE):
        return None
    header, compressed, position = b"", [], len(PNG_SIGNATURE)
    while position + 12 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        chunk = data[position + 4 : position + 8 + length]
        crc = data[position + 8 + length : position + 12 + length]
        if len(chunk) != 4 + length or zlib.crc32(chunk).to_bytes(4, "big") != crc:
            return None
        kind, body = chunk[:4], chunk[4:]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            compressed.append(body)
        elif kind == b"IEND":
            break
        position += 12 + length
    if len(header) != 13 or header[8:] != PNG_RGBA8:
        return None
    width, height = int.from_bytes(header[:4], "big"), int.from_bytes(header[4:8], "big")
    try:
        raw = zlib.decompress(b"".join(compressed))
    except zlib.error:
        return None
    stride = 1 + 4 * width
    if width < 1 or len(raw) != stride * height or any(raw[::stride]):  # a row's filter byte
        return None
    rows = (raw[start + 1 : start + stride] for start in range(0, len(raw), stride))
    return width, height, b"".join(rows)


def png_file(width: int, height: int, rgba: bytes) -> bytes:
    """A PNG of `width` x `height` straight-alpha RGBA bytes, every row unfiltered (the shape
    `png_pixels` reads)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body).to_bytes(4, "big")
        return len(body).to_bytes(4, "big") + kind + body + crc

    stride = 4 * width
    rows = b"".join(b"\x00" + rgba[y * stride : (y + 1) * stride] for y in range(height))
    size = width.to_bytes(4, "big") + height.to_bytes(4, "big")
    return (
        PNG_SIGNATURE
        + chunk(b"IHDR", size + PNG_RGBA8)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def read_pixmap(path: Path, ratio: float) -> QPixmap:
    """A shipped PNG as a pixmap at `ratio`; through Qt's reader when not in `png_file`'s shape
    (null when unreadable)."""
    try:
        pixels = png_pixels(path.read_bytes())
    except OSError:
        pixels = None
    if pixels is None:
        pixmap = QPixmap(str(path))
    else:
        width, height, rgba = pixels
        image = QImage(rgba, width, height, 4 * width, QImage.Format.Format_RGBA8888)
        pixmap = QPixmap.fromImage(image)  # a copy: `rgba` may go
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def loading_icon() -> QIcon:
    """The loading look for the screen's ratio and the palette's theme: the shipped PNGs, or
    painted (importing the painter) when they do not fit."""
    dark, ratio = palette_is_dark(), device_pixel_ratio()
    files = loading_files(dark, ratio)
    if files is not None:
        icon = QIcon()
        for path in files:
            pixmap = read_pixmap(path, ratio)
            if pixmap.isNull():
                break
            icon.addPixmap(pixmap)
        else:
            return icon
    from desktop.core.looks import Look, LookKind
    from desktop.ui.gauge import IconCache

    return IconCache().icon(Look(LookKind.LOADING), dark, ratio)
