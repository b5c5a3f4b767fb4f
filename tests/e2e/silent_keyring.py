"""A Secret Service that never answers: it owns `org.freedesktop.secrets` on the session bus and
reads every call without replying, as a keyring daemon stuck behind an unlock prompt does.

Run as `python -m tests.e2e.silent_keyring`; it prints "ready" once it owns the name, then one
line per call it leaves unanswered ("call <member>").
"""

from __future__ import annotations

from jeepney import MessageType
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

SECRETS_NAME = "org.freedesktop.secrets"


def main() -> None:
    connection = open_dbus_connection(bus="SESSION")
    reply = connection.send_and_get_reply(message_bus.RequestName(SECRETS_NAME), timeout=10)
    if reply.body[0] != 1:  # DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER
        raise SystemExit(f"could not own {SECRETS_NAME}: {reply.body}")
    print("ready", flush=True)
    while True:
        message = connection.receive()
        if message.header.message_type is MessageType.method_call:
            print("call", message.header.fields.get(3, "?"), flush=True)  # 3: the member


if __name__ == "__main__":
    main()
