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
from desktop.core.looks import ExpiryStage, IconContent, IconTone, Look, LookKind

ICON_SIZES = (16, 22, 24, 32, 48, 64)
# A tray host may draw any panel under any application palette, so every colour the icon draws
# with keeps 3:1 contrast (WCAG relative luminance) against both a white and a #1e1e1e panel:
# a luminance between 0.14 and 0.30. The status bars' palette (LEVEL_HEX) is lighter where it
# sits on its bar's own background; the icon darkens green and amber to stay in that band.
ICON_HEX = {
    **LEVEL_HEX,
    CreditLevel.OK: "#27a055",
    CreditLevel.LOW: "#cc7a00",
}
LEVEL_COLOURS = {level: QColor(hex_colour) for level, hex_colour in ICON_HEX.items()}
ALERT = QColor(ALERT_HEX)
NEUTRAL = QColor("#4f8fcf")
MIN_ARC_DEGREES = 10.0  # a sliver below this is invisible at 16 px
# Monochrome's forced tones, and AUTO's pick by the desktop's colour scheme.
LIGHT_TINT = QColor(240, 240, 240)  # for dark panels
DARK_TINT = QColor(32, 32, 32)  # for light panels
# A dimmed look (stale data, offline) is greyed out rather than made transparent: any
# transparency loses 3:1 on one of the two panels. Monochrome dims its tint by this opacity,
# which its own panel's contrast allows.
DIMMED_HEX = ("#7a7a7a", "#8a8a8a")  # on a light, on a dark theme
MONOCHROME_DIMMED_OPACITY = 0.6


def track_colour(dark: bool) -> QColor:
    """The empty part of the ring: a mid grey that stays visible whatever the panel really is
    (hosts often draw a dark panel under a light application palette)."""
    return QColor(175, 175, 175, 170) if dark else QColor(120, 120, 120, 170)


def glyph_colour(dark: bool) -> QColor:
    """The error looks' grey: lighter on a dark theme, and 3:1 on either panel all the same."""
    return QColor("#909090") if dark else QColor("#6e6e6e")


def dimmed_tint(dark: bool, tint: QColor | None) -> QColor:
    """The one colour a dimmed look is painted in: a mid grey, or the monochrome tint made
    fainter."""
    if tint is None:
        return QColor(DIMMED_HEX[dark])
    faint = QColor(tint)
    faint.setAlphaF(tint.alphaF() * MONOCHROME_DIMMED_OPACITY)
    return faint


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
    colours = _Colours(dark, tint)
    _paint_body(painter, look, size, colours)
    if look.kind is LookKind.GAUGE and look.expiry is not ExpiryStage.NONE:
        _clock_badge(painter, size, look.expiry, colours)
    if look.paused:
        _pause_badge(painter, size, colours)


def _paint_body(painter: QPainter, look: Look, size: float, colours: _Colours) -> None:
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
            box = QRectF(0, 0, size, size).adjusted(
                width * 1.4, width * 1.4, -width * 1.4, -width * 1.4
            )
            shift = size * BADGE_RADIUS * 0.35
            if look.expiry is not ExpiryStage.NONE:  # up and left, clear of the clock
                box.adjust(-shift / 2, -shift / 2, -shift, -shift)
            if look.paused:  # down and left, clear of the pause mark
                box.adjust(-shift / 2, shift, -shift, shift / 2)
            _figure(painter, text, box, _gauge_colour(look, colours))
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


BADGE_RADIUS = 0.23  # of the icon's size: the clock mark in the bottom-right corner


def _badge_centre(size: float) -> tuple[QPointF, float]:
    radius = size * BADGE_RADIUS
    return QPointF(size - radius, size - radius), radius


def _clear_room(painter: QPainter, centre: QPointF, radius: float, size: float) -> None:
    """Cut a badge's disc, with a gap around it, out of what is already drawn, so the badge
    stands apart from the ring in every colour."""
    gap = max(1.0, size * 0.05)
    painter.save()
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(Qt.GlobalColor.black)
    painter.drawEllipse(centre, radius + gap, radius + gap)
    painter.restore()


def _clock_badge(painter: QPainter, size: float, stage: ExpiryStage, colours: _Colours) -> None:
    """The expiry's clock mark, cut into the corner: an outline clock within the largest warning
    day, a solid one (hands cut out) within the last, so the two differ by shape, not only by
    colour (monochrome has one colour)."""
    centre, radius = _badge_centre(size)
    _clear_room(painter, centre, radius, size)
    stroke = max(1.2, size * 0.07)
    last = stage is ExpiryStage.LAST
    colour = colours.level(CreditLevel.LOW) if last else colours.glyph
    hands = QPainterPath()
    hands.moveTo(centre.x(), centre.y() - radius * 0.62)
    hands.lineTo(centre)
    hands.lineTo(centre.x() + radius * 0.48, centre.y())
    hand_pen = QPen(colour, stroke)
    hand_pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    hand_pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    painter.save()
    if last:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawEllipse(centre, radius, radius)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
    else:
        painter.setPen(QPen(colour, stroke))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(centre, radius - stroke / 2, radius - stroke / 2)
    painter.setPen(hand_pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(hands)
    painter.restore()


def _pause_badge(painter: QPainter, size: float, colours: _Colours) -> None:
    """Paused polling's mark, cut into the top-right corner (the clock has the bottom-right):
    two bars, the media symbol for pause."""
    radius = size * BADGE_RADIUS
    centre = QPointF(size - radius, radius)
    _clear_room(painter, centre, radius, size)
    bar = max(1.5, radius * 0.62)
    height = radius * 1.7
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colours.glyph)
    for left in (centre.x() - bar * 1.25, centre.x() + bar * 0.25):
        painter.drawRect(QRectF(left, centre.y() - height / 2, bar, height))


def _gauge_colour(look: Look, colours: _Colours) -> QColor:
    """The gauge's colour: its level's, turned amber in the last warning day unless the level
    is already as grave or worse."""
    level = look.level or CreditLevel.UNKNOWN
    if look.expiry is ExpiryStage.LAST and level in {CreditLevel.OK, CreditLevel.UNKNOWN}:
        return colours.level(CreditLevel.LOW)
    return colours.level(level)


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
    colour = _gauge_colour(look, colours)
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
    colour = _gauge_colour(look, colours)
    bar_height = max(2.0, size * 0.14)
    text_height = size - bar_height * 1.6
    bar_width = size * 0.88
    if look.expiry is not ExpiryStage.NONE:
        # The clock takes the bottom-right corner: the figure stays above it, the bar left of it.
        centre, radius = _badge_centre(size)
        text_height = min(text_height, centre.y() - radius - max(1.0, size * 0.05))
        bar_width = centre.x() - radius - size * 0.12
    text_width = size
    if look.paused:  # the pause mark takes the top-right corner: the figure stays left of it
        text_width = size - 2 * size * BADGE_RADIUS - max(1.0, size * 0.05)
    _figure(painter, text, QRectF(0, 0, text_width, text_height), colour)
    bar = QRectF(size * 0.06, size - bar_height * 1.2, bar_width, bar_height)
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
    return image


def _blank(size: int, device_pixel_ratio: float) -> QImage:
    pixels = max(1, round(size * device_pixel_ratio))
    image = QImage(pixels, pixels, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    image.setDevicePixelRatio(device_pixel_ratio)
    return image


def monochrome_tint(tone: IconTone, dark: bool) -> QColor:
    """The one colour of a monochrome icon: forced, or (AUTO) light on a dark desktop (`dark`:
    `is_dark_theme`) and dark on a light one. Not the palette's text colour: a light palette
    often sits under a dark panel, and its black icon vanished there."""
    if tone is IconTone.LIGHT or (tone is IconTone.AUTO and dark):
        return QColor(LIGHT_TINT)
    return QColor(DARK_TINT)


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
    return QGuiApplication.palette().window().color().lightness() < 128


def device_pixel_ratio() -> float:
    screen = QGuiApplication.primaryScreen()
    return float(screen.devicePixelRatio()) if screen is not None else 1.0
