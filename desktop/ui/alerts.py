"""Turns poll outcomes (a summary, a member's cap, a failure), forecasts, today's tasks and an
admin's radar into native notifications: rules decide, the notifier delivers, the memory of what
was sent is saved so restarts and flaky networks never repeat one."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Signal, Slot

from desktop.core.forecast import Forecast
from desktop.core.i18n import _
from desktop.core.instants import parse_instant
from desktop.core.member import MemberSnapshot
from desktop.core.radar import Radar
from desktop.core.rules.decisions import (
    evaluate,
    evaluate_forecast,
    evaluate_radar,
    evaluate_tasks,
)
from desktop.core.rules.memory import AccountContext, NotifyMemory, SnoozeChoice, apply_snooze
from desktop.core.rules.messages import Notification
from desktop.core.settings import Settings
from desktop.core.snapshot import PollError, Snapshot
from desktop.core.tasks import TaskListing
from desktop.system import notify_store

log = logging.getLogger(__name__)


class Delivers(Protocol):
    """What the alert center needs of a notifier."""

    def notify(self, note: Notification) -> None: ...


class AlertCenter(QObject):
    """Evaluates the main poll's outcomes against the notification rules.

    Signals:
        details_requested(): the user chose "Open details" on a notification.
        snoozed_changed(datetime | None): notifications are snoozed until then (None: not).
    """

    details_requested = Signal()
    snoozed_changed = Signal(object)

    def __init__(
        self,
        notifier: Delivers,
        settings: Settings,
        cache_key: str,
        memory_path: Path,
        *,
        clock: Callable[[], datetime],
        account_id: str = "",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._account_id = account_id
        #: Said in each title when the tray shows several accounts; None: one account.
        self.account_name: str | None = None
        self._notifier = notifier
        self._settings = settings
        self._cache_key = cache_key
        self._path = memory_path
        self._clock = clock
        self.memory = notify_store.load(memory_path)
        self._last_forecast: Forecast | None = None  # not kept across runs: agree twice first
        #: The token tag of the last poll outcome: whose memory a radar's notification joins.
        self._token_tag = ""

    def apply_settings(self, settings: Settings, cache_key: str) -> None:
        self._settings = settings
        self._cache_key = cache_key

    @Slot(object)
    def on_snapshot(self, snapshot: Snapshot) -> None:
        self._evaluate(snapshot, snapshot.token_tag)

    @Slot(object)
    def on_error(self, error: PollError) -> None:
        self._evaluate(error, error.token_tag)

    @Slot(object)
    def on_member(self, snapshot: MemberSnapshot) -> None:
        """The main poll answered in member mode: the cap's warnings (low, critical, reached)."""
        self._evaluate(snapshot, snapshot.token_tag)

    def on_radar(self, radar: Radar | None, now: datetime | None = None) -> None:
        """An admin's radar (`core/radar.compute`, after today's per-member answer or the
        forecast's window): each unusual member is said once a local day. `now` defaults to
        the clock; None (no radar: not an admin's summary) says nothing."""
        if radar is None:
            return
        self._send(
            *evaluate_radar(
                self.memory,
                self._context(self._token_tag),
                radar,
                now=now or self._clock(),
                settings=self._settings,
            )
        )

    def on_forecast(self, forecast: Forecast | None, snapshot: Snapshot | None) -> None:
        """A forecast refresh (its daily window arrived): tell it only if the last one agrees."""
        previous, self._last_forecast = self._last_forecast, forecast
        if snapshot is None:
            return
        self._send(
            *evaluate_forecast(
                self.memory,
                self._context(snapshot.token_tag),
                forecast,
                previous,
                issued=snapshot.summary.total_issued_neo_credits,
                now=self._clock(),
                settings=self._settings,
            )
        )

    def on_tasks(self, listing: TaskListing, snapshot: Snapshot | None) -> None:
        """Today's task ledger arrived: a task over the settings' limit (a share of `snapshot`'s
        issued credits, or credits) is said once."""
        self._send(
            *evaluate_tasks(
                self.memory,
                self._context(snapshot.token_tag if snapshot else ""),
                listing,
                issued=snapshot.summary.total_issued_neo_credits if snapshot else None,
                now=self._clock(),
                settings=self._settings,
            )
        )

    def _context(self, token_tag: str) -> AccountContext:
        return AccountContext(self._cache_key.rstrip("/"), token_tag or "none")

    def _evaluate(self, outcome: Snapshot | MemberSnapshot | PollError, token_tag: str) -> None:
        self._token_tag = token_tag
        context = self._context(token_tag)
        self._send(*evaluate(self.memory, context, outcome, self._clock(), self._settings))

    def _send(self, notes: list[Notification], memory: NotifyMemory) -> None:
        """Keep what the rules remember, then deliver what they decided."""
        self._remember(memory)
        for note in notes:
            title = note.title
            if self.account_name:
                title = _("{account}: {title}").format(account=self.account_name, title=title)
            self._notifier.notify(replace(note, title=title, account_id=self._account_id))

    def _remember(self, memory: NotifyMemory) -> None:
        if memory != self.memory:
            snoozed = memory.snoozed_until != self.memory.snoozed_until
            self.memory = memory
            notify_store.save(memory, self._path)
            if snoozed:
                self.snoozed_changed.emit(self.snoozed_until)

    @property
    def snoozed_until(self) -> datetime | None:
        """When the snooze ends; None when notifications are not snoozed (or it has ended)."""
        if not self.memory.snoozed(self._clock()):
            return None
        return parse_instant(self.memory.snoozed_until)

    @Slot(object)
    def snooze(self, choice: SnoozeChoice) -> None:
        self._remember(apply_snooze(self.memory, choice, self._clock()))

    @Slot(str)
    def on_action(self, action: str) -> None:
        """An action chosen on one of our notifications."""
        if action == "snooze":
            self.snooze(SnoozeChoice.HOUR)
        elif action == "details":
            self.details_requested.emit()
