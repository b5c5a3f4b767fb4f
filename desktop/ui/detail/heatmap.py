"""The History tab's pictures: a calendar heatmap of the last 12 months' daily credits (weeks as
columns, weekdays as rows, a tooltip per day), its legend, and the year's facts in a sentence.

Painted with QPainter. The colour scale is one hue whose lightness follows the level (readable
without telling hues apart), dark to light on a dark window and light to dark on a light one;
the reset and expiry days carry a shape as well (a dot, a cross), never a colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from PySide6.QtCore import QDate, QEvent, QLocale, QPoint, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QSizePolicy,
    QToolTip,
    QWidget,
)

from desktop.core import fmt
from desktop.core.history import EXPIRY_MARK, LEVELS, RESET_MARK, Cell, year_facts
from desktop.core.i18n import _, ngettext

#: The scale's hue (a blue) and its levels' lightness, from the fewest credits to the most.
HUE = 0.58
SATURATION = 0.65
LIGHT_WINDOW = (0.74, 0.57, 0.41, 0.25)  # darker is more on a light window
DARK_WINDOW = (0.36, 0.51, 0.66, 0.82)  # lighter is more on a dark one
EMPTY_MIX = 0.07  # level 0: the window's colour moved this far towards the text's
CELL_MAX = 15.0  # pixels: a cell's side at most, and its gap
CELL_MIN = 5.0
GAP = 2.0


def is_dark(palette: QPalette) -> bool:
    """The window's colour decides: a dark window gets the scale that lightens with use."""
    return palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5


def level_colours(palette: QPalette) -> tuple[QColor, ...]:
    """The colours of levels 0-4: level 0 (no use) a shade of the window, then one hue whose
    lightness moves away from the window's with each level."""
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    empty = QColor(window)
    mix = EMPTY_MIX
    empty.setRgbF(
        window.redF() * (1 - mix) + text.redF() * mix,
        window.greenF() * (1 - mix) + text.greenF() * mix,
        window.blueF() * (1 - mix) + text.blueF() * mix,
    )
    steps = DARK_WINDOW if is_dark(palette) else LIGHT_WINDOW
    return (empty, *(QColor.fromHslF(HUE, SATURATION, lightness) for lightness in steps))


class Heatmap(QWidget):
    """The year's cells painted as a calendar; a tooltip per day (date, credits, tasks)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(_("Daily credits over the last 12 months"))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self._cells: tuple[Cell, ...] = ()
        self._empty_text = _("History: loading…")

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(720, round(metrics.height() + 4 + 7 * (CELL_MAX + GAP) + 4))

    def minimumSizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(300, round(metrics.height() + 4 + 7 * (CELL_MIN + GAP) + 4))

    def set_cells(self, cells: tuple[Cell, ...], empty_text: str | None = None) -> None:
        """The cells to paint (oldest first); `empty_text` says why there are none."""
        self._cells = cells
        self._empty_text = empty_text or _("History: loading…")
        self.setToolTip("" if cells else self._empty_text)
        self.update()

    @property
    def cells(self) -> tuple[Cell, ...]:
        return self._cells

    # --- geometry -----------------------------------------------------------------------------
    def _first_weekday(self) -> int:
        """The locale's first day of the week, 0 Monday - 6 Sunday (Qt counts 1-7)."""
        return QLocale().firstDayOfWeek().value - 1

    def _label_width(self) -> int:
        metrics = self.fontMetrics()
        return 6 + max(metrics.horizontalAdvance(self._weekday_name(day)) for day in range(7))

    def _weekday_name(self, weekday: int) -> str:
        return QLocale().dayName(weekday + 1, QLocale.FormatType.ShortFormat)

    def _grid(self) -> tuple[float, float, float, date]:
        """(left, top, step, the first column's first day): each cell is `step` apart."""
        metrics = self.fontMetrics()
        left = float(self._label_width())
        top = float(metrics.height() + 4)
        first = self._cells[0].day
        start = first - timedelta(days=(first.weekday() - self._first_weekday()) % 7)
        weeks = (self._cells[-1].day - start).days // 7 + 1
        room = min((self.width() - left - 4) / weeks, (self.height() - top - 4) / 7)
        step = max(CELL_MIN + 1, min(CELL_MAX + GAP, room))
        return left, top, step, start

    def cell_rect(self, day: date) -> QRectF:
        """Where `day`'s cell is painted (in widget coordinates)."""
        left, top, step, start = self._grid()
        offset = (day - start).days
        column, row = divmod(offset, 7)
        side = step - GAP if step > CELL_MIN + GAP else step - 1
        return QRectF(left + column * step, top + row * step, side, side)

    def cell_at(self, point: QPoint) -> Cell | None:
        if not self._cells:
            return None
        left, top, step, start = self._grid()
        column = int((point.x() - left) // step)
        row = int((point.y() - top) // step)
        if column < 0 or not 0 <= row < 7:
            return None
        index = (start + timedelta(days=column * 7 + row) - self._cells[0].day).days
        return self._cells[index] if 0 <= index < len(self._cells) else None

    # --- painting -----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        if not self._cells:
            painter.setPen(text)
            painter.drawText(
                QRectF(self.rect()),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self._empty_text,
            )
            return
        colours = level_colours(palette)
        for cell in self._cells:
            painter.fillRect(self.cell_rect(cell.day), colours[cell.level])
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for cell in self._cells:
            if cell.reset or cell.expiry:
                paint_mark(painter, self.cell_rect(cell.day), palette, reset=cell.reset)
        self._paint_labels(painter, text)

    def _paint_labels(self, painter: QPainter, text: QColor) -> None:
        metrics = self.fontMetrics()
        left, _top, _step, start = self._grid()
        painter.setPen(text)
        for row in (0, 2, 4, 6):  # every other weekday, as calendars do
            rect = self.cell_rect(start + timedelta(days=row))
            painter.drawText(
                QRectF(0, rect.top() - 2, left - 4, rect.height() + 4),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                self._weekday_name((self._first_weekday() + row) % 7),
            )
        locale = QLocale()
        right_edge = 0.0
        for cell in self._cells:
            if cell.day.day != 1:
                continue
            x = self.cell_rect(cell.day - timedelta(days=(cell.day - start).days % 7)).left()
            name = locale.standaloneMonthName(cell.day.month, QLocale.FormatType.ShortFormat)
            width = metrics.horizontalAdvance(name) + 4
            if x < right_edge or x + width > self.width():
                continue  # no room beside the previous month's name
            painter.drawText(
                QRectF(x, 0, width, metrics.height()), Qt.AlignmentFlag.AlignLeft, name
            )
            right_edge = x + width

    # --- tooltips -----------------------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            cell = self.cell_at(event.pos())
            if cell is None:
                if self._cells:
                    QToolTip.hideText()
                    event.ignore()
                    return True
                return super().event(event)
            QToolTip.showText(event.globalPos(), day_text(cell), self)
            return True
        return super().event(event)


def paint_mark(painter: QPainter, rect: QRectF, palette: QPalette, *, reset: bool) -> None:
    """A shape on a marked day, in the text colour over a window-coloured halo (seen on every
    level): a dot for the last reset, a cross for the expiry."""
    ink = palette.color(QPalette.ColorRole.WindowText)
    halo = palette.color(QPalette.ColorRole.Window)
    centre = rect.center()
    size = rect.width()
    for colour, width in ((halo, 3.2), (ink, 1.6)):
        painter.setPen(QPen(colour, width))
        if reset:
            painter.setBrush(ink)
            painter.drawEllipse(centre, size * 0.22, size * 0.22)
        else:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            reach = size * 0.3
            painter.drawLine(centre + QPointF(-reach, -reach), centre + QPointF(reach, reach))
            painter.drawLine(centre + QPointF(-reach, reach), centre + QPointF(reach, -reach))
    painter.setBrush(Qt.BrushStyle.NoBrush)


def long_date(day: date) -> str:
    """The day in the app's language, weekday included (`Sunday, November 29, 2026`)."""
    return QLocale().toString(QDate(day.year, day.month, day.day), QLocale.FormatType.LongFormat)


def day_text(cell: Cell) -> str:
    """A day's tooltip: its date, credits and tasks, and its marks."""
    tasks = ngettext("{count} task", "{count} tasks", cell.tasks).format(
        count=fmt.number(cell.tasks)
    )
    text = _("{date}: {credits} credits, {tasks}").format(
        date=long_date(cell.day), credits=fmt.credits(cell.credits), tasks=tasks
    )
    marks = [_(mark) for mark, on in ((RESET_MARK, cell.reset), (EXPIRY_MARK, cell.expiry)) if on]
    return "\n".join([text, *marks])


class Legend(QWidget):
    """The scale (fewer to more credits) and the marks' shapes, painted as the heatmap paints
    them, with words."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(_("Legend"))
        self.marks = (False, False)  # (the last reset's, the expiry's) mark is in the grid
        self._describe()

    def set_marks(self, reset: bool, expiry: bool) -> None:
        """Name only the marks the grid paints (`history.marks_in`): an expiry after the grid's
        last day is said in the facts line instead."""
        if (reset, expiry) == self.marks:
            return
        self.marks = (reset, expiry)
        self._describe()
        self.updateGeometry()
        self.update()

    def _describe(self) -> None:
        reset, expiry = self.marks
        if reset and expiry:
            text = _(
                "Lighter to darker on a light theme (darker to lighter on a dark one): fewer to "
                "more credits. A dot marks the last credit reset, a cross the expiry."
            )
        elif reset:
            text = _(
                "Lighter to darker on a light theme (darker to lighter on a dark one): fewer to "
                "more credits. A dot marks the last credit reset."
            )
        elif expiry:
            text = _(
                "Lighter to darker on a light theme (darker to lighter on a dark one): fewer to "
                "more credits. A cross marks the expiry."
            )
        else:
            text = _(
                "Lighter to darker on a light theme (darker to lighter on a dark one): fewer to "
                "more credits."
            )
        self.setAccessibleDescription(text)

    def _items(self) -> list[tuple[str, int | str]]:
        items: list[tuple[str, int | str]] = [("text", _("Less"))]
        items += [("level", level) for level in range(LEVELS)]
        items.append(("text", _("More")))
        reset, expiry = self.marks
        if reset:
            items += [("gap", 0), ("reset", 0), ("text", _(RESET_MARK))]
        if expiry:
            items += [("gap", 0), ("expiry", 0), ("text", _(EXPIRY_MARK))]
        return items

    def sizeHint(self) -> QSize:
        return QSize(self._width(), self.fontMetrics().height() + 6)

    def minimumSizeHint(self) -> QSize:
        return QSize(min(self._width(), 300), self.fontMetrics().height() + 6)

    def _width(self) -> int:
        metrics = self.fontMetrics()
        width = 0.0
        for kind, value in self._items():
            if kind == "text":
                width += metrics.horizontalAdvance(str(value)) + 6
            else:
                width += 12 + GAP if kind != "gap" else 14
        return round(width)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        colours = level_colours(palette)
        metrics = self.fontMetrics()
        side = min(12.0, metrics.height() - 2.0)
        top = (self.height() - side) / 2
        x = 0.0
        painter.setPen(palette.color(QPalette.ColorRole.WindowText))
        for kind, value in self._items():
            if kind == "text":
                width = metrics.horizontalAdvance(str(value)) + 6
                painter.setPen(palette.color(QPalette.ColorRole.WindowText))
                painter.drawText(
                    QRectF(x, 0, width, self.height()),
                    Qt.AlignmentFlag.AlignCenter,
                    str(value),
                )
                x += width
            elif kind == "gap":
                x += 14
            else:
                rect = QRectF(x, top, side, side)
                level = int(value) if kind == "level" else 0
                painter.fillRect(rect, colours[level])
                if kind != "level":
                    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                    paint_mark(painter, rect, palette, reset=kind == "reset")
                x += side + GAP


def weekday_name(weekday: int) -> str:
    """A weekday (0 Monday - 6 Sunday) named in full in the app's language."""
    return QLocale().dayName(weekday + 1, QLocale.FormatType.LongFormat)


def facts_text(cells: Sequence[Cell]) -> str:
    """`Busiest weekday: Tuesday. 31.4 credits per day with use (212 days).` (or no use)."""
    facts = year_facts(cells)
    if facts.busiest_weekday is None or facts.average_per_active_day is None:
        return _("No credits were used in the last 12 months.")
    busiest = _("Busiest weekday: {weekday}.").format(weekday=weekday_name(facts.busiest_weekday))
    average = ngettext(
        "Average per active day: {credits} credits ({count} day with use).",
        "Average per active day: {credits} credits ({count} days with use).",
        facts.active_days,
    ).format(credits=fmt.credits(facts.average_per_active_day), count=fmt.number(facts.active_days))
    return f"{busiest} {average}"
