"""Starts the tray fast: the Qt application, the single-instance check and a "loading" tray icon
come first, from light modules only; the rest of the app (pydantic, httpx, the poller) is
imported and built once the event loop runs, and adopts that icon."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator, qVersion
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from desktop import __version__
from desktop.core import i18n
from desktop.core.i18n import _
from desktop.core.levels import CreditLevel
from desktop.core.looks import Look, LookKind
from desktop.system import paths, resources
from desktop.system.autostart import APP_ID
from desktop.system.single_instance import Claim, SingleInstance
from desktop.ui.gauge import IconCache, device_pixel_ratio, is_dark_theme
from desktop.ui.unix_signals import SignalWatcher

log = logging.getLogger(__name__)


def app_icon() -> QIcon:
    """The shipped application icon; a painted gauge when running without the resources."""
    icon = QIcon()
    for path in resources.app_icon_files():
        icon.addFile(str(path))
    if icon.isNull():
        return IconCache().icon(Look(LookKind.GAUGE, CreditLevel.OK, 75), False, 1.0)
    return icon


def boot_icon(cache: IconCache, menu: QMenu) -> QSystemTrayIcon | None:
    """The tray icon in its "loading" look, shown before anything heavy is imported. Its (still
    empty) menu is attached before it is shown: tray hosts keep the menu an item registered with."""
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None  # the tray view retries until a host appears
    icon = QSystemTrayIcon()
    icon.setContextMenu(menu)
    icon.setIcon(cache.icon(Look(LookKind.LOADING), is_dark_theme(), device_pixel_ratio()))
    icon.setToolTip(_("{who}: loading…").format(who=_("Neo Usage")))
    icon.show()
    return icon


def no_display_reason() -> str | None:
    """Why Qt could not open a window here (it would abort), or None when it can."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return _("no graphical session (DISPLAY and WAYLAND_DISPLAY are unset)")


def make_application() -> QApplication:
    """The one QApplication, named for the desktop (its .desktop file, notifications)."""
    app = QApplication.instance() or QApplication(["neo-tray"])
    assert isinstance(app, QApplication)
    app.setApplicationName("neo-usage-tray")
    app.setApplicationDisplayName(_("Neo Usage"))
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setQuitOnLastWindowClosed(False)
    install_language(app)
    log.info("Qt %s on the %s platform", qVersion(), app.platformName())
    return app


def install_language(app: QApplication) -> QTranslator | None:
    """Qt speaks the app's language too: its locale formats the tables' and date fields' figures,
    and its own catalog (`qtbase_<lang>.qm`, shipped with PySide6) translates its standard buttons
    and a text field's context menu. Returns the translator installed, if one was needed."""
    language = i18n.current()
    locale = QLocale(language.locale)
    QLocale.setDefault(locale)
    if language.code == i18n.SOURCE_LANGUAGE:
        return None
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(locale, "qtbase", "_", folder):
        log.info("No Qt translation for %s in %s", language.locale, folder)
        return None
    app.installTranslator(translator)
    log.info("Qt speaks %s (%s)", language.locale, Path(translator.filePath()).name)
    return translator


def run_tray(demo: bool = False, scenario: str = "ok", auth_scheme: str | None = None) -> int:
    """Start the Qt tray application; returns its exit code."""
    reason = no_display_reason()
    if reason:
        message = _("cannot start the tray: {reason}; `neo-tray --once` works without one.")
        print(f"neo-tray: {message.format(reason=reason)}", file=sys.stderr)
        return 1
    app = make_application()

    instance = SingleInstance(paths.state_dir(), "demo" if demo else "tray")
    claim = instance.claim()
    if claim is Claim.RUNNING:
        print(_("neo-tray is already running; showing its window."), file=sys.stderr)
        return 0
    if claim is Claim.UNAVAILABLE:
        message = _("cannot guard against a second tray ({problem}); starting anyway.")
        print(f"neo-tray: {message.format(problem=instance.problem)}", file=sys.stderr)
    icons = IconCache()
    menu = QMenu()
    first_icon = boot_icon(icons, menu)
    started: list[object] = []

    def build_the_rest() -> None:
        from desktop.app import TrayApp
        from desktop.core.query import AuthScheme
        from desktop.system import settings_store

        app.setWindowIcon(app_icon())
        loaded = settings_store.load()
        demo_api = None
        if demo:
            from desktop.demo import start_demo_api

            demo_api = start_demo_api(scenario, os.environ)
        tray_app = TrayApp(
            loaded,
            demo_api=demo_api,
            auth_scheme=AuthScheme(auth_scheme) if auth_scheme else None,
            tray_icon=first_icon,
            tray_menu=menu,
            icon_cache=icons,
        )
        instance.activation_requested.connect(tray_app.show_window)
        app.aboutToQuit.connect(tray_app.shutdown)
        tray_app.start()
        started.append(tray_app)

    def build_or_exit() -> None:
        try:
            build_the_rest()
        except Exception:  # a bug here must end the app cleanly, not leave a dead icon
            log.exception("The tray could not start")
            message = _("the tray could not start; details are in the log file.")
            print(f"neo-tray: {message}", file=sys.stderr)
            app.exit(1)

    watcher = SignalWatcher(lambda _signum: app.quit())
    # Let the icon register with the tray host (D-Bus round trips) before the heavy imports.
    QTimer.singleShot(150, build_or_exit)
    try:
        return app.exec()
    finally:
        watcher.close()
        instance.release()
