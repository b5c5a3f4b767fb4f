"""Starts the tray fast: the Qt application, the single-instance check and a "loading" tray icon
come first, from light modules only; the rest of the app (pydantic, httpx, the poller) is
imported and built once the event loop runs, and adopts that icon."""

from __future__ import annotations

import linecache
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, QTimer, qVersion
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from desktop import __version__
from desktop.core import i18n
from desktop.core.errors import EXIT_USAGE
from desktop.core.i18n import _
from desktop.core.sinks import terminal_text
from desktop.system import logs, paths, resources
from desktop.system.autostart import APP_ID
from desktop.system.single_instance import Claim, SingleInstance
from desktop.ui.display_guard import DisplayGuard, end_process
from desktop.ui.icon_boot import loading_icon
from desktop.ui.unix_signals import SignalWatcher, end_event_loop

if TYPE_CHECKING:
    from PySide6.QtCore import QTranslator

    from desktop.fakeapi import FakeNeoApi

log = logging.getLogger(__name__)
#: After the event loop, how long background jobs (`ui/background.py`: keyring writes, D-Bus
#: notifications) may take to finish; with the shutdown's own wait (`worker_thread.STOP_WAIT_MS`)
#: a quit ends well within 3 s whatever a worker waits for.
FINISH_WAIT_MS = 500


def app_icon() -> QIcon:
    """The shipped application icon; a painted gauge when running without the resources."""
    icon = QIcon()
    for path in resources.app_icon_files():
        icon.addFile(str(path))
    if icon.isNull():
        from desktop.core.levels import CreditLevel
        from desktop.core.looks import Look, LookKind
        from desktop.ui.gauge import IconCache

        return IconCache().icon(Look(LookKind.GAUGE, CreditLevel.OK, 75), False, 1.0)
    return icon


def boot_icon(menu: QMenu) -> QSystemTrayIcon | None:
    """The tray icon in its "loading" look (`icon_boot`: shipped PNGs, no painter), shown before
    anything heavy is imported. Its (still empty) menu is attached before it is shown: tray hosts
    keep the menu an item registered with."""
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None  # the tray view retries until a host appears
    icon = QSystemTrayIcon()
    icon.setContextMenu(menu)
    icon.setIcon(loading_icon())
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


def said_no_display() -> bool:
    """Whether Qt could not open a window here; then said on stderr."""
    reason = no_display_reason()
    if reason:
        message = _("cannot start the tray: {reason}; `neo-tray --once` works without one.")
        print(f"neo-tray: {message.format(reason=reason)}", file=sys.stderr)
    return reason is not None


def make_application(demo: bool = False) -> QApplication:
    """The one QApplication, named for the desktop (its .desktop file, notifications). Qt adds
    the display name to every window title ("Settings — Neo Usage"), so titles never repeat it;
    the demo's name says it is the demo in each of them."""
    app = QApplication.instance() or QApplication(["neo-tray"])
    assert isinstance(app, QApplication)
    app.setApplicationName("neo-usage-tray")
    app.setApplicationDisplayName(_("Neo Usage (demo)") if demo else _("Neo Usage"))
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
    from PySide6.QtCore import QLibraryInfo, QTranslator  # not before the icon in English

    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(locale, "qtbase", "_", folder):
        log.info("No Qt translation for %s in %s", language.locale, folder)
        return None
    app.installTranslator(translator)
    log.info("Qt speaks %s (%s)", language.locale, Path(translator.filePath()).name)
    return translator


def run_tray(
    demo: bool = False,
    scenario: str = "ok",
    auth_scheme: str | None = None,
    log_level: int | None = None,
) -> int:
    """Start the Qt tray application; returns its exit code (or ends the process with it, see
    `finish`). `log_level`: --log-level's, for the terminal (None: nothing there)."""
    if said_no_display():
        return EXIT_USAGE
    sandbox = demo_sandbox() if demo else None  # before the log: the demo's is in it
    if demo and sandbox is None:
        return EXIT_USAGE
    drop_sources_read_at_import()  # before the rest is imported: megabytes never held
    # The terminal gets log lines only when asked (--log-level): details go to the log, whose
    # file opens once the icon shows (`build_the_rest`); its records are held until then.
    logs.configure_held(log_level)
    guard = DisplayGuard()
    guard.install()
    app = make_application(demo)  # a display that does not answer ends the process here (exit 2)
    guard.opened()

    instance, at_end = claim_tray(sandbox)
    if instance is None:
        return 0
    # The display lost (the X server ended with the session): end as a quit would, at once.
    guard.on_display_lost = lambda: quit_at_once(instance, at_end)
    # First of the quit path: no keyring wait may hold the worker thread the shutdown stops.
    app.aboutToQuit.connect(abandon_keyring_waits)
    menu = QMenu()
    first_icon = boot_icon(menu)
    started: list[object] = []

    def build_the_rest() -> None:
        logs.open_held_file()
        from desktop.app import TrayApp
        from desktop.core.query import AuthScheme
        from desktop.system import settings_store

        app.setWindowIcon(app_icon())
        loaded = settings_store.load()
        demo_api = start_demo_api(scenario) if demo else None
        tray_app = TrayApp(
            loaded,
            demo_api=demo_api,
            auth_scheme=AuthScheme(auth_scheme) if auth_scheme else None,
            tray_icon=first_icon,
            tray_menu=menu,
        )
        instance.activation_requested.connect(tray_app.show_window)
        app.aboutToQuit.connect(tray_app.shutdown)
        tray_app.start()
        started.append(tray_app)
        forget_imported_sources()

    def build_or_exit() -> None:
        try:
            build_the_rest()
        except Exception:  # a bug here must end the app cleanly, not leave a dead icon
            log.exception("The tray could not start")
            message = _("the tray could not start; details are in the log file.")
            print(f"neo-tray: {message}", file=sys.stderr)
            app.exit(1)

    watcher = SignalWatcher(lambda _signum: end_event_loop())
    # Let the icon register with the tray host (D-Bus round trips) before the heavy imports.
    QTimer.singleShot(150, build_or_exit)
    try:
        code = app.exec()
    finally:
        logs.open_held_file()  # ended before the rest was built: the held records still
        watcher.close()
        instance.release()
    return finish(code, at_end)


def start_demo_api(scenario: str) -> FakeNeoApi:
    """The demo's fake API, serving `scenario` (`desktop.demo.start_demo_api`)."""
    from desktop.demo import start_demo_api as start

    return start(scenario, os.environ)


def forget_imported_sources() -> None:
    """Drop the source text of the modules imported so far (about 5 MB for the tray's 280).
    PySide6's import hook reads every module imported after it (`inspect.getsource`, to see
    whether it names PySide6) and `linecache` keeps what it read for the life of the process;
    the tray never needs it (a traceback reads its lines again), and the space is reused."""
    linecache.clearcache()


def drop_sources_read_at_import() -> bool:
    """From now on, each module's source that PySide6's import hook reads (see
    `forget_imported_sources`) leaves `linecache` as soon as the hook has its answer, which
    stays the same. Cleared only once the tray is built, those sources (the tray's own, httpx's,
    the keyring's) made a peak of 8 MB that the process kept as RSS after start (issue 26's
    row: the dependency floor +4.4 MB before, below the floor after). False (nothing changed)
    when this PySide6 has no such hook (`shibokensupport.feature._mod_uses_pyside`)."""
    feature = sys.modules.get("shibokensupport.feature")
    check = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or check is None or getattr(check, "drops_sources", False):
        return False

    def uses_pyside(module: object) -> bool:
        try:
            return bool(check(module))
        finally:
            filename = getattr(module, "__file__", None)
            if isinstance(filename, str):
                linecache.cache.pop(filename, None)

    uses_pyside.drops_sources = True  # type: ignore[attr-defined]  # installed once
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]
    return True


def demo_sandbox() -> Path | None:
    """The demo's private folder for this run, entered before anything is written (its
    settings, log, cache, state, token); None, said on stderr, when it cannot be made."""
    from desktop import demo as demo_files

    try:
        root = demo_files.create_sandbox()
    except OSError as exc:
        message = _("cannot make the demo's private folder: {problem}")
        print(f"neo-tray: {terminal_text(message.format(problem=exc))}", file=sys.stderr)
        return None
    demo_files.enter_sandbox(root)
    return root


def claim_tray(
    sandbox: Path | None,
) -> tuple[SingleInstance | None, Callable[[], None] | None]:
    """This process's single instance and what to do at its end (remove the demo's sandbox);
    no instance when another tray (or demo) runs. The demo's lock is in a fixed per-user place
    (its sandbox is new each run), with a record naming the sandbox beside it."""
    if sandbox is None:
        instance = SingleInstance(paths.state_dir(), "tray")
        return (instance if claim_instance(instance) else None), None
    from desktop import demo as demo_files

    def remove_sandbox() -> None:
        logs.open_held_file()  # the demo's log is in the sandbox: written before it goes
        demo_files.remove_sandbox(sandbox)

    instance = SingleInstance(paths.runtime_dir(), demo_files.INSTANCE_KEY)
    if not claim_instance(instance):
        remove_sandbox()
        return None, None
    demo_files.record_sandbox(sandbox)
    return instance, remove_sandbox


def claim_instance(instance: SingleInstance) -> bool:
    """Whether this process is to be the tray; says why not, or why it runs unguarded."""
    claim = instance.claim()
    if claim is Claim.RUNNING:
        print(_("neo-tray is already running; showing its window."), file=sys.stderr)
        return False
    if claim is Claim.UNAVAILABLE:
        message = _("cannot guard against a second tray ({problem}); starting anyway.")
        problem = terminal_text(instance.problem)
        print(f"neo-tray: {message.format(problem=problem)}", file=sys.stderr)
    return True


def abandon_keyring_waits() -> None:
    from desktop.system import secrets

    secrets.abandon_keyring_waits()


def quit_at_once(instance: SingleInstance, at_end: Callable[[], None] | None = None) -> None:
    """The display is gone, and Qt with it: release the instance and end cleanly (exit 0)."""
    log.warning("The display went away (the session ended?); quitting")
    logs.open_held_file()  # before the demo's sandbox (which holds its log) is removed
    abandon_keyring_waits()
    instance.release()
    if at_end is not None:
        at_end()
    end_process(0)


def finish(code: int, at_end: Callable[[], None] | None = None) -> int:
    """After the event loop: `code`, once every worker has stopped. A worker still busy after
    `FINISH_WAIT_MS` (stuck in a call that cannot be cut short) would make Python's own ending
    wait for it, or Qt abort on its thread: the process then ends at once, its log flushed.
    `at_end` (removing the demo's sandbox) runs last, whichever way the process ends."""
    from PySide6.QtCore import QThreadPool

    deadline = time.monotonic() + FINISH_WAIT_MS / 1000
    pool_done = QThreadPool.globalInstance().waitForDone(FINISH_WAIT_MS)
    busy = [
        thread
        for thread in threading.enumerate()
        if thread is not threading.current_thread() and not thread.daemon
    ]
    for thread in busy:
        thread.join(max(0.0, deadline - time.monotonic()))
    stuck = [thread.name for thread in busy if thread.is_alive()]
    from desktop.ui.worker_thread import threads_left_behind

    left_behind = threads_left_behind()
    if at_end is not None:
        at_end()
    if pool_done and not stuck and not left_behind:
        return code
    log.warning(
        "Ending without waiting for: %s",
        ", ".join([*stuck, *(t.objectName() for t in left_behind)]) or "a background job",
    )
    end_process(code)
    return code  # not reached
