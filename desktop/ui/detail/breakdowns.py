"""The detail window's tabs: overview, models, statuses, periods, team and BYOK, filled lazily."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QSplitter, QTabWidget, QWidget

from desktop.core import fmt, presentation, tables
from desktop.core.derive import derive
from desktop.core.levels import Thresholds
from desktop.core.models import UsageSummary
from desktop.ui.detail.chart import BarChart
from desktop.ui.detail.table_pane import TablePane
from desktop.ui.plain import plain_label

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
CHART_MODELS = 12
NO_BYOK = "No Bring-Your-Own-Key usage reported for this range."


class BreakdownTabs(QTabWidget):
    """Renders one summary's breakdowns: the open tab at once, the others when first shown, so a
    20,000-member team is only tabulated when someone looks at it."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        super().__init__()
        self._clock = clock
        self._summary: UsageSummary | None = None
        self._thresholds = Thresholds()
        self._stale_tabs: set[int] = set()
        self.setAccessibleName("Usage breakdowns")
        self._build_overview_tab()
        self.models_chart = BarChart("Credits per model", horizontal=True)
        self.models = TablePane("Models")
        self.models_index = self.addTab(_split(self.models_chart, self.models), "&Models")
        self.statuses = TablePane("Statuses")
        self.status_chart = BarChart("Tasks per status", horizontal=True)
        self.status_index = self.addTab(_split(self.status_chart, self.statuses), "&Status")
        self.periods_chart = BarChart("Credits per period")
        self.periods = TablePane("Periods")
        self.periods_index = self.addTab(_split(self.periods_chart, self.periods), "&Periods")
        self.team = TablePane("Team", searchable=True)
        self.team_tab_index = self.addTab(self.team, "&Team")
        self.byok_page = QWidget()
        self.byok_form = QFormLayout(self.byok_page)
        self.byok_form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.byok_index = self.addTab(self.byok_page, "&BYOK")
        self.currentChanged.connect(self._render_tab)

    @property
    def summary(self) -> UsageSummary | None:
        return self._summary

    def show_summary(self, summary: UsageSummary, thresholds: Thresholds) -> None:
        if summary is self._summary:
            return
        self._summary = summary
        self._thresholds = thresholds
        self._stale_tabs = set(range(self.count()))
        self.setTabVisible(self.team_tab_index, summary.by_email is not None)
        self._render_tab(self.currentIndex())

    def _build_overview_tab(self) -> None:
        page = QWidget()
        form = QFormLayout(page)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.overview_values: dict[str, QLabel] = {}
        for key, title in OVERVIEW_FIELDS:
            value = plain_label("—")
            value.setObjectName(f"overview_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(f"{title}: not reported")
            form.addRow(plain_label(f"{title}:"), value)
            self.overview_values[key] = value
        self.overview_index = self.addTab(page, "&Overview")

    def _render_tab(self, index: int) -> None:
        summary = self._summary
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
        derived = derive(summary, self._clock(), self._thresholds)
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
            "expires_at": presentation.expiry_text(summary, derived.expired),
        }
        titles = dict(OVERVIEW_FIELDS)
        for key, text in values.items():
            self.overview_values[key].setText(text)
            # A screen reader says a label's name, not its text: the name carries the figure.
            spoken = "not reported" if text == "—" else text
            self.overview_values[key].setAccessibleName(f"{titles[key]}: {spoken}")

    def _render_models(self, summary: UsageSummary) -> None:
        rows = tables.model_table(summary)
        self.models.set_table(rows)
        self.models_chart.set_data(
            tuple(str(row[0]) for row in rows.rows[:CHART_MODELS]),
            tuple(float(row[1] or 0.0) for row in rows.rows[:CHART_MODELS]),
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
            self.byok_form.addRow(
                plain_label("No Bring-Your-Own-Key usage reported for this range.")
            )
            return
        for label, value in items:
            text = presentation.byok_value(label, value)
            shown = plain_label(text)
            shown.setAccessibleName(f"{label}: {text}")
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.byok_form.addRow(plain_label(f"{label}:"), shown)


def _split(chart: QWidget, pane: QWidget) -> QSplitter:
    splitter = QSplitter(Qt.Orientation.Vertical)
    splitter.addWidget(chart)
    splitter.addWidget(pane)
    splitter.setStretchFactor(1, 1)
    return splitter


def _maybe(value: float | None, pattern: str) -> str:
    return "—" if value is None else pattern.format(value)
