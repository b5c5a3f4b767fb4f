"""A read-only Qt table model over a `core.tables.Table`, and a view that copies as text."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPalette,
    QPolygonF,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QProxyStyle,
    QStyle,
    QStyleOption,
    QTableView,
    QWidget,
)

from desktop.core import fmt, radar_text
from desktop.core.i18n import _
from desktop.core.radar import WINDOW_DAYS, MemberRadar
from desktop.core.tables import UNUSUAL_MARK, Cell, ColumnKind, Table, TeamColumn

AnyIndex = QModelIndex | QPersistentModelIndex


def format_cell(cell: Cell, kind: ColumnKind, locale: QLocale) -> str:
    if cell is None:
        return "—"
    if isinstance(cell, str):
        return cell
    if kind is ColumnKind.PERCENT:  # the locale's percent format, as the rest of the app
        return fmt.percent_tenths(cell)
    if kind is ColumnKind.COUNT:
        return str(locale.toString(round(cell)))
    if kind is ColumnKind.RATIO:
        return radar_text.ratio_text(cell)
    # Credits round as everywhere (`fmt.half_up`): Qt's rounding of the binary value would
    # make 0.35 (0.34999…) read 0.3 here and 0.4 in the overview.
    return str(locale.toString(fmt.half_up(cell, 1), "f", 1))


def _sort_key(cell: Cell, kind: ColumnKind) -> tuple[int, float | str]:
    if cell is None:
        return (0, "" if kind is ColumnKind.TEXT else 0.0)  # missing values sort first
    return (1, cell.lower() if isinstance(cell, str) else cell)


class TableModel(QAbstractTableModel):
    """Sorts itself in Python (one key per row), so 20,000 rows sort in milliseconds instead of
    the proxy calling back into Python for every comparison."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._table = Table((), ())
        self._rows: list[tuple[Cell, ...]] = []
        self._order: tuple[int, Qt.SortOrder] | None = None  # how `_rows` are sorted
        self._locale = QLocale()

    @property
    def table(self) -> Table:
        """The table in the order the API gave it (what CSV export writes)."""
        return self._table

    def set_table(self, table: Table, order: tuple[int, Qt.SortOrder] | None = None) -> None:
        """Show `table`, sorted by (column, order) when given: sorted before the reset, so the
        view fits its columns and filters its rows once, and the sort it then asks for (the
        same) changes nothing."""
        rows = list(table.rows)
        if order is not None and 0 <= order[0] < len(table.columns):
            self._sort_rows(rows, table, *order)
        else:
            order = None
        self.beginResetModel()
        self._table = table
        self._rows = rows
        self._order = order
        self.endResetModel()

    def refresh_table(self, table: Table) -> bool:
        """New figures for the rows shown, kept in the order the user chose: a layout change,
        not a reset, so the view keeps its scroll and the proxy its filter. False (nothing
        done) when the columns or the number of rows differ: then `set_table`."""
        if table.columns != self._table.columns or len(table.rows) != len(self._rows):
            return False
        rows = list(table.rows)
        if self._order is not None:
            self._sort_rows(rows, table, *self._order)
        self.layoutAboutToBeChanged.emit()
        self._table = table
        self._rows = rows
        self.layoutChanged.emit()
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._table.columns) or self._order == (column, order):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort_rows(self._rows, self._table, column, order)
        self._order = (column, order)
        self.layoutChanged.emit()

    @staticmethod
    def _sort_rows(
        rows: list[tuple[Cell, ...]], table: Table, column: int, order: Qt.SortOrder
    ) -> None:
        kind = table.columns[column].kind
        descending = order == Qt.SortOrder.DescendingOrder
        if not table.columns[column].missing_last:
            rows.sort(key=lambda row: _sort_key(row[column], kind), reverse=descending)
            return
        # By value (numbers as numbers, not as their text), then the missing ones as they were.
        present = [row for row in rows if row[column] is not None]
        present.sort(key=lambda row: _sort_key(row[column], kind), reverse=descending)
        rows[:] = present + [row for row in rows if row[column] is None]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._table.columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        cell = self._rows[index.row()][index.column()]
        kind = self._table.columns[index.column()].kind
        if role == Qt.ItemDataRole.DisplayRole:
            return format_cell(cell, kind, self._locale)
        if role == Qt.ItemDataRole.TextAlignmentRole and kind is not ColumnKind.TEXT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """The column's compact header (`Column.shown`); its full title as the tooltip and
        accessible text (`Usual per day` for `Usual/day`)."""
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._table.columns):
            return None
        column = self._table.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return _(column.shown)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return _(column.title)
        return None


#: An unusual member's row: a tint in light and dark palettes alike, never the only mark (the
#: row also says "unusual", in bold, and tells a screen reader).
UNUSUAL_TINT = QColor(255, 160, 0, 70)


class TeamTableModel(TableModel):
    """The Team tab's table (`tables.member_table`): an unusual member's row is tinted, bold
    and marked "unusual" in words; the member's cell carries the radar's figures in a sentence
    for screen readers (`radar_text.member_accessible_text`)."""

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.columnCount() <= TeamColumn.UNUSUAL:
            return super().data(index, role)
        row = self._rows[index.row()]
        unusual = row[TeamColumn.UNUSUAL] == UNUSUAL_MARK
        if role == Qt.ItemDataRole.DisplayRole and index.column() == TeamColumn.UNUSUAL:
            return _(UNUSUAL_MARK) if unusual else ""
        if role == Qt.ItemDataRole.BackgroundRole and unusual:
            return UNUSUAL_TINT
        if role == Qt.ItemDataRole.FontRole and unusual:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.AccessibleTextRole and index.column() == TeamColumn.MEMBER:
            member = _member_of(row)
            if member is not None:
                return radar_text.member_accessible_text(member)
        return super().data(index, role)


def _member_of(row: tuple[Cell, ...]) -> MemberRadar | None:
    """A Team row's radar figures as the radar's value (None where the radar has none)."""
    email, today, usual = row[TeamColumn.MEMBER], row[TeamColumn.TODAY], row[TeamColumn.USUAL]
    ratio, share = row[TeamColumn.RATIO], row[TeamColumn.WINDOW_SHARE]
    if not isinstance(email, str) or not isinstance(today, float) or not isinstance(usual, float):
        return None
    return MemberRadar(
        email,
        today,
        usual,
        ratio if isinstance(ratio, float) else None,
        share if isinstance(share, float) else None,
        row[TeamColumn.UNUSUAL] == UNUSUAL_MARK,
        usual * WINDOW_DAYS,
    )


class FilterProxy(QSortFilterProxyModel):
    """Filters in Qt; hands sorting to the source model (see TableModel)."""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        if source is not None:
            source.sort(column, order)


def make_proxy(model: TableModel, filter_column: int = 0) -> QSortFilterProxyModel:
    proxy = FilterProxy(model)
    proxy.setSourceModel(model)
    proxy.setFilterKeyColumn(filter_column)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    return proxy


class SortArrowStyle(QProxyStyle):
    """Draws the header's sort arrow the same way on every style: up for ascending, down for
    descending. (Qt hands styles an inverted indicator for ascending, and styles disagree on
    which way to draw it, so the arrow pointed the wrong way on some.)"""

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if element is not QStyle.PrimitiveElement.PE_IndicatorHeaderArrow or not isinstance(
            widget, QHeaderView
        ):
            super().drawPrimitive(element, option, painter, widget)
            return
        rect = QRectF(option.rect)
        side = min(rect.width(), rect.height(), 9.0)
        centre = rect.center()
        half = side / 2
        up = widget.sortIndicatorOrder() is Qt.SortOrder.AscendingOrder
        tip, base = (-half * 0.6, half * 0.6) if up else (half * 0.6, -half * 0.6)
        arrow = QPolygonF(
            [
                QPointF(centre.x(), centre.y() + tip),
                QPointF(centre.x() - half, centre.y() + base),
                QPointF(centre.x() + half, centre.y() + base),
            ]
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(option.palette.color(QPalette.ColorRole.ButtonText))
        painter.drawPolygon(arrow)
        painter.restore()


#: The name column (a member's e-mail, a model's name) is never squeezed below this many
#: average characters (or its widest cell, when narrower): past it, the table scrolls
#: sideways instead (the radar says e-mails up to 24 characters whole).
NAME_AT_LEAST = 24


class CopyableTableView(QTableView):
    """Sorting on header clicks; Ctrl+C copies the selection as tab-separated text. The name
    column (the first) takes the spare width, but never less than its readable minimum
    (`name_minimum`): a narrow window gets a horizontal scroll bar instead."""

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setSortingEnabled(True)
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        self._arrow_style = SortArrowStyle()  # kept: the header does not own its style
        header.setStyle(self._arrow_style)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # The name column (model, status, member, period) takes the spare width; the numbers
        # stay next to their headers instead of the last one drifting to the far right.
        header.setStretchLastSection(False)
        self._fitting = False
        header.sectionResized.connect(self._on_section_resized)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if model is not None:
            model.modelReset.connect(self._stretch_the_name_column)
            model.layoutChanged.connect(self._stretch_the_name_column)
            self._stretch_the_name_column()

    def _stretch_the_name_column(self) -> None:
        header = self.horizontalHeader()
        self._fitting = True
        try:
            for column in range(1, header.count()):
                if header.isSectionHidden(column):
                    continue  # (fitting reads every sampled row's cell: not for a hidden column)
                # Fitted once (to the first rows: see the precision), then the user's to size.
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
                self.resizeColumnToContents(column)
        finally:
            self._fitting = False
        self._fit_the_name_column()

    def name_minimum(self) -> int:
        """The name column's readable width in pixels: its widest cell or header (of the
        sampled rows), at most `NAME_AT_LEAST` average characters."""
        readable = self.fontMetrics().averageCharWidth() * NAME_AT_LEAST
        return min(
            max(self.sizeHintForColumn(0), self.horizontalHeader().sectionSizeHint(0)), readable
        )

    def _fit_the_name_column(self) -> None:
        """The name column stretches over the spare width while that is at least its
        readable minimum; below, it keeps the minimum and the table scrolls sideways."""
        header = self.horizontalHeader()
        if self._fitting or header.count() == 0 or header.isSectionHidden(0):
            return
        self._fitting = True
        try:
            others = sum(
                header.sectionSize(column)
                for column in range(1, header.count())
                if not header.isSectionHidden(column)
            )
            spare = self.viewport().width() - others
            minimum = self.name_minimum()
            if spare >= minimum:
                header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            else:
                header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
                header.resizeSection(0, minimum)
        finally:
            self._fitting = False

    def _on_section_resized(self, column: int, _old: int, _new: int) -> None:
        if column != 0:  # the user widened a figure's column: the name's share changes
            self._fit_the_name_column()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_the_name_column()

    def selection_text(self) -> str:
        indexes = sorted(self.selectedIndexes(), key=lambda i: (i.row(), i.column()))
        rows: dict[int, list[str]] = {}
        for index in indexes:
            rows.setdefault(index.row(), []).append(str(index.data()))
        return "\n".join("\t".join(cells) for cells in rows.values())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            text = self.selection_text()
            if text:
                QGuiApplication.clipboard().setText(text)
            event.accept()
            return
        super().keyPressEvent(event)
