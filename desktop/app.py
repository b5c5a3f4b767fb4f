"""Composition root of the tray app: builds the objects and connects their signals, nothing else.

Read top to bottom it is the diagram in docs/architecture.md: each account's session (its poller
feeding its state, cache and alerts) is built in `session.py`; the tray and the detail window
render the states; their intents go back to the pollers, the states, the alerts or the settings.
The accounts follow the settings: added, renamed, reordered and removed while the app runs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Slot
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from desktop.core import accounts, presentation
from desktop.core.accounts import ENVIRONMENT_ID, Account
from desktop.core.environment import (
    TOKEN_ENV,
    URL_ENV,
    forecast_interval_seconds,
    poll_interval_seconds,
)
from desktop.core.errors import ErrorKind
from desktop.core.i18n import _
from desktop.core.query import AuthScheme
from desktop.core.rules.memory import SnoozeChoice
from desktop.core.rules.messages import Notification
from desktop.core.settings import Settings
from desktop.core.snapshot import PollError, Snapshot
from desktop.system import paths, safe_files, settings_store
from desktop.system.autostart import APP_ID
from desktop.system.settings_store import LoadedSettings
from desktop.ui.alerts import AlertCenter
from desktop.ui.fetch_worker import ClientConfig, ClientFactory, open_client, utc_now
from desktop.ui.gauge import IconCache, render_image
from desktop.ui.network_watch import NetworkWatch
from desktop.ui.notifier import Notifier, write_icon
from desktop.ui.poller import Poller
from desktop.ui.prober import Prober
from desktop.ui.session import AccountSession
from desktop.ui.settings_controller import SettingsController
from desktop.ui.settings_dialog import Overrides
from desktop.ui.state import AccountState
from desktop.ui.time_zone_watch import TimeZoneWatch
from desktop.ui.tray import TrayAccount, TrayView
from desktop.ui.unix_signals import end_event_loop
from desktop.ui.worker_thread import stop_thread, worker_thread

if TYPE_CHECKING:
    from desktop.fakeapi import FakeNeoApi
    from desktop.ui.detail.window import DetailWindow

log = logging.getLogger(__name__)


class TrayApp(QObject):
    """Owns the long-lived objects of one tray session and wires them together."""

    def __init__(
        self,
        loaded: LoadedSettings,
        *,
        demo_api: FakeNeoApi | None = None,
        auth_scheme: AuthScheme | None = None,
        tray_icon: QSystemTrayIcon | None = None,
        tray_menu: QMenu | None = None,
        icon_cache: IconCache | None = None,
        environ: Mapping[str, str] = os.environ,
        clock: Callable[[], datetime] = utc_now,
        client_factory: ClientFactory = open_client,
        notifier: Notifier | None = None,
    ) -> None:
        super().__init__()
        settings = loaded.settings
        self._loaded = loaded
        self._refused_folders: list[str] = []  # told at start, in the menu until the app quits
        self._environ = environ
        self._clock = clock
        self._auth_scheme_override = auth_scheme
        self._client_factory = client_factory
        self._session_tokens: dict[str, str] = {}  # tokens the keyring could not keep
        self.demo_api = demo_api
        # Every account's requests queue on this one thread: one at a time across them all.
        self._thread = worker_thread()
        self.notifier = notifier or Notifier(
            lambda: self.tray.icon, self._notification_icon, APP_ID, self
        )
        self.sessions: list[AccountSession] = [
            self._new_session(account, settings) for account in self._accounts_in_use(settings)
        ]
        self.tray = TrayView(
            self.sessions[0].state, clock, self, icon=tray_icon, menu=tray_menu, icons=icon_cache
        )
        # The settings' "Test" runs on the same thread, with its own client.
        self._prober = Prober(self._thread, client_factory=client_factory, clock=clock, parent=self)
        overrides = Overrides(
            environ.get(URL_ENV, "").strip() or None,
            auth_scheme,
            environment_token=bool(environ.get(TOKEN_ENV, "").strip()) and demo_api is None,
        )
        self.settings_controller = SettingsController(
            settings,
            self._prober,
            self.client_config,
            self,
            overrides=overrides,
            demo=demo_api is not None,
        )
        self._detail: DetailWindow | None = None  # built the first time it opens
        self._welcomed = False
        self.network = NetworkWatch(self)
        self.time_zone = TimeZoneWatch(self)  # a zone changed while running is followed
        self._show_accounts(settings)

        # Intents flow back: views -> pollers, states, alerts, settings.
        self.tray.refresh_requested.connect(self._refresh_all)
        self.tray.menu_opened.connect(self._refresh_old)
        self.tray.details_requested.connect(self.show_window)
        self.tray.icon_activated.connect(self._on_icon_activated)
        # "Set token…" opens the token of the account the icon shows (the one that lost access).
        self.tray.token_requested.connect(
            lambda: self.open_settings(True, self.tray.shown_account().id)
        )
        self.tray.settings_requested.connect(self.open_settings)
        self.tray.snooze_requested.connect(self._snooze_all)
        self.tray.pause_toggled.connect(self._pause_all)
        self.tray.quit_requested.connect(end_event_loop)
        self.tray.availability_changed.connect(self._on_tray_availability)
        self.network.online.connect(self._network_online)
        self.time_zone.changed.connect(self.tray.render)
        self.notifier.action_invoked.connect(self._on_notification_action)
        self.settings_controller.settings_applied.connect(self._apply_settings)
        self.settings_controller.token_changed.connect(self._use_token)

    # --- the accounts -------------------------------------------------------------------------
    def _accounts_in_use(self, settings: Settings) -> tuple[Account, ...]:
        return accounts.in_use(
            settings.accounts,
            self._environ,
            self._auth_scheme_override,
            demo=self.demo_api is not None,
            some_set_aside=bool(settings.accounts_set_aside),
        )

    def _new_session(self, account: Account, settings: Settings) -> AccountSession:
        session = AccountSession(
            account,
            self.client_config(account, self._session_tokens.get(account.id)),
            settings,
            cache_key=self._cache_key(account),
            interval_seconds=self._interval(settings),
            forecast_seconds=forecast_interval_seconds(self._environ),
            notifier=self.notifier,
            clock=self._clock,
            client_factory=self._client_factory,
            thread=self._thread,
            parent=self,
        )
        session.poller.failed.connect(lambda error: self._welcome_without_token(error, session.id))
        # Range answers go to the page that asked (the account's), never through its state.
        for answered in (session.poller.range_ready, session.poller.range_failed):
            answered.connect(lambda answer: self._range_answered(session.id, answer))
        session.alerts.details_requested.connect(lambda: self.show_window(session.id))
        return session

    def session(self, account_id: str) -> AccountSession | None:
        return next((s for s in self.sessions if s.id == account_id), None)

    def _cache_key(self, account: Account) -> str:
        return accounts.cache_key(account, self._environ, demo=self.demo_api is not None)

    def _show_accounts(self, settings: Settings) -> None:
        """Tell the views and the alerts which accounts there are, by name and in order."""
        several = len(self.sessions) > 1
        for session in self.sessions:
            session.name_notifications(several)
        self.tray.set_accounts(
            [TrayAccount(s.id, s.account.name, s.state) for s in self.sessions],
            settings.tray_account,
        )
        if self._detail is not None:
            self._detail.set_accounts(self._window_accounts())

    def _window_accounts(self) -> list[tuple[str, str, AccountState]]:
        return [(s.id, s.account.name, s.state) for s in self.sessions]

    # The first account's objects, for callers that know of one account (tests, the demo).
    @property
    def state(self) -> AccountState:
        return self.sessions[0].state

    @property
    def poller(self) -> Poller:
        return self.sessions[0].poller

    @property
    def alerts(self) -> AlertCenter:
        return self.sessions[0].alerts

    @property
    def base_url(self) -> str:
        return self.sessions[0].config.base_url

    @property
    def cache_path(self) -> Path:
        return self.sessions[0].cache_path

    @property
    def settings(self) -> Settings:
        return self.settings_controller.settings

    def _interval(self, settings: Settings) -> float | None:
        demo = self.demo_api is not None
        return poll_interval_seconds(settings.poll_interval_minutes, demo, self._environ)

    def client_config(self, account: Account, token: str | None) -> ClientConfig:
        """A poller's client settings; `token` None reads the account's keyring entry."""
        if self.demo_api is not None:
            # The demo's own API, with the token asked for, else the one in its sandbox's store
            # (Sign out there signs the demo out); a demo without a sandbox (tests) uses the
            # server's token.
            stored = None if paths.sandbox() is not None else self.demo_api.token
            return ClientConfig(self.demo_api.url, AuthScheme.BEARER, token or stored, account.id)
        if account.id == ENVIRONMENT_ID:
            token = self._environ.get(TOKEN_ENV, "").strip() or token
        scheme = self._auth_scheme_override or account.auth_scheme
        base_url = accounts.base_url(account, self._environ)
        return ClientConfig(base_url, scheme, token, account.id)

    def detail_window(self) -> DetailWindow:
        if self._detail is None:
            from desktop.core.ranges import RangePreset
            from desktop.ui.detail.window import DetailWindow

            store: QSettings | None = None
            try:  # owner-only, like every file the app writes; QSaveFile keeps the mode
                # Not the demo's: Qt writes it when the window goes, after its sandbox has.
                if self.demo_api is None:
                    ini = settings_store.window_state_file()  # checked: QSettings reads it whole
                    store = QSettings(str(ini), QSettings.Format.IniFormat)
            except OSError as exc:
                log.warning("The window's size and place will not be remembered: %s", exc)
            window = DetailWindow(
                self.sessions[0].state,
                self._clock,
                default_preset=RangePreset(self.settings.default_range),
                default_group_by=self.settings.default_group_by,
                geometry_store=store,
                account_id=self.sessions[0].id,
            )
            window.setWindowTitle(_("Neo Usage (demo)") if self.demo_api else _("Neo Usage"))
            window.set_accounts(self._window_accounts())
            window.range_requested.connect(self._request_range)
            window.retry_requested.connect(self._retry)
            window.token_requested.connect(
                lambda: self.open_settings(True, window.shown_account_id)
            )
            self._detail = window
        return self._detail

    def start(self) -> None:
        shown = self.tray.start()
        problem = self._loaded.problem
        # Folders another user could have planted files in: said once, then gone without.
        refused = [p for p in safe_files.refused_folders(paths.app_folders()) if p != problem]
        for sentence in refused:
            safe_files.log_once(sentence)
        told = "\n".join(filter(None, [problem, *refused]))
        self._refused_folders = refused
        self.tray.set_notices([p for p in (problem, *refused) if p])
        if told and shown and self.tray.icon is not None:
            self.tray.icon.showMessage(_("Neo Usage"), told)
        if problem:
            # Told first; only then keep the damaged file aside and write what is in use.
            safe_files.log_once(problem)
            settings_store.repair(self._loaded)
        elif settings_store.migrate(self._loaded):
            log.info("Settings moved to the accounts layout (one account named Default)")
        self._thread.start()
        lost = [s for s in self.sessions if self._address_unknown(s.account)]
        for session in lost:
            # Its API address was lost: send its token nowhere until the user sets one.
            missing = accounts.AddressLost(session.account.name)
            reason = problem if problem and self._loaded.address_lost else missing.user_message
            session.state.on_error(
                PollError(
                    ErrorKind.SETTINGS,
                    reason,
                    self._clock(),
                    short_message=missing.short_message,
                )
            )
        for session in self.sessions:
            if session not in lost:
                session.poller.start()
        if lost:
            self.open_settings(account_id=lost[0].id)
        if not self.network.start():
            log.info("No network-reachability backend; relying on polls and clock jumps")

    def _address_unknown(self, account: Account) -> bool:
        """Nothing may be sent for `account`: its address was lost and NEO_API_URL is unset."""
        return self.demo_api is None and not accounts.base_url(account, self._environ)

    @Slot()
    def shutdown(self) -> None:
        for session in self.sessions:
            session.poller.stop()
        self._prober.stop()
        stop_thread(self._thread)
        self.notifier.close()
        self.tray.close()
        for window in (self._detail, self.settings_controller.dialog):
            if window is not None:
                window.hide()
                window.deleteLater()  # deleted when the loop ends, or when a test ends
        if self.demo_api is not None:
            self.demo_api.stop()
            self.demo_api = None

    # --- intents ------------------------------------------------------------------------------
    @Slot()
    @Slot(str)
    def show_window(self, account_id: str | None = None) -> None:
        self.detail_window().show_and_raise(account_id or None)

    @Slot(str)
    def _on_icon_activated(self, account_id: str) -> None:
        """A click on the tray icon: the window shown, restored and raised; hidden only when it
        is already the active window (KStatusNotifierItem's rule), so a click never hides a
        window the user is not looking at."""
        window = self._detail
        if (
            window is not None
            and window.isVisible()
            and not window.isMinimized()
            and window.isActiveWindow()
        ):
            window.hide()
        else:
            self.show_window(account_id)

    def open_settings(self, focus_token: bool = False, account_id: str | None = None) -> None:
        self.settings_controller.open(focus_token, account_id)

    @Slot()
    def _refresh_all(self) -> None:
        for session in self.sessions:
            session.poller.refresh_now()

    @Slot()
    def _refresh_old(self) -> None:
        for session in self.sessions:
            session.poller.refresh_if_older_than_interval()

    @Slot(object)
    def _snooze_all(self, choice: SnoozeChoice) -> None:
        for session in self.sessions:
            session.alerts.snooze(choice)

    @Slot(bool)
    def _pause_all(self, paused: bool) -> None:
        for session in self.sessions:
            session.state.set_paused(paused)

    @Slot()
    def _network_online(self) -> None:
        for session in self.sessions:
            session.poller.on_network_online()

    @Slot(str, object)
    def _request_range(self, account_id: str, query: object) -> None:
        session = self.session(account_id)
        if session is not None:
            session.poller.request_range(query)  # type: ignore[arg-type]

    def _range_answered(self, account_id: str, answer: Snapshot | PollError) -> None:
        if self._detail is not None:
            self._detail.on_range_answer(account_id, answer)

    @Slot(str)
    def _retry(self, account_id: str) -> None:
        session = self.session(account_id)
        if session is not None:
            session.poller.refresh_now()

    @Slot(str, str)
    def _on_notification_action(self, action: str, account_id: str) -> None:
        session = self.session(account_id) or self.sessions[0]
        session.alerts.on_action(action)

    @Slot(bool)
    def _on_tray_availability(self, available: bool) -> None:
        if not available:
            self.show_window()

    def _welcome_without_token(self, error: PollError, account_id: str) -> None:
        """First run without a token: open the settings once, at that account's token field."""
        if error.kind is ErrorKind.NO_TOKEN and not self._welcomed and self.demo_api is None:
            self._welcomed = True
            self.open_settings(True, account_id)

    # --- settings -----------------------------------------------------------------------------
    @Slot(object)
    def _apply_settings(self, settings: Settings) -> None:
        """Follow the settings: accounts added, changed, reordered or removed, then the rest."""
        if self._loaded.problem:  # the user has seen and saved them: that notice is done
            self.tray.set_notices(self._refused_folders)
        wanted = self._accounts_in_use(settings)
        kept: list[AccountSession] = []
        for account in wanted:
            session = self.session(account.id)
            if session is None:
                session = self._new_session(account, settings)  # started below
            else:
                config = self.client_config(account, self._session_tokens.get(account.id))
                session.reconfigure(account, config, self._cache_key(account))
            kept.append(session)
        for session in self.sessions:
            if session not in kept:
                session.poller.dispose()
                session.deleteLater()
        self.sessions = kept
        self._show_accounts(settings)
        for session in self.sessions:
            session.apply_settings(settings, self._interval(settings))
            if self._thread.isRunning() and not self._address_unknown(session.account):
                session.poller.start()  # a new account, or the first start after a damaged file

    @Slot(str, object)
    def _use_token(self, account_id: str, token: str | None) -> None:
        if token is None:
            self._session_tokens.pop(account_id, None)
        else:
            self._session_tokens[account_id] = token
        session = self.session(account_id)
        if session is not None:
            session.config = self.client_config(session.account, token)
            session.poller.reconfigure(session.config)

    def _notification_icon(self, note: Notification) -> str:
        session = self.session(note.account_id) or self.sessions[0]
        look = presentation.look(session.state.view, self._clock())
        # One file per account: two accounts' notes on their way must not share one picture.
        name = f"notification-icon{accounts.storage_suffix(session.id)}.png"
        return write_icon(paths.cache_dir() / name, render_image(look, 64))
