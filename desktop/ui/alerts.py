"""Turns poll outcomes (a summary, a member's cap, a failure), forecasts, today's tasks and an
admin's radar into native notifications: rules decide, the notifier delivers, the memory of what
was sent is saved so restarts and flaky networks never repeat one."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QObject, Signal, Slot

from desktop.core import hooks
from desktop.core.forecast import Forecast
from desktop.core.i18n import _
from desktop.core.instants import parse_instant
from desktop.core.member import MemberSnapshot
from desktop.core.radar import Radar
from desktop.core.rules.decisions import evaluate, evaluate_forecast, evaluate_tasks
from desktop.core.rules.memory import (
    AccountContext,
    NotifyMemory,
    SentKey,
    SnoozeChoice,
    apply_snooze,
)
from desktop.core.rules.messages import Notification
from desktop.core.rules.spikes import evaluate_radar
from desktop.core.settings import Settings
from desktop.core.snapshot import PollError, Snapshot
from desktop.core.tasks import TaskListing
from desktop.system import notify_store

log = logging.getLogger(__name__)


class Delivers(Protocol):
    """What the alert center needs of a notifier."""

    def notify(self, note: Notification) -> None: ...


@runtime_checkable
class RunsHooks(Protocol):
    """A notifier that also runs the settings' event hook (`ui/hook_slot.HookedNotifier`)."""

    def run_hook(self, note: Notification) -> None: ...


#: What the alert center asks the rules: the notes and memory that follow from a memory.
Decide = Callable[[NotifyMemory], tuple[list[Notification], NotifyMemory]]


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
        #: The notifier's hook, if it runs one: told of each note whose switch is on, snoozed
        #: or not; the memory keys of the notes hooked while snoozed (`core/hooks`).
        self._hooks = notifier if isinstance(notifier, RunsHooks) else None
        self._hooked: dict[SentKey, None] = {}

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
        self._decide(
            lambda memory: evaluate_radar(
                memory,
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
        self._decide(
            lambda memory: evaluate_forecast(
                memory,
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
        self._decide(
            lambda memory: evaluate_tasks(
                memory,
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
        self._decide(
            lambda memory: evaluate(memory, context, outcome, self._clock(), self._settings)
        )

    def _decide(self, decide: Decide) -> None:
        """Ask the rules, keep what they remember, deliver what they decided, then run the hook
        for it; snoozed, for what they would have said (once: `hooks.while_snoozed`)."""
        before = self.memory
        notes, memory = decide(before)
        self._send(notes, memory)
        if self._hooks is None:
            return
        if before.snoozed(self._clock()):
            would, would_memory = decide(replace(before, snoozed_until=None))
            chosen = hooks.while_snoozed(would, before, would_memory, self._hooked)
        else:
            chosen = hooks.when_shown(notes, before, memory, self._hooked)
        self._hooked = chosen.remembered
        for note in chosen.hooked:
            self._hooks.run_hook(self._addressed(note))

    def _send(self, notes: list[Notification], memory: NotifyMemory) -> None:
        """Keep what the rules remember, then deliver what they decided."""
        self._remember(memory)
        for note in notes:
            self._notifier.notify(self._addressed(note))

    def _addressed(self, note: Notification) -> Notification:
        """`note` as shown: the account's name in its title when there are several, its id."""
        title = note.title
        if self.account_name:
            title = _("{account}: {title}").format(account=self.account_name, title=title)
        return replace(note, title=title, account_id=self._account_id)

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
