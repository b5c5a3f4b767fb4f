"""The detail window's tabs: overview, models, statuses, periods, team and BYOK, filled lazily
from one summary; and the tasks, whose listing the page hands to `tasks`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core import balance_text, byok, fmt, radar_text, tables
from desktop.core.derive import derive
from desktop.core.i18n import N_, _
from desktop.core.levels import Thresholds
from desktop.core.models import UsageSummary
from desktop.core.query import GroupBy
from desktop.core.radar import Radar
from desktop.ui.detail.chart import BarChart
from desktop.ui.detail.explained import ExplainedPage
from desktop.ui.detail.table_model import TeamTableModel
from desktop.ui.detail.table_pane import TablePane
from desktop.ui.detail.tasks_tab import TasksTab
from desktop.ui.plain import plain_label

OVERVIEW_FIELDS = (
    ("credits", N_("Credits used in range")),
    ("tasks", N_("Tasks")),
    ("credits_per_task", N_("Credits per task")),
    ("steps", N_("Steps")),
    ("tool_calls", N_("Tool calls")),
    ("agent_triggers", N_("Agent triggers")),
    ("execution", N_("Execution time")),
    ("ms_per_task", N_("Time per task")),
    ("issued", N_("Issued credits")),
    ("available", N_("Available credits")),
    ("used_since_reset", N_("Used since last reset")),
    ("last_reset", N_("Last credit reset")),
    ("expires_at", N_("Credits expire")),
)
#: The overview's fields that are the account's balance, not the range's: said from the
#: summary the header shows (`show_balance`), so the two never disagree.
BALANCE_FIELDS = frozenset({"issued", "available", "used_since_reset", "last_reset", "expires_at"})
CHART_MODELS = 12
NO_BYOK = N_("No Bring-Your-Own-Key usage reported for this range.")
PERIODS_NOTE = N_(
    "The API counts periods in UTC, while the range is in your local time: the first and last "
    "periods may hold only part of their use."
)


class BreakdownTabs(QTabWidget):
    """Renders one summary's breakdowns: the open tab at once, the others when first shown, so a
    20,000-member team is only tabulated when someone looks at it."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        super().__init__()
        self._clock = clock
        self._explained: list[ExplainedPage] = []  # every tab's page, in the tabs' order
        self._summary: UsageSummary | None = None
        self._balance: UsageSummary | None = None
        self._group_by: GroupBy | None = None
        self._thresholds = Thresholds()
        self._stale_tabs: set[int] = set()
        self.setAccessibleName(_("Usage breakdowns"))
        self._build_overview_tab()
        self.models_chart = BarChart(
            _("Credits per model"), horizontal=True, value_text=fmt.credits
        )
        self.models = TablePane(_("Models"), "models")
        self.models_index = self.add_explained_tab(
            _split(self.models_chart, self.models), _("&Models")
        )
        self.statuses = TablePane(_("Statuses"), "statuses")
        self.status_chart = BarChart(_("Tasks per status"), horizontal=True)
        self.status_index = self.add_explained_tab(
            _split(self.status_chart, self.statuses), _("&Status")
        )
        self.periods_chart = BarChart(_("Credits per period"), value_text=fmt.credits)
        self.periods = TablePane(_("Periods"), "periods")
        self.periods_note = plain_label(_(PERIODS_NOTE))
        self.periods_note.setWordWrap(True)
        periods_page = QWidget()
        periods_layout = QVBoxLayout(periods_page)
        periods_layout.setContentsMargins(0, 0, 0, 0)
        periods_layout.addWidget(self.periods_note)
        periods_layout.addWidget(_split(self.periods_chart, self.periods), 1)
        self.periods_index = self.add_explained_tab(periods_page, _("&Periods"))
        self._radar: Radar | None = None
        self.team = TablePane(_("Team"), "team", searchable=True, model=TeamTableModel(self))
        self.team_tab_index = self.add_explained_tab(self._build_team_page(), _("&Team"))
        self.byok_page = QWidget()
        self.byok_form = QFormLayout(self.byok_page)
        self.byok_form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.byok_index = self.add_explained_tab(self.byok_page, _("&BYOK"))
        self.tasks = TasksTab()
        self.tasks_index = self.add_explained_tab(self.tasks, _("Tas&ks"))
        self.currentChanged.connect(self._render_tab)

    def add_explained_tab(self, content: QWidget, title: str) -> int:
        """Add a tab whose page can say why it has nothing to show (`show_unavailable`)."""
        page = ExplainedPage(content)
        self._explained.append(page)
        return self.addTab(page, title)

    def show_unavailable(
        self, why: str | None, overview: tuple[tuple[str, str], ...] | None = None
    ) -> None:
        """Every tab says `why` in its place, once (member mode, a 403: no usage to show),
        the Overview under `overview`'s `(field title, value)` rows (a member's figures);
        None: every tab shows its content again. Only the Overview stays in the tab bar
        meanwhile (seven tabs saying one sentence told nothing); the others keep the sentence
        for anyone who reaches them. Cheap when nothing changed."""
        for page in self._explained:
            page.explain(why)
        self.overview_page.set_rows(overview if why is not None and overview else ())
        if why is not None and self.currentIndex() != self.overview_index:
            self.setCurrentIndex(self.overview_index)
        for index in range(self.count()):
            if index != self.overview_index and self.isTabVisible(index) != (why is None):
                self.setTabVisible(index, why is None)

    @property
    def unavailable(self) -> bool:
        """The tabs say why they have nothing to show (`show_unavailable`)."""
        return any(page.explaining for page in self._explained)

    @property
    def overview_page(self) -> ExplainedPage:
        """The Overview's page (its member rows, its sentence)."""
        page = self.widget(self.overview_index)
        assert isinstance(page, ExplainedPage)
        return page

    @property
    def summary(self) -> UsageSummary | None:
        return self._summary

    def show_summary(
        self, summary: UsageSummary, thresholds: Thresholds, group_by: GroupBy | None = None
    ) -> None:
        """Show `summary` (its periods grouped by `group_by`, None: not asked for)."""
        if summary is self._summary:
            return
        self._summary = summary
        self._group_by = group_by
        self._thresholds = thresholds
        self._stale_tabs = set(range(self.count())) - {self.tasks_index}  # not the summary's
        self.setTabVisible(self.team_tab_index, summary.by_email is not None)
        self._render_tab(self.currentIndex())

    def show_balance(self, summary: UsageSummary | None) -> None:
        """The account's balance as the header shows it (the main poll's summary; None: none
        yet, the range's answer says it). The range's answer was fetched a moment apart, when
        the balance may have moved (3,983 under a header saying 3,984): the overview's balance
        fields say this one."""
        if summary is self._balance:
            return
        self._balance = summary
        if summary is not None:
            self._set_overview(self._balance_values(summary))

    def show_loading(self) -> None:
        """A range is on its way: no figures of another range meanwhile (the overview says
        `…`, the tables and charts are empty) until `show_summary` brings its own."""
        self._summary = None
        self._stale_tabs = set()
        titles = dict(OVERVIEW_FIELDS)
        for key, label in self.overview_values.items():
            label.setText("…")
            label.setAccessibleName(_("{field}: loading").format(field=_(titles[key])))
        if self._balance is not None:  # the account's, whatever the range
            self._set_overview(self._balance_values(self._balance))
        for pane, chart in (
            (self.models, self.models_chart),
            (self.statuses, self.status_chart),
            (self.periods, self.periods_chart),
        ):
            pane.set_table(tables.Table(pane.model.table.columns, ()))
            chart.set_data((), ())
        self.team.set_table(tables.Table(self.team.model.table.columns, ()))
        while self.byok_form.rowCount():
            self.byok_form.removeRow(0)

    def _build_team_page(self) -> QWidget:
        """The team's table under two lines: the top burner's, and why today's figures are
        missing (each hidden when it has nothing to say)."""
        self.top_burner = plain_label()
        self.top_burner.setObjectName("topBurner")
        self.top_burner.setWordWrap(True)
        self.top_burner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.top_burner.hide()
        self.radar_note = plain_label(radar_text.unavailable_line())
        self.radar_note.setObjectName("radarNote")
        self.radar_note.setWordWrap(True)
        self.radar_note.setAccessibleName(radar_text.unavailable_line())
        self.radar_note.hide()
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.top_burner)
        layout.addWidget(self.radar_note)
        layout.addWidget(self.team, 1)
        return page

    def show_radar(
        self,
        radar: Radar | None,
        available: float | None,
        expires_at: datetime | None,
        now: datetime,
    ) -> None:
        """The admin's radar (`presentation.radar`; None: none, not an admin or no window yet)
        in the Team tab: today's columns, the unusual marks and the top burner's line, whose
        share of the `available` credits runs to `expires_at`. Cheap when nothing changed: the
        page calls it on every render."""
        line = radar_text.top_burner_line(radar, available, expires_at, now)
        self.top_burner.setText(line or "")
        self.top_burner.setAccessibleName(line or "")
        self.top_burner.setVisible(line is not None)
        self.radar_note.setVisible(radar is not None and not radar.ok)
        if radar == self._radar:
            return
        self._radar = radar
        summary = self._summary
        if summary is None or summary.by_email is None:
            return
        if self.team_tab_index in self._stale_tabs:
            return  # drawn with this radar when first shown
        members = tables.member_table(summary, radar)
        if members is not None:
            self.team.refresh_table(members)

    def _build_overview_tab(self) -> None:
        page = QWidget()
        form = QFormLayout(page)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.overview_values: dict[str, QLabel] = {}
        for key, title in OVERVIEW_FIELDS:
            value = plain_label("—")
            value.setObjectName(f"overview_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(_("{field}: not reported").format(field=_(title)))
            form.addRow(plain_label(_("{field}:").format(field=_(title))), value)
            self.overview_values[key] = value
        self.overview_index = self.add_explained_tab(page, _("&Overview"))

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
        render = renderers.get(index)  # a tab added after the breakdowns' own has none
        if render is not None:
            render(summary)

    def _render_overview(self, summary: UsageSummary) -> None:
        derived = derive(summary, self._clock(), self._thresholds)
        values = {
            "credits": fmt.credits(summary.total_neo_credits),
            "tasks": fmt.number(summary.total_tasks),
            "credits_per_task": fmt.number(derived.credits_per_task, 2),
            "steps": fmt.number(summary.total_steps),
            "tool_calls": fmt.number(summary.total_tool_calls),
            "agent_triggers": fmt.number(summary.total_agent_triggers),
            "execution": fmt.execution_time(summary.total_execution_ms),
            "ms_per_task": fmt.execution_time(derived.ms_per_task),
            **self._balance_values(self._balance or summary),
        }
        self._set_overview(values)

    def _balance_values(self, summary: UsageSummary) -> dict[str, str]:
        """The `BALANCE_FIELDS`' texts from the figures the header reads (`derive`: the used
        credits are issued minus available when the API gives none) through `fmt.credits`."""
        derived = derive(summary, self._clock(), self._thresholds)
        values = {
            "issued": fmt.credits(derived.issued_credits),
            "available": fmt.credits(derived.available_credits),
            "used_since_reset": fmt.credits(derived.used_credits),
            "last_reset": fmt.local_datetime(summary.last_credit_reset),
            "expires_at": balance_text.expiry_text(summary, derived.expired),
        }
        assert values.keys() == BALANCE_FIELDS
        return values

    def _set_overview(self, values: dict[str, str]) -> None:
        titles = dict(OVERVIEW_FIELDS)
        for key, text in values.items():
            self.overview_values[key].setText(text)
            # A screen reader says a label's name, not its text: the name carries the figure.
            title = _(titles[key])
            if text == "—":
                spoken = _("{field}: not reported").format(field=title)
            else:
                spoken = _("{field}: {value}").format(field=title, value=text)
            self.overview_values[key].setAccessibleName(spoken)

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
        rows = tables.period_table(summary, self._group_by)
        self.periods.set_table(rows, sort_column=0, order=Qt.SortOrder.AscendingOrder)
        self.periods_chart.set_data(
            tuple(str(row[0]) for row in rows.rows),
            tuple(float(row[1] or 0.0) for row in rows.rows),
        )

    def _render_team(self, summary: UsageSummary) -> None:
        members = tables.member_table(summary, self._radar)
        if members is not None:
            self.team.set_table(members)

    def _render_byok(self, summary: UsageSummary) -> None:
        while self.byok_form.rowCount():
            self.byok_form.removeRow(0)
        items = tables.byok_items(summary)
        if not items:
            self.byok_form.addRow(plain_label(_(NO_BYOK)))
            return
        # Each figure is written by its API key (a cost, a count, credits), not by its label.
        fields = summary.byok.figures() if summary.byok is not None else {}
        for (label, value), field in zip(items, fields, strict=True):
            text = byok.byok_value(field, value)
            shown = plain_label(text)
            shown.setAccessibleName(_("{field}: {value}").format(field=_(label), value=text))
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.byok_form.addRow(plain_label(_("{field}:").format(field=_(label))), shown)


def _split(chart: QWidget, pane: QWidget) -> QSplitter:
    splitter = QSplitter(Qt.Orientation.Vertical)
    splitter.addWidget(chart)
    splitter.addWidget(pane)
    splitter.setStretchFactor(1, 1)
    return splitter
