"""Composition root of the tray app: builds the objects and connects their signals, nothing else."""

from __future__ import annotations

import logging
import os
import sys
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Slot
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox

from desktop import __version__
from desktop.api.client import AuthScheme, UsageQuery
from desktop.api.errors import KeyringUnavailable
from desktop.cli import resolve_base_url
from desktop.core.derive import Thresholds
from desktop.core.settings import Settings
from desktop.core.snapshot import Snapshot
from desktop.system import cache, paths, secrets, settings_store
from desktop.system.single_instance import SingleInstance
from desktop.ui.background import run_in_background
from desktop.ui.poller import ClientConfig, Poller, utc_now
from desktop.ui.state import AppState
from desktop.ui.tray import TrayView
from desktop.ui.unix_signals import SignalWatcher

if TYPE_CHECKING:
    from desktop.fakeapi import FakeNeoApi
    from desktop.ui.detail.window import DetailWindow

log = logging.getLogger(__name__)
APP_ID = "io.github.neo_usage_tray.NeoUsageTray"
DEMO_LIVE_TASK_SECONDS = 15.0
POLL_OVERRIDE_ENV = "NEO_TRAY_POLL_SECONDS"  # for demos and tests: poll faster than the settings


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
    """Owns the long-lived objects of one tray session."""

    def __init__(
        self,
        settings: Settings,
        settings_problem: str | None,
        *,
        demo: bool,
        scenario: str = "ok",
        auth_scheme: AuthScheme | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self._settings_problem = settings_problem
        self.demo_api: FakeNeoApi | None = None
        scheme = auth_scheme or settings.auth_scheme
        if demo:
            from desktop.fakeapi import FakeNeoApi

            self.demo_api = FakeNeoApi(
                scenario=scenario, live_task_interval=DEMO_LIVE_TASK_SECONDS
            ).start()
            self.base_url = self.demo_api.url
            log.info("Demo: fake Neo API at %s (scenario %s)", self.base_url, scenario)
            config = ClientConfig(self.base_url, AuthScheme.BEARER, self.demo_api.token)
        else:
            self.base_url = resolve_base_url(settings, os.environ)
            config = ClientConfig(self.base_url, scheme, None)
        self._config = config
        self.cache_path: Path = cache.default_path(demo)
        # The demo's fake server gets a new port each run; its cache is keyed by "demo".
        self._cache_key = "demo" if demo else self.base_url
        cached = cache.load(self._cache_key, self.cache_path)

        self.state = AppState(cached, self)
        self.poller = Poller(config, poll_interval_seconds(settings, demo), parent=self)
        self.tray = TrayView(self.state, self.thresholds, utc_now, self)
        self._demo = demo
        self._detail: DetailWindow | None = None  # built the first time it opens

        self.poller.snapshot_ready.connect(self.state.on_snapshot)
        self.poller.snapshot_ready.connect(self._save_cache)
        self.poller.snapshot_ready.connect(self._keep_detail_range_current)
        self.poller.failed.connect(self.state.on_error)
        self.poller.range_failed.connect(self.state.on_range_error)
        self.poller.busy_changed.connect(self.state.on_busy)
        self.tray.refresh_requested.connect(self.poller.refresh_now)
        self.tray.menu_opened.connect(self.poller.refresh_if_older_than_interval)
        self.tray.details_requested.connect(self.show_window)
        self.tray.token_requested.connect(self.ask_for_token)
        self.tray.pause_toggled.connect(self._set_paused)
        self.tray.quit_requested.connect(QApplication.quit)
        self.tray.availability_changed.connect(self._on_tray_availability)

    def thresholds(self) -> Thresholds:
        return self.settings.thresholds

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
            window.token_requested.connect(self.ask_for_token)
            self._detail = window
        return self._detail

    def start(self) -> None:
        shown = self.tray.start()
        if self._settings_problem:
            log.warning("%s", self._settings_problem)
            if shown and self.tray.icon is not None:
                self.tray.icon.showMessage("Neo Usage", self._settings_problem)
        self.poller.start()

    @Slot()
    def shutdown(self) -> None:
        self.poller.stop()
        self.tray.hide()
        if self._detail is not None:
            self._detail.hide()
        if self.demo_api is not None:
            self.demo_api.stop()
            self.demo_api = None

    @Slot()
    def show_window(self) -> None:
        self.detail_window().show_and_raise()

    @Slot(bool)
    def _on_tray_availability(self, available: bool) -> None:
        if not available:
            self.show_window()

    @Slot(object)
    def _keep_detail_range_current(self, snapshot: Snapshot) -> None:
        if self._detail is not None and snapshot.query == UsageQuery():
            self._detail.on_main_snapshot()

    @Slot(bool)
    def _set_paused(self, paused: bool) -> None:
        self.poller.set_paused(paused)
        self.state.set_paused(paused)

    @Slot(object)
    def _save_cache(self, snapshot: Snapshot) -> None:
        if snapshot.query == UsageQuery():  # range fetches for the detail window are not cached
            cache.save(snapshot, self._cache_key, self.cache_path)

    @Slot()
    def ask_for_token(self) -> None:
        if self.demo_api is not None:
            QMessageBox.information(
                None,
                "Neo Usage (demo)",
                "The demo uses its own token; run neo-tray without --demo.",
            )
            return
        token, accepted = QInputDialog.getText(
            None,
            "Neo API token",
            "Paste your Neo API token. It is stored in the system keyring.",
            QLineEdit.EchoMode.Password,
        )
        token = token.strip()
        if not accepted or not token:
            return

        def saved(_result: object, error: BaseException | None) -> None:
            if error is None:
                self.poller.reconfigure(self._config)
                return
            message = (
                error.user_message
                if isinstance(error, KeyringUnavailable)
                else "The token could not be saved."
            )
            QMessageBox.warning(
                None,
                "Neo Usage",
                f"{message}\nThe token is used for this session only; to keep it, set "
                f"{secrets.TOKEN_ENV} in your environment.",
            )
            self.poller.reconfigure(
                ClientConfig(self._config.base_url, self._config.auth_scheme, token)
            )

        run_in_background(lambda: secrets.save_token(token), saved)


def run_tray(
    demo: bool = False, scenario: str = "ok", auth_scheme: AuthScheme | None = None
) -> int:
    """Start the Qt tray application; returns its exit code."""
    app = QApplication.instance() or QApplication(["neo-tray"])
    assert isinstance(app, QApplication)
    app.setApplicationName("neo-usage-tray")
    app.setApplicationDisplayName("Neo Usage")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setQuitOnLastWindowClosed(False)

    instance = SingleInstance(paths.state_dir(), "demo" if demo else "tray")
    if not instance.claim():
        print("neo-tray is already running; showing its window.", file=sys.stderr)
        return 0
    loaded = settings_store.load()
    tray_app = TrayApp(
        loaded.settings, loaded.problem, demo=demo, scenario=scenario, auth_scheme=auth_scheme
    )
    instance.activation_requested.connect(tray_app.show_window)
    watcher = SignalWatcher(lambda _signum: app.quit())
    app.aboutToQuit.connect(tray_app.shutdown)
    tray_app.start()
    try:
        return app.exec()
    finally:
        watcher.close()
        instance.release()
