"""A table of the detail window: a sortable, copyable view with a filter box and CSV export."""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path

from PySide6.QtCore import QSortFilterProxyModel, QStandardPaths, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import fmt, tables
from desktop.core.i18n import _, ngettext
from desktop.ui.detail.table_model import CopyableTableView, TableModel, make_proxy
from desktop.ui.plain import plain_label


class TablePane(QWidget):
    """A table with an optional search box and an "Export CSV…" button."""

    #: The folder of the last export (any table's, this run): the next one starts there.
    last_export_folder: Path | None = None

    def __init__(
        self,
        name: str,
        file_stem: str,
        searchable: bool = False,
        parent: QWidget | None = None,
        *,
        model: TableModel | None = None,
        proxy: QSortFilterProxyModel | None = None,
    ):
        """`name` is said to the user (`Team`), `file_stem` names the export (`team`); `model`
        and `proxy` replace the plain ones (a table that shows or filters its cells its own way:
        the proxy's source must be the model)."""
        super().__init__(parent)
        self.name = name
        self.file_stem = file_stem
        self.model = model if model is not None else TableModel(self)
        self.proxy: QSortFilterProxyModel = proxy if proxy is not None else make_proxy(self.model)
        self.view = CopyableTableView(_("{table} table").format(table=name))
        self.view.setModel(self.proxy)
        # Size columns from the first rows, not all 20,000 of a large team.
        self.view.horizontalHeader().setResizeContentsPrecision(200)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Filter…"))
        self.search.setAccessibleName(_("Filter {table}").format(table=name))
        self.search.setClearButtonEnabled(True)
        for clear in self.search.findChildren(QToolButton):  # Qt's clear button has no name
            clear.setAccessibleName(_("Clear the {table} filter").format(table=name))
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.search.setVisible(searchable)
        self.export_button = QPushButton(_("Export CSV…"))
        self.export_button.setAccessibleName(_("Export {table} as CSV").format(table=name))
        self.export_button.clicked.connect(self.ask_and_export)
        self.count_label = plain_label()
        # Where the last export went (the full path in its tooltip), said until the next one.
        self.export_note = plain_label()
        self.export_note.setAccessibleName(_("Export result"))
        # A long folder is cut, never widens the window.
        self.export_note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        if not searchable:
            bar.addStretch(1)
        bar.addWidget(self.count_label)
        bar.addWidget(self.export_note)
        bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)  # a filter of the proxy's own
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)
        self.search.textChanged.connect(self._update_count)

    def set_table(
        self,
        table: tables.Table,
        sort_column: int = 1,
        order: Qt.SortOrder = Qt.SortOrder.DescendingOrder,
    ) -> None:
        column = min(sort_column, len(table.columns) - 1)
        self.model.set_table(table, (column, order) if table.rows else None)
        if table.rows and table.columns:
            self.view.sortByColumn(column, order)  # the header's arrow (the rows are sorted)
        self._update_count()

    def refresh_table(
        self,
        table: tables.Table,
        sort_column: int = 1,
        order: Qt.SortOrder = Qt.SortOrder.DescendingOrder,
    ) -> None:
        """New figures for the table shown (the same rows, say, with today's credits moved):
        the user's sort, scroll and filter stay. Other rows or columns: `set_table` in the
        user's sort where the columns are the same, else by (`sort_column`, `order`)."""
        if self.model.refresh_table(table):
            return
        header = self.view.horizontalHeader()
        shown = header.sortIndicatorSection()
        if table.columns == self.model.table.columns and self.model.table.rows and shown >= 0:
            sort_column, order = shown, header.sortIndicatorOrder()
        self.set_table(table, sort_column, order)

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        if shown != total:
            text = _("{shown} of {total}").format(shown=fmt.number(shown), total=fmt.number(total))
        else:
            text = ngettext("{count} row", "{count} rows", total).format(count=fmt.number(total))
        self.count_label.setText(text)

    def export_table(self) -> tables.Table:
        """What "Export CSV…" writes: the whole table in the API's order."""
        return self.model.table

    def export_csv(self, path: Path) -> None:
        path.write_text(self.export_table().to_csv(), encoding="utf-8", newline="")

    def ask_and_export(self) -> None:
        """Ask where (in the folder of the last export, any table's, this run), write, and say
        where it went, or why not."""
        folder = TablePane.last_export_folder or Path(
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
            or Path.home()
        )
        suggested = str(folder / f"neo-{self.file_stem}.csv")
        title = _("Export {table}").format(table=self.name)
        name, _filter = QFileDialog.getSaveFileName(self, title, suggested, _("CSV (*.csv)"))
        if not name:
            return
        path = Path(name)
        try:
            self.export_csv(path)
        except OSError as exc:
            self.export_note.setText("")
            QMessageBox.warning(
                self,
                _("Export failed"),
                _("Could not write {path}: {reason}").format(path=name, reason=exc.strerror),
            )
            return
        TablePane.last_export_folder = path.parent
        shown = path
        with suppress(ValueError):  # under the home folder: "~/Documents/neo-team.csv"
            shown = Path("~") / path.relative_to(Path.home())
        self.export_note.setText(_("Saved as {path}").format(path=shown))
        self.export_note.setToolTip(str(path))
