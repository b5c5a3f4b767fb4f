"""Delivers notifications: org.freedesktop.Notifications over D-Bus on Linux (urgency, actions,
replacement), the tray's own balloon elsewhere or when no notification daemon runs.

D-Bus goes through jeepney (already installed with keyring's Secret Service backend): it sends the
exact signature the spec asks for, including the byte-typed urgency hint. A delivery failure is
logged and falls back; it never stops the app.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QSystemTrayIcon

from desktop.core.rules import Notification, Urgency

log = logging.getLogger(__name__)
APP_NAME = "Neo Usage"
ACTIONS = (("details", "Open details"), ("snooze", "Snooze 1 hour"))
URGENCY_BYTE = {Urgency.LOW: 0, Urgency.NORMAL: 1, Urgency.CRITICAL: 2}
NOTIFY_TIMEOUT_MS = -1  # the server's default


class Backend(Protocol):
    name: str

    def send(self, note: Notification, replaces_id: int, icon_path: str) -> int: ...

    def close(self) -> None: ...


class FreedesktopBackend:
    """Talks to the session bus's notification daemon; raises OSError/RuntimeError on failure."""

    name = "freedesktop"
    BUS_NAME = "org.freedesktop.Notifications"
    PATH = "/org/freedesktop/Notifications"

    def __init__(self, desktop_entry: str, on_action: Callable[[int, str], None]) -> None:
        from jeepney import DBusAddress
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self._connection = open_dbus_connection(bus="SESSION")
        reply = self._connection.send_and_get_reply(
            message_bus.NameHasOwner(self.BUS_NAME), timeout=5
        )
        if not reply.body[0]:
            self._connection.close()
            raise RuntimeError("no notification daemon on the session bus")
        self._address = DBusAddress(self.PATH, bus_name=self.BUS_NAME, interface=self.BUS_NAME)
        self._desktop_entry = desktop_entry
        self._on_action = on_action
        self._listener = threading.Thread(target=self._listen, name="notify-actions", daemon=True)
        self._listener_connection: Any = None
        self._listener.start()

    def send(self, note: Notification, replaces_id: int, icon_path: str) -> int:
        from jeepney import new_method_call

        actions = [part for key, label in ACTIONS for part in (key, label)]
        actions += ["default", "Open details"]
        hints = {
            "urgency": ("y", URGENCY_BYTE[note.urgency]),
            "desktop-entry": ("s", self._desktop_entry),
            "category": ("s", "device" if note.group == "auth" else "presence"),
        }
        message = new_method_call(
            self._address,
            "Notify",
            "susssasa{sv}i",
            (
                APP_NAME,
                replaces_id,
                icon_path,
                note.title,
                note.body,
                actions,
                hints,
                NOTIFY_TIMEOUT_MS,
            ),
        )
        reply = self._connection.send_and_get_reply(message, timeout=5)
        return int(reply.body[0])

    def _listen(self) -> None:
        from jeepney.bus_messages import MatchRule, message_bus
        from jeepney.io.blocking import open_dbus_connection

        try:
            connection = open_dbus_connection(bus="SESSION")
            self._listener_connection = connection
            rule = MatchRule(
                type="signal", interface=self.BUS_NAME, member="ActionInvoked", path=self.PATH
            )
            connection.send_and_get_reply(message_bus.AddMatch(rule), timeout=5)
            with connection.filter(rule) as queue:
                while True:
                    signal = connection.recv_until_filtered(queue)
                    notification_id, action = signal.body
                    self._on_action(int(notification_id), str(action))
        except Exception as exc:  # the connection closed on quit, or the bus went away
            log.debug("Notification action listener ended: %r", exc)

    def close(self) -> None:
        for connection in (self._connection, self._listener_connection):
            if connection is not None:
                try:
                    connection.close()
                except OSError:
                    pass


class TrayMessageBackend:
    """The tray icon's own message: macOS and Windows notifications, or Qt's balloon."""

    name = "tray"

    def __init__(self, icon: Callable[[], QSystemTrayIcon | None]) -> None:
        self._icon = icon

    def send(self, note: Notification, replaces_id: int, icon_path: str) -> int:
        icon = self._icon()
        if icon is None or not icon.isVisible():
            raise RuntimeError("no tray icon to show the message")
        kind = (
            QSystemTrayIcon.MessageIcon.Warning
            if note.urgency is Urgency.CRITICAL
            else QSystemTrayIcon.MessageIcon.Information
        )
        icon.showMessage(note.title, note.body, kind, 10_000)
        return 0

    def close(self) -> None:
        pass


class Notifier(QObject):
    """Chooses a backend once, replaces a group's earlier notification, reports actions."""

    action_invoked = Signal(str)  # "details" or "snooze"
    delivered = Signal(object)  # the Notification, once shown (for tests and logs)
    _action_from_thread = Signal(int, str)

    def __init__(
        self,
        tray_icon: Callable[[], QSystemTrayIcon | None],
        icon_path: Callable[[Notification], str],
        desktop_entry: str,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tray_icon = tray_icon
        self._icon_path = icon_path
        self._desktop_entry = desktop_entry
        self._backend: Backend | None = None
        self._fallback = TrayMessageBackend(tray_icon)
        self._ids_by_group: dict[str, int] = {}
        self._our_ids: set[int] = set()
        self._action_from_thread.connect(self._on_action)

    def _choose_backend(self) -> Backend:
        if self._backend is None:
            self._backend = self._fallback
            if sys.platform.startswith("linux"):
                try:
                    self._backend = FreedesktopBackend(
                        self._desktop_entry, self._action_from_thread.emit
                    )
                except Exception as exc:  # no bus, no daemon, no jeepney: use the tray
                    log.info("Using tray messages for notifications: %s", exc)
        return self._backend

    def notify(self, note: Notification) -> None:
        backend = self._choose_backend()
        try:
            new_id = backend.send(
                note, self._ids_by_group.get(note.group, 0), self._icon_path(note)
            )
        except Exception as exc:
            log.warning("Notification via %s failed: %s", backend.name, exc)
            if backend is self._fallback:
                return
            try:
                new_id = self._fallback.send(note, 0, "")
            except Exception as fallback_exc:
                log.warning("Tray message failed too: %s", fallback_exc)
                return
        if new_id:
            self._ids_by_group[note.group] = new_id
            self._our_ids.add(new_id)
        log.info("Notified: %s — %s", note.title, note.body)
        self.delivered.emit(note)

    def _on_action(self, notification_id: int, action: str) -> None:
        if notification_id not in self._our_ids:
            return  # another app's notification
        self.action_invoked.emit("details" if action == "default" else action)

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()


def write_icon(path: Path, image: Any) -> str:
    """Save a QImage for the notification daemon to read; '' when that fails."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return str(path) if image.save(str(path)) else ""
    except OSError:
        return ""
