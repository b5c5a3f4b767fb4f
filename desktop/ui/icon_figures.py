"""The tray icon's figures: the share left inside the ring, and the number style (the credits
left over a bar of the share), in the largest bold font that fits.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter

from desktop.core.looks import ExpiryStage, Look
from desktop.ui.icon_badges import BADGE_RADIUS, badge_centre
from desktop.ui.icon_palette import IconColours, gauge_colour


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


def paint_figure(painter: QPainter, text: str, box: QRectF, colour: QColor) -> None:
    font = _fitted_font(text, box)
    painter.setFont(font)
    painter.setPen(colour)
    metrics = QFontMetricsF(font)
    # Centre the digits by their cap height, not the line box, so they sit in the ring's middle.
    x = box.center().x() - metrics.horizontalAdvance(text) / 2
    y = box.center().y() + metrics.capHeight() / 2
    painter.drawText(QPointF(x, y), text)


def paint_number(
    painter: QPainter, look: Look, size: float, text: str, colours: IconColours
) -> None:
    """The credits left as a figure, over a bar of the share left (the level by shape too)."""
    colour = gauge_colour(look, colours)
    bar_height = max(2.0, size * 0.14)
    text_height = size - bar_height * 1.6
    bar_width = size * 0.88
    if look.expiry is not ExpiryStage.NONE:
        # The clock takes the bottom-right corner: the figure stays above it, the bar left of it.
        centre, radius = badge_centre(size)
        text_height = min(text_height, centre.y() - radius - max(1.0, size * 0.05))
        bar_width = centre.x() - radius - size * 0.12
    text_width = size
    if look.paused:  # the pause mark takes the top-right corner: the figure stays left of it
        text_width = size - 2 * size * BADGE_RADIUS - max(1.0, size * 0.05)
    paint_figure(painter, text, QRectF(0, 0, text_width, text_height), colour)
    bar = QRectF(size * 0.06, size - bar_height * 1.2, bar_width, bar_height)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colours.track)
    painter.drawRect(bar)
    share = (look.percent or 0) / 100
    if share > 0:
        painter.setBrush(colour)
        painter.drawRect(QRectF(bar.left(), bar.top(), max(1.0, bar.width() * share), bar.height()))
