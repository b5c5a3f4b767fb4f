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
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QSystemTrayIcon

from desktop.core import sinks
from desktop.core.i18n import N_, _
from desktop.core.rules.catalogue import Rule, Urgency, spec
from desktop.core.rules.messages import Notification
from desktop.ui.background import run_in_background

log = logging.getLogger(__name__)
APP_NAME = N_("Neo Usage")
ACTIONS = (("details", N_("Open details")), ("snooze", N_("Snooze 1 hour")))
URGENCY_BYTE = {Urgency.LOW: 0, Urgency.NORMAL: 1, Urgency.CRITICAL: 2}
NOTIFY_TIMEOUT_MS = -1  # the server's default


#: The freedesktop notification spec's categories (its table "Categories"): a refused sign-in
#: is the service refusing a request, a network error. Credits have no standard class, so
#: theirs take the spec's form for others, "x-vendor.class.name".
STANDARD_CATEGORY = {Rule.AUTH_FAILED: "network.error", Rule.NO_PERMISSION: "network.error"}


def category(note: Notification) -> str:
    """The `category` hint: `network.error`, or `x-neo-usage-tray.credit.low` and the like."""
    standard = STANDARD_CATEGORY.get(note.rule)
    return standard or f"x-neo-usage-tray.{spec(note.rule).group}.{note.rule.value}"


class Backend(Protocol):
    name: str

    def send(self, note: Notification, replaces_id: int, icon_path: str) -> int: ...

    def close(self) -> None: ...


#: Builds the D-Bus backend, given where to report (notification id, action key).
BackendFactory = Callable[[Callable[[int, str], None]], Backend]


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
        self._closing = threading.Lock()  # close() and the listener's connect, one at a time
        self._closed = False
        self._listener.start()

    def send(self, note: Notification, replaces_id: int, icon_path: str) -> int:
        from jeepney import new_method_call

        actions = [part for key, label in ACTIONS for part in (key, _(label))]
        actions += ["default", _("Open details")]
        hints = {
            "urgency": ("y", URGENCY_BYTE[note.urgency]),
            "desktop-entry": ("s", self._desktop_entry),
            "category": ("s", category(note)),
        }
        message = new_method_call(
            self._address,
            "Notify",
            "susssasa{sv}i",
            (
                _(APP_NAME),
                replaces_id,
                icon_path,
                sinks.line_text(note.title),  # the summary is plain text
                sinks.notification_body(note.body),
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
            with self._closing:
                if self._closed:  # closed while it connected: nothing to listen for
                    connection.close()
                    return
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
        with self._closing:
            self._closed = True
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
        title = sinks.line_text(note.title)
        icon.showMessage(title, sinks.notification_body(note.body, markup=False), kind, 10_000)
        return 0

    def close(self) -> None:
        pass


class Notifier(QObject):
    """Chooses a backend once, replaces a group's earlier notification, reports actions.

    D-Bus calls run in the background (`run_in_background`), one at a time in the order asked,
    so a slow or hung notification daemon never blocks the UI (a `Notify` call may wait up to
    5 s) and a group's next note replaces the one before; the tray balloon, a Qt call, stays on
    the UI thread. After `close` nothing more is sent or reported.

    Signals:
        action_invoked(str, str): "details" or "snooze", from one of this app's notifications,
            and the id of the account it was about ("" with one account).
    """

    action_invoked = Signal(str, str)
    _action_from_thread = Signal(int, str)
    _idle = Signal()

    def __init__(
        self,
        tray_icon: Callable[[], QSystemTrayIcon | None],
        icon_path: Callable[[Notification], str],
        desktop_entry: str,
        parent: QObject | None = None,
        *,
        backend_factory: BackendFactory | None = None,
    ) -> None:
        super().__init__(parent)
        self._icon_path = icon_path
        if backend_factory is None and sys.platform.startswith("linux"):
            backend_factory = partial(FreedesktopBackend, desktop_entry)
        self._backend_factory = backend_factory
        self._backend: Backend | None = None  # built and used by one delivery at a time
        self._backend_failed = False
        self._fallback = TrayMessageBackend(tray_icon)
        self._waiting: deque[tuple[Notification, str]] = deque()  # notes and their icons
        self._sending = False
        self._closed = False
        self._ids_by_group: dict[str, int] = {}
        self._our_ids: dict[int, str] = {}  # notification id: account id
        self._action_from_thread.connect(self._on_action)

    def notify(self, note: Notification) -> None:
        """Deliver `note` without waiting for the notification daemon."""
        log.info("Notifying: %s — %s", note.title, note.body)
        if self._backend_factory is None:
            self._show_in_tray(note)
            return
        if not self._closed:
            self._waiting.append((note, self._icon_path(note)))
            self._send_next()

    def _send_next(self) -> None:
        if self._sending or not self._waiting or self._closed:
            return
        note, icon_path = self._waiting.popleft()
        replaces = self._ids_by_group.get(note.group, 0)
        self._sending = True
        run_in_background(
            partial(self._deliver, note, replaces, icon_path),
            partial(self._delivered, note),
            owner=self,
        )

    def _deliver(self, note: Notification, replaces: int, icon_path: str) -> int | None:
        """In the background: send over D-Bus; the new id, or None without a D-Bus backend.
        Raises what the backend raises."""
        backend = self._ensure_backend()
        if backend is None:
            return None
        return backend.send(note, replaces, icon_path)

    def _ensure_backend(self) -> Backend | None:
        if self._backend is None and not self._backend_failed and self._backend_factory:
            try:
                self._backend = self._backend_factory(self._action_from_thread.emit)
            except Exception as exc:  # no bus, no daemon, no jeepney: use the tray
                log.info("Using tray messages for notifications: %s", exc)
                self._backend_failed = True
        return self._backend

    def _delivered(
        self, note: Notification, new_id: int | None, error: BaseException | None
    ) -> None:
        """On the UI thread: remember the id (the group's next note replaces it), or fall back
        to the tray; then the next note."""
        self._sending = False
        if self._closed:
            self._close_backend()  # built by a delivery that was on its way at close
            self._idle.emit()
            return
        if error is not None:
            name = self._backend.name if self._backend is not None else "D-Bus"
            log.warning("Notification via %s failed: %s", name, error)
            self._show_in_tray(note)
        elif new_id is None:
            self._show_in_tray(note)
        elif new_id:
            self._ids_by_group[note.group] = new_id
            self._our_ids[new_id] = note.account_id
        self._send_next()
        if not self._sending:
            self._idle.emit()

    @Slot(object)
    def _show_in_tray(self, note: Notification) -> None:
        try:
            self._fallback.send(note, 0, "")
        except Exception as exc:
            log.warning("Tray message failed: %s", exc)

    @Slot(int, str)
    def _on_action(self, notification_id: int, action: str) -> None:
        if self._closed or notification_id not in self._our_ids:
            return  # another app's notification, or after close
        account_id = self._our_ids[notification_id]
        self.action_invoked.emit("details" if action == "default" else action, account_id)

    def close(self) -> None:
        self._closed = True
        self._waiting.clear()
        self._close_backend()

    def _close_backend(self) -> None:
        backend, self._backend = self._backend, None
        if backend is not None:
            backend.close()
