"""Composition root of the tray app: builds the objects and connects their signals, nothing else.

Read top to bottom it is the diagram in docs/architecture.md: the poller feeds the state (and
the cache and the alerts); the tray and the detail window render the state; their intents go
back to the poller, the state, the alerts or the settings.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Slot
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from desktop.core import presentation
from desktop.core.environment import URL_ENV, forecast_interval_seconds, poll_interval_seconds
from desktop.core.errors import ErrorKind
from desktop.core.query import AuthScheme
from desktop.core.rules import Notification
from desktop.core.settings import Settings, resolve_base_url
from desktop.core.snapshot import PollError, Snapshot
from desktop.system import cache, notify_store, paths, settings_store
from desktop.system.autostart import APP_ID
from desktop.system.settings_store import LoadedSettings
from desktop.ui.alerts import AlertCenter
from desktop.ui.gauge import IconCache, render_image
from desktop.ui.network_watch import NetworkWatch
from desktop.ui.notifier import Notifier, write_icon
from desktop.ui.poller import ClientConfig, ClientFactory, Poller, open_client, utc_now
from desktop.ui.settings_controller import SettingsController
from desktop.ui.settings_dialog import Overrides
from desktop.ui.state import AppState
from desktop.ui.tray import TrayView

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
        self._environ = environ
        self._clock = clock
        self._auth_scheme_override = auth_scheme
        self._session_token: str | None = None
        self.demo_api = demo_api
        demo = demo_api is not None
        self.poller_config = self.client_config(settings, None)
        # The demo's fake server gets a new port each run; its cache is keyed by "demo".
        # Otherwise the key follows the API address, so one account's cache is never shown
        # for another.
        self.cache_path: Path = cache.default_path(demo)
        self.state = AppState(cache.load(self._cache_key, self.cache_path), settings, self)
        self.poller = Poller(
            self.poller_config,
            self._interval(settings),
            client_factory=client_factory,
            clock=clock,
            forecast_seconds=forecast_interval_seconds(environ),
            parent=self,
        )
        self.tray = TrayView(
            self.state, clock, self, icon=tray_icon, menu=tray_menu, icons=icon_cache
        )
        overrides = Overrides(environ.get(URL_ENV, "").strip() or None, auth_scheme)
        self.settings_controller = SettingsController(
            settings, self.poller, self.client_config, self, overrides=overrides
        )
        self.notifier = notifier or Notifier(
            lambda: self.tray.icon, self._notification_icon, APP_ID, self
        )
        self.alerts = AlertCenter(
            self.notifier,
            settings,
            "demo" if demo else self.base_url,
            notify_store.default_path(demo),
            clock=clock,
            parent=self,
        )
        self._detail: DetailWindow | None = None  # built the first time it opens
        self._welcomed = False
        self.network = NetworkWatch(self)

        # Results flow one way: poller -> state (and cache, alerts) -> views.
        self.poller.snapshot_ready.connect(self.state.on_snapshot)
        self.poller.snapshot_ready.connect(self._save_cache)
        self.poller.snapshot_ready.connect(self.alerts.on_snapshot)
        self.poller.failed.connect(self.state.on_error)
        self.poller.failed.connect(self._save_retry)
        self.poller.failed.connect(self.alerts.on_error)
        self.poller.failed.connect(self._welcome_without_token)
        self.poller.forecast_ready.connect(self.state.on_forecast_window)
        self.poller.forecast_ready.connect(self._forecast_refreshed)
        self.poller.forecast_failed.connect(self.state.on_forecast_error)
        self.poller.range_ready.connect(self.state.on_range_snapshot)
        self.poller.range_failed.connect(self.state.on_range_error)
        self.network.online.connect(self.poller.on_network_online)
        self.state.paused_changed.connect(self.poller.set_paused)
        # Intents flow back: views -> poller, state, alerts, settings.
        self.tray.refresh_requested.connect(self.poller.refresh_now)
        self.tray.menu_opened.connect(self.poller.refresh_if_older_than_interval)
        self.tray.details_requested.connect(self.show_window)
        self.tray.token_requested.connect(lambda: self.open_settings(focus_token=True))
        self.tray.settings_requested.connect(self.open_settings)
        self.tray.snooze_requested.connect(self.alerts.snooze)
        self.tray.pause_toggled.connect(self.state.set_paused)
        self.tray.quit_requested.connect(QApplication.quit)
        self.tray.availability_changed.connect(self._on_tray_availability)
        self.notifier.action_invoked.connect(self.alerts.on_action)
        self.alerts.details_requested.connect(self.show_window)
        self.settings_controller.settings_applied.connect(self._apply_settings)
        self.settings_controller.token_changed.connect(self._use_token)

    def _address_unknown(self) -> bool:
        return (
            self._loaded.address_lost
            and self.demo_api is None
            and not self._environ.get(URL_ENV, "").strip()
        )

    @property
    def base_url(self) -> str:
        return self.poller_config.base_url

    @property
    def _cache_key(self) -> str:
        return "demo" if self.demo_api is not None else self.base_url

    @property
    def settings(self) -> Settings:
        return self.settings_controller.settings

    def _interval(self, settings: Settings) -> float | None:
        demo = self.demo_api is not None
        return poll_interval_seconds(settings.poll_interval_minutes, demo, self._environ)

    def client_config(self, settings: Settings, token: str | None) -> ClientConfig:
        """The poller's client settings; `token` None reads the environment, then the keyring."""
        if self.demo_api is not None:
            return ClientConfig(self.demo_api.url, AuthScheme.BEARER, self.demo_api.token)
        scheme = self._auth_scheme_override or settings.auth_scheme
        return ClientConfig(resolve_base_url(settings, self._environ), scheme, token)

    def detail_window(self) -> DetailWindow:
        if self._detail is None:
            from desktop.core.ranges import RangePreset
            from desktop.ui.detail.window import DetailWindow

            store: QSettings | None = None
            try:  # owner-only, like every file the app writes; QSaveFile keeps the mode
                ini = paths.private_file(paths.config_dir() / "window-state.ini")
                store = QSettings(str(ini), QSettings.Format.IniFormat)
            except OSError as exc:
                log.warning("The window's size and place will not be remembered: %s", exc)
            window = DetailWindow(
                self.state,
                self._clock,
                default_preset=RangePreset(self.settings.default_range),
                default_group_by=self.settings.default_group_by,
                geometry_store=store,
            )
            window.setWindowTitle("Neo Usage (demo)" if self.demo_api else "Neo Usage")
            window.range_requested.connect(self.poller.request_range)
            window.retry_requested.connect(self.poller.refresh_now)
            window.token_requested.connect(lambda: self.open_settings(focus_token=True))
            self._detail = window
        return self._detail

    def start(self) -> None:
        shown = self.tray.start()
        problem = self._loaded.problem
        if problem:
            # Tell first; only then keep the damaged file aside and write what is in use.
            log.warning("%s", problem)
            if shown and self.tray.icon is not None:
                self.tray.icon.showMessage("Neo Usage", problem)
            settings_store.repair(self._loaded)
        if self._address_unknown():
            # The file lost the API address: send the token nowhere until the user sets it.
            self.state.on_error(
                PollError(
                    ErrorKind.SETTINGS,
                    problem or "",
                    self._clock(),
                    short_message=("Settings damaged — set the API address"),
                )
            )
            self.open_settings()
        else:
            self.poller.start()
        if not self.network.start():
            log.info("No network-reachability backend; relying on polls and clock jumps")

    @Slot()
    def shutdown(self) -> None:
        self.poller.stop()
        self.notifier.close()
        self.tray.hide()
        if self._detail is not None:
            self._detail.hide()
        if self.settings_controller.dialog is not None:
            self.settings_controller.dialog.hide()
        if self.demo_api is not None:
            self.demo_api.stop()
            self.demo_api = None

    @Slot()
    def show_window(self) -> None:
        self.detail_window().show_and_raise()

    def open_settings(self, focus_token: bool = False) -> None:
        self.settings_controller.open(focus_token)

    @Slot(bool)
    def _on_tray_availability(self, available: bool) -> None:
        if not available:
            self.show_window()

    @Slot(object)
    def _welcome_without_token(self, error: PollError) -> None:
        """First run without a token: open the settings once, at the token field."""
        if error.kind is ErrorKind.NO_TOKEN and not self._welcomed and self.demo_api is None:
            self._welcomed = True
            self.open_settings(focus_token=True)

    @Slot(object)
    def _forecast_refreshed(self, _window: Snapshot) -> None:
        view = self.state.view  # the state took the window first (connected before this)
        self.alerts.on_forecast(presentation.forecast(view, self._clock()), view.snapshot)
        if view.snapshot is not None and not view.snapshot.from_cache:
            self._save_cache(view.snapshot)  # other views read the forecast there too

    @Slot(object)
    def _save_cache(self, snapshot: Snapshot, retry_at: datetime | None = None) -> None:
        """The latest snapshot for the next start and for other processes (--once --cached)."""
        forecast = presentation.forecast(self.state.view, self._clock())
        cache.save(
            snapshot,
            self._cache_key,
            self.cache_path,
            interval_seconds=self.poller.schedule.interval_seconds,
            forecast=forecast.to_json() if forecast else None,
            retry_at=retry_at,
        )

    @Slot(object)
    def _save_retry(self, _error: PollError) -> None:
        """While the tray waits out a backoff, other views show the cache (stale) instead of
        calling the API themselves."""
        snapshot = self.state.view.snapshot
        delay = self.poller.next_delay
        if snapshot is not None and delay is not None:
            self._save_cache(snapshot, self._clock() + timedelta(seconds=delay))

    @Slot(object)
    def _apply_settings(self, settings: Settings) -> None:
        config = self.client_config(settings, self._session_token)
        previous, self.poller_config = self.poller_config, config
        if config.base_url != previous.base_url or config.auth_scheme != previous.auth_scheme:
            self.poller.reconfigure(config)
        self.alerts.apply_settings(settings, "demo" if self.demo_api else config.base_url)
        self.poller.set_interval(self._interval(settings))
        self.state.apply_settings(settings)
        self.poller.start()  # the first start, when a damaged file held it back

    @Slot(object)
    def _use_token(self, token: str | None) -> None:
        self._session_token = token
        self.poller_config = self.client_config(self.settings, token)
        self.poller.reconfigure(self.poller_config)

    def _notification_icon(self, note: Notification) -> str:
        look = presentation.look(self.state.view, self._clock())
        return write_icon(paths.cache_dir() / "notification-icon.png", render_image(look, 64))
