"""One account's page of the detail window: the credit header, the range bar and the tabs.

It renders the account's AccountState (credits, expiry) and the snapshot of the range the user chose
(breakdowns); it asks for ranges with `range_requested` and never calls the API itself; the
answers (`on_range_answer`) name their query, so each lands on what asked for it: the chosen
range or the balance history. Each account has its own page, so each keeps its own range and tab.
The Tasks tab's listing is asked with `tasks_requested` for the range's window when the tab is
shown (and again when the range changes while it is), and answered by `on_tasks_answer`. The
History tab asks for the year through `range_requested` too, when shown and a day old.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop.core import detail_text, fmt, presentation, tasks_text
from desktop.core.errors import ErrorKind, InvalidSetting
from desktop.core.forecast import BalancePoint, balance_history, balance_query, projection_band
from desktop.core.i18n import _
from desktop.core.presentation import ViewState
from desktop.core.query import GroupBy, UsageQuery
from desktop.core.ranges import RangePreset
from desktop.core.snapshot import PollError, Snapshot
from desktop.core.tasks import TaskListing
from desktop.system.history_cache import HistoryStore
from desktop.ui.detail.header import CreditHeader
from desktop.ui.detail.history_tab import BreakdownsAndHistory
from desktop.ui.detail.range_bar import RangeBar
from desktop.ui.state import AccountState

#: A task window whose end moved less than this (seconds: a preset's "now" after each poll) keeps
#: the listing it has; a longer move, another start or a retry fetches it again.
TASKS_KEEP_SECONDS = 300.0


class AccountPage(QWidget):
    """One account's header, range bar and breakdowns.

    Signals:
        range_requested(UsageQuery): the range the breakdowns should show.
        retry_requested(): "Refresh", "Retry" or F5.
        token_requested(): "Set token…" in the banner.
        tasks_requested(datetime, datetime): the task ledger of this window (UTC) for the
            Tasks tab.
        web_requested(): "Open Neo" in the header.
    """

    range_requested = Signal(object)
    tasks_requested = Signal(object, object)
    retry_requested = Signal()
    token_requested = Signal()
    web_requested = Signal()

    def __init__(
        self,
        state: AccountState,
        clock: Callable[[], datetime],
        *,
        default_preset: RangePreset = RangePreset.LAST_30_DAYS,
        default_group_by: GroupBy = GroupBy.DAY,
        history_store: HistoryStore | None = None,  # the account's year file (None: memory)
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = state
        self._clock = clock
        self._range_snapshot: Snapshot | None = None
        self._main_snapshot = state.view.snapshot
        self._balance_pending: UsageQuery | None = None
        self._balance: Snapshot | None = None  # daily usage since the reset
        self._balance_error: PollError | None = None  # why the last try brought none
        self._tasks_window: tuple[datetime, datetime] | None = None  # the listing asked for
        self.setObjectName("accountPage")
        self.header = CreditHeader()
        self.range_bar = RangeBar(clock, default_preset, default_group_by)
        self.tabs = BreakdownsAndHistory(clock, history_store)
        self.history = self.tabs.history
        self.history_index = self.tabs.history_index
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.range_bar)
        layout.addWidget(self.tabs, 1)

        self.header.retry_requested.connect(self.retry_requested)
        self.header.token_requested.connect(self.token_requested)
        self.header.web_requested.connect(self.web_requested)
        self.range_bar.query_requested.connect(self._range_asked)
        self.range_bar.query_requested.connect(self.range_requested)
        self.range_bar.query_requested.connect(self.request_balance)
        self.range_bar.query_requested.connect(lambda _query: self.request_tasks())
        self.tabs.currentChanged.connect(lambda _index: self.request_tasks())
        self.tabs.currentChanged.connect(lambda _index: self.request_history())
        self.history.query_requested.connect(self.range_requested)
        self.tabs.tasks.retry_requested.connect(lambda: self.request_tasks(again=True))
        # "Refresh" fetches everything shown again: the Tasks tab too, which would otherwise keep
        # a listing whose range ends in the same five minutes (or never moves: custom dates).
        self.header.retry_requested.connect(lambda: self.request_tasks(again=True))
        self._ticker = QTimer(self)
        self._ticker.setSingleShot(True)
        self._ticker.timeout.connect(self.render_state)
        state.changed.connect(self._on_state_changed)
        self.render_state()

    def render_state(self) -> None:
        """Render the main snapshot: the header, and the breakdowns until a range arrives."""
        view = self.state.view
        now = self._clock()
        derived = presentation.figures(view, now)
        self.header.render_state(view, derived, now)
        came_back = self._show_unavailable(view)
        # The overview's balance is the header's, not the range answer's of a moment apart.
        self.tabs.show_balance(view.snapshot.summary if view.snapshot is not None else None)
        self._settle_waits(view)
        history: tuple[BalancePoint, ...] = ()
        if view.snapshot is not None and self._balance is not None:
            history = balance_history(view.snapshot.summary, self._balance.summary, now)
        expires_at = view.snapshot.summary.neo_credits_expires_at if view.snapshot else None
        forecast = presentation.forecast(view, now)
        self.header.render_forecast(
            forecast, derived, history, expires_at, now, empty_text=self._balance_missing(view)
        )
        available = derived.available_credits if derived is not None else None
        band: tuple[tuple[BalancePoint, ...], tuple[BalancePoint, ...]] = ((), ())
        if forecast is not None and available is not None:
            band = projection_band(forecast, available, now)
        self.header.balance_chart.set_band(*band)
        # The admin's radar: the Team tab's today columns and its top burner's line.
        self.tabs.show_radar(presentation.radar(view, now), available, expires_at, now)
        self.request_history()
        if self._range_snapshot is None and view.snapshot is not None and self._all_time_asked():
            # The main poll's figures are all-time: shown only under "All time".
            self.tabs.show_summary(view.snapshot.summary, view.thresholds)
        self._arm_ticker(view, now)
        if came_back and self.isVisible():  # promoted (or a Retry answered): ask again
            if self.range_bar.pending is None:
                self.range_bar.request()
            self.request_tasks(again=True)

    def _show_unavailable(self, view: ViewState) -> bool:
        """Member mode or a 403 without a summary: every tab says why it has nothing to show
        (the Overview a member's figures too) and the range controls are disabled with the
        same reason, asking nothing. True when the tabs have come back (a 200 arrived)."""
        why = detail_text.unavailable_text(view)
        was = self.range_bar.unavailable
        self.tabs.show_unavailable(why, self._member_rows(view))
        self.range_bar.set_unavailable(why)
        if why is not None and self._balance_pending is not None:
            self._balance_pending = None  # (its answer, a 403, would say nothing new)
        return was is not None and why is None

    @staticmethod
    def _member_rows(view: ViewState) -> tuple[tuple[str, str], ...] | None:
        """Member mode's Overview rows `(field title, value)` (None outside it)."""
        rows = detail_text.member_overview(view)
        if rows is None:
            return None
        titles = dict(detail_text.MEMBER_FIELDS)
        return tuple((_(titles[key]), value) for key, value in rows)

    def _arm_ticker(self, view: ViewState, now: datetime) -> None:
        """Render again when a text would change: the countdown, the data's age (so the window
        and the menu say the same age), the end of a refused refresh's note."""
        waits: list[float] = []
        derived = presentation.figures(view, now)
        if derived is not None:
            expires_in = None if derived.expired else derived.expires_in
            waits.append(fmt.countdown_tick_seconds(expires_in))
        shown = view.member if view.member is not None else view.snapshot
        if shown is not None:
            waits.append(fmt.ago_tick_seconds(shown.fetched_at, now))
        note = view.refresh_note
        if note is not None and note.until > now:
            waits.append(min(1.0, (note.until - now).total_seconds()))
        if waits:
            self._ticker.start(max(50, round(min(waits) * 1000)))

    def _all_time_asked(self) -> bool:
        try:
            query = self.range_bar.current_query()
        except InvalidSetting:
            return False
        return query.start is None and query.end is None

    def _settle_waits(self, view: ViewState) -> None:
        """An error that stops the account's requests (no token, 401, 403, a lost address)
        answers what the page waits for: the poller sends none of it."""
        error = view.current_error
        if error is None or not error.needs_user_action:
            return
        if self.range_bar.pending is not None:
            self.range_bar.failed(error.short_message or error.user_message)
        if self._balance_pending is not None:
            self._balance_pending = None
            self._balance_error = error
        self.history.settle(error)

    def _balance_missing(self, view: ViewState) -> str | None:
        """Why the balance chart has no history (None: it is on its way)."""
        if self._balance is not None:
            return None
        if view.current_error is not None:  # the banner says why: not twice
            return _("No balance history: the usage cannot be fetched now")
        error = self._balance_error
        if error is None:
            return None
        reason = error.short_message or error.user_message
        return _("No balance history: {reason}").format(reason=reason)

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
        self._balance_error = None
        self.range_requested.emit(query)

    def on_range_answer(self, answer: Snapshot | PollError) -> None:
        """The answer to a range this page asked for (its query says which)."""
        if isinstance(answer, Snapshot):
            self.on_range_snapshot(answer)
        else:
            self.on_range_error(answer)

    def on_range_snapshot(self, snapshot: Snapshot) -> None:
        if self.history.on_answer(snapshot, self._clock()) and snapshot.query != (
            self.range_bar.pending
        ):
            return
        if self._balance_pending is not None and snapshot.query == self._balance_pending:
            self._balance_pending = None
            self._balance = snapshot
            self._balance_error = None
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
        """Said where it was asked: on the chosen range, or under the balance chart (the same
        query may be both), or on the History tab; an error for a range the user has since
        left is dropped. In member mode the usage endpoints answer 403 to every range: the
        breakdowns say who sees the team's usage instead."""
        if self.state.view.member is not None and error.kind is ErrorKind.NO_PERMISSION:
            error = replace(error, user_message=detail_text.member_range_text())
        self.history.on_error(error)
        if self._balance_pending is not None and error.query == self._balance_pending:
            self._balance_pending = None
            if self._balance is None:  # a chart drawn before stays
                self._balance_error = error
            self.render_state()
        if self.range_bar.pending is not None and error.query == self.range_bar.pending:
            self.range_bar.failed(error.user_message)

    def _range_asked(self, query: UsageQuery) -> None:
        """A new range is on its way: figures of another range (or all-time ones) must not
        stand under its name meanwhile."""
        shown = self._range_snapshot
        if shown is not None and shown.query == query:
            return  # the same range again (fresh data): keep it until the answer
        self._range_snapshot = None
        if query.start is None and query.end is None and self.state.view.snapshot is not None:
            self.tabs.show_summary(self.state.view.snapshot.summary, self.state.view.thresholds)
        else:
            self.tabs.show_loading()

    def opened(self) -> None:
        """The page is shown: ask for its range the first time, and render."""
        if self._range_snapshot is None and self.range_bar.pending is None:
            self.range_bar.request()
        self.render_state()
        self.request_tasks()

    def request_history(self) -> None:
        """Show the year on the History tab when it is shown (it asks for the year itself,
        at most once a day); in member mode, who sees the team's usage instead, at once
        (the tab is hidden then, and the summary's year not this account's to keep)."""
        if self.state.view.member is not None:
            self.history.show_member()
        elif self.isVisible() and self.tabs.currentIndex() == self.history_index:
            self.history.show_year(self.state.view.snapshot, self._clock())

    def request_tasks(self, *, again: bool = False) -> None:
        """Ask for the range's task ledger if the Tasks tab is shown and its listing is not
        this range's (`again`: whatever it has, the user's Retry)."""
        if not self.isVisible() or self.tabs.currentIndex() != self.tabs.tasks_index:
            return
        if self.range_bar.unavailable is not None:
            return  # member mode, a 403: the tab says why, nothing is asked
        try:
            window = tasks_text.tasks_window(self.range_bar.current_query(), self._clock())
        except InvalidSetting:
            return  # the range bar says why
        asked = self._tasks_window
        if (
            not again
            and asked is not None
            and asked[0] == window[0]
            and abs((window[1] - asked[1]).total_seconds()) < TASKS_KEEP_SECONDS
        ):
            return
        self._tasks_window = window
        self.tabs.tasks.show_loading()
        self.tasks_requested.emit(*window)

    def on_tasks_answer(self, listing: TaskListing) -> None:
        """A task listing: shown when it is the window last asked for (else dropped)."""
        if self._tasks_window == (listing.start, listing.end):
            self.tabs.tasks.show_listing(listing)

    def hideEvent(self, event: QHideEvent) -> None:
        self._ticker.stop()
        super().hideEvent(event)
