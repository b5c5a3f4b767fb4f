"""AppState: the one place on the UI thread that holds the last good snapshot and the last error."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from desktop.core.query import UsageQuery
from desktop.core.snapshot import PollError, Snapshot
from desktop.core.trayview import ViewState


class AppState(QObject):
    """Views render `view`; they never keep their own copy of the numbers."""

    changed = Signal()
    range_snapshot_ready = Signal(object)  # a Snapshot for a query other than the default
    range_failed = Signal(object)  # a PollError for such a query

    def __init__(self, cached: Snapshot | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._view = ViewState(snapshot=cached, loading=True)

    @property
    def view(self) -> ViewState:
        return self._view

    def _update(self, view: ViewState) -> None:
        if view != self._view:
            self._view = view
            self.changed.emit()

    @Slot(object)
    def on_snapshot(self, snapshot: Snapshot) -> None:
        if snapshot.query != UsageQuery():
            self.range_snapshot_ready.emit(snapshot)
            return
        self._update(ViewState(snapshot, None, loading=False, paused=self._view.paused))

    @Slot(object)
    def on_error(self, error: PollError) -> None:
        view = self._view
        self._update(ViewState(view.snapshot, error, loading=False, paused=view.paused))

    @Slot(bool)
    def on_busy(self, busy: bool) -> None:
        view = self._view
        self._update(ViewState(view.snapshot, view.error, loading=busy, paused=view.paused))

    def set_paused(self, paused: bool) -> None:
        view = self._view
        self._update(ViewState(view.snapshot, view.error, loading=view.loading, paused=paused))

    @Slot(object)
    def on_range_error(self, error: PollError) -> None:
        self.range_failed.emit(error)
