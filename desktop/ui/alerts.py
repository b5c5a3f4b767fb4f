"""Turns poll outcomes into native notifications: rules decide, the notifier delivers, the memory
of what was sent is saved so restarts and flaky networks never repeat one."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from desktop.core import rules
from desktop.core.query import UsageQuery
from desktop.core.settings import Settings
from desktop.core.snapshot import PollError, Snapshot
from desktop.system import notify_store
from desktop.ui.notifier import Notifier

log = logging.getLogger(__name__)


class AlertCenter(QObject):
    details_requested = Signal()
    snooze_changed = Signal(bool)

    def __init__(
        self,
        notifier: Notifier,
        settings: Callable[[], Settings],
        base_url: str,
        memory_path: Path,
        *,
        clock: Callable[[], datetime],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._notifier = notifier
        self._settings = settings
        self._base_url = base_url
        self._path = memory_path
        self._clock = clock
        self.memory = notify_store.load(memory_path)
        notifier.action_invoked.connect(self._on_action)

    def set_base_url(self, base_url: str) -> None:
        self._base_url = base_url

    @property
    def snoozed(self) -> bool:
        return self.memory.snoozed(self._clock())

    @Slot(object)
    def on_snapshot(self, snapshot: Snapshot) -> None:
        if snapshot.query == UsageQuery():
            self._evaluate(snapshot, snapshot.account)

    @Slot(object)
    def on_error(self, error: PollError) -> None:
        self._evaluate(error, error.account)

    def _evaluate(self, outcome: Snapshot | PollError, account: str) -> None:
        context = rules.AccountContext(self._base_url.rstrip("/"), account or "none")
        notes, memory = rules.evaluate(
            self.memory, context, outcome, self._clock(), self._settings()
        )
        self._remember(memory)
        for note in notes:
            self._notifier.notify(note)

    def _remember(self, memory: rules.NotifyMemory) -> None:
        if memory != self.memory:
            self.memory = memory
            notify_store.save(memory, self._path)

    def snooze_for_an_hour(self) -> None:
        self._remember(rules.snooze_for_an_hour(self.memory, self._clock()))
        self.snooze_changed.emit(True)

    def snooze_until_tomorrow(self) -> None:
        self._remember(rules.snooze_until_tomorrow(self.memory, self._clock()))
        self.snooze_changed.emit(True)

    def resume(self) -> None:
        self._remember(replace(self.memory, snoozed_until=None))
        self.snooze_changed.emit(False)

    @Slot(str)
    def _on_action(self, action: str) -> None:
        if action == "snooze":
            self.snooze_for_an_hour()
        elif action == "details":
            self.details_requested.emit()
