"""Whether Qt exports the tray menu over D-Bus (dbusmenu, for a StatusNotifierItem host), which
decides how its labels are written: asked off the UI thread, again until Qt has registered its
item.
"""

from __future__ import annotations

import logging
import os
import sys
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from desktop.ui.background import run_in_background

log = logging.getLogger(__name__)
SNI_WATCHER = "org.kde.StatusNotifierWatcher"
EXPORT_CHECK_MS = 500  # Qt registers its item asynchronously: look again this often ...
EXPORT_CHECKS = 20  # ... this many times


def menu_exported(pid: int) -> bool | None:
    """Whether Qt shows process `pid`'s tray icon as a StatusNotifierItem, whose menu it exports
    over D-Bus (dbusmenu), rather than drawing the menu itself (XEmbed, macOS, Windows).

    True: an item the watcher lists belongs to `pid`; False: not Linux, or no watcher (Qt then
    has no D-Bus tray); None: a watcher, but no item of `pid` yet (Qt registers it after showing
    the icon): ask again. Blocking (a few D-Bus calls, each at most 2 s): not on the UI thread.
    Raises OSError or jeepney's errors when the bus cannot be asked."""
    if not sys.platform.startswith("linux"):
        return False
    from jeepney import DBusAddress, Properties
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection
    from jeepney.wrappers import DBusErrorResponse, unwrap_msg

    with open_dbus_connection(bus="SESSION") as connection:

        def ask(message: Any) -> Any:
            return unwrap_msg(connection.send_and_get_reply(message, timeout=2))[0]

        if not ask(message_bus.NameHasOwner(SNI_WATCHER)):
            return False
        watcher = DBusAddress("/StatusNotifierWatcher", SNI_WATCHER, SNI_WATCHER)
        _signature, items = ask(Properties(watcher).get("RegisteredStatusNotifierItems"))
        for item in items:  # ":1.42/StatusNotifierItem", or a bus name alone
            try:
                if ask(message_bus.GetConnectionUnixProcessID(item.split("/", 1)[0])) == pid:
                    return True
            except DBusErrorResponse:  # that item's connection has just gone
                continue
    return None


class ExportCheck(QObject):
    """Asks `menu_exported` for this process once the icon is shown, again every
    `EXPORT_CHECK_MS` while the answer is not known yet (at most `EXPORT_CHECKS` times).

    Signals: exported(): Qt exports the menu as dbusmenu (emitted at most once per `start`)."""

    exported = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._check)
        self._checks = 0

    def start(self) -> None:
        """Ask now (the icon has just been shown), and again while it is not known."""
        self._checks = 0
        self._check()

    def stop(self) -> None:
        self._timer.stop()

    @Slot()
    def _check(self) -> None:
        self._checks += 1
        run_in_background(partial(menu_exported, os.getpid()), self._on_checked, owner=self)

    def _on_checked(self, exported: bool | None, error: BaseException | None) -> None:
        if error is not None:
            log.debug("Cannot tell whether the menu is exported: %r", error)
        elif exported is None and self._checks < EXPORT_CHECKS:
            self._timer.start(EXPORT_CHECK_MS)
        elif exported:
            self.exported.emit()
