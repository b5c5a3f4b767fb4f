"""A light bar chart painted with QPainter (no chart library to load), palette-aware."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop.core import fmt
from desktop.core.i18n import _


class BarChart(QWidget):
    """Vertical bars for a sequence (periods) or horizontal bars for a ranking (models).
    `value_text` writes a bar's figure and the vertical chart's peak: `fmt.credits` for credits
    (the app's one rule: `1.6`, `1,235`), `fmt.number` for counts."""

    def __init__(
        self,
        accessible_name: str,
        horizontal: bool = False,
        parent: QWidget | None = None,
        *,
        value_text: Callable[[float], str] = fmt.number,
    ):
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self._horizontal = horizontal
        self.value_text = value_text
        self._labels: tuple[str, ...] = ()
        self._values: tuple[float, ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        rows = max(1, len(self._values))
        height = min(260, 26 + rows * 22) if self._horizontal else 180
        return QSize(480, height)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, 90)

    def set_data(self, labels: tuple[str, ...], values: tuple[float, ...]) -> None:
        self._labels, self._values = labels, values
        self.setToolTip("" if values else _("No data for this range"))
        self.updateGeometry()
        self.update()

    @property
    def values(self) -> tuple[float, ...]:
        return self._values

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text_colour = palette.color(QPalette.ColorRole.WindowText)
        bar_colour = palette.color(QPalette.ColorRole.Highlight)
        grid = QColor(text_colour)
        grid.setAlpha(40)
        rect = QRectF(self.rect()).adjusted(8, 8, -8, -8)
        if not self._values or max(self._values) <= 0:
            painter.setPen(text_colour)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, _("No usage in this range"))
            return
        if self._horizontal:
            self._paint_horizontal(painter, rect, bar_colour, text_colour)
        else:
            self._paint_vertical(painter, rect, bar_colour, text_colour, grid)

    def _paint_horizontal(self, painter: QPainter, rect: QRectF, bar: QColor, text: QColor) -> None:
        metrics = self.fontMetrics()
        label_width = min(
            rect.width() * 0.4, max(metrics.horizontalAdvance(x) for x in self._labels) + 8
        )
        rows = len(self._values)
        row_height = min(22.0, rect.height() / rows)
        peak = max(self._values)
        for row, (label, value) in enumerate(zip(self._labels, self._values, strict=True)):
            top = rect.top() + row * row_height
            painter.setPen(text)
            painter.drawText(
                QRectF(rect.left(), top, label_width - 6, row_height),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                metrics.elidedText(label, Qt.TextElideMode.ElideMiddle, int(label_width - 6)),
            )
            width = (rect.width() - label_width - 60) * max(0.0, value) / peak
            painter.fillRect(QRectF(rect.left() + label_width, top + 3, width, row_height - 6), bar)
            painter.drawText(
                QRectF(rect.left() + label_width + width + 4, top, 60, row_height),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                self.value_text(value),
            )

    def _paint_vertical(
        self, painter: QPainter, rect: QRectF, bar: QColor, text: QColor, grid: QColor
    ) -> None:
        metrics = self.fontMetrics()
        axis_height = metrics.height() + 4
        plot = rect.adjusted(0, metrics.height(), 0, -axis_height)
        peak = max(self._values)
        painter.setPen(grid)
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.topLeft(), plot.topRight())
        painter.setPen(text)
        painter.drawText(
            QRectF(rect.left(), rect.top(), rect.width(), metrics.height()),
            Qt.AlignmentFlag.AlignLeft,
            _("max {credits} credits").format(credits=self.value_text(peak)),
        )
        count = len(self._values)
        step = plot.width() / count
        gap = min(step * 0.2, 3.0) if step > 3 else 0.0
        for index, value in enumerate(self._values):
            height = plot.height() * max(0.0, value) / peak
            painter.fillRect(
                QRectF(
                    plot.left() + index * step + gap / 2, plot.bottom() - height, step - gap, height
                ),
                bar,
            )
        painter.setPen(text)
        for index in sorted({0, count // 2, count - 1}):
            label = self._labels[index]
            x = plot.left() + index * step + step / 2
            width = metrics.horizontalAdvance(label) + 4
            left = min(max(rect.left(), x - width / 2), rect.right() - width)
            painter.drawText(
                QRectF(left, plot.bottom() + 2, width, axis_height),
                Qt.AlignmentFlag.AlignCenter,
                label,
            )
