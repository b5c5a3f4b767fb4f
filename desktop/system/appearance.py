"""The desktop's colour-scheme preference, read from the freedesktop appearance portal."""

from __future__ import annotations

import sys
from typing import Any

PORTAL_NAME = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
SETTINGS_INTERFACE = "org.freedesktop.portal.Settings"
APPEARANCE = ("org.freedesktop.appearance", "color-scheme")
PREFERS = {1: True, 2: False}  # the portal's values: 0 no preference, 1 dark, 2 light
CALL_TIMEOUT_S = 2.0


def scheme_value(reply: Any) -> bool | None:
    """True (prefers dark), False (prefers light) or None (no preference, or a value this app
    does not know) from a reply's first value: ReadOne gives a variant `('u', 1)`; the older
    Read wraps it once more, `('v', ('u', 1))`."""
    while isinstance(reply, tuple) and len(reply) == 2 and isinstance(reply[0], str):
        reply = reply[1]
    if isinstance(reply, bool) or not isinstance(reply, int):
        return None
    return PREFERS.get(reply)


def portal_prefers_dark() -> bool | None:
    """The appearance portal's `color-scheme`: True dark, False light, None when there is no
    preference, no portal or no session bus (off Linux: None).

    Blocking (at most two D-Bus calls of `CALL_TIMEOUT_S` each): never on the UI thread.
    Raises OSError or jeepney's errors when the bus cannot be reached."""
    if not sys.platform.startswith("linux"):
        return None
    from jeepney import DBusAddress, MessageType, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    portal = DBusAddress(PORTAL_PATH, bus_name=PORTAL_NAME, interface=SETTINGS_INTERFACE)
    with open_dbus_connection(bus="SESSION") as connection:
        for method in ("ReadOne", "Read"):  # ReadOne since portal version 2; Read before
            message = new_method_call(portal, method, "ss", APPEARANCE)
            reply = connection.send_and_get_reply(message, timeout=CALL_TIMEOUT_S)
            if reply.header.message_type is MessageType.error:
                continue  # no such method (an old portal), or no such setting
            return scheme_value(reply.body[0]) if reply.body else None
    return None
