"""The settings' "Test": one real fetch with the settings in the dialog, on the worker thread,
with a client of its own that is closed after it (the accounts' polling is left alone)."""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, Signal, Slot

from desktop.api.client import NeoClient
from desktop.core.query import UsageQuery
from desktop.core.snapshot import Snapshot
from desktop.ui.fetch_worker import (
    ClientConfig,
    ClientFactory,
    Clock,
    fetch_outcome,
    open_client,
    utc_now,
)
from desktop.ui.worker_thread import stop_thread, worker_thread


class _ProbeWorker(QObject):
    """Lives in the worker thread: one fetch per `probe`, its client closed after it."""

    probed = Signal(object)

    def __init__(self, clock: Clock, client_factory: ClientFactory) -> None:
        super().__init__()
        self._clock = clock
        self._open_client = client_factory
        self._client: NeoClient | None = None
        self._stopping = False

    @Slot(object)
    def probe(self, config: ClientConfig) -> None:
        def attempt() -> Snapshot:
            client, _token_tag = self._open_client(config)
            self._client = client
            try:
                return Snapshot(client.fetch_summary(), self._clock())
            finally:
                self._client = None
                client.close()

        outcome = fetch_outcome(attempt, UsageQuery(), self._clock, cut_short=self._stopping)
        self.probed.emit(outcome)

    def cancel(self) -> None:
        """From the UI thread: cut the test in flight short (quitting must not wait for it)."""
        self._stopping = True
        client = self._client
        if client is not None:
            client.cancel()


class Prober(QObject):
    """Tests settings with one real fetch; the answer comes as `probe_finished`.

    Signals:
        probe_finished(Snapshot | PollError): the outcome of one `probe`.
    """

    probe_finished = Signal(object)
    _probe = Signal(object)

    def __init__(
        self,
        thread: QThread | None = None,  # shared with the accounts' pollers; None: its own
        *,
        client_factory: ClientFactory = open_client,
        clock: Clock = utc_now,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._owns_thread = thread is None
        self._thread = thread or worker_thread()
        self._worker = _ProbeWorker(clock, client_factory)
        self._worker.moveToThread(self._thread)
        self._probe.connect(self._worker.probe)
        self._worker.probed.connect(self.probe_finished)

    def probe(self, config: ClientConfig) -> None:
        """Test `config` with one fetch on the worker thread (started here if it is our own)."""
        if self._owns_thread and not self._thread.isRunning():
            self._thread.start()
        self._probe.emit(config)

    def stop(self) -> None:
        """Cut a test in flight short; safe to call twice (a shared thread is its owner's)."""
        self._worker.cancel()
        if self._owns_thread and self._thread.isRunning():
            stop_thread(self._thread)
