"""Polls the usage API off the UI thread: the UI-side scheduler of one account.

Its decisions (what to send next, what an answer triggers, when the next poll and the forecast
are due, what Retry-After holds) are `core/poll_queue.py`'s; here they meet Qt: the timers, the
signals, and the `FetchWorker` on the worker thread. Exactly one request is in flight; results
cross threads as immutable `Snapshot` / `PollError` values naming the query they answer.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from desktop.core.environment import FORECAST_SECONDS
from desktop.core.member import MemberSnapshot
from desktop.core.poll_queue import Channel, Hold, PollQueue
from desktop.core.presentation import RefreshNote
from desktop.core.query import UsageQuery
from desktop.core.schedule import REFRESH_COOLDOWN_SECONDS, PollSchedule
from desktop.core.snapshot import PollError, Snapshot
from desktop.core.task_channel import PageFailure
from desktop.core.tasks import TasksPage
from desktop.ui.fetch_worker import (
    ClientConfig,
    ClientFactory,
    Clock,
    FetchWorker,
    open_client,
    utc_now,
)
from desktop.ui.worker_thread import stop_thread, worker_thread

log = logging.getLogger(__name__)
CLOCK_CHECK_MS = 60_000


class Poller(QObject):
    """The UI-thread side: decides when to fetch (through its `PollQueue`), never fetches itself.

    Signals:
        snapshot_ready(Snapshot): the main poll succeeded.
        member_ready(MemberSnapshot): the main poll's summary said 403 and `/api/v1/user` gave
            the member's cap (member mode: polling goes on at the interval).
        failed(PollError): the main poll failed (also a range fetch that needs the user, e.g. 401).
        range_ready(Snapshot): a detail-window range fetch succeeded; carries its query.
        range_failed(PollError): a detail-window range fetch failed; carries its query.
        forecast_ready(Snapshot): the forecast's daily window arrived (at most once an interval).
        forecast_failed(PollError): it could not be fetched (the main gauge is not disturbed).
        refresh_refused(RefreshNote): "Refresh now" sent nothing, why, and until when.
        today_tasks_ready(TaskListing): today's task ledger (after a good poll, at most once
            per interval and every 5 minutes); a failure is a listing FORBIDDEN or UNAVAILABLE.
        tasks_ready(TaskListing): a window asked with `request_tasks`; its start and end name it.
        team_today_ready(Snapshot): an admin's summary of today (`radar.today_query`), after a
            good poll whose summary has `by_email`, at most once per poll interval.
        team_today_failed(PollError): it could not be fetched (never the account's failure).

    A server's Retry-After holds every request of the account (main poll, forecast, ranges,
    task pages, "Refresh now") until it ends.
    """

    snapshot_ready = Signal(object)
    member_ready = Signal(object)
    failed = Signal(object)
    range_ready = Signal(object)
    range_failed = Signal(object)
    forecast_ready = Signal(object)
    forecast_failed = Signal(object)
    refresh_refused = Signal(object)
    today_tasks_ready = Signal(object)
    tasks_ready = Signal(object)
    team_today_ready = Signal(object)
    team_today_failed = Signal(object)
    _fetch = Signal(int, object, bool, bool)
    _configure = Signal(object)
    _shutdown = Signal()

    def __init__(
        self,
        config: ClientConfig,
        interval_seconds: float | None,
        *,
        client_factory: ClientFactory = open_client,
        clock: Clock = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        random_unit: Callable[[], float] = random.random,
        cooldown_seconds: float = REFRESH_COOLDOWN_SECONDS,
        forecast_seconds: float | None = FORECAST_SECONDS,  # None: no forecast
        today_tasks: bool = False,  # fetch today's task ledger after good polls
        team_today: bool = False,  # fetch an admin's summary of today after good polls
        thread: QThread | None = None,  # shared with other accounts' pollers; None: its own
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.schedule = PollSchedule(interval_seconds, random_unit)
        self._queue = PollQueue(
            self.schedule,
            clock=clock,
            monotonic=monotonic,
            cooldown_seconds=cooldown_seconds,
            forecast_seconds=forecast_seconds,
            today_tasks=today_tasks,
            team_today=team_today,
        )
        # Several accounts share one thread: its queue runs one request at a time across them.
        self._owns_thread = thread is None
        self._thread = thread or worker_thread()
        self._worker = FetchWorker(config, clock, client_factory)
        self._worker.moveToThread(self._thread)
        self._fetch.connect(self._worker.fetch)
        self._configure.connect(self._worker.configure)
        self._shutdown.connect(self._worker.shutdown)
        self._worker.finished.connect(self._on_finished)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.poll_now)
        self._arms_seen = 0
        self._clock_check = QTimer(self)
        self._clock_check.setInterval(CLOCK_CHECK_MS)
        self._clock_check.timeout.connect(self.check_clock_jump)
        # Wakes the queue when a Retry-After ends (the main timer may not be armed: manual).
        self._hold_timer = QTimer(self)
        self._hold_timer.setSingleShot(True)
        self._hold_timer.timeout.connect(self._send_next)

    # --- life cycle -------------------------------------------------------------------------
    def start(self) -> None:
        if self._queue.running:
            return
        self._worker.cancelled_fetches_end()
        if not self._thread.isRunning():
            self._thread.start()
        self._clock_check.start()
        self._queue.start()
        self._send_next()

    def stop(self) -> None:
        """Stop polling and wait for the worker thread (a request in flight is cut short);
        safe to call twice."""
        self._queue.stop()
        self._sync_timer()
        self._clock_check.stop()
        self._hold_timer.stop()
        if self._thread.isRunning():
            self._worker.cancel()
            self._shutdown.emit()
            if self._owns_thread:
                stop_thread(self._thread)

    def dispose(self) -> None:
        """Stop for good (an account was removed): its worker leaves the shared thread."""
        self.stop()
        self._worker.deleteLater()

    # --- what views ask for -----------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._queue.busy

    @property
    def blocked(self) -> bool:
        return self._queue.blocked

    @property
    def member(self) -> bool:
        """Member mode: the last main poll's answer was a `MemberSnapshot` (a passing failure
        since keeps it; a 200 from the summary, one that needs the user, or a new token or
        address ends it)."""
        return self._queue.member

    @property
    def armed(self) -> bool:
        """Whether a next poll is scheduled."""
        return self._timer.isActive()

    @property
    def next_delay(self) -> float | None:
        """Seconds the armed timer waits, for views and tests; None: no next poll."""
        return self._queue.next_delay

    @property
    def held_until(self) -> datetime | None:
        """When the server's Retry-After ends (wall clock); None when nothing holds requests."""
        return self._queue.held_until

    def refresh_now(self) -> bool:
        """A user's "Refresh now": never overlaps a fetch, waits out Retry-After, and has a
        short cooldown. False when nothing was sent; `refresh_refused` then says why (a fetch
        already on its way needs no word: its answer comes)."""
        answer = self._queue.refresh()
        if isinstance(answer, RefreshNote):
            self.refresh_refused.emit(answer)
            return False
        if answer:
            self._send_next()
        return answer

    def refresh_if_older_than_interval(self) -> None:
        """Called when the menu opens: fetch if the data is older than the interval."""
        if self._queue.data_is_old():
            self.poll_now()

    def request_range(self, query: UsageQuery) -> None:
        """Fetch another window (the detail window's periods, its balance history); see
        `range_ready`. Before `start` (or while the address is not known) it waits for the
        first poll."""
        self._queue.ask_range(query)
        self._send_next()

    def request_tasks(self, start: datetime, end: datetime) -> None:
        """Fetch the task ledger of a window (aware instants; the detail window's Tasks tab),
        page after page; see `tasks_ready` (while the account is blocked: unavailable at once)."""
        answer = self._queue.ask_tasks(start, end)
        if answer is not None:
            self.tasks_ready.emit(answer)
        self._send_next()

    def set_interval(self, seconds: float | None) -> None:
        self._queue.set_interval(seconds)
        self._sync_timer()

    @Slot(bool)
    def set_paused(self, paused: bool) -> None:
        self._queue.set_paused(paused)
        if paused:
            self._sync_timer()
        else:
            self._send_next()

    def reconfigure(self, config: ClientConfig) -> None:
        """New token, URL or scheme: forget the block and the backoff, fetch at once."""
        self._configure.emit(config)
        self._queue.reconfigure()
        self._send_next()

    @Slot()
    def poll_now(self) -> None:
        self._queue.ask_main()
        self._send_next()

    @Slot()
    def check_clock_jump(self) -> None:
        """Suspend/resume shows as wall time running ahead of monotonic time: refresh promptly."""
        if self._queue.clock_jumped():
            log.info("Wall clock jumped (suspend/resume?); refreshing")
            self.on_resume()

    def on_resume(self) -> None:
        self._queue.resume()
        self._send_next()

    @Slot()
    def on_network_online(self) -> None:
        """The network came back: if the last polls failed, try again now."""
        if self.schedule.failures:
            log.info("Network is back; refreshing")
            self.on_resume()

    # --- internals --------------------------------------------------------------------------
    @Slot()
    def _send_next(self) -> None:
        """Carry out the queue's word: send what it gives, or wait out the server's hold."""
        step = self._queue.next_request()
        if isinstance(step, Hold):
            self._hold_timer.start(max(1, round(step.seconds * 1000)))
        elif step is not None:
            main = step.channel is Channel.MAIN
            self._fetch.emit(step.request_id, step.query, main, step.member)
        self._sync_timer()

    def _sync_timer(self) -> None:
        """The main timer as the queue last armed it (restarted only when it armed again)."""
        if self._queue.arms == self._arms_seen:
            return
        self._arms_seen = self._queue.arms
        self._timer.stop()
        delay = self._queue.armed_delay
        if delay is not None:
            self._timer.start(max(0, round(delay * 1000)))

    @Slot(int, object)
    def _on_finished(
        self,
        request_id: int,
        result: Snapshot | MemberSnapshot | PollError | TasksPage | PageFailure,
    ) -> None:
        finished = self._queue.finish(request_id, result)
        if finished is None:
            return  # an answer nobody waits for any more
        self._sync_timer()
        self._emit_result(finished.channel, finished.failed, result)
        for listing in finished.window_tasks:
            self.tasks_ready.emit(listing)
        if finished.today_tasks is not None:
            self.today_tasks_ready.emit(finished.today_tasks)
        self._send_next()

    def _emit_result(self, channel: Channel, failed: bool, result: Any) -> None:
        if channel is Channel.TASKS:
            return  # said when its listing ends
        if channel is Channel.MAIN:
            if isinstance(result, Snapshot):
                self.snapshot_ready.emit(result)
            elif isinstance(result, MemberSnapshot):
                self.member_ready.emit(result)
            else:
                self.failed.emit(result)
        elif channel is Channel.RANGE:
            if isinstance(result, Snapshot):
                self.range_ready.emit(result)
            else:
                self.range_failed.emit(result)
                if failed:
                    self.failed.emit(result)
        elif channel is Channel.TEAM_TODAY:
            if isinstance(result, Snapshot):
                self.team_today_ready.emit(result)
            else:
                self.team_today_failed.emit(result)
        elif isinstance(result, Snapshot):
            self.forecast_ready.emit(result)
        else:
            self.forecast_failed.emit(result)
