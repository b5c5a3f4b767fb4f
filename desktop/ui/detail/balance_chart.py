"""The available balance over time: since the last reset, then the forecast's line to the expiry
inside the band of its range (the balance at the range's high and low rates), with a marker at the
expiry. Painted with QPainter, palette-aware."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.core import fmt
from desktop.core.balance_text import short_date
from desktop.core.forecast import BalancePoint
from desktop.core.i18n import _


class BalanceChart(QWidget):
    """History as a filled line, the projection dashed inside its range's band (a lighter fill
    edged by dotted lines: not told by colour alone), the expiry as a dashed vertical line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(_("Available credits over time, with the forecast"))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._history: tuple[BalancePoint, ...] = ()
        self._projection: tuple[BalancePoint, ...] = ()
        self._band: tuple[tuple[BalancePoint, ...], tuple[BalancePoint, ...]] = ((), ())
        self._expires_at: datetime | None = None
        self._empty_text = _("Balance history: loading…")

    def sizeHint(self) -> QSize:
        return QSize(520, 130)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, 110)

    def set_series(
        self,
        history: tuple[BalancePoint, ...],
        projection: tuple[BalancePoint, ...],
        expires_at: datetime | None,
        empty_text: str | None = None,
    ) -> None:
        """The series to draw; `empty_text` says why there is no history (loading by default,
        or why it cannot come)."""
        self._history, self._projection, self._expires_at = history, projection, expires_at
        self._empty_text = empty_text or _("Balance history: loading…")
        self.setToolTip(self._empty_text if not history else "")
        self.setAccessibleDescription(self._describe())
        self.update()

    def set_band(self, high: tuple[BalancePoint, ...], low: tuple[BalancePoint, ...]) -> None:
        """The forecast's range around the projection: the balance at the high rate and at the
        low one (`forecast.projection_band`); both () for none."""
        band = (high, low) if high and low else ((), ())
        if band == self._band:
            return
        self._band = band
        self.setAccessibleDescription(self._describe())
        self.update()

    @property
    def band(self) -> tuple[tuple[BalancePoint, ...], tuple[BalancePoint, ...]]:
        return self._band

    @property
    def series(self) -> tuple[tuple[BalancePoint, ...], tuple[BalancePoint, ...]]:
        return self._history, self._projection

    def _describe(self) -> str:
        if not self._history:
            return self._empty_text
        first, last = self._history[0], self._history[-1]
        text = _("From {first} on {date} to {last} now.").format(
            first=fmt.credits(first.credits),
            date=short_date(first.at),
            last=fmt.credits(last.credits),
        )
        if self._projection:
            end = self._projection[-1]
            heading = _("Heading to {credits} by {date}.").format(
                credits=fmt.credits(end.credits), date=short_date(end.at)
            )
            text += " " + heading
        at_high_rate, at_low_rate = self._band
        if self._projection and at_high_rate and at_low_rate:
            spread = _("Within the forecast's range: {low} to {high} credits by {date}.").format(
                low=fmt.credits(at_high_rate[-1].credits),  # the faster use leaves the fewer
                high=fmt.credits(at_low_rate[-1].credits),
                date=short_date(at_low_rate[-1].at),
            )
            text += " " + spread
        return text

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        line = palette.color(QPalette.ColorRole.Highlight)
        rect = QRectF(self.rect()).adjusted(8, 6, -8, -6)
        if not self._history:
            painter.setPen(text)
            painter.drawText(
                rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._empty_text
            )
            return
        metrics = self.fontMetrics()
        plot = rect.adjusted(0, metrics.height() + 2, 0, -(metrics.height() + 2))
        points = self._history + self._projection + self._band[0] + self._band[1]
        start, end = points[0].at, max(p.at for p in points)
        if self._expires_at is not None and self._expires_at > end:
            end = self._expires_at
        span = max((end - start).total_seconds(), 1.0)
        peak = max(*(p.credits for p in points), 1.0)

        def at(point: BalancePoint) -> QPointF:
            x = plot.left() + plot.width() * (point.at - start).total_seconds() / span
            y = plot.bottom() - plot.height() * max(0.0, point.credits) / peak
            return QPointF(x, y)

        self._paint_frame(painter, rect, plot, text, peak)
        self._paint_lines(painter, plot, line, at)
        self._paint_dates(painter, rect, plot, text, start=start, at=at)

    def _paint_frame(
        self, painter: QPainter, rect: QRectF, plot: QRectF, text: QColor, peak: float
    ) -> None:
        grid = QColor(text)
        grid.setAlpha(45)
        painter.setPen(grid)
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.topLeft(), plot.topRight())
        painter.setPen(text)
        painter.drawText(
            QRectF(rect.left(), rect.top(), rect.width(), self.fontMetrics().height()),
            Qt.AlignmentFlag.AlignLeft,
            _("{credits} credits").format(credits=fmt.credits(peak)),
        )

    def _paint_lines(
        self, painter: QPainter, plot: QRectF, line: QColor, at: Callable[[BalancePoint], QPointF]
    ) -> None:
        history = QPainterPath(at(self._history[0]))
        for point in self._history[1:]:
            history.lineTo(at(point))
        area = QPainterPath(history)
        area.lineTo(QPointF(at(self._history[-1]).x(), plot.bottom()))
        area.lineTo(QPointF(at(self._history[0]).x(), plot.bottom()))
        fill = QColor(line)
        fill.setAlpha(50)
        painter.fillPath(area, fill)
        painter.setPen(QPen(line, 2))
        painter.drawPath(history)
        self._paint_band(painter, line, at)
        painter.setPen(QPen(line, 2, Qt.PenStyle.DashLine))
        for first, second in itertools.pairwise(self._projection):
            painter.drawLine(at(first), at(second))

    def _paint_band(
        self, painter: QPainter, line: QColor, at: Callable[[BalancePoint], QPointF]
    ) -> None:
        """The range between the balance at the high rate (below) and at the low rate (above):
        a light fill, edged by dotted lines."""
        high, low = self._band
        if not high or not low:
            return
        outline = QPainterPath(at(low[0]))
        for point in low[1:]:
            outline.lineTo(at(point))
        for point in reversed(high):
            outline.lineTo(at(point))
        outline.closeSubpath()
        fill = QColor(line)
        fill.setAlpha(40)
        painter.fillPath(outline, fill)
        painter.setPen(QPen(line, 1, Qt.PenStyle.DotLine))
        for edge in (high, low):
            for first, second in itertools.pairwise(edge):
                painter.drawLine(at(first), at(second))

    def _paint_dates(
        self,
        painter: QPainter,
        rect: QRectF,
        plot: QRectF,
        text: QColor,
        *,
        start: datetime,
        at: Callable[[BalancePoint], QPointF],
    ) -> None:
        metrics = self.fontMetrics()
        labels = [(short_date(start), at(BalancePoint(start, 0.0)).x(), True)]
        if self._expires_at is not None:
            x = at(BalancePoint(self._expires_at, 0.0)).x()
            painter.setPen(QPen(text, 1, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            expires = _("expires {date}").format(date=short_date(self._expires_at))
            labels.append((expires, x, False))
        painter.setPen(text)
        for label, x, from_left in labels:
            width = metrics.horizontalAdvance(label) + 6
            left = min(max(rect.left(), x if from_left else x - width), rect.right() - width)
            align = Qt.AlignmentFlag.AlignLeft if from_left else Qt.AlignmentFlag.AlignRight
            painter.drawText(
                QRectF(left, plot.bottom() + 2, width, metrics.height() + 2), align, label
            )
