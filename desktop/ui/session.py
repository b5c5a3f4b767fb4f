"""One account's live objects: its state, its poller (on the thread every account shares), its
notification rules and its snapshot cache. Nothing here knows of the other accounts, so one
account failing can never blank or block another."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Slot

from desktop.core import presentation, today_tasks
from desktop.core.accounts import Account
from desktop.core.member import MemberSnapshot
from desktop.core.settings import Settings
from desktop.core.snapshot import PollError, Snapshot
from desktop.core.tasks import TaskListing
from desktop.system import cache, notify_store
from desktop.ui.alerts import AlertCenter, Delivers
from desktop.ui.cache_writer import CacheWriter
from desktop.ui.fetch_worker import ClientConfig, ClientFactory
from desktop.ui.poller import Poller
from desktop.ui.state import AccountState

log = logging.getLogger(__name__)


class AccountSession(QObject):
    """Wires one account: poller -> state (and cache, alerts). Built and dropped by the session
    set (`sessions.py`)."""

    def __init__(
        self,
        account: Account,
        config: ClientConfig,
        settings: Settings,
        *,
        cache_key: str,
        interval_seconds: float | None,
        forecast_seconds: float | None,
        notifier: Delivers,
        today_tasks: bool = True,  # fetch today's task ledger (the menu line, big-task rule)
        team_today: bool = True,  # an admin's summary of today (the radar)
        clock: Callable[[], datetime],
        client_factory: ClientFactory,
        thread: QThread | None,
        monotonic: Callable[[], float] = time.monotonic,
        random_unit: Callable[[], float] = random.random,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.account = account
        self.config = config
        self._clock = clock
        self.cache_key = cache_key
        self.cache_path: Path = cache.default_path(account.id)
        # What the last run kept: a summary's snapshot, or a member's (member mode), shown
        # marked as cached until the first answer. The wall clock judges the file's times.
        cached = cache.load_entry(cache_key, self.cache_path, datetime.now(UTC))
        self.state = AccountState(cached.snapshot if cached else None, settings, self)
        self.poller = Poller(
            config,
            interval_seconds,
            client_factory=client_factory,
            clock=clock,
            monotonic=monotonic,
            random_unit=random_unit,
            forecast_seconds=forecast_seconds,
            today_tasks=today_tasks,
            team_today=team_today,
            thread=thread,
            parent=self,
        )
        # The cache file is written off the UI thread, once per burst of answers.
        self.cache_writer = CacheWriter(lambda: not self.poller.busy, parent=self)
        # The latest main poll's failure (an `ErrorKind` value) and when the poller tries
        # again, saved with the figures; a good answer ends them.
        self._failure: str | None = None
        self._retry_at: datetime | None = None
        self.alerts = AlertCenter(
            notifier,
            settings,
            cache_key,
            notify_store.default_path(account.id),
            clock=clock,
            account_id=account.id,
            parent=self,
        )
        self.poller.snapshot_ready.connect(self.state.on_snapshot)
        self.poller.snapshot_ready.connect(self._snapshot_answered)
        self.poller.snapshot_ready.connect(self.alerts.on_snapshot)
        self.poller.member_ready.connect(self.state.on_member)
        self.poller.member_ready.connect(self._member_answered)
        self.poller.member_ready.connect(self.alerts.on_member)
        self.poller.failed.connect(self.state.on_error)
        self.poller.failed.connect(self._save_retry)
        self.poller.failed.connect(self.alerts.on_error)
        self.poller.forecast_ready.connect(self.state.on_forecast_window)
        self.poller.forecast_ready.connect(self._forecast_refreshed)
        self.poller.forecast_failed.connect(self.state.on_forecast_error)
        self.poller.team_today_ready.connect(self.state.on_team_today)
        self.poller.team_today_ready.connect(self._radar_refreshed)
        self.poller.team_today_failed.connect(self.state.on_team_today_error)
        self.poller.team_today_failed.connect(self._radar_refreshed)
        self.poller.refresh_refused.connect(self.state.on_refresh_refused)
        self.poller.today_tasks_ready.connect(self.state.on_tasks_today)
        self.poller.today_tasks_ready.connect(self._tasks_today)
        self.state.set_snoozed_until(self.alerts.snoozed_until)
        self.alerts.snoozed_changed.connect(self.state.set_snoozed_until)
        self.state.paused_changed.connect(self.poller.set_paused)

    @property
    def id(self) -> str:
        return self.account.id

    def name_notifications(self, shown_with_others: bool) -> None:
        """Say the account's name in notification titles when the tray shows several."""
        self.alerts.account_name = self.account.name if shown_with_others else None

    def reconfigure(self, account: Account, config: ClientConfig, cache_key: str) -> None:
        """The account as the settings now have it (a new name changes only what is shown); a new
        address or header fetches again at once, forgetting the block and backoff."""
        self.account = account
        if config != self.config:
            self.config = config
            self.poller.reconfigure(config)
        self.cache_key = cache_key

    def apply_settings(self, settings: Settings, interval_seconds: float | None) -> None:
        self.alerts.apply_settings(settings, self.cache_key)
        self.poller.set_interval(interval_seconds)
        self.state.apply_settings(settings)

    @Slot(object)
    def _forecast_refreshed(self, _window: Snapshot) -> None:
        view = self.state.view  # the state took the window first (connected before this)
        self.alerts.on_forecast(presentation.forecast(view, self._clock()), view.snapshot)
        if view.snapshot is not None and not view.snapshot.from_cache:
            self._save_cache(view.snapshot)  # other views read the forecast there too
        self._radar_refreshed()  # the window is the radar's usual days

    @Slot()
    @Slot(object)
    def _radar_refreshed(self, _answer: object = None) -> None:
        """Today's team summary or the forecast's window arrived or failed (the state took it
        first): the admin's radar as the views show it, for the unusual-member rule (None
        without `by_email`, "unavailable" when one failed: nothing said)."""
        now = self._clock()
        self.alerts.on_radar(presentation.radar(self.state.view, now), now)

    @Slot(object)
    def _tasks_today(self, listing: TaskListing) -> None:
        """Today's ledger (the state took it first): the big-task rule judges it against the
        main snapshot's issued credits, and its figures join the cache (`--once --format
        openmetrics --cached`), beside the snapshot it followed."""
        snapshot = self.state.view.snapshot
        self.alerts.on_tasks(listing, snapshot)
        if snapshot is not None and not snapshot.from_cache:
            self._save_cache(snapshot)

    @Slot(object)
    def _snapshot_answered(self, snapshot: Snapshot) -> None:
        self._failure = self._retry_at = None
        self._save_cache(snapshot)

    @Slot(object)
    def _member_answered(self, member: MemberSnapshot) -> None:
        self._failure = self._retry_at = None
        self._save_member(member)

    def _save_cache(self, snapshot: Snapshot) -> None:
        """The latest snapshot for the next start and for other processes (--once --cached),
        with its forecast, today's task ledger's figures (the reader judges their day) and
        the latest poll's failure; written by `cache_writer` (the latest asked wins)."""
        view = self.state.view
        forecast = presentation.forecast(view, self._clock())
        tasks = view.tasks_today
        key, path = self.cache_key, self.cache_path
        interval = self.poller.schedule.interval_seconds
        forecast_json = forecast.to_json() if forecast else None
        figures = today_tasks.of_listing(tasks) if tasks is not None else None
        retry_at, failure = self._retry_at, self._failure
        self.cache_writer.save(
            lambda: cache.save(
                snapshot,
                key,
                path,
                interval_seconds=interval,
                forecast=forecast_json,
                retry_at=retry_at,
                tasks_today=figures,
                failure=failure,
            )
        )

    def _save_member(self, member: MemberSnapshot) -> None:
        """Member mode's latest answer, in place of a summary's (`--once --cached`, next start)."""
        key, path = self.cache_key, self.cache_path
        interval = self.poller.schedule.interval_seconds
        retry_at, failure = self._retry_at, self._failure
        self.cache_writer.save(
            lambda: cache.save_member(path, key, member, interval, retry_at, failure=failure)
        )

    @Slot(object)
    def _save_retry(self, error: PollError) -> None:
        """The poll failed: the figures are saved again with the failure's kind (`--once
        --format openmetrics --cached` says `neo_up` 0) and, while the tray waits out a
        backoff, when it tries again (other views show the cache, stale, instead of calling
        the API themselves)."""
        delay = self.poller.next_delay
        self._failure = error.kind.value
        self._retry_at = None if delay is None else self._clock() + timedelta(seconds=delay)
        member = self.state.view.member  # the state took the error first: kept if passing
        if member is not None:
            self._save_member(member)
        elif self.state.view.snapshot is not None:
            self._save_cache(self.state.view.snapshot)
