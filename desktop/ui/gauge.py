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

from desktop.core.levels import CreditLevel
from desktop.core.looks import ExpiryStage, IconContent, Look, LookKind
from desktop.ui.icon_badges import BADGE_RADIUS, paint_clock_badge, paint_pause_badge
from desktop.ui.icon_boot import ICON_SIZES, palette_is_dark
from desktop.ui.icon_palette import IconColours, dimmed_tint, gauge_colour

MIN_ARC_DEGREES = 10.0  # a sliver below this is invisible at 16 px


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


MIN_TEXT_SIZE = 22  # below this, digits cannot be read: the ring alone


def paint(
    painter: QPainter, look: Look, size: float, dark: bool, tint: QColor | None = None
) -> None:
    """Paint `look` into a `size` x `size` logical square; `tint` paints it in one colour (the
    monochrome style), where the level is told by shape alone."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    if look.dimmed or look.paused or look.kind is LookKind.OFFLINE:
        tint = dimmed_tint(dark, tint)
    colours = IconColours(dark, tint)
    _paint_body(painter, look, size, colours)
    if look.kind is LookKind.GAUGE and look.expiry is not ExpiryStage.NONE:
        paint_clock_badge(painter, size, look.expiry, colours)
    if look.paused:
        paint_pause_badge(painter, size, colours)


def _paint_body(painter: QPainter, look: Look, size: float, colours: IconColours) -> None:
    text = look.text if size >= MIN_TEXT_SIZE else None
    if look.kind is LookKind.GAUGE and text and look.content is IconContent.NUMBER:
        from desktop.ui.icon_figures import paint_number  # fonts: not for the boot icon

        paint_number(painter, look, size, text, colours)
        return
    rect, width = _ring_geometry(size)
    if look.kind is LookKind.GAUGE and text:
        width *= 0.62  # a thinner ring leaves room for the figure
        rect = rect.adjusted(-width * 0.3, -width * 0.3, width * 0.3, width * 0.3)
    track = colours.track
    if look.kind is LookKind.GAUGE:
        _gauge(painter, look, size, rect, width=width, colours=colours)
        if text:
            box = QRectF(0, 0, size, size).adjusted(
                width * 1.4, width * 1.4, -width * 1.4, -width * 1.4
            )
            shift = size * BADGE_RADIUS * 0.35
            if look.expiry is not ExpiryStage.NONE:  # up and left, clear of the clock
                box.adjust(-shift / 2, -shift / 2, -shift, -shift)
            if look.paused:  # down and left, clear of the pause mark
                box.adjust(-shift / 2, shift, -shift, shift / 2)
            from desktop.ui.icon_figures import paint_figure

            paint_figure(painter, text, box, gauge_colour(look, colours))
    elif look.kind is LookKind.EXPIRED:
        _arc(painter, rect, width, track, 360)
        _cross(painter, size, colours.alert)
    elif look.kind is LookKind.LOADING:
        _arc(painter, rect, width, track, 360)
        _arc(painter, rect, width, colours.neutral, 90)
    elif look.kind is LookKind.NO_TOKEN:
        pen_width = width * 0.6
        pen = QPen(colours.glyph, pen_width)
        period = rect.width() * math.pi / 8 / pen_width  # eight whole dashes, in pen widths
        pen.setDashPattern([period * 0.55, period * 0.45])
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        painter.setPen(pen)
        painter.drawEllipse(rect)
        _dot(painter, size, colours.glyph, 0.11)
    elif look.kind is LookKind.AUTH_REJECTED:
        _arc(painter, rect, width, colours.alert, 360)
        _exclamation(painter, size, colours.alert)
    elif look.kind is LookKind.NO_PERMISSION:
        _arc(painter, rect, width, colours.glyph, 360)
        _slash(painter, size, rect, colours.glyph)
    elif look.kind is LookKind.OFFLINE:
        _arc(painter, rect, width, colours.glyph, 360)
        _cross(painter, size, colours.glyph)


def _gauge(
    painter: QPainter, look: Look, size: float, rect: QRectF, *, width: float, colours: IconColours
) -> None:
    level = look.level or CreditLevel.UNKNOWN
    colour = gauge_colour(look, colours)
    with_text = bool(look.text) and size >= MIN_TEXT_SIZE
    if level is CreditLevel.EMPTY:
        faint = QColor(colour)
        faint.setAlpha(110)
        _arc(painter, rect, width, faint, 360)
        if not with_text:
            _exclamation(painter, size, colour)
    elif level is CreditLevel.UNKNOWN or look.percent is None:
        _arc(painter, rect, width, colour, 360)
        if not with_text:
            _dot(painter, size, colour)
    else:
        _arc(painter, rect, width, colours.track, 360)
        if look.percent > 0:
            degrees = 360 * look.percent / 100
            _arc(painter, rect, width, colour, max(MIN_ARC_DEGREES, degrees))
        if with_text:
            return
        if level is CreditLevel.CRITICAL:
            _dot(painter, size, colour, 0.12)  # seen at 3:1 with nothing else filled
        elif level is CreditLevel.LOW and colours.monochrome:
            _ring_dot(painter, size, colour)  # low differs from ok by shape, not colour


def _ring_dot(painter: QPainter, size: float, colour: QColor) -> None:
    pen = QPen(colour, max(1.0, size * 0.05))
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(QPointF(size / 2, size / 2), size * 0.1, size * 0.1)


def render_image(
    look: Look,
    size: int,
    device_pixel_ratio: float = 1.0,
    dark: bool = False,
    tint: QColor | None = None,
) -> QImage:
    """The icon as an ARGB image of `size` logical pixels at `device_pixel_ratio`."""
    image = _blank(size, device_pixel_ratio)
    painter = QPainter(image)
    try:
        paint(painter, look, float(size), dark, tint)
    finally:
        painter.end()
    return image


def _blank(size: int, device_pixel_ratio: float) -> QImage:
    pixels = max(1, round(size * device_pixel_ratio))
    image = QImage(pixels, pixels, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    image.setDevicePixelRatio(device_pixel_ratio)
    return image


class IconCache:
    """One QIcon per (look, theme, device pixel ratio, tint); painting happens once per key."""

    def __init__(self) -> None:
        self._icons: dict[tuple[Look, bool, float, int | None, bool], QIcon] = {}

    def icon(
        self,
        look: Look,
        dark: bool,
        device_pixel_ratio: float,
        tint: QColor | None = None,
        mask: bool = False,
    ) -> QIcon:
        """`mask`: a template icon (macOS), painted black for the menu bar to colour."""
        if mask:
            tint = QColor(0, 0, 0)
        key = (look, dark, device_pixel_ratio, tint.rgba() if tint else None, mask)
        if key not in self._icons:
            icon = QIcon()
            for size in ICON_SIZES:
                image = render_image(look, size, device_pixel_ratio, dark, tint)
                pixmap = QPixmap.fromImage(image)
                pixmap.setDevicePixelRatio(device_pixel_ratio)
                icon.addPixmap(pixmap)
            icon.setIsMask(mask)
            self._icons[key] = icon
        return self._icons[key]

    def __len__(self) -> int:
        return len(self._icons)


def is_dark_theme(portal_dark: bool | None = None) -> bool:
    """Whether the desktop prefers dark: Qt's colour scheme where it knows one (its GNOME, GTK
    and portal themes read the appearance portal themselves), else the portal's answer the
    caller read (`appearance.portal_prefers_dark`; Qt's generic theme on i3 or sway does not
    ask it), else the palette's window colour."""
    scheme = QGuiApplication.styleHints().colorScheme()
    if scheme != Qt.ColorScheme.Unknown:
        return scheme == Qt.ColorScheme.Dark
    if portal_dark is not None:
        return portal_dark
    return palette_is_dark()
