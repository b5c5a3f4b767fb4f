"""Paints the tray icon: a ring gauge of available versus issued credits, one look per state.

Icons are painted at the screen's device pixel ratio and cached per (look, theme, ratio), so
the tray repaints only when what it shows changes.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
)

from desktop.core.levels import ALERT_HEX, LEVEL_HEX, CreditLevel
from desktop.core.looks import Look, LookKind

ICON_SIZES = (16, 22, 24, 32, 48, 64)
LEVEL_COLOURS = {level: QColor(hex_colour) for level, hex_colour in LEVEL_HEX.items()}
ALERT = QColor(ALERT_HEX)
NEUTRAL = QColor("#5b9bd5")
DIMMED_OPACITY = 0.45
MIN_ARC_DEGREES = 10.0  # a sliver below this is invisible at 16 px


def track_colour(dark: bool) -> QColor:
    """The empty part of the ring: a mid grey that stays visible whatever the panel really is
    (hosts often draw a dark panel under a light application palette)."""
    return QColor(175, 175, 175, 170) if dark else QColor(120, 120, 120, 170)


def glyph_colour(dark: bool) -> QColor:
    return QColor(225, 225, 225) if dark else QColor(85, 85, 85)


def _ring_geometry(size: float) -> tuple[QRectF, float]:
    width = max(2.5, size * 0.2)
    inset = width / 2 + size * 0.04
    return QRectF(inset, inset, size - 2 * inset, size - 2 * inset), width


def _arc(painter: QPainter, rect: QRectF, width: float, colour: QColor, degrees: float) -> None:
    pen = QPen(colour, width)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if degrees >= 360:
        painter.drawEllipse(rect)
    else:  # from 12 o'clock, clockwise (Qt counts 1/16 degrees, counter-clockwise positive)
        painter.drawArc(rect, 90 * 16, -round(degrees * 16))


def _exclamation(painter: QPainter, size: float, colour: QColor) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    bar_width = max(1.6, size * 0.13)
    centre = size / 2
    painter.drawRoundedRect(
        QRectF(centre - bar_width / 2, size * 0.28, bar_width, size * 0.27),
        bar_width / 3,
        bar_width / 3,
    )
    painter.drawEllipse(QPointF(centre, size * 0.68), bar_width * 0.6, bar_width * 0.6)


def _cross(painter: QPainter, size: float, colour: QColor) -> None:
    pen = QPen(colour, max(1.6, size * 0.12))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    low, high = size * 0.37, size * 0.63
    painter.drawLine(QPointF(low, low), QPointF(high, high))
    painter.drawLine(QPointF(low, high), QPointF(high, low))


def _dot(painter: QPainter, size: float, colour: QColor, scale: float = 0.1) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawEllipse(QPointF(size / 2, size / 2), size * scale, size * scale)


def _slash(painter: QPainter, size: float, rect: QRectF, colour: QColor) -> None:
    pen = QPen(colour, max(1.6, size * 0.14))
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    painter.setPen(pen)
    path = QPainterPath()
    offset = rect.width() / 2 * 0.7071
    centre = rect.center()
    path.moveTo(centre.x() - offset, centre.y() - offset)
    path.lineTo(centre.x() + offset, centre.y() + offset)
    painter.drawPath(path)


def paint(painter: QPainter, look: Look, size: float, dark: bool) -> None:
    """Paint `look` into a `size` x `size` logical square."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    rect, width = _ring_geometry(size)
    track = track_colour(dark)

    if look.kind is LookKind.GAUGE:
        level = look.level or CreditLevel.UNKNOWN
        colour = LEVEL_COLOURS[level]
        if level is CreditLevel.EMPTY:
            _arc(
                painter, rect, width, QColor(colour.red(), colour.green(), colour.blue(), 110), 360
            )
            _exclamation(painter, size, colour)
        elif level is CreditLevel.UNKNOWN or look.percent is None:
            _arc(painter, rect, width, LEVEL_COLOURS[CreditLevel.UNKNOWN], 360)
            _dot(painter, size, LEVEL_COLOURS[CreditLevel.UNKNOWN])
        else:
            _arc(painter, rect, width, track, 360)
            degrees = 360 * look.percent / 100
            if look.percent > 0:
                _arc(painter, rect, width, colour, max(MIN_ARC_DEGREES, degrees))
            if level is CreditLevel.CRITICAL:
                _dot(painter, size, colour, 0.09)
    elif look.kind is LookKind.EXPIRED:
        _arc(painter, rect, width, track, 360)
        _cross(painter, size, ALERT)
    elif look.kind is LookKind.LOADING:
        _arc(painter, rect, width, track, 360)
        _arc(painter, rect, width, NEUTRAL, 90)
    elif look.kind is LookKind.NO_TOKEN:
        pen_width = width * 0.6
        pen = QPen(glyph_colour(dark), pen_width)
        period = rect.width() * math.pi / 8 / pen_width  # eight whole dashes, in pen widths
        pen.setDashPattern([period * 0.55, period * 0.45])
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        painter.setPen(pen)
        painter.drawEllipse(rect)
        _dot(painter, size, glyph_colour(dark), 0.11)
    elif look.kind is LookKind.AUTH_REJECTED:
        _arc(painter, rect, width, ALERT, 360)
        _exclamation(painter, size, ALERT)
    elif look.kind is LookKind.NO_PERMISSION:
        _arc(painter, rect, width, glyph_colour(dark), 360)
        _slash(painter, size, rect, glyph_colour(dark))
    elif look.kind is LookKind.OFFLINE:
        _arc(painter, rect, width, glyph_colour(dark), 360)
        _cross(painter, size, glyph_colour(dark))


def render_image(
    look: Look, size: int, device_pixel_ratio: float = 1.0, dark: bool = False
) -> QImage:
    """The icon as an ARGB image of `size` logical pixels at `device_pixel_ratio`."""
    image = _blank(size, device_pixel_ratio)
    painter = QPainter(image)
    try:
        paint(painter, look, float(size), dark)
    finally:
        painter.end()
    if not (look.dimmed or look.kind is LookKind.OFFLINE):
        return image
    # Dim the whole icon as one layer, so overlapping strokes do not add up their alpha.
    dimmed = _blank(size, device_pixel_ratio)
    painter = QPainter(dimmed)
    try:
        painter.setOpacity(DIMMED_OPACITY)
        painter.drawImage(0, 0, image)
    finally:
        painter.end()
    return dimmed


def _blank(size: int, device_pixel_ratio: float) -> QImage:
    pixels = max(1, round(size * device_pixel_ratio))
    image = QImage(pixels, pixels, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    image.setDevicePixelRatio(device_pixel_ratio)
    return image


class IconCache:
    """One QIcon per (look, theme, device pixel ratio); painting happens once per key."""

    def __init__(self) -> None:
        self._icons: dict[tuple[Look, bool, float], QIcon] = {}

    def icon(self, look: Look, dark: bool, device_pixel_ratio: float) -> QIcon:
        key = (look, dark, device_pixel_ratio)
        if key not in self._icons:
            icon = QIcon()
            for size in ICON_SIZES:
                pixmap = QPixmap.fromImage(render_image(look, size, device_pixel_ratio, dark))
                pixmap.setDevicePixelRatio(device_pixel_ratio)
                icon.addPixmap(pixmap)
            self._icons[key] = icon
        return self._icons[key]

    def __len__(self) -> int:
        return len(self._icons)


def is_dark_theme() -> bool:
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme()
    if scheme != Qt.ColorScheme.Unknown:
        return scheme == Qt.ColorScheme.Dark
    return QGuiApplication.palette().window().color().lightness() < 128


def device_pixel_ratio() -> float:
    screen = QGuiApplication.primaryScreen()
    return float(screen.devicePixelRatio()) if screen is not None else 1.0
