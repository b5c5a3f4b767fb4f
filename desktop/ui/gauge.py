"""Paints the tray icon: a ring gauge of available versus issued credits, one look per state.

Icons are painted at the screen's device pixel ratio and cached per (look, theme, ratio), so
the tray repaints only when what it shows changes.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QIcon,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
)

from desktop.core.levels import ALERT_HEX, LEVEL_HEX, CreditLevel
from desktop.core.looks import IconContent, IconTone, Look, LookKind

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


MIN_TEXT_SIZE = 22  # below this, digits cannot be read: the ring alone


def paint(
    painter: QPainter, look: Look, size: float, dark: bool, tint: QColor | None = None
) -> None:
    """Paint `look` into a `size` x `size` logical square; `tint` paints it in one colour (the
    monochrome style), where the level is told by shape alone."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    colours = _Colours(dark, tint)
    text = look.text if size >= MIN_TEXT_SIZE else None
    if look.kind is LookKind.GAUGE and text and look.content is IconContent.NUMBER:
        _number(painter, look, size, text, colours)
        return
    rect, width = _ring_geometry(size)
    if look.kind is LookKind.GAUGE and text:
        width *= 0.62  # a thinner ring leaves room for the figure
        rect = rect.adjusted(-width * 0.3, -width * 0.3, width * 0.3, width * 0.3)
    track = colours.track
    if look.kind is LookKind.GAUGE:
        _gauge(painter, look, size, rect, width=width, colours=colours)
        if text:
            _figure(
                painter,
                text,
                QRectF(0, 0, size, size).adjusted(
                    width * 1.4, width * 1.4, -width * 1.4, -width * 1.4
                ),
                colours.level(look.level or CreditLevel.UNKNOWN),
            )
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


class _Colours:
    """The palette of one icon: the level colours, or one tint with a faint track."""

    def __init__(self, dark: bool, tint: QColor | None) -> None:
        self._tint = tint
        if tint is None:
            self.track = track_colour(dark)
            self.glyph = glyph_colour(dark)
            self.alert = ALERT
            self.neutral = NEUTRAL
        else:
            faint = QColor(tint)
            faint.setAlpha(round(tint.alpha() * 0.32))
            self.track = faint
            self.glyph = self.alert = self.neutral = tint

    def level(self, level: CreditLevel) -> QColor:
        return LEVEL_COLOURS[level] if self._tint is None else self._tint

    @property
    def monochrome(self) -> bool:
        return self._tint is not None


def _gauge(
    painter: QPainter, look: Look, size: float, rect: QRectF, *, width: float, colours: _Colours
) -> None:
    level = look.level or CreditLevel.UNKNOWN
    colour = colours.level(level)
    with_text = bool(look.text) and size >= MIN_TEXT_SIZE
    if level is CreditLevel.EMPTY:
        faint = QColor(colour)
        faint.setAlpha(110)
        _arc(painter, rect, width, faint, 360)
        if not with_text:
            _exclamation(painter, size, colour)
    elif level is CreditLevel.UNKNOWN or look.percent is None:
        _arc(painter, rect, width, colours.level(CreditLevel.UNKNOWN), 360)
        if not with_text:
            _dot(painter, size, colours.level(CreditLevel.UNKNOWN))
    else:
        _arc(painter, rect, width, colours.track, 360)
        if look.percent > 0:
            degrees = 360 * look.percent / 100
            _arc(painter, rect, width, colour, max(MIN_ARC_DEGREES, degrees))
        if with_text:
            return
        if level is CreditLevel.CRITICAL:
            _dot(painter, size, colour, 0.09)
        elif level is CreditLevel.LOW and colours.monochrome:
            _ring_dot(painter, size, colour)  # low differs from ok by shape, not colour


def _ring_dot(painter: QPainter, size: float, colour: QColor) -> None:
    pen = QPen(colour, max(1.0, size * 0.05))
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(QPointF(size / 2, size / 2), size * 0.1, size * 0.1)


def _fitted_font(text: str, box: QRectF) -> QFont:
    """The largest bold font, in whole pixels, whose `text` fits `box`."""
    font = QFont()
    font.setBold(True)
    font.setHintingPreference(QFont.HintingPreference.PreferFullHinting)
    pixels = max(6, int(box.height()))
    while pixels > 6:
        font.setPixelSize(pixels)
        metrics = QFontMetricsF(font)
        if metrics.horizontalAdvance(text) <= box.width() and metrics.capHeight() <= box.height():
            break
        pixels -= 1
    font.setPixelSize(pixels)
    return font


def _figure(painter: QPainter, text: str, box: QRectF, colour: QColor) -> None:
    font = _fitted_font(text, box)
    painter.setFont(font)
    painter.setPen(colour)
    metrics = QFontMetricsF(font)
    # Centre the digits by their cap height, not the line box, so they sit in the ring's middle.
    x = box.center().x() - metrics.horizontalAdvance(text) / 2
    y = box.center().y() + metrics.capHeight() / 2
    painter.drawText(QPointF(x, y), text)


def _number(painter: QPainter, look: Look, size: float, text: str, colours: _Colours) -> None:
    """The credits left as a figure, over a bar of the share left (the level by shape too)."""
    level = look.level or CreditLevel.UNKNOWN
    colour = colours.level(level)
    bar_height = max(2.0, size * 0.14)
    _figure(painter, text, QRectF(0, 0, size, size - bar_height * 1.6), colour)
    bar = QRectF(size * 0.06, size - bar_height * 1.2, size * 0.88, bar_height)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colours.track)
    painter.drawRect(bar)
    share = (look.percent or 0) / 100
    if share > 0:
        painter.setBrush(colour)
        painter.drawRect(QRectF(bar.left(), bar.top(), max(1.0, bar.width() * share), bar.height()))


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


def template_image(look: Look, size: int, device_pixel_ratio: float = 1.0) -> QImage:
    """macOS's template image: black with alpha only; the menu bar colours it (a mask icon)."""
    return render_image(look, size, device_pixel_ratio, tint=QColor(0, 0, 0))


def monochrome_tint(tone: IconTone, palette_text: QColor) -> QColor:
    """The one colour of a monochrome icon: the desktop's text colour, or forced."""
    if tone is IconTone.LIGHT:
        return QColor(240, 240, 240)
    if tone is IconTone.DARK:
        return QColor(32, 32, 32)
    return QColor(palette_text)


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


def is_dark_theme() -> bool:
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme()
    if scheme != Qt.ColorScheme.Unknown:
        return scheme == Qt.ColorScheme.Dark
    return QGuiApplication.palette().window().color().lightness() < 128


def device_pixel_ratio() -> float:
    screen = QGuiApplication.primaryScreen()
    return float(screen.devicePixelRatio()) if screen is not None else 1.0
