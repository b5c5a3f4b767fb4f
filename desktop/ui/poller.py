"""Polls the usage API off the UI thread: a worker QObject in a QThread, a scheduler on the UI side.

Exactly one request is in flight; the next poll is armed only after a result arrives. Results
cross threads as immutable `Snapshot` / `PollError` values inside queued signals, the main poll's
and the detail window's range fetches on separate signals.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from desktop.api.client import NeoClient
from desktop.core.accounts import DEFAULT_ID
from desktop.core.environment import FORECAST_SECONDS
from desktop.core.errors import ErrorKind, NeoError
from desktop.core.forecast import window_query
from desktop.core.i18n import _
from desktop.core.presentation import RefreshNote, RefreshRefusal
from desktop.core.query import AuthScheme, UsageQuery
from desktop.core.schedule import REFRESH_COOLDOWN_SECONDS, PollSchedule
from desktop.core.snapshot import PollError, Snapshot, account_fingerprint
from desktop.system.secrets import load_token

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
CLOCK_JUMP_SECONDS = 120.0
MAX_PENDING_RANGES = 4
#: How long quitting waits for the worker thread. Its fetch is cut short (`FetchWorker.cancel`)
#: and its keyring wait abandoned (`secrets.abandon_keyring_waits`), so it ends within
#: milliseconds; a thread stuck anyway is left behind (see `threads_left_behind`).
STOP_WAIT_MS = 1_000
_LEFT_BEHIND: list[QThread] = []
CLOCK_CHECK_MS = 60_000


def utc_now() -> datetime:
    return datetime.now(UTC)


class Channel(Enum):
    """Which kind of request is in flight: each has its own result signals."""

    MAIN = "main"
    RANGE = "range"
    FORECAST = "forecast"


@dataclass(frozen=True)
class ClientConfig:
    """What the worker needs to build its client. `token=None` means: read the keyring."""

    base_url: str
    auth_scheme: AuthScheme = AuthScheme.BEARER
    token: str | None = None
    account_id: str = DEFAULT_ID  # whose keyring entry (or token file) to read


def open_client(config: ClientConfig) -> tuple[NeoClient, str]:
    """A client for `config` and the fingerprint of its token; reads the keyring if needed."""
    token = config.token
    if token is None:
        token = load_token(account_id=config.account_id).required(config.account_id)
    return NeoClient(config.base_url, token, config.auth_scheme), account_fingerprint(token)


def worker_thread() -> QThread:
    """The thread fetches run on (one for every account, so one request at a time)."""
    thread = QThread()
    thread.setObjectName("neo-poller")
    return thread


def stop_thread(thread: QThread, wait_ms: int = STOP_WAIT_MS) -> None:
    """End a worker thread, cutting short nothing itself: callers cancel their fetches first."""
    thread.quit()
    if not thread.wait(wait_ms):
        # Never destroy a running QThread (Qt aborts): keep it until the process ends.
        log.error("The poller thread did not stop in time; leaving it behind")
        thread.setParent(None)
        _LEFT_BEHIND.append(thread)


def threads_left_behind() -> list[QThread]:
    """Worker threads `stop_thread` could not stop that still run: the process must then end
    without destroying them (`os._exit`), or Qt aborts it."""
    return [thread for thread in _LEFT_BEHIND if thread.isRunning()]


#: Builds the worker's client for a config (tests hand in their own).
ClientFactory = Callable[[ClientConfig], tuple[NeoClient, str]]


class FetchWorker(QObject):
    """Lives in the poller thread; owns the httpx client and the keyring reads.

    Signals:
        finished(int, Snapshot | PollError): the request id and the outcome of one fetch.
        probed(Snapshot | PollError): the outcome of a settings-dialog test.
    """

    finished = Signal(int, object)
    probed = Signal(object)

    def __init__(self, config: ClientConfig, clock: Clock, client_factory: ClientFactory) -> None:
        super().__init__()
        self._config = config
        self._clock = clock
        self._open_client = client_factory
        self._client: NeoClient | None = None
        self._probe_client: NeoClient | None = None
        self._account = ""
        self._stopping = False  # set by `cancel`: what fails now was cut short on purpose

    @Slot(object)
    def configure(self, config: ClientConfig) -> None:
        self._close_client()
        self._config = config

    @Slot(int, object)
    def fetch(self, request_id: int, query: UsageQuery) -> None:
        def attempt() -> Snapshot:
            client = self._ensure_client()
            summary = client.fetch_summary(query)
            return Snapshot(summary, self._clock(), query, account=self._account)

        result = self._outcome(attempt)
        if isinstance(result, PollError) and result.needs_user_action:
            self._close_client()  # re-read the token next time
        self.finished.emit(request_id, result)

    @Slot(object)
    def probe(self, config: ClientConfig) -> None:
        """One fetch with other settings (the dialog's "Test"), leaving the poll client alone."""

        def attempt() -> Snapshot:
            client, _account = self._open_client(config)
            self._probe_client = client
            try:
                return Snapshot(client.fetch_summary(), self._clock())
            finally:
                self._probe_client = None
                client.close()

        self.probed.emit(self._outcome(attempt))

    def cancel(self) -> None:
        """Called from the UI thread: end the fetch in flight now (quitting must not wait for a
        stuck server). Safe from any thread: it only shuts the request's sockets down."""
        self._stopping = True
        for client in (self._client, self._probe_client):
            if client is not None:
                client.cancel()

    def _outcome(self, attempt: Callable[[], Snapshot]) -> Snapshot | PollError:
        """Run one fetch; every failure becomes a PollError (a bug must not kill the thread)."""
        try:
            return attempt()
        except NeoError as exc:
            level = logging.INFO if self._stopping else logging.WARNING
            log.log(level, "Fetch failed: %s (%s)", exc.user_message, exc.detail)
            return PollError.from_exception(exc, self._clock(), self._account)
        except Exception:
            log.exception("Unexpected error while fetching the usage summary")
            return PollError(
                ErrorKind.OFFLINE,
                _("Unexpected error while fetching usage (see the log)."),
                self._clock(),
            )

    def cancelled_fetches_end(self) -> None:
        """The poller starts (again): failures are worth a warning again."""
        self._stopping = False

    @Slot()
    def shutdown(self) -> None:
        self._close_client()

    def _ensure_client(self) -> NeoClient:
        if self._client is None:
            self._client, self._account = self._open_client(self._config)
        return self._client

    def _close_client(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


class Poller(QObject):
    """The UI-thread side: decides when to fetch, never fetches itself.

    Signals:
        snapshot_ready(Snapshot): the main poll succeeded.
        failed(PollError): the main poll failed (also a range fetch that needs the user, e.g. 401).
        range_ready(Snapshot): a detail-window range fetch succeeded; carries its query.
        range_failed(PollError): a detail-window range fetch failed.
        forecast_ready(Snapshot): the forecast's daily window arrived (at most once an interval).
        forecast_failed(PollError): it could not be fetched (the main gauge is not disturbed).
        probe_finished(Snapshot | PollError): the outcome of `probe` (the settings' "Test").
        refresh_refused(RefreshNote): "Refresh now" sent nothing, why, and until when.

    A server's Retry-After holds every request of the account (main poll, forecast, ranges,
    "Refresh now") until it ends; only `probe` (the settings' Test) is exempt.
    """

    snapshot_ready = Signal(object)
    failed = Signal(object)
    range_ready = Signal(object)
    range_failed = Signal(object)
    forecast_ready = Signal(object)
    forecast_failed = Signal(object)
    probe_finished = Signal(object)
    refresh_refused = Signal(object)
    _fetch = Signal(int, object)
    _probe = Signal(object)
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
        thread: QThread | None = None,  # shared with other accounts' pollers; None: its own
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.schedule = PollSchedule(interval_seconds, random_unit)
        self._forecast_seconds = forecast_seconds
        self._forecast_due_at: float | None = None  # monotonic; None: at the next good poll
        self._credit_epoch: tuple[object, ...] | None = None
        self._clock = clock
        self._monotonic = monotonic
        self._cooldown = cooldown_seconds
        # Several accounts share one thread: its queue runs one request at a time across them.
        self._owns_thread = thread is None
        self._thread = thread or worker_thread()
        self._worker = FetchWorker(config, clock, client_factory)
        self._worker.moveToThread(self._thread)
        self._fetch.connect(self._worker.fetch)
        self._configure.connect(self._worker.configure)
        self._shutdown.connect(self._worker.shutdown)
        self._probe.connect(self._worker.probe)
        self._worker.probed.connect(self.probe_finished)
        self._worker.finished.connect(self._on_finished)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.poll_now)
        self._clock_check = QTimer(self)
        self._clock_check.setInterval(CLOCK_CHECK_MS)
        self._clock_check.timeout.connect(self.check_clock_jump)
        # Wakes the queue when a Retry-After ends (the main timer may not be armed: manual).
        self._hold_timer = QTimer(self)
        self._hold_timer.setSingleShot(True)
        self._hold_timer.timeout.connect(self._send_next)
        self._hold_until: float | None = None  # monotonic end of the server's Retry-After
        self._hold_until_wall: datetime | None = None  # the same, for what views say
        self._request_id = 0
        self._in_flight: int | None = None
        self._in_flight_channel = Channel.MAIN
        self._main_pending = False  # asked for while a fetch was in flight
        self._range_pending: list[UsageQuery] = []  # the window's ranges, oldest first
        self._forecast_pending = False
        self._last_manual = -1e9
        self._blocked = False  # 401/403/no token: wait for the user
        self._paused = False  # follows AppState.paused, the one home of pause
        self._running = False
        self._last_success: datetime | None = None
        self._wall_mark = (self._wall_seconds(), monotonic())
        self.next_delay: float | None = None  # seconds the armed timer waits, for views and tests

    # --- life cycle -------------------------------------------------------------------------
    def start(self) -> None:
        if self._running:
            return
        self._running = True
        self._worker.cancelled_fetches_end()
        if not self._thread.isRunning():
            self._thread.start()
        self._clock_check.start()
        self.poll_now()  # a range asked for before the start follows it

    def stop(self) -> None:
        """Stop polling and wait for the worker thread (a request in flight is cut short);
        safe to call twice."""
        self._timer.stop()
        self._clock_check.stop()
        self._hold_timer.stop()
        if self._thread.isRunning():
            self._worker.cancel()
            self._shutdown.emit()
            if self._owns_thread:
                stop_thread(self._thread)
        self._running = False
        self._in_flight = None

    def dispose(self) -> None:
        """Stop for good (an account was removed): its worker leaves the shared thread."""
        self.stop()
        self._worker.deleteLater()

    # --- what views ask for -----------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._in_flight is not None

    @property
    def blocked(self) -> bool:
        return self._blocked

    @property
    def armed(self) -> bool:
        """Whether a next poll is scheduled."""
        return self._timer.isActive()

    @property
    def held_until(self) -> datetime | None:
        """When the server's Retry-After ends (wall clock); None when nothing holds requests."""
        if self._hold_until is None or self._monotonic() >= self._hold_until:
            return None
        return self._hold_until_wall

    def refresh_now(self) -> bool:
        """A user's "Refresh now": never overlaps a fetch, waits out Retry-After, and has a
        short cooldown. False when nothing was sent; `refresh_refused` then says why (a fetch
        already on its way needs no word: its answer comes)."""
        if self.busy:
            return False
        held = self.held_until
        if held is not None:
            self.refresh_refused.emit(RefreshNote(RefreshRefusal.RATE_LIMITED, held))
            return False
        left = self._cooldown - (self._monotonic() - self._last_manual)
        if left > 0:
            until = self._clock() + timedelta(seconds=left)
            self.refresh_refused.emit(RefreshNote(RefreshRefusal.JUST_REFRESHED, until))
            return False
        self._last_manual = self._monotonic()
        self._blocked = False
        self.poll_now()
        return True

    def refresh_if_older_than_interval(self) -> None:
        """Called when the menu opens: fetch if the data is older than the interval."""
        interval = self.schedule.interval_seconds
        if interval is None or self._blocked or self._paused or self.busy:
            return
        last = self._last_success
        if last is None or (self._clock() - last).total_seconds() >= interval:
            self.poll_now()

    def request_range(self, query: UsageQuery) -> None:
        """Fetch another window (the detail window's periods, its balance history); see
        `range_ready`. Before `start` (or while the address is not known) it waits for the
        first poll."""
        if query in self._range_pending:
            return
        self._range_pending.append(query)
        del self._range_pending[:-MAX_PENDING_RANGES]  # an old range nobody waits for
        self._send_next()

    def probe(self, config: ClientConfig) -> None:
        """Test other settings with one real fetch on the worker thread; see `probe_finished`."""
        self._probe.emit(config)

    def set_interval(self, seconds: float | None) -> None:
        self.schedule.interval_seconds = seconds
        self.schedule.reset()
        if not self.busy and not self._blocked:
            self._arm(seconds)

    @Slot(bool)
    def set_paused(self, paused: bool) -> None:
        self._paused = paused
        if paused:
            self._timer.stop()
            self.next_delay = None
        elif not self.busy:
            self.poll_now()

    def reconfigure(self, config: ClientConfig) -> None:
        """New token, URL or scheme: forget the block and the backoff, fetch at once."""
        self._configure.emit(config)
        self._blocked = False
        self.schedule.reset()
        if not self.busy and self._running:
            self.poll_now()

    # --- internals --------------------------------------------------------------------------
    @Slot()
    def poll_now(self) -> None:
        if self._paused or not self._running:
            return
        if self.busy and self._in_flight_channel is Channel.MAIN:
            return  # the answer on its way is the one asked for
        self._main_pending = True
        self._send_next()

    @Slot()
    def _send_next(self) -> None:
        """Send what waits, the main poll first; one request at a time; nothing while the
        server's Retry-After lasts (what waits goes when it ends)."""
        if self.busy or not self._running:
            return
        if self._hold_until is not None:
            left = self._hold_until - self._monotonic()
            if left > 0:
                self._hold_timer.start(max(1, round(left * 1000)))
                return
            self._hold_until = self._hold_until_wall = None
        if self._main_pending and not self._paused:
            self._main_pending = False
            self._timer.stop()
            self.next_delay = None
            self._send(Channel.MAIN, UsageQuery())
        elif self._blocked:
            return
        elif self._forecast_pending:
            self._forecast_pending = False
            self._send(Channel.FORECAST, window_query(self._clock()))
        elif self._range_pending:
            self._send(Channel.RANGE, self._range_pending.pop(0))

    def _send(self, channel: Channel, query: UsageQuery) -> None:
        self._request_id += 1
        self._in_flight = self._request_id
        self._in_flight_channel = channel
        self._fetch.emit(self._request_id, query)

    @Slot(int, object)
    def _on_finished(self, request_id: int, result: Snapshot | PollError) -> None:
        if request_id != self._in_flight:
            return
        self._in_flight = None
        if isinstance(result, PollError) and result.retry_after is not None:
            self._hold(result.retry_after)
        finish = {
            Channel.MAIN: self._main_finished,
            Channel.RANGE: self._range_finished,
            Channel.FORECAST: self._forecast_finished,
        }
        finish[self._in_flight_channel](result)
        if self._blocked:
            self._range_pending.clear()
            self._forecast_pending = False
        self._send_next()

    def _main_finished(self, result: Snapshot | PollError) -> None:
        if isinstance(result, Snapshot):
            self._last_success = result.fetched_at
            self._blocked = False
            self._arm(self.schedule.after_success())
            self._forecast_if_due(result)
            self.snapshot_ready.emit(result)
        else:
            self._fail(result)

    def _forecast_if_due(self, snapshot: Snapshot) -> None:
        """The forecast's window at most once an interval, and again after a reset or top-up."""
        if self._forecast_seconds is None:
            return
        summary = snapshot.summary
        epoch = (summary.last_credit_reset, summary.total_issued_neo_credits)
        changed = self._credit_epoch is not None and epoch != self._credit_epoch
        self._credit_epoch = epoch
        due = self._forecast_due_at is None or self._monotonic() >= self._forecast_due_at
        if due or changed:
            self._forecast_pending = True
            self._forecast_due_at = self._monotonic() + self._forecast_seconds

    def _range_finished(self, result: Snapshot | PollError) -> None:
        if isinstance(result, Snapshot):
            self.range_ready.emit(result)
            return
        self.range_failed.emit(result)
        if result.needs_user_action:  # the token or the settings are wrong for every fetch
            self._fail(result)

    def _forecast_finished(self, result: Snapshot | PollError) -> None:
        if isinstance(result, Snapshot):
            self.forecast_ready.emit(result)
            return
        # Never a block or a backoff of the main poll; try again sooner than a full interval.
        self._forecast_due_at = self._monotonic() + (self._forecast_seconds or 0.0) / 4
        self.forecast_failed.emit(result)

    def _hold(self, seconds: float) -> None:
        """The server said when to ask again: nothing of this account goes before (the main
        poll's timer is pushed past it; a range or forecast 429 binds the main poll too)."""
        seconds = max(0.0, seconds)
        until = self._monotonic() + seconds
        if self._hold_until is None or until > self._hold_until:
            self._hold_until = until
            self._hold_until_wall = self._clock() + timedelta(seconds=seconds)
        if self._timer.isActive() and self._timer.remainingTime() < seconds * 1000:
            self._arm(seconds)

    def _fail(self, error: PollError) -> None:
        self._blocked = error.needs_user_action
        self._arm(self.schedule.after_failure(error))
        self.failed.emit(error)

    def _arm(self, delay: float | None) -> None:
        self._timer.stop()
        self.next_delay = delay
        if delay is None or self._paused or not self._running:
            return
        self._timer.start(max(0, round(delay * 1000)))

    def _wall_seconds(self) -> float:
        return self._clock().timestamp()

    @Slot()
    def check_clock_jump(self) -> None:
        """Suspend/resume shows as wall time running ahead of monotonic time: refresh promptly."""
        wall, mono = self._wall_seconds(), self._monotonic()
        last_wall, last_mono = self._wall_mark
        self._wall_mark = (wall, mono)
        if abs((wall - last_wall) - (mono - last_mono)) > CLOCK_JUMP_SECONDS:
            log.info("Wall clock jumped (suspend/resume?); refreshing")
            self.on_resume()

    def on_resume(self) -> None:
        if not self._blocked and not self.busy:
            self.schedule.reset()
            self.poll_now()

    @Slot()
    def on_network_online(self) -> None:
        """The network came back: if the last polls failed, try again now."""
        if self.schedule.failures:
            log.info("Network is back; refreshing")
            self.on_resume()
