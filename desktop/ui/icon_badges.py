"""The tray icon's corner badges, each cut out of the ring: the expiry's clock (bottom right)
and paused polling's two bars (top right).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPen

from desktop.core.levels import CreditLevel
from desktop.core.looks import ExpiryStage
from desktop.ui.icon_palette import IconColours

BADGE_RADIUS = 0.23  # of the icon's size: the clock mark in the bottom-right corner


def badge_centre(size: float) -> tuple[QPointF, float]:
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


def paint_clock_badge(
    painter: QPainter, size: float, stage: ExpiryStage, colours: IconColours
) -> None:
    """The expiry's clock mark, cut into the corner: an outline clock within the largest warning
    day, a solid one (hands cut out) within the last, so the two differ by shape, not only by
    colour (monochrome has one colour)."""
    centre, radius = badge_centre(size)
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


def paint_pause_badge(painter: QPainter, size: float, colours: IconColours) -> None:
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
