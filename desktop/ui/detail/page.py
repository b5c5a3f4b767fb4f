"""One account's page of the detail window: the credit header, the range bar and the tabs.

It renders the account's AppState (credits, expiry) and the snapshot of the range the user chose
(breakdowns); it asks for ranges with `range_requested` and never calls the API itself. Each
account has its own page, so each keeps its own range and tab.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop.core import fmt, presentation
from desktop.core.forecast import BalancePoint, balance_history, balance_query
from desktop.core.query import GroupBy, UsageQuery
from desktop.core.ranges import RangePreset
from desktop.core.snapshot import PollError, Snapshot
from desktop.ui.detail.breakdowns import BreakdownTabs
from desktop.ui.detail.header import CreditHeader
from desktop.ui.detail.range_bar import RangeBar
from desktop.ui.state import AppState


class AccountPage(QWidget):
    """One account's header, range bar and breakdowns.

    Signals:
        range_requested(UsageQuery): the range the breakdowns should show.
        retry_requested(): "Refresh", "Retry" or F5.
        token_requested(): "Set token…" in the banner.
    """

    range_requested = Signal(object)
    retry_requested = Signal()
    token_requested = Signal()

    def __init__(
        self,
        state: AppState,
        clock: Callable[[], datetime],
        *,
        default_preset: RangePreset = RangePreset.LAST_30_DAYS,
        default_group_by: GroupBy = GroupBy.DAY,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = state
        self._clock = clock
        self._range_snapshot: Snapshot | None = None
        self._main_snapshot = state.view.snapshot
        self._balance_pending: UsageQuery | None = None
        self._balance: Snapshot | None = None  # daily usage since the reset
        self.setObjectName("accountPage")
        self.header = CreditHeader()
        self.range_bar = RangeBar(clock, default_preset, default_group_by)
        self.tabs = BreakdownTabs(clock)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.range_bar)
        layout.addWidget(self.tabs, 1)

        self.header.retry_requested.connect(self.retry_requested)
        self.header.token_requested.connect(self.token_requested)
        self.range_bar.query_requested.connect(self.range_requested)
        self.range_bar.query_requested.connect(self.request_balance)
        self._ticker = QTimer(self)
        self._ticker.setSingleShot(True)
        self._ticker.timeout.connect(self.render_state)
        state.changed.connect(self._on_state_changed)
        state.range_ready.connect(self.on_range_snapshot)
        state.range_failed.connect(self.on_range_error)
        self.render_state()

    def render_state(self) -> None:
        """Render the main snapshot: the header, and the breakdowns until a range arrives."""
        view = self.state.view
        now = self._clock()
        derived = presentation.figures(view, now)
        self.header.render_state(view, derived, now)
        history: tuple[BalancePoint, ...] = ()
        if view.snapshot is not None and self._balance is not None:
            history = balance_history(view.snapshot.summary, self._balance.summary, now)
        expires_at = view.snapshot.summary.neo_credits_expires_at if view.snapshot else None
        forecast = presentation.forecast(view, now)
        self.header.render_forecast(forecast, derived, history, expires_at, now)
        if self._range_snapshot is None and view.snapshot is not None:
            self.tabs.show_summary(view.snapshot.summary, view.thresholds)
        if derived is not None:
            expires_in = None if derived.expired else derived.expires_in
            self._ticker.start(round(fmt.countdown_tick_seconds(expires_in) * 1000))

    def _on_state_changed(self) -> None:
        fresh = self.state.view.snapshot is not self._main_snapshot
        self._main_snapshot = self.state.view.snapshot
        self.render_state()
        # New data: keep the chosen range current while the window is open.
        if fresh and self.isVisible() and self.range_bar.pending is None:
            self.range_bar.request()

    def request_balance(self) -> None:
        """Daily usage since the last reset, for the balance chart (through the poller)."""
        snapshot = self.state.view.snapshot
        if snapshot is None:
            return
        query = balance_query(snapshot.summary, self._clock())
        self._balance_pending = query
        self.range_requested.emit(query)

    def on_range_snapshot(self, snapshot: Snapshot) -> None:
        if self._balance_pending is not None and snapshot.query == self._balance_pending:
            self._balance_pending = None
            self._balance = snapshot
            self.render_state()
            if snapshot.query != self.range_bar.pending:
                return  # (the same query may also be the range's: one answer serves both)
        if not self.range_bar.answered(snapshot.query):
            return  # an answer to a range the user has since changed
        self._range_snapshot = snapshot
        self.tabs.show_summary(
            snapshot.summary, self.state.view.thresholds, snapshot.query.group_by
        )

    def on_range_error(self, error: PollError) -> None:
        self.range_bar.failed(error.user_message)

    def opened(self) -> None:
        """The page is shown: render, and ask for its range the first time."""
        self.render_state()
        if self._range_snapshot is None and self.range_bar.pending is None:
            self.range_bar.request()

    def hideEvent(self, event: QHideEvent) -> None:
        self._ticker.stop()
        super().hideEvent(event)
