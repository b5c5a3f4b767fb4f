"""Notifications carry categories of the freedesktop spec's list (a refused sign-in is
`network.error`), or the spec's form for others (`x-vendor.class.name`) where none fits: read off
a real session bus, from the Notify call the app's D-Bus backend makes."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from desktop.core.rules.catalogue import Rule
from desktop.core.rules.messages import Notification
from desktop.ui.notifier import FreedesktopBackend, category

#: The spec's table of categories (Desktop Notifications Specification 1.2).
SPEC_CATEGORIES = {
    "call", "call.ended", "call.incoming", "call.unanswered",
    "device", "device.added", "device.error", "device.removed",
    "email", "email.arrived", "email.bounced",
    "im", "im.error", "im.received",
    "network", "network.connected", "network.disconnected", "network.error",
    "presence", "presence.offline", "presence.online",
    "transfer", "transfer.complete", "transfer.error",
}  # fmt: skip
OTHERS = re.compile(r"x-[a-z0-9-]+\.[a-z0-9_-]+\.[a-z0-9_-]+")


@pytest.mark.parametrize("rule", list(Rule))
def test_every_rule_has_a_category_of_the_spec(rule: Rule) -> None:
    found = category(Notification(rule, "t", "b", account_id="e5f6a7b8"))
    assert found in SPEC_CATEGORIES or OTHERS.fullmatch(found), found
    if rule in (Rule.AUTH_FAILED, Rule.NO_PERMISSION):
        assert found == "network.error"  # whatever account it is for
    else:
        assert found.startswith("x-neo-usage-tray.")


@pytest.fixture
def session_bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if shutil.which("dbus-daemon") is None:
        pytest.skip("needs dbus-daemon")
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert daemon.stdout is not None
    address = daemon.stdout.readline().strip()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    yield address
    daemon.terminate()
    daemon.wait(10)
    daemon.stdout.close()


def notification_server(calls: list[Any], ready: threading.Event) -> None:
    """org.freedesktop.Notifications answering Notify with id 7 and recording its hints."""
    from jeepney import HeaderFields, MessageType, new_method_return
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(bus="SESSION") as bus:
        bus.send_and_get_reply(message_bus.RequestName(FreedesktopBackend.BUS_NAME))
        ready.set()
        while True:
            message = bus.receive()
            if message.header.message_type is not MessageType.method_call:
                continue
            if message.header.fields.get(HeaderFields.member) == "Notify":
                calls.append(message.body)
                bus.send(new_method_return(message, "u", (7,)))
                return


@pytest.mark.parametrize(
    ("rule", "expected"),
    [(Rule.AUTH_FAILED, "network.error"), (Rule.LOW, "x-neo-usage-tray.credit.low")],
)
def test_the_notify_call_carries_the_category(session_bus: str, rule: Rule, expected: str) -> None:
    calls: list[Any] = []
    ready = threading.Event()
    server = threading.Thread(target=notification_server, args=(calls, ready), daemon=True)
    server.start()
    assert ready.wait(10)
    backend = FreedesktopBackend("io.github.neo_usage_tray.NeoUsageTray", lambda *_: None)
    try:
        assert backend.send(Notification(rule, "Title", "Body", account_id="acme"), 0, "") == 7
    finally:
        backend.close()
        # Its action listener connects on its own thread: let it finish before the bus goes.
        backend._listener.join(10)
    server.join(10)
    hints = calls[0][6]
    assert hints["category"] == ("s", expected)
