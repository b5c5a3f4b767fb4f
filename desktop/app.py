"""Composition root of the tray app: builds the objects and connects their signals, nothing else."""

from __future__ import annotations

import logging
import os
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Slot
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from desktop.core import trayview
from desktop.core.errors import ErrorKind
from desktop.core.levels import Thresholds
from desktop.core.query import AuthScheme, UsageQuery
from desktop.core.rules import Notification
from desktop.core.settings import Settings, resolve_base_url
from desktop.core.snapshot import PollError, Snapshot
from desktop.system import cache, notify_store, paths
from desktop.system.autostart import APP_ID
from desktop.ui.alerts import AlertCenter
from desktop.ui.gauge import IconCache, render_image
from desktop.ui.network_watch import NetworkWatch
from desktop.ui.notifier import Notifier, write_icon
from desktop.ui.poller import ClientConfig, Poller, utc_now
from desktop.ui.settings_controller import SettingsController
from desktop.ui.state import AppState
from desktop.ui.tray import TrayView

if TYPE_CHECKING:
    from desktop.fakeapi import FakeNeoApi
    from desktop.ui.detail.window import DetailWindow

log = logging.getLogger(__name__)
DEMO_LIVE_TASK_SECONDS = 15.0
POLL_OVERRIDE_ENV = "NEO_TRAY_POLL_SECONDS"  # for demos and tests: poll faster than the settings
# For trying notifications in the demo: a task every N seconds, each costing M times the usual.
DEMO_TASK_SECONDS_ENV = "NEO_TRAY_DEMO_TASK_SECONDS"
DEMO_DRAIN_ENV = "NEO_TRAY_DEMO_DRAIN"


def _env_float(name: str, default: float) -> float:
    with suppress(ValueError):
        return max(0.01, float(os.environ.get(name, "").strip()))
    return default


def poll_interval_seconds(settings: Settings, demo: bool) -> float | None:
    override = os.environ.get(POLL_OVERRIDE_ENV, "").strip()
    if override:
        with suppress(ValueError):
            return max(1.0, float(override))
    if demo:
        return 60.0
    minutes = settings.poll_interval_minutes
    return None if minutes == 0 else minutes * 60.0


class TrayApp(QObject):
    """Owns the long-lived objects of one tray session and wires them together."""

    def __init__(
        self,
        settings: Settings,
        settings_problem: str | None,
        *,
        demo: bool,
        scenario: str = "ok",
        auth_scheme: AuthScheme | None = None,
        tray_icon: QSystemTrayIcon | None = None,
        tray_menu: QMenu | None = None,
        icon_cache: IconCache | None = None,
    ) -> None:
        super().__init__()
        self._settings_problem = settings_problem
        self._demo = demo
        self._auth_scheme_override = auth_scheme
        self._session_token: str | None = None
        self.demo_api: FakeNeoApi | None = None
        if demo:
            from desktop.fakeapi import FakeNeoApi

            self.demo_api = FakeNeoApi(
                scenario=scenario,
                live_task_interval=_env_float(DEMO_TASK_SECONDS_ENV, DEMO_LIVE_TASK_SECONDS),
                live_credit_multiplier=_env_float(DEMO_DRAIN_ENV, 1.0),
            ).start()
            log.info("Demo: fake Neo API at %s (scenario %s)", self.demo_api.url, scenario)
        config = self.client_config(settings, None)
        self.poller_config = config
        self.cache_path: Path = cache.default_path(demo)
        self.state = AppState(cache.load(self._cache_key, self.cache_path), self)
        self.poller = Poller(config, poll_interval_seconds(settings, demo), parent=self)
        self.tray = TrayView(
            self.state,
            self.thresholds,
            utc_now,
            self,
            icon=tray_icon,
            menu=tray_menu,
            icons=icon_cache,
        )
        self.settings_controller = SettingsController(
            settings, self.poller, self.client_config, self
        )
        self.notifier = Notifier(lambda: self.tray.icon, self._notification_icon, APP_ID, self)
        self.alerts = AlertCenter(
            self.notifier,
            lambda: self.settings,
            "demo" if demo else self.base_url,
            notify_store.default_path(demo),
            clock=utc_now,
            parent=self,
        )
        self._detail: DetailWindow | None = None  # built the first time it opens
        self._welcomed = False
        self.network = NetworkWatch(self)
        self.network.online.connect(self.poller.on_network_online)

        self.poller.snapshot_ready.connect(self.state.on_snapshot)
        self.poller.snapshot_ready.connect(self._save_cache)
        self.poller.snapshot_ready.connect(self._keep_detail_range_current)
        self.poller.snapshot_ready.connect(self.alerts.on_snapshot)
        self.poller.failed.connect(self.state.on_error)
        self.poller.failed.connect(self.alerts.on_error)
        self.poller.failed.connect(self._welcome_without_token)
        self.poller.range_failed.connect(self.state.on_range_error)
        self.poller.busy_changed.connect(self.state.on_busy)
        self.tray.refresh_requested.connect(self.poller.refresh_now)
        self.tray.menu_opened.connect(self.poller.refresh_if_older_than_interval)
        self.tray.details_requested.connect(self.show_window)
        self.tray.token_requested.connect(lambda: self.open_settings(focus_token=True))
        self.tray.settings_requested.connect(self.open_settings)
        self.tray.snooze_requested.connect(self._snooze)
        self.tray.pause_toggled.connect(self._set_paused)
        self.tray.quit_requested.connect(QApplication.quit)
        self.tray.availability_changed.connect(self._on_tray_availability)
        self.alerts.details_requested.connect(self.show_window)
        self.settings_controller.settings_applied.connect(self._apply_settings)
        self.settings_controller.token_changed.connect(self._use_token)

    @property
    def base_url(self) -> str:
        return self.poller_config.base_url

    @property
    def _cache_key(self) -> str:
        # The demo's fake server gets a new port each run; its cache is keyed by "demo". Otherwise
        # the key follows the API address, so one account's cache is never shown for another.
        return "demo" if self._demo else self.base_url

    @property
    def settings(self) -> Settings:
        return self.settings_controller.settings

    def thresholds(self) -> Thresholds:
        return self.settings.thresholds

    def client_config(self, settings: Settings, token: str | None) -> ClientConfig:
        """The poller's client settings; `token` None reads the environment, then the keyring."""
        if self.demo_api is not None:
            return ClientConfig(self.demo_api.url, AuthScheme.BEARER, self.demo_api.token)
        scheme = self._auth_scheme_override or settings.auth_scheme
        return ClientConfig(resolve_base_url(settings, os.environ), scheme, token)

    def detail_window(self) -> DetailWindow:
        if self._detail is None:
            from desktop.core.ranges import RangePreset
            from desktop.ui.detail.window import DetailWindow

            store = QSettings(
                str(paths.config_dir() / "window-state.ini"), QSettings.Format.IniFormat
            )
            window = DetailWindow(
                self.state,
                self.thresholds,
                utc_now,
                default_preset=RangePreset(self.settings.default_range),
                default_group_by=self.settings.default_group_by,
                geometry_store=store,
            )
            window.setWindowTitle("Neo Usage (demo)" if self._demo else "Neo Usage")
            window.range_requested.connect(self.poller.request_range)
            window.retry_requested.connect(self.poller.refresh_now)
            window.token_requested.connect(lambda: self.open_settings(focus_token=True))
            self._detail = window
        return self._detail

    def start(self) -> None:
        shown = self.tray.start()
        if self._settings_problem:
            log.warning("%s", self._settings_problem)
            if shown and self.tray.icon is not None:
                self.tray.icon.showMessage("Neo Usage", self._settings_problem)
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
    def _keep_detail_range_current(self, snapshot: Snapshot) -> None:
        if self._detail is not None and snapshot.query == UsageQuery():
            self._detail.on_main_snapshot()

    @Slot(object)
    def _welcome_without_token(self, error: PollError) -> None:
        """First run without a token: open the settings once, at the token field."""
        if error.kind is ErrorKind.NO_TOKEN and not self._welcomed and self.demo_api is None:
            self._welcomed = True
            self.open_settings(focus_token=True)

    @Slot(bool)
    def _set_paused(self, paused: bool) -> None:
        self.poller.set_paused(paused)
        self.state.set_paused(paused)

    @Slot(str)
    def _snooze(self, how: str) -> None:
        {
            "hour": self.alerts.snooze_for_an_hour,
            "tomorrow": self.alerts.snooze_until_tomorrow,
            "resume": self.alerts.resume,
        }[how]()

    @Slot(object)
    def _save_cache(self, snapshot: Snapshot) -> None:
        if snapshot.query == UsageQuery():  # range fetches for the detail window are not cached
            cache.save(snapshot, self._cache_key, self.cache_path)

    @Slot(object)
    def _apply_settings(self, settings: Settings) -> None:
        config = self.client_config(settings, self._session_token)
        previous, self.poller_config = self.poller_config, config
        if config.base_url != previous.base_url or config.auth_scheme != previous.auth_scheme:
            self.alerts.set_base_url(config.base_url)
            self.poller.reconfigure(config)
        self.poller.set_interval(poll_interval_seconds(settings, self._demo))
        self.tray.render()  # thresholds may have moved the level
        if self._detail is not None:
            self._detail.refresh_header()

    @Slot(object)
    def _use_token(self, token: str | None) -> None:
        self._session_token = token
        self.poller_config = self.client_config(self.settings, token)
        self.poller.reconfigure(self.poller_config)

    def _notification_icon(self, note: Notification) -> str:
        look = trayview.look(self.state.view, utc_now(), self.thresholds())
        return write_icon(paths.cache_dir() / "notification-icon.png", render_image(look, 64))
