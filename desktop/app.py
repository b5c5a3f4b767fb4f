"""Composition root of the tray app: builds the objects and connects their signals, nothing else.

Read top to bottom it is the diagram in docs/architecture.md: each account's session (its poller
feeding its state, cache and alerts; `ui/session.py`) is one of the session set
(`ui/sessions.py`), connected as `ui/connection.py` decides; the tray and the detail window
(`ui/window_factory.py`) render the states; their intents go back to the pollers, the states,
the alerts or the settings. What start-up repairs is `ui/startup_repair.py`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from desktop.core.environment import TOKEN_ENV, URL_ENV
from desktop.core.errors import ErrorKind
from desktop.core.i18n import _
from desktop.core.query import AuthScheme
from desktop.core.rules.messages import Notification
from desktop.core.settings import Settings
from desktop.core.snapshot import PollError
from desktop.system.autostart import APP_ID
from desktop.system.settings_store import LoadedSettings
from desktop.ui import startup_repair
from desktop.ui.connection import ConnectionPolicy
from desktop.ui.fetch_worker import ClientFactory, open_client, utc_now
from desktop.ui.gauge import IconCache
from desktop.ui.hook_slot import HookedNotifier, HookSlot
from desktop.ui.network_watch import NetworkWatch
from desktop.ui.notification_icon import notification_icon
from desktop.ui.notifier import Notifier
from desktop.ui.overrides import Overrides
from desktop.ui.prober import Prober
from desktop.ui.sessions import AccountSessions
from desktop.ui.settings_controller import SettingsController
from desktop.ui.time_zone_watch import TimeZoneWatch
from desktop.ui.tray import TrayView
from desktop.ui.tray_menu import TrayAccount
from desktop.ui.unix_signals import end_event_loop
from desktop.ui.window_factory import WindowFactory
from desktop.ui.worker_thread import stop_thread, worker_thread

if TYPE_CHECKING:
    from desktop.core.hooks import HookEvent
    from desktop.fakeapi import FakeNeoApi
    from desktop.ui.hook_runner import HookRunner  # made when a hook first runs or is tested
    from desktop.ui.settings_dialog import SettingsDialog  # imported when it first opens

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
        self._welcomed = False
        self._hook_dialog: SettingsDialog | None = None  # the settings dialog wired to the hook
        self._network_watched = False
        self.demo_api = demo_api
        # Every account's requests queue on this one thread: one at a time across them all.
        self._thread = worker_thread()
        self.notifier = notifier or Notifier(
            lambda: self.tray.icon,
            lambda note: notification_icon(note, self.sessions, clock),
            APP_ID,
            self,
        )
        self._clock = clock
        self._environ = environ
        # The settings' event hook, told of every notification the alert centers decide; its
        # runner (QProcess) is made when a hook first runs, or the settings' Test needs it.
        self._hook_slot = HookSlot(settings.hook_command, self._make_hook_runner)
        self.connection = ConnectionPolicy(environ, demo_api=demo_api, auth_scheme=auth_scheme)
        self.sessions = AccountSessions(
            settings,
            self.connection,
            notifier=HookedNotifier(self.notifier, self._hook_slot, self._hook_event),
            clock=clock,
            client_factory=client_factory,
            thread=self._thread,
            parent=self,
        )
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
            self.connection.client_config,
            self,
            overrides=overrides,
            demo=demo_api is not None,
        )
        self.windows = WindowFactory(
            self.sessions,
            clock,
            lambda: self.settings_controller.settings,
            demo=demo_api is not None,
            parent=self,
        )
        self.network = NetworkWatch(self)
        self.time_zone = TimeZoneWatch(self)  # a zone changed while running is followed
        self._show_accounts(settings)

        # Intents flow back: views -> pollers, states, alerts, settings.
        self.tray.refresh_requested.connect(self.sessions.refresh_all)
        self.tray.menu_opened.connect(self.sessions.refresh_old)
        self.tray.details_requested.connect(self.show_window)
        self.tray.icon_activated.connect(self.windows.toggle)
        # "Set token…" opens the token of the account the icon shows (the one that lost access).
        self.tray.token_requested.connect(
            lambda: self.open_settings(True, self.tray.shown_account().id)
        )
        self.tray.settings_requested.connect(self.open_settings)
        self.tray.web_requested.connect(self.open_web)
        self.tray.snooze_requested.connect(self.sessions.snooze_all)
        self.tray.pause_toggled.connect(self.sessions.pause_all)
        self.tray.quit_requested.connect(end_event_loop)
        self.tray.availability_changed.connect(self._on_tray_availability)
        self.windows.range_requested.connect(self.sessions.request_range)
        self.windows.tasks_requested.connect(self.sessions.request_tasks)
        self.windows.retry_requested.connect(self.sessions.retry)
        self.windows.token_requested.connect(lambda ident: self.open_settings(True, ident))
        self.windows.web_requested.connect(self.open_web)
        self.sessions.failed.connect(self._welcome_without_token)
        self.sessions.failed.connect(self._watch_network)
        self.sessions.range_answered.connect(self.windows.on_range_answer)
        self.sessions.tasks_answer.connect(self.windows.on_tasks_answer)
        self.sessions.details_requested.connect(self.show_window)
        self.network.online.connect(self.sessions.network_online)
        self.time_zone.changed.connect(self.tray.render)
        self.notifier.action_invoked.connect(self.sessions.on_notification_action)
        self.settings_controller.settings_applied.connect(self._apply_settings)
        self.settings_controller.token_changed.connect(self.sessions.use_token)

    def _show_accounts(self, settings: Settings) -> None:
        """Tell the views and the alerts which accounts there are, by name and in order."""
        self.sessions.name_notifications()
        self.tray.set_accounts(
            [TrayAccount(s.id, s.account.name, s.state, s.account.web_url) for s in self.sessions],
            settings.tray_account,
        )
        self.windows.show_accounts()

    def start(self) -> None:
        shown = self.tray.start()
        notices = startup_repair.find_notices(self._loaded)
        self._refused_folders = list(notices.refused_folders)
        self.tray.set_notices(notices.sentences)
        if notices.sentences and shown and self.tray.icon is not None:
            self.tray.icon.showMessage(_("Neo Usage"), "\n".join(notices.sentences))
        startup_repair.repair_settings(self._loaded)  # told first, only then repaired
        self._thread.start()
        lost = self.sessions.start(self._loaded)
        if lost:
            self.open_settings(account_id=lost[0].id)

    @Slot()
    def shutdown(self) -> None:
        self._hook_slot.stop()
        self.sessions.stop()
        self._prober.stop()
        stop_thread(self._thread)
        self.notifier.close()
        self.tray.close()
        self.windows.close()
        dialog = self.settings_controller.dialog
        if dialog is not None:
            dialog.hide()
            dialog.deleteLater()  # deleted when the loop ends, or when a test ends
        if self.demo_api is not None:
            self.demo_api.stop()
            self.demo_api = None

    # --- intents ------------------------------------------------------------------------------
    @Slot()
    @Slot(str)
    def show_window(self, account_id: str | None = None) -> None:
        self.windows.show(account_id)

    @Slot(str)
    def open_web(self, url: str) -> None:
        """ "Open Neo": an account's web address (https only, `accounts.validate_web_url`) in the
        user's browser."""
        if not QDesktopServices.openUrl(QUrl(url)):
            log.warning("No browser opened %s", url)

    @property
    def hooks(self) -> HookRunner:
        """The event hook's runner (made now if no hook has run yet)."""
        return self._hook_slot.runner

    def _make_hook_runner(self, command: tuple[str, ...]) -> HookRunner:
        from desktop.ui.hook_runner import HookRunner

        runner = HookRunner(command, environ=self._environ, parent=self)
        runner.failure_changed.connect(self.tray.set_hook_failure)
        return runner

    def _hook_event(self, note: Notification) -> HookEvent:
        """`note` for the event hook: its account's name and latest figures (its summary's, or
        in member mode its cap's)."""
        from desktop.core import hooks

        session = self.sessions.get(note.account_id)
        name = session.account.name if session is not None else note.account_id
        view = session.state.view if session is not None else None
        thresholds = self.settings_controller.settings.thresholds
        return hooks.hook_event(
            note,
            name,
            view.snapshot if view is not None else None,
            thresholds,
            self._clock(),
            member=view.member if view is not None else None,
        )

    def open_settings(self, focus_token: bool = False, account_id: str | None = None) -> None:
        dialog = self.settings_controller.open(focus_token, account_id)
        if dialog is not self._hook_dialog:  # a new dialog: its Test runs the hook
            self._hook_dialog = dialog
            dialog.hook_test_requested.connect(self._test_hook)
            self.hooks.test_finished.connect(dialog.show_hook_outcome)

    @Slot(object, str)
    def _test_hook(self, command: tuple[str, ...], account_name: str) -> None:
        """The settings' Test for the account the dialog shows, with its current figures; with
        one session that is not a stored account (NEO_API_TOKEN's), that session's, as the
        hook will hear of it."""
        from desktop.core import hooks

        session = next((s for s in self.sessions if s.account.name == account_name), None)
        if session is None and len(self.sessions) == 1:
            session = self.sessions[0]
        if session is None:
            self.hooks.test(command, hooks.trial_event(account_name))
            return
        view = session.state.view
        thresholds = self.settings_controller.settings.thresholds
        event = hooks.trial_event(
            session.account.name, view.snapshot, thresholds, self._clock(), member=view.member
        )
        self.hooks.test(command, event)

    @Slot(bool)
    def _on_tray_availability(self, available: bool) -> None:
        if not available:
            self.show_window()

    @Slot(str, object)
    def _welcome_without_token(self, account_id: str, error: PollError) -> None:
        """First run without a token: open the settings once, at that account's token field."""
        if error.kind is ErrorKind.NO_TOKEN and not self._welcomed and self.demo_api is None:
            self._welcomed = True
            self.open_settings(True, account_id)

    @Slot(str, object)
    def _watch_network(self, _account_id: str, _error: PollError) -> None:
        """From the first failed poll on, the network's return is worth a poll (not before:
        Qt's reachability backend costs memory and threads a tray that never fails can spare)."""
        if self._network_watched:
            return
        self._network_watched = True
        if not self.network.start():
            log.info("No network-reachability backend; relying on polls and clock jumps")

    @Slot(object)
    def _apply_settings(self, settings: Settings) -> None:
        """Follow the settings: accounts added, changed, reordered or removed, then the rest."""
        if self._loaded.problem:  # the user has seen and saved them: that notice is done
            self.tray.set_notices(self._refused_folders)
        self.sessions.follow(settings)
        self._show_accounts(settings)
        self.sessions.apply_settings(settings)
        self._hook_slot.set_command(settings.hook_command)  # a failure shown is forgotten
