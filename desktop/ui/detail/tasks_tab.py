"""The detail window's Tasks tab: one window's task ledger as a sortable, filterable table with
its totals, the credits of failed tasks, and why there are no rows (loading, 403, a failure).

It renders the `TaskListing` its page hands it (`show_listing`) and asks nothing itself but a
retry (`retry_requested`); the page fetches when the tab is shown (see `AccountPage`).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import tables, tasks_report, tasks_text
from desktop.core.i18n import _
from desktop.core.tables import Cell
from desktop.core.tasks import TaskListing, TaskRow, TasksStatus
from desktop.core.tasks_text import CELL_TEXTS, SHOWN_TITLES, TaskColumn
from desktop.ui.detail.table_model import FilterProxy, TableModel
from desktop.ui.detail.table_pane import TablePane
from desktop.ui.plain import plain_label

AnyIndex = QModelIndex | QPersistentModelIndex
#: The task column's least width (px): with nine columns the window's spare width may be none,
#: and a title cut to three letters says nothing (the table scrolls sideways instead).
TASK_MIN_WIDTH = 200
#: The other columns' widest fit (px): a long model name or email is cut, never pushes the rest.
COLUMN_MAX_WIDTH = 200
#: The columns a combo box filters by, with what its first ("every value") item says.
FILTERS = (TaskColumn.STATUS, TaskColumn.MODEL, TaskColumn.MEMBER)


#: `CELL_TEXTS` by column index (the view asks for thousands of cells while it fits columns).
_CELL_TEXTS = tuple(CELL_TEXTS.get(column) for column in TaskColumn)


class TaskTableModel(TableModel):
    """The ledger's table: sorts by the CSV's values (UTC text, milliseconds), shows them as the
    user reads them (local time, `1 min 45 s`, Yes/No) with translated titles."""

    def row(self, source_row: int) -> tuple[Cell, ...]:
        """A row's values, by its place in the (sorted) model."""
        return self._rows[source_row]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and index.isValid():
            text = _CELL_TEXTS[index.column()]
            if text is not None:
                return text(self._rows[index.row()][index.column()])
        return super().data(index, role)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(SHOWN_TITLES)
        ):
            return _(SHOWN_TITLES[section])
        return super().headerData(section, orientation, role)


class TaskFilterProxy(FilterProxy):
    """Keeps the rows whose status, model and member are the chosen ones (None: any), and whose
    task matches the search box."""

    def __init__(self, model: TaskTableModel) -> None:
        super().__init__(model)
        self._model = model
        self._chosen: dict[TaskColumn, str] = {}
        self.setSourceModel(model)
        self.setFilterKeyColumn(TaskColumn.TASK)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def choose(self, chosen: dict[TaskColumn, str | None], *, refilter: bool = True) -> None:
        """Show only rows whose column is the value given (None: any value); `refilter` False
        when the model is about to be reset anyway (which filters every row again)."""
        if refilter:
            self.beginFilterChange()
        for column, value in chosen.items():
            if value is None:
                self._chosen.pop(column, None)
            else:
                self._chosen[column] = value
        if refilter:
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        row = self._model.row(source_row)
        if any(row[column] != value for column, value in self._chosen.items()):
            return False
        if not self.filterRegularExpression().pattern():
            return True  # (no search: no call back into Qt for every row)
        return super().filterAcceptsRow(source_row, source_parent)


class TaskPane(TablePane):
    """The ledger's table pane: "Export CSV…" writes the rows shown, in the order shown, with
    every column (the task's id and the member's email too)."""

    def __init__(self) -> None:
        model = TaskTableModel()
        proxy = TaskFilterProxy(model)
        super().__init__(_("Tasks"), "tasks", searchable=True, model=model, proxy=proxy)
        model.setParent(self)
        self.task_model = model
        self.task_proxy = proxy

    def export_table(self) -> tables.Table:
        rows = tuple(
            self.task_model.row(self.proxy.mapToSource(self.proxy.index(shown, 0)).row())
            for shown in range(self.proxy.rowCount())
        )
        return tables.Table(self.task_model.table.columns, rows)


class TasksTab(QWidget):
    """Renders one listing (or that one is on its way).

    Signals:
        retry_requested(): "Retry" after a failed listing.
    """

    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(_("Tasks"))
        self.listing: TaskListing | None = None
        self.state_label = plain_label()
        self.state_label.setObjectName("tasksState")
        self.state_label.setWordWrap(True)
        self.retry_button = QPushButton(_("Retry"))
        self.retry_button.setAccessibleName(_("Fetch the tasks again"))
        self.retry_button.clicked.connect(self.retry_requested)
        self.totals_label = plain_label()
        self.totals_label.setObjectName("tasksTotals")
        self.failed_label = plain_label()
        self.failed_label.setObjectName("tasksFailed")
        self.failed_label.setToolTip(_("Tasks whose status is failed, error or aborted"))
        self.truncated_label = plain_label()
        self.truncated_label.setObjectName("tasksTruncated")
        self.truncated_label.setWordWrap(True)
        for label in (self.totals_label, self.failed_label, self.truncated_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.pane = TaskPane()
        self._proxy = self.pane.task_proxy
        filter_bar = self._build_filters()
        state_bar = QHBoxLayout()
        state_bar.addWidget(self.state_label, 1)
        state_bar.addWidget(self.retry_button)
        figures = QHBoxLayout()
        figures.addWidget(self.totals_label)
        figures.addStretch(1)
        figures.addWidget(self.failed_label)
        layout = QVBoxLayout(self)
        layout.addLayout(state_bar)
        layout.addLayout(figures)
        layout.addWidget(self.truncated_label)
        layout.addLayout(filter_bar)
        layout.addWidget(self.pane, 1)
        self._sorted_by_user = False
        self._members = False
        self.pane.view.horizontalHeader().sectionClicked.connect(self._sorted)
        # After the view's own fitting (connected first), which stretches the first column.
        self.pane.proxy.modelReset.connect(self._fit_columns)
        self.pane.proxy.layoutChanged.connect(self._fit_columns)
        self.pane.view.viewport().installEventFilter(self)
        # While loading the count says nothing ("0 rows" beside "Loading tasks…" misleads);
        # connected after the pane's own count, so it speaks last.
        for signal in (
            self.pane.proxy.modelReset,
            self.pane.proxy.layoutChanged,
            self.pane.proxy.rowsInserted,
            self.pane.proxy.rowsRemoved,
            self.pane.search.textChanged,
        ):
            signal.connect(self._quiet_count)
        self._show_member_filter(False)
        self.show_loading()

    def _build_filters(self) -> QHBoxLayout:
        """A combo box per filtered column, each with its label."""
        self.filters: dict[TaskColumn, QComboBox] = {}
        self.filter_labels: dict[TaskColumn, QLabel] = {}
        filter_bar = QHBoxLayout()
        for column, label_text, name in (
            (TaskColumn.STATUS, _("Stat&us:"), _("Filter tasks by status")),
            (TaskColumn.MODEL, _("Mo&del:"), _("Filter tasks by model")),
            (TaskColumn.MEMBER, _("M&ember:"), _("Filter tasks by member")),
        ):
            combo = QComboBox()
            combo.setAccessibleName(name)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMaximumWidth(260)  # a long (hostile) model name never widens the window
            self._offer(combo, [])
            combo.currentIndexChanged.connect(lambda _i, c=column: self._filter_chosen(c))
            label = QLabel(label_text)
            label.setBuddy(combo)
            filter_bar.addWidget(label)
            filter_bar.addWidget(combo)
            self.filters[column] = combo
            self.filter_labels[column] = label
        filter_bar.addStretch(1)
        return filter_bar

    def show_loading(self) -> None:
        """A listing is on its way: no rows of another window meanwhile, but the filter row
        stays as it was (its choices, the member filter, the count's room), so nothing jumps
        and what the user chose applies to the answer."""
        self.listing = None
        self._say(_("Loading tasks…"), retry=False)
        count = self.pane.count_label
        count.setMinimumWidth(count.width() if count.isVisible() else 0)
        self.pane.set_table(tasks_text.task_table(()))
        self._quiet_count()

    def show_listing(self, listing: TaskListing) -> None:
        """Render a listing: its rows, totals and failed tasks; or why it has none."""
        self.listing = listing
        self.pane.count_label.setMinimumWidth(0)
        why = tasks_text.unavailable_text(listing.status)
        if why is not None:
            self._say(why, retry=listing.status is TasksStatus.UNAVAILABLE)
            self._fill(())
            return
        self._say(None if listing.rows else tasks_text.empty_text(), retry=False)
        self.totals_label.setText(tasks_text.totals_text(listing))
        self.totals_label.show()
        failed = tasks_text.failed_text(listing.rows)
        self.failed_label.setText(failed or "")
        self.failed_label.setVisible(failed is not None)
        truncated = tasks_report.truncated_text(listing)
        self.truncated_label.setText(truncated or "")
        self.truncated_label.setVisible(truncated is not None)
        self._fill(listing.rows)

    def _say(self, text: str | None, *, retry: bool) -> None:
        self.state_label.setText(text or "")
        self.state_label.setVisible(text is not None)
        self.retry_button.setVisible(retry)
        for label in (self.totals_label, self.failed_label, self.truncated_label):
            label.hide()

    def _fill(self, rows: tuple[TaskRow, ...]) -> None:
        table = tasks_text.task_table(rows)
        self._members = tasks_text.has_members(rows)
        for column, combo in self.filters.items():
            self._offer(combo, sorted({str(row[column]) for row in table.rows if row[column]}))
        # The member column and filter only for a team admin's rows (they carry emails).
        self._show_member_filter(self._members)
        self._proxy.choose({column: self._chosen(column) for column in FILTERS}, refilter=False)
        header = self.pane.view.horizontalHeader()
        if self._sorted_by_user:  # a new listing keeps the order the user chose
            self.pane.set_table(table, header.sortIndicatorSection(), header.sortIndicatorOrder())
        else:
            self.pane.set_table(table, TaskColumn.CREDITS, Qt.SortOrder.DescendingOrder)
        self._fit_columns()

    def _show_member_filter(self, shown: bool) -> None:
        self.filters[TaskColumn.MEMBER].setVisible(shown)
        self.filter_labels[TaskColumn.MEMBER].setVisible(shown)

    def _quiet_count(self, *_args: object) -> None:
        if self.listing is None:
            self.pane.count_label.setText("")

    def _fit_columns(self) -> None:
        """The task column takes the spare width, at least `TASK_MIN_WIDTH`; the others fit
        their first rows up to `COLUMN_MAX_WIDTH`; the task's id (CSV only) and, without
        emails, the member are hidden. (Hidden state does not outlive a model reset.)"""
        view = self.pane.view
        view.setColumnHidden(TaskColumn.TASK_ID, True)
        if view.isColumnHidden(TaskColumn.MEMBER) and self._members:
            view.setColumnHidden(TaskColumn.MEMBER, False)
            view.resizeColumnToContents(TaskColumn.MEMBER)  # (the view fits no hidden column)
        view.setColumnHidden(TaskColumn.MEMBER, not self._members)
        header = view.horizontalHeader()
        others = 0
        for column in range(1, header.count()):
            if not header.isSectionHidden(column):
                if header.sectionSize(column) > COLUMN_MAX_WIDTH:
                    header.resizeSection(column, COLUMN_MAX_WIDTH)
                others += header.sectionSize(column)
        header.setSectionResizeMode(TaskColumn.TASK, QHeaderView.ResizeMode.Interactive)
        spare = view.viewport().width() - others
        header.resizeSection(TaskColumn.TASK, max(TASK_MIN_WIDTH, spare))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The table's viewport, not the tab: it narrows when the vertical scroll bar appears.
        if event.type() == QEvent.Type.Resize and watched is self.pane.view.viewport():
            self._fit_columns()
        return super().eventFilter(watched, event)

    @staticmethod
    def _offer(combo: QComboBox, values: list[str]) -> None:
        """The values to choose from (server text, shown plain), keeping the chosen one even
        when the new listing has no such row (as the search box keeps its text: the filter
        stays until the user changes it; "All" shows every row)."""
        chosen = combo.currentData()
        if isinstance(chosen, str) and chosen not in values:
            values = [*values, chosen]
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(_("All"), None)
        for value in sorted(values, key=str.casefold):
            combo.addItem(value, value)
        found = combo.findData(chosen) if isinstance(chosen, str) else -1
        combo.setCurrentIndex(max(found, 0))
        combo.blockSignals(False)

    def _chosen(self, column: TaskColumn) -> str | None:
        value = self.filters[column].currentData()
        return value if isinstance(value, str) else None

    def _filter_chosen(self, column: TaskColumn) -> None:
        self._proxy.choose({column: self._chosen(column)})

    def _sorted(self, _section: int) -> None:
        self._sorted_by_user = True
