"""The detail window: credit overview and the model, status, period, team and BYOK breakdowns.

It renders the AppState's snapshot (credits, expiry) and the snapshot of the range the user chose
(breakdowns); it asks for ranges with `range_requested` and never calls the API itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QByteArray, QDate, QSettings, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core import fmt, tables, trayview
from desktop.core.derive import derive
from desktop.core.errors import ErrorKind, InvalidSetting
from desktop.core.levels import Thresholds
from desktop.core.models import UsageSummary
from desktop.core.query import GroupBy, UsageQuery
from desktop.core.ranges import PRESET_LABELS, RangePreset, period_query
from desktop.core.snapshot import PollError, Snapshot
from desktop.ui.detail.chart import BarChart
from desktop.ui.detail.table_model import CopyableTableView, TableModel, make_proxy
from desktop.ui.state import AppState

Clock = Callable[[], datetime]
GROUP_LABELS = {GroupBy.DAY: "Day", GroupBy.WEEK: "Week", GroupBy.MONTH: "Month"}
OVERVIEW_FIELDS = (
    ("credits", "Credits used in range"),
    ("tasks", "Tasks"),
    ("credits_per_task", "Credits per task"),
    ("steps", "Steps"),
    ("tool_calls", "Tool calls"),
    ("agent_triggers", "Agent triggers"),
    ("execution", "Execution time"),
    ("ms_per_task", "Time per task"),
    ("issued", "Issued credits"),
    ("available", "Available credits"),
    ("used_since_reset", "Used since last reset"),
    ("last_reset", "Last credit reset"),
    ("expires_at", "Credits expire"),
)


class TablePane(QWidget):
    """A table with an optional search box and an "Export CSV…" button."""

    def __init__(self, name: str, searchable: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.name = name
        self.model = TableModel(self)
        self.proxy: QSortFilterProxyModel = make_proxy(self.model)
        self.view = CopyableTableView(f"{name} table")
        self.view.setModel(self.proxy)
        # Size columns from the first rows, not all 20,000 of a large team.
        self.view.horizontalHeader().setResizeContentsPrecision(200)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Filter…")
        self.search.setAccessibleName(f"Filter {name.lower()}")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.search.setVisible(searchable)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setAccessibleName(f"Export {name.lower()} as CSV")
        self.export_button.clicked.connect(self.ask_and_export)
        self.count_label = QLabel()
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        if not searchable:
            bar.addStretch(1)
        bar.addWidget(self.count_label)
        bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)
        self.search.textChanged.connect(self._update_count)

    def set_table(
        self,
        table: tables.Table,
        sort_column: int = 1,
        order: Qt.SortOrder = Qt.SortOrder.DescendingOrder,
    ) -> None:
        self.model.set_table(table)
        if table.rows and table.columns:
            self.view.sortByColumn(min(sort_column, len(table.columns) - 1), order)
            self.view.resizeColumnToContents(0)
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(f"{shown:,} of {total:,}" if shown != total else f"{total:,} rows")

    def export_csv(self, path: Path) -> None:
        path.write_text(self.model.table.to_csv(), encoding="utf-8", newline="")

    def ask_and_export(self) -> None:
        suggested = f"neo-{self.name.lower().replace(' ', '-')}.csv"
        name, _ = QFileDialog.getSaveFileName(self, f"Export {self.name}", suggested, "CSV (*.csv)")
        if not name:
            return
        try:
            self.export_csv(Path(name))
        except OSError as exc:
            QMessageBox.warning(self, "Export failed", f"Could not write {name}: {exc.strerror}")


class DetailWindow(QWidget):
    """One instance: show, raise, activate; closing hides it; geometry remembered."""

    range_requested = Signal(object)  # UsageQuery
    retry_requested = Signal()
    token_requested = Signal()

    def __init__(
        self,
        state: AppState,
        thresholds: Callable[[], Thresholds],
        clock: Clock,
        *,
        default_preset: RangePreset = RangePreset.LAST_30_DAYS,
        default_group_by: GroupBy = GroupBy.DAY,
        geometry_store: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._state = state
        self._thresholds = thresholds
        self._clock = clock
        self._geometry_store = geometry_store
        self._range_snapshot: Snapshot | None = None
        self._pending_query: UsageQuery | None = None
        self._shown_summary: UsageSummary | None = None
        self._stale_tabs: set[int] = set()
        self.setObjectName("detailWindow")
        self.setWindowTitle("Neo Usage")
        self.resize(760, 620)

        self._build_header()
        self._build_range_bar(default_preset, default_group_by)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Usage breakdowns")
        self._build_overview_tab()
        self.models_chart = BarChart("Credits per model", horizontal=True)
        self.models = TablePane("Models")
        self.models_index = self.tabs.addTab(self._split(self.models_chart, self.models), "&Models")
        self.statuses = TablePane("Statuses")
        self.status_chart = BarChart("Tasks per status", horizontal=True)
        self.status_index = self.tabs.addTab(
            self._split(self.status_chart, self.statuses), "&Status"
        )
        self.periods_chart = BarChart("Credits per period")
        self.periods = TablePane("Periods")
        self.periods_index = self.tabs.addTab(
            self._split(self.periods_chart, self.periods), "&Periods"
        )
        self.team = TablePane("Team", searchable=True)
        self.team_tab_index = self.tabs.addTab(self.team, "&Team")
        self._build_byok_tab()

        self.tabs.currentChanged.connect(self._render_tab)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.banner)
        layout.addLayout(self.range_bar)
        layout.addWidget(self.tabs, 1)

        self._ticker = QTimer(self)
        self._ticker.setSingleShot(True)
        self._ticker.timeout.connect(self.refresh_header)
        QShortcut(QKeySequence.StandardKey.Refresh, self, self.retry_requested.emit)
        QShortcut(QKeySequence("Ctrl+W"), self, self.close)
        state.changed.connect(self.refresh_header)
        state.range_snapshot_ready.connect(self.on_range_snapshot)
        state.range_failed.connect(self.on_range_error)
        self.refresh_header()

    # --- construction -----------------------------------------------------------------------
    def _build_header(self) -> None:
        self.header = QFrame()
        self.credit_title = QLabel()
        self.credit_title.setObjectName("creditTitle")
        font = self.credit_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.credit_title.setFont(font)
        self.credit_bar = QProgressBar()
        self.credit_bar.setRange(0, 1000)
        self.credit_bar.setTextVisible(False)
        self.credit_bar.setAccessibleName("Available share of issued credits")
        self.expiry_label = QLabel()
        self.used_label = QLabel()
        self.updated_label = QLabel()
        for label in (self.credit_title, self.expiry_label, self.used_label, self.updated_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setAccessibleName("Refresh now")
        self.refresh_button.clicked.connect(self.retry_requested)
        top = QHBoxLayout()
        top.addWidget(self.credit_title, 1)
        top.addWidget(self.refresh_button)
        facts = QHBoxLayout()
        facts.addWidget(self.expiry_label)
        facts.addStretch(1)
        facts.addWidget(self.used_label)
        layout = QVBoxLayout(self.header)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.credit_bar)
        layout.addLayout(facts)
        layout.addWidget(self.updated_label)

        self.banner = QFrame()
        self.banner.setObjectName("stateBanner")
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.banner_text = QLabel()
        self.banner_text.setWordWrap(True)
        self.banner_retry = QPushButton("Retry")
        self.banner_retry.clicked.connect(self.retry_requested)
        self.banner_token = QPushButton("Set token…")
        self.banner_token.clicked.connect(self.token_requested)
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.addWidget(self.banner_text, 1)
        banner_layout.addWidget(self.banner_token)
        banner_layout.addWidget(self.banner_retry)
        self.banner.hide()

    def _build_range_bar(self, preset: RangePreset, group_by: GroupBy) -> None:
        self.range_combo = QComboBox()
        self.range_combo.setAccessibleName("Date range")
        for preset_item, preset_label in PRESET_LABELS.items():
            self.range_combo.addItem(preset_label, preset_item)
        self.group_combo = QComboBox()
        self.group_combo.setAccessibleName("Group periods by")
        for group_item, group_name in GROUP_LABELS.items():
            self.group_combo.addItem(group_name, group_item)
        today = QDate.currentDate()
        self.from_edit = QDateEdit(today.addDays(-29))
        self.to_edit = QDateEdit(today)
        for edit, name in ((self.from_edit, "From date"), (self.to_edit, "To date")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(90)
        self.busy.setAccessibleName("Loading range")
        self.busy.hide()
        self.range_status = QLabel()
        range_label = QLabel("&Range:")
        range_label.setBuddy(self.range_combo)
        group_label = QLabel("&Group by:")
        group_label.setBuddy(self.group_combo)
        self.range_bar = QHBoxLayout()
        for widget in (
            range_label,
            self.range_combo,
            self.from_edit,
            QLabel("–"),
            self.to_edit,
            group_label,
            self.group_combo,
            self.busy,
            self.range_status,
        ):
            self.range_bar.addWidget(widget)
        self.range_bar.addStretch(1)
        self.range_combo.setCurrentIndex(list(PRESET_LABELS).index(preset))
        self.group_combo.setCurrentIndex(list(GROUP_LABELS).index(group_by))
        self._sync_custom_dates()
        self.range_combo.currentIndexChanged.connect(self._on_range_controls_changed)
        self.group_combo.currentIndexChanged.connect(self._on_range_controls_changed)
        self.from_edit.dateChanged.connect(self._on_range_controls_changed)
        self.to_edit.dateChanged.connect(self._on_range_controls_changed)

    def _build_overview_tab(self) -> None:
        page = QWidget()
        form = QFormLayout(page)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.overview_values: dict[str, QLabel] = {}
        for key, title in OVERVIEW_FIELDS:
            value = QLabel("—")
            value.setObjectName(f"overview_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(title)
            form.addRow(f"{title}:", value)
            self.overview_values[key] = value
        self.overview_index = self.tabs.addTab(page, "&Overview")

    def _build_byok_tab(self) -> None:
        self.byok_page = QWidget()
        self.byok_form = QFormLayout(self.byok_page)
        self.byok_form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.byok_index = self.tabs.addTab(self.byok_page, "&BYOK")

    @staticmethod
    def _split(chart: QWidget, pane: QWidget) -> QSplitter:
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(chart)
        splitter.addWidget(pane)
        splitter.setStretchFactor(1, 1)
        return splitter

    # --- the credit header (main snapshot) ----------------------------------------------------
    def refresh_header(self) -> None:
        view = self._state.view
        now = self._clock()
        thresholds = self._thresholds()
        derived = trayview.figures(view, now, thresholds)
        if derived is None:
            self.credit_title.setText("Neo credits")
            self.credit_bar.setValue(0)
            self.expiry_label.setText("Expiry: —")
            self.used_label.setText("Used since last reset: —")
        else:
            self.credit_title.setText(
                f"{fmt.credits(derived.available_credits)} of {fmt.credits(derived.issued_credits)}"
                f" credits available ({fmt.percent(derived.available_fraction)})"
            )
            self.credit_bar.setValue(round((derived.gauge_fraction or 0.0) * 1000))
            lines = trayview.menu_lines(view, now, thresholds)
            self.expiry_label.setText(lines[1])
            self.used_label.setText(lines[2])
        self.updated_label.setText(trayview.status_line(view, now))
        self._render_banner(view, now)
        if self._range_snapshot is None and view.snapshot is not None:
            self._render_breakdowns(view.snapshot.summary, now)  # all-time until the range arrives
        if derived is not None:
            expires_in = None if derived.expired else derived.expires_in
            self._ticker.start(round(fmt.countdown_tick_seconds(expires_in) * 1000))

    def _render_banner(self, view: trayview.ViewState, now: datetime) -> None:
        error = view.error if view.error_is_current else None
        if error is None and not (view.snapshot and view.snapshot.from_cache):
            self.banner.hide()
            return
        if error is None:
            self.banner_text.setText(trayview.status_line(view, now))
            self.banner_token.hide()
            self.banner_retry.show()
        else:
            text = error.user_message
            if error.kind is ErrorKind.NO_PERMISSION:
                text = (
                    "No permission: your role in the team (member or viewer) cannot see usage. "
                    "Ask your team admin for the admin role, or to share the figures."
                )
            if view.snapshot is not None:
                text += f" Showing data from {fmt.ago(view.snapshot.fetched_at, now)}."
            self.banner_text.setText(text)
            self.banner_token.setVisible(
                error.kind in {ErrorKind.NO_TOKEN, ErrorKind.AUTH_REJECTED}
            )
            self.banner_retry.show()
        self.banner.show()

    # --- ranges and breakdowns ----------------------------------------------------------------
    def current_query(self) -> UsageQuery:
        preset = RangePreset(self.range_combo.currentData())
        group_by = GroupBy(self.group_combo.currentData())
        custom = (_day(self.from_edit.date()), _day(self.to_edit.date()))
        now = self._clock().astimezone()
        return period_query(preset, group_by, now, custom if preset is RangePreset.CUSTOM else None)

    def request_current_range(self) -> None:
        try:
            query = self.current_query()
        except InvalidSetting as exc:
            self.range_status.setText(exc.user_message)
            return
        self._pending_query = query
        self.busy.show()
        self.range_status.setText("")
        self.range_requested.emit(query)

    def _sync_custom_dates(self) -> None:
        custom = RangePreset(self.range_combo.currentData()) is RangePreset.CUSTOM
        self.from_edit.setEnabled(custom)
        self.to_edit.setEnabled(custom)

    def _on_range_controls_changed(self) -> None:
        self._sync_custom_dates()
        self.request_current_range()

    def on_range_snapshot(self, snapshot: Snapshot) -> None:
        if self._pending_query is not None and snapshot.query != self._pending_query:
            return  # an answer to a range the user has since changed
        self._pending_query = None
        self.busy.hide()
        self._range_snapshot = snapshot
        self.range_status.setText(self._range_text(snapshot.query))
        self._render_breakdowns(snapshot.summary, self._clock())

    def on_range_error(self, error: PollError) -> None:
        self._pending_query = None
        self.busy.hide()
        self.range_status.setText(error.user_message)

    def _range_text(self, query: UsageQuery) -> str:
        def day(instant: datetime | None) -> str:
            return instant.astimezone().strftime("%Y-%m-%d") if instant else "…"

        if query.start is None and query.end is None:
            return "all time"
        return f"{day(query.start)} → {day(query.end)}"

    def _render_breakdowns(self, summary: UsageSummary, now: datetime) -> None:
        """Render the open tab now and the others when first shown: a 20,000-member team is
        only tabulated when someone looks at it."""
        if summary is self._shown_summary:
            return
        self._shown_summary = summary
        self._stale_tabs = set(range(self.tabs.count()))
        self.tabs.setTabVisible(self.team_tab_index, summary.by_email is not None)
        self._render_tab(self.tabs.currentIndex())

    def _render_tab(self, index: int) -> None:
        summary = self._shown_summary
        if summary is None or index not in self._stale_tabs:
            return
        self._stale_tabs.discard(index)
        renderers = {
            self.overview_index: self._render_overview,
            self.models_index: self._render_models,
            self.status_index: self._render_statuses,
            self.periods_index: self._render_periods,
            self.team_tab_index: self._render_team,
            self.byok_index: self._render_byok,
        }
        renderers[index](summary)

    def _render_overview(self, summary: UsageSummary) -> None:
        derived = derive(summary, self._clock(), self._thresholds())
        values = {
            "credits": fmt.credits(summary.total_neo_credits),
            "tasks": f"{summary.total_tasks:,}",
            "credits_per_task": _maybe(derived.credits_per_task, "{:,.2f}"),
            "steps": _maybe(summary.total_steps, "{:,.0f}"),
            "tool_calls": _maybe(summary.total_tool_calls, "{:,.0f}"),
            "agent_triggers": _maybe(summary.total_agent_triggers, "{:,.0f}"),
            "execution": fmt.execution_time(summary.total_execution_ms),
            "ms_per_task": fmt.execution_time(derived.ms_per_task),
            "issued": fmt.credits(summary.total_issued_neo_credits),
            "available": fmt.credits(summary.total_available_neo_credits),
            "used_since_reset": fmt.credits(summary.total_neo_credits_post_reset),
            "last_reset": fmt.local_datetime(summary.last_credit_reset),
            "expires_at": _expiry_text(summary, derived.expired),
        }
        for key, text in values.items():
            self.overview_values[key].setText(text)

    def _render_models(self, summary: UsageSummary) -> None:
        rows = tables.model_table(summary)
        self.models.set_table(rows)
        self.models_chart.set_data(
            tuple(str(row[0]) for row in rows.rows[:12]),
            tuple(float(row[1] or 0.0) for row in rows.rows[:12]),
        )

    def _render_statuses(self, summary: UsageSummary) -> None:
        rows = tables.status_table(summary)
        self.statuses.set_table(rows)
        self.status_chart.set_data(
            tuple(str(row[0]) for row in rows.rows),
            tuple(float(row[1] or 0.0) for row in rows.rows),
        )

    def _render_periods(self, summary: UsageSummary) -> None:
        rows = tables.period_table(summary)
        self.periods.set_table(rows, sort_column=0, order=Qt.SortOrder.AscendingOrder)
        self.periods_chart.set_data(
            tuple(str(row[0]) for row in rows.rows),
            tuple(float(row[1] or 0.0) for row in rows.rows),
        )

    def _render_team(self, summary: UsageSummary) -> None:
        members = tables.member_table(summary)
        if members is not None:
            self.team.set_table(members)

    def _render_byok(self, summary: UsageSummary) -> None:
        while self.byok_form.rowCount():
            self.byok_form.removeRow(0)
        items = tables.byok_items(summary)
        if not items:
            self.byok_form.addRow(QLabel("No Bring-Your-Own-Key usage reported for this range."))
            return
        for label, value in items:
            text = f"{value:,.2f}" if "cost" in label.lower() else f"{value:,.0f}"
            shown = QLabel(text)
            shown.setAccessibleName(label)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.byok_form.addRow(f"{label}:", shown)

    # --- window behaviour ---------------------------------------------------------------------
    def show_and_raise(self) -> None:
        first_show = not self.isVisible() and self._range_snapshot is None
        self.refresh_header()
        self.show()
        self.raise_()
        self.activateWindow()
        if first_show and self._pending_query is None:
            self.request_current_range()

    def on_main_snapshot(self) -> None:
        """New data arrived: keep the chosen range current while the window is open."""
        if self.isVisible() and self._pending_query is None:
            self.request_current_range()

    def showEvent(self, event: QShowEvent) -> None:
        if self._geometry_store is not None:
            saved = self._geometry_store.value("detail/geometry")
            if isinstance(saved, QByteArray) and not saved.isEmpty():
                self.restoreGeometry(saved)
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        if self._geometry_store is not None:
            self._geometry_store.setValue("detail/geometry", self.saveGeometry())
        self._ticker.stop()
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()
        self.hide()


def _maybe(value: float | None, pattern: str) -> str:
    return "—" if value is None else pattern.format(value)


def _expiry_text(summary: UsageSummary, expired: bool) -> str:
    when = summary.neo_credits_expires_at
    if when is None:
        return "expired" if expired else "never"
    text = fmt.local_datetime(when)
    return f"{text} (expired)" if expired else text


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())
