"""The detail page's History tab: the year's heatmap, its legend, facts and table, and when to
ask for the year (at most once a day per account, through the page's range channel).

It never calls the API: `query_requested` asks the page's poller for `history.year_query`, whose
answer (`on_answer`, `on_error`) names its query. The figures are kept in the account's own file
(`system/history_cache.py`), read back only for the same address and token.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.core import detail_text, history
from desktop.core.history import Cell
from desktop.core.i18n import _
from desktop.core.local_time import local_date
from desktop.core.query import UsageQuery
from desktop.core.snapshot import PollError, Snapshot
from desktop.system.history_cache import HistoryEntry, HistoryStore, is_fresh
from desktop.ui.detail.breakdowns import BreakdownTabs
from desktop.ui.detail.heatmap import Heatmap, Legend, facts_text
from desktop.ui.detail.range_bar import date_format
from desktop.ui.detail.table_model import AnyIndex, TableModel
from desktop.ui.detail.table_pane import TablePane
from desktop.ui.plain import plain_label

#: What the cells shown were made from: the figures, the token, the local today, the reset
#: and the expiry (the same again: nothing to repaint).
_Shown = tuple[HistoryEntry, str, date, datetime | None, datetime | None]
#: The day table's height at least: this many rows below its header (the tester saw two and
#: a half at the window's default 900 x 642); the tab scrolls where the window is smaller.
TABLE_ROWS = 8


class DayTableModel(TableModel):
    """The days' table (`history.year_table`): the Day column says the date as the range bar
    does (the locale's short date with its year; ISO in English), while its cells stay ISO
    dates, so the rows sort by date and the CSV export keeps ISO."""

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        shown = super().data(index, role)
        if role != Qt.ItemDataRole.DisplayRole or index.column() != 0:
            return shown
        day = QDate.fromString(str(shown), Qt.DateFormat.ISODate)
        return QLocale().toString(day, date_format()) if day.isValid() else shown


class HistoryTab(QWidget):
    """The heatmap, its legend, the year's facts and the days' table.

    Signals:
        query_requested(UsageQuery): the year's daily usage is wanted (`history.year_query`).
    """

    query_requested = Signal(object)

    def __init__(self, store: HistoryStore | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._entry: HistoryEntry | None = None  # the year's figures, and whose token
        self._entry_tag = ""
        self._pending: UsageQuery | None = None
        self._shown: _Shown | None = None
        self.heatmap = Heatmap()
        self.legend = Legend()
        self.facts = plain_label()
        self.facts.setObjectName("historyFacts")
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note = plain_label()
        self.note.setWordWrap(True)
        self.table = TablePane(_("Days with use"), "history", model=DayTableModel(self))
        view = self.table.view
        row = view.verticalHeader().defaultSectionSize()
        # The rows, the header (no taller than a row; empty, its hint is 0), a horizontal
        # scroll bar in a narrow window, the frame.
        view.setMinimumHeight(
            row * (TABLE_ROWS + 1)
            + view.horizontalScrollBar().sizeHint().height()
            + 2 * view.frameWidth()
        )
        # The heatmap, legend and facts at their natural height; the table takes the rest and
        # the handle between them moves (the table never below its rows above).
        top = QWidget()
        top.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.heatmap)
        legend_row = QHBoxLayout()
        legend_row.addWidget(self.legend)
        legend_row.addStretch(1)
        top_layout.addLayout(legend_row)
        top_layout.addWidget(self.facts)
        top_layout.addWidget(self.note)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.table)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        # Where the window is too short for both, the tab scrolls (the window keeps its size).
        self.scroll_area = QScrollArea()
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(self.splitter)
        # Not a stop of its own: Tab reaches the table and its button, which it scrolls to.
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll_area)
        self._show_nothing(_("History: loading…"))

    @property
    def pending(self) -> UsageQuery | None:
        """The year's query on its way, if one is."""
        return self._pending

    # --- what to ask, what to show ------------------------------------------------------------
    def show_year(self, snapshot: object, now: datetime) -> None:
        """The tab is shown with the account's main snapshot: show the year (from memory or
        the account's file, when it is this token's) and ask for it when it is a day old or
        missing and no answer is on its way. Without a summary yet there is nothing to key it
        by: it waits for one."""
        if not isinstance(snapshot, Snapshot):
            if self._entry is None:
                self._show_nothing(_("History: loading…"))
            return
        tag = snapshot.token_tag
        if self._entry_tag != tag:  # another token's figures are not shown
            self._entry, self._entry_tag, self._shown = None, tag, None
        if self._pending is None and not is_fresh(self._entry, now) and self._store is not None:
            stored = self._store.load(tag, now)  # (another process may have fetched it)
            if stored is not None and (
                self._entry is None or stored.fetched_at > self._entry.fetched_at
            ):
                self._entry = stored
        summary = snapshot.summary
        if self._entry is not None:
            self._show(
                self._entry, tag, now, summary.last_credit_reset, summary.neo_credits_expires_at
            )
        elif self._pending is None:
            self._show_nothing(_("History: loading…"))
        if self._pending is None and not is_fresh(self._entry, now):
            self._pending = history.year_query(now)
            self.query_requested.emit(self._pending)

    def show_member(self) -> None:
        """Member mode: the usage endpoints answer 403, so there is no year to ask for; the tab
        says who sees the team's usage, as the breakdowns do, and forgets the summary's year
        (not this account's to see any more). A year asked for is forgotten (member mode drops
        the ranges on their way): back to a summary, the tab asks again."""
        self._entry, self._entry_tag, self._pending = None, "", None
        why = detail_text.member_range_text()
        if self._shown is None and self.heatmap.accessibleDescription() == why:
            return  # said already (each render of the page asks again)
        self._show_nothing(why)

    def on_answer(self, answer: Snapshot, now: datetime) -> bool:
        """The year's answer (True), kept in the account's file and shown; False when the
        answer is to another query."""
        if self._pending is None or answer.query != self._pending:
            return False
        self._pending = None
        self._entry = HistoryEntry(answer.fetched_at, history.days_of(answer.summary))
        self._entry_tag = answer.token_tag
        self._shown = None
        if self._store is not None:
            self._store.save(self._entry, answer.token_tag)
        summary = answer.summary
        self._show(
            self._entry,
            answer.token_tag,
            now,
            summary.last_credit_reset,
            summary.neo_credits_expires_at,
        )
        return True

    def on_error(self, error: PollError) -> bool:
        """The year could not be fetched (True when `error` answers its query): said here; the
        next showing of the tab asks again."""
        if self._pending is None or error.query != self._pending:
            return False
        self.settle(error)
        return True

    def settle(self, error: PollError) -> None:
        """An error that stops the account's requests answers the year's query too (the poller
        sends nothing more for it)."""
        if self._pending is None:
            return
        self._pending = None
        reason = error.short_message or error.user_message
        if self.heatmap.cells:
            self._set_note(_("The history could not be updated: {reason}").format(reason=reason))
        else:
            self._show_nothing(_("No history: {reason}").format(reason=reason))

    # --- showing ------------------------------------------------------------------------------
    def _show(
        self,
        entry: HistoryEntry,
        tag: str,
        now: datetime,
        reset: datetime | None,
        expires_at: datetime | None,
    ) -> None:
        shown: _Shown = (entry, tag, local_date(now), reset, expires_at)
        if shown == self._shown:
            return
        self._shown = shown
        self.show_cells(history.year_cells(entry.days, now, reset, expires_at), expires_at)

    def _set_note(self, text: str) -> None:
        """The note under the facts, hidden while empty (its line is the table's)."""
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def _show_nothing(self, why: str) -> None:
        self._shown = None
        self.heatmap.set_cells((), why)
        self.heatmap.setAccessibleDescription(why)
        self.facts.setText("")
        self.facts.setAccessibleName("")
        self.legend.set_marks(False, False)
        self._set_note("")
        self.table.set_table(
            history.year_table(()), sort_column=0, order=Qt.SortOrder.AscendingOrder
        )

    def show_cells(self, cells: Sequence[Cell], expires_at: datetime | None = None) -> None:
        """The year's cells (`history.year_cells`): painted, summed up and tabulated; the
        legend names the marks painted, and an expiry (`expires_at`, the summary's
        `neo_credits_expires_at`) after the grid's last day is said in the facts line."""
        cells = tuple(cells)
        self.heatmap.set_cells(cells)
        self.legend.set_marks(*history.marks_in(cells))
        self._set_note("")
        facts = facts_text(cells)
        expiry = history.expiry_after_text(cells, expires_at)
        if expiry is not None:
            facts = f"{facts} {expiry}"
        self.facts.setText(facts)
        self.facts.setAccessibleName(facts)
        description = _("{facts} Each day with use is listed in the table below.").format(
            facts=facts
        )
        self.heatmap.setAccessibleDescription(description)
        self.table.set_table(
            history.year_table(cells), sort_column=0, order=Qt.SortOrder.AscendingOrder
        )


class BreakdownsAndHistory(BreakdownTabs):
    """The breakdowns' tabs and, last, the History tab: the one tab not rendered from the
    range's summary (it has its own year), so the breakdowns never try to."""

    def __init__(self, clock: Callable[[], datetime], store: HistoryStore | None = None) -> None:
        super().__init__(clock)
        self.history = HistoryTab(store)
        self.history_index = self.add_explained_tab(self.history, _("&History"))
