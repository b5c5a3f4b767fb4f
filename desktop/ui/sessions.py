"""The session set: one `AccountSession` per account in use, created, reconfigured, reordered and
disposed as the settings change, and the intents that go to every account at once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from PySide6.QtCore import QObject, QThread, Signal

from desktop.core.accounts import Account
from desktop.core.query import UsageQuery
from desktop.core.rules.memory import SnoozeChoice
from desktop.core.settings import Settings
from desktop.system.settings_store import LoadedSettings
from desktop.ui import startup_repair
from desktop.ui.alerts import Delivers
from desktop.ui.connection import ConnectionPolicy
from desktop.ui.fetch_worker import ClientFactory
from desktop.ui.session import AccountSession


class AccountSessions(QObject):
    """The accounts' sessions, in the settings' order (iterable, indexable, never empty).

    Every session's pollers run on `thread`. Signals (each naming the account's id):
        failed(str, PollError): a main poll failed.
        range_answered(str, Snapshot | PollError): a range's answer, for the page that asked.
        tasks_answer(str, TaskListing): a window's task ledger asked with `request_tasks`
            (its start and end name the window; FORBIDDEN or UNAVAILABLE when it failed).
        details_requested(str): a notification's "Open details".
    """

    failed = Signal(str, object)
    range_answered = Signal(str, object)
    tasks_answer = Signal(str, object)
    details_requested = Signal(str)

    def __init__(
        self,
        settings: Settings,
        policy: ConnectionPolicy,
        *,
        notifier: Delivers,
        clock: Callable[[], datetime],
        client_factory: ClientFactory,
        thread: QThread,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._policy = policy
        self._notifier = notifier
        self._clock = clock
        self._client_factory = client_factory
        self._thread = thread
        self._sessions = [
            self._new(account, settings) for account in policy.accounts_in_use(settings)
        ]

    def __iter__(self) -> Iterator[AccountSession]:
        return iter(self._sessions)

    def __len__(self) -> int:
        return len(self._sessions)

    def __getitem__(self, index: int) -> AccountSession:
        return self._sessions[index]

    def get(self, account_id: str) -> AccountSession | None:
        return next((s for s in self._sessions if s.id == account_id), None)

    def _new(self, account: Account, settings: Settings) -> AccountSession:
        session = AccountSession(
            account,
            self._policy.current_config(account),
            settings,
            cache_key=self._policy.cache_key(account),
            interval_seconds=self._policy.interval_seconds(settings),
            forecast_seconds=self._policy.forecast_seconds(),
            notifier=self._notifier,
            clock=self._clock,
            client_factory=self._client_factory,
            thread=self._thread,
            parent=self,
        )
        ident = session.id
        session.poller.failed.connect(lambda error: self.failed.emit(ident, error))
        # Range answers go to the page that asked (the account's), never through its state.
        for answered in (session.poller.range_ready, session.poller.range_failed):
            answered.connect(lambda answer: self.range_answered.emit(ident, answer))
        session.poller.tasks_ready.connect(lambda listing: self.tasks_answer.emit(ident, listing))
        session.alerts.details_requested.connect(lambda: self.details_requested.emit(ident))
        return session

    def start(self, loaded: LoadedSettings) -> list[AccountSession]:
        """Start polling, except accounts whose address was lost: those show why and are
        returned, for the user to set (their token is sent nowhere meanwhile)."""
        lost = [s for s in self._sessions if self._policy.address_unknown(s.account)]
        for session in lost:
            session.state.on_error(
                startup_repair.address_lost(session.account, loaded, self._clock())
            )
        for session in self._sessions:
            if session not in lost:
                session.poller.start()
        return lost

    def follow(self, settings: Settings) -> None:
        """The accounts as `settings` have them: added (started by `apply_settings`), changed
        (a new address or header fetches again), reordered or removed."""
        kept: list[AccountSession] = []
        for account in self._policy.accounts_in_use(settings):
            session = self.get(account.id)
            if session is None:
                session = self._new(account, settings)  # started below
            else:
                config = self._policy.current_config(account)
                session.reconfigure(account, config, self._policy.cache_key(account))
            kept.append(session)
        for session in self._sessions:
            if session not in kept:
                session.poller.dispose()
                session.deleteLater()
        self._sessions = kept

    def apply_settings(self, settings: Settings) -> None:
        """The rest of `settings` for every session; those not polling yet start, once the
        thread runs, unless their address is unknown."""
        for session in self._sessions:
            session.apply_settings(settings, self._policy.interval_seconds(settings))
            if self._thread.isRunning() and not self._policy.address_unknown(session.account):
                session.poller.start()  # a new account, or the first start after a damaged file

    def use_token(self, account_id: str, token: str | None) -> None:
        """The user saved, typed or removed an account's token: its poller fetches with it."""
        self._policy.use_token(account_id, token)
        session = self.get(account_id)
        if session is not None:
            session.config = self._policy.current_config(session.account)
            session.poller.reconfigure(session.config)

    def name_notifications(self) -> None:
        """Notification titles name the account when there are several."""
        for session in self._sessions:
            session.name_notifications(len(self._sessions) > 1)

    # --- intents for every account ------------------------------------------------------------
    def refresh_all(self) -> None:
        for session in self._sessions:
            session.poller.refresh_now()

    def refresh_old(self) -> None:
        for session in self._sessions:
            session.poller.refresh_if_older_than_interval()

    def snooze_all(self, choice: SnoozeChoice) -> None:
        for session in self._sessions:
            session.alerts.snooze(choice)

    def pause_all(self, paused: bool) -> None:
        for session in self._sessions:
            session.state.set_paused(paused)

    def network_online(self) -> None:
        for session in self._sessions:
            session.poller.on_network_online()

    def request_range(self, account_id: str, query: UsageQuery) -> None:
        session = self.get(account_id)
        if session is not None:
            session.poller.request_range(query)

    def request_tasks(self, account_id: str, start: datetime, end: datetime) -> None:
        """The task ledger of a window (aware instants) for the account's page; the answer comes
        as `tasks_answer`."""
        session = self.get(account_id)
        if session is not None:
            session.poller.request_tasks(start, end)

    def retry(self, account_id: str) -> None:
        session = self.get(account_id)
        if session is not None:
            session.poller.refresh_now()

    def on_notification_action(self, action: str, account_id: str) -> None:
        """A notification's button: the account it was about ("" with one: the first)."""
        (self.get(account_id) or self._sessions[0]).alerts.on_action(action)

    def stop(self) -> None:
        for session in self._sessions:
            session.poller.stop()
