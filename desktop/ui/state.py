"""AccountState: one account's state on the UI thread, which the views render."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import QObject, Signal, Slot

from desktop.core.member import MemberSnapshot
from desktop.core.presentation import RefreshNote, ViewState
from desktop.core.settings import Settings
from desktop.core.snapshot import PollError, Snapshot
from desktop.core.tasks import TaskListing


class AccountState(QObject):
    """Views render `view`; they never keep their own copy of the numbers.

    Signals:
        changed(): `view` changed (once per change).
        paused_changed(bool): the user paused or resumed polling.

    The detail window's ranges are not held here: their answers go to the page that asked.
    """

    changed = Signal()
    paused_changed = Signal(bool)

    def __init__(
        self,
        cached: Snapshot | MemberSnapshot | None = None,
        settings: Settings | None = None,
        parent: QObject | None = None,
    ) -> None:
        """`cached`: what the cache file held (a summary's snapshot or a member's), shown
        marked as cached until the first answer."""
        super().__init__(parent)
        if isinstance(cached, MemberSnapshot):
            self._view = ViewState(member=cached)
        else:
            self._view = ViewState(snapshot=cached)
        if settings is not None:
            self.apply_settings(settings)

    @property
    def view(self) -> ViewState:
        return self._view

    def _set(self, view: ViewState) -> None:
        if view != self._view:
            self._view = view
            self.changed.emit()

    @Slot(object)
    def on_snapshot(self, snapshot: Snapshot) -> None:
        """A summary (200): member mode, if it was on, is over."""
        self._set(replace(self._view, snapshot=snapshot, error=None, member=None))

    @Slot(object)
    def on_member(self, member: MemberSnapshot) -> None:
        """Member mode's answer (the summary said 403, `/api/v1/user` gave a cap): the summary's
        figures and what was fetched with them are not this account's to see any more."""
        self._set(
            replace(
                self._view,
                member=member,
                error=None,
                snapshot=None,
                forecast_window=None,
                forecast_failed=False,
                team_today=None,
                team_today_failed=False,
            )
        )

    @Slot(object)
    def on_error(self, error: PollError) -> None:
        """A failed main poll: a passing one keeps what is shown (stale); one that needs the
        user (401, 403 without a cap, no token) ends member mode."""
        member = None if error.needs_user_action else self._view.member
        self._set(replace(self._view, error=error, member=member))

    @Slot(bool)
    def set_paused(self, paused: bool) -> None:
        if paused != self._view.paused:
            self._set(replace(self._view, paused=paused))
            self.paused_changed.emit(paused)

    def apply_settings(self, settings: Settings) -> None:
        """What the settings change in rendering (thresholds, the icon), as one change."""
        self._set(
            replace(
                self._view,
                thresholds=settings.thresholds,
                icon_content=settings.icon_content,
                icon_style=settings.icon_style,
                icon_tone=settings.icon_tone,
                expiry_warning_days=settings.expiry_warning_days,
            )
        )

    @Slot(object)
    def set_snoozed_until(self, until: datetime | None) -> None:
        """Notifications are snoozed until `until` (None: they are not); the menu says so."""
        self._set(replace(self._view, snoozed_until=until))

    @Slot(object)
    def on_refresh_refused(self, note: RefreshNote) -> None:
        """ "Refresh now" sent nothing: the views say why until `note.until`."""
        self._set(replace(self._view, refresh_note=note))

    @Slot(object)
    def on_tasks_today(self, listing: TaskListing) -> None:
        """Today's task ledger arrived (or could not be fetched: its status says)."""
        self._set(replace(self._view, tasks_today=listing))

    @Slot(object)
    def on_forecast_window(self, window: Snapshot) -> None:
        self._set(replace(self._view, forecast_window=window, forecast_failed=False))

    @Slot(object)
    def on_team_today(self, today: Snapshot) -> None:
        """An admin's summary of today arrived (the radar's today)."""
        self._set(replace(self._view, team_today=today, team_today_failed=False))

    @Slot(object)
    def on_team_today_error(self, _error: PollError) -> None:
        """Today's team summary could not be fetched: the radar is unavailable until the next
        one (an older today would misread the day)."""
        self._set(replace(self._view, team_today=None, team_today_failed=True))

    @Slot(object)
    def on_forecast_error(self, _error: PollError) -> None:
        """A failed refresh keeps the last window (an hour old at most); with none, the
        forecast is unavailable."""
        if self._view.forecast_window is None:
            self._set(replace(self._view, forecast_failed=True))
