"""Polls the usage API off the UI thread: a worker QObject in a QThread, a scheduler on the UI side.

Exactly one request is in flight; the next poll is armed only after a result arrives. Results
cross threads as immutable `Snapshot` / `PollError` values inside queued signals.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from desktop.api.client import NeoClient
from desktop.core.errors import ErrorKind, NeoError, NoToken
from desktop.core.query import AuthScheme, UsageQuery
from desktop.core.schedule import REFRESH_COOLDOWN_SECONDS, PollSchedule
from desktop.core.snapshot import PollError, Snapshot, account_fingerprint
from desktop.system.secrets import load_token

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
CLOCK_JUMP_SECONDS = 120.0
CLOCK_CHECK_MS = 60_000


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ClientConfig:
    """What the worker needs to build its client. `token=None` means: read the keyring."""

    base_url: str
    auth_scheme: AuthScheme = AuthScheme.BEARER
    token: str | None = None


def open_client(config: ClientConfig) -> tuple[NeoClient, str]:
    """A client for `config` and the fingerprint of its token; reads the keyring if needed."""
    token = config.token
    if token is None:
        lookup = load_token()
        if lookup.token is None:
            raise NoToken(
                lookup.keyring_problem
                or "No Neo API token is set: choose “Set token…” in the tray menu.",
                "no token",
            )
        token = lookup.token
    return NeoClient(config.base_url, token, config.auth_scheme), account_fingerprint(token)


class FetchWorker(QObject):
    """Lives in the poller thread; owns the httpx client and the keyring reads."""

    finished = Signal(int, object)  # request id, Snapshot | PollError
    probed = Signal(object)  # Snapshot | PollError of a settings-dialog test

    def __init__(self, config: ClientConfig, clock: Clock) -> None:
        super().__init__()
        self._config = config
        self._clock = clock
        self._client: NeoClient | None = None
        self._account = ""

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
            client, _account = open_client(config)
            with client:
                return Snapshot(client.fetch_summary(), self._clock())

        self.probed.emit(self._outcome(attempt))

    def _outcome(self, attempt: Callable[[], Snapshot]) -> Snapshot | PollError:
        """Run one fetch; every failure becomes a PollError (a bug must not kill the thread)."""
        try:
            return attempt()
        except NeoError as exc:
            log.warning("Fetch failed: %s (%s)", exc.user_message, exc.detail)
            return PollError.from_exception(exc, self._clock(), self._account)
        except Exception:
            log.exception("Unexpected error while fetching the usage summary")
            return PollError(
                ErrorKind.OFFLINE,
                "Unexpected error while fetching usage (see the log).",
                self._clock(),
            )

    @Slot()
    def shutdown(self) -> None:
        self._close_client()

    def _ensure_client(self) -> NeoClient:
        if self._client is None:
            self._client, self._account = open_client(self._config)
        return self._client

    def _close_client(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


class Poller(QObject):
    """The UI-thread side: decides when to fetch, never fetches itself."""

    snapshot_ready = Signal(object)  # Snapshot
    failed = Signal(object)  # PollError of the main poll
    range_failed = Signal(object)  # PollError of a detail-window range request
    busy_changed = Signal(bool)
    probe_finished = Signal(object)  # Snapshot | PollError of `probe`
    _fetch = Signal(int, object)
    _probe = Signal(object)
    _configure = Signal(object)
    _shutdown = Signal()

    def __init__(
        self,
        config: ClientConfig,
        interval_seconds: float | None,
        *,
        clock: Clock = utc_now,
        random_unit: Callable[[], float] = random.random,
        cooldown_seconds: float = REFRESH_COOLDOWN_SECONDS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.schedule = PollSchedule(interval_seconds, random_unit)
        self._clock = clock
        self._cooldown = cooldown_seconds
        self._thread = QThread()
        self._thread.setObjectName("neo-poller")
        self._worker = FetchWorker(config, clock)
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
        self._clock_check.timeout.connect(self._check_clock_jump)
        self._request_id = 0
        self._in_flight: int | None = None
        self._in_flight_query = UsageQuery()
        self._pending: list[UsageQuery] = []  # asked for while a fetch was in flight
        self._last_manual = -1e9
        self._blocked = False  # 401/403/no token: wait for the user
        self._paused = False
        self._running = False
        self._last_success: datetime | None = None
        self._wall_mark = (time.time(), time.monotonic())
        self.next_delay: float | None = None  # seconds the armed timer waits, for views and tests

    # --- life cycle -------------------------------------------------------------------------
    def start(self) -> None:
        if self._running:
            return
        self._running = True
        self._thread.start()
        self._clock_check.start()
        self.poll_now()

    def stop(self) -> None:
        """Stop polling and wait for the worker thread; safe to call twice."""
        self._timer.stop()
        self._clock_check.stop()
        if self._thread.isRunning():
            self._shutdown.emit()
            self._thread.quit()
            if not self._thread.wait(35_000):  # a fetch is bounded by the client's deadline
                log.error("The poller thread did not stop in time")
        self._running = False

    # --- what views ask for -----------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._in_flight is not None

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def blocked(self) -> bool:
        return self._blocked

    def refresh_now(self) -> bool:
        """A user's "Refresh now": never overlaps a fetch, and has a short cooldown."""
        if self.busy or time.monotonic() - self._last_manual < self._cooldown:
            return False
        self._last_manual = time.monotonic()
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
        """Fetch another window (the detail window's periods); the result carries the query."""
        self._queue_or_send(query)

    def probe(self, config: ClientConfig) -> None:
        """Test other settings with one real fetch on the worker thread; see `probe_finished`."""
        self._probe.emit(config)

    def set_interval(self, seconds: float | None) -> None:
        self.schedule.interval_seconds = seconds
        self.schedule.reset()
        if not self.busy and not self._blocked:
            self._arm(seconds)

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
        self._queue_or_send(UsageQuery())

    def _queue_or_send(self, query: UsageQuery) -> None:
        if not self.busy:
            self._send(query)
        elif query != self._in_flight_query and query not in self._pending:
            self._pending.append(query)

    def _send(self, query: UsageQuery) -> None:
        if query == UsageQuery():
            self._timer.stop()
            self.next_delay = None
        self._request_id += 1
        self._in_flight = self._request_id
        self._in_flight_query = query
        self.busy_changed.emit(True)
        self._fetch.emit(self._request_id, query)

    @Slot(int, object)
    def _on_finished(self, request_id: int, result: Snapshot | PollError) -> None:
        if request_id != self._in_flight:
            return
        self._in_flight = None
        main_poll = self._in_flight_query == UsageQuery()
        self.busy_changed.emit(False)
        if isinstance(result, Snapshot):
            if main_poll:
                self._last_success = result.fetched_at
                self._blocked = False
                self._arm(self.schedule.after_success())
            self.snapshot_ready.emit(result)
        elif main_poll or result.needs_user_action:
            self._blocked = result.needs_user_action
            self._arm(self.schedule.after_failure(result))
            self.failed.emit(result)
        else:
            self.range_failed.emit(result)
        if self._blocked:
            self._pending.clear()
        elif self._pending:
            self._send(self._pending.pop(0))

    def _arm(self, delay: float | None) -> None:
        self._timer.stop()
        self.next_delay = delay
        if delay is None or self._paused or not self._running:
            return
        self._timer.start(max(0, round(delay * 1000)))

    @Slot()
    def _check_clock_jump(self) -> None:
        """Suspend/resume shows as wall time running ahead of monotonic time: refresh promptly."""
        wall, mono = time.time(), time.monotonic()
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
