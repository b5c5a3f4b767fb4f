"""A small raw-socket HTTP server on 127.0.0.1 that answers like a hostile or broken API.

Each connection's request head is read, then `respond(connection, request_head)` writes whatever
the attack needs. Every handler is bounded in time; the server stops when the test ends.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

Respond = Callable[[socket.socket, bytes], None]


class HostileServer:
    def __init__(self, respond: Respond) -> None:
        self._respond = respond
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.requests: list[bytes] = []
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="hostile-server", daemon=True)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._thread.join(10)
        self._listener.close()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(10)
            head = b""
            with suppress(OSError):
                while b"\r\n\r\n" not in head and len(head) < 65536:
                    chunk = connection.recv(4096)
                    if not chunk:
                        return
                    head += chunk
            self.requests.append(head)
            with suppress(OSError):
                self._respond(connection, head)

    def wait_for_request(self, timeout: float = 10) -> bool:
        deadline = time.monotonic() + timeout
        while not self.requests and time.monotonic() < deadline:
            time.sleep(0.02)
        return bool(self.requests)


@contextmanager
def hostile(respond: Respond) -> Iterator[HostileServer]:
    with HostileServer(respond) as server:
        yield server


def response(status: str = "200 OK", body: bytes = b"", headers: tuple[str, ...] = ()) -> bytes:
    head = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", "Connection: close", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def send(data: bytes) -> Respond:
    """A handler that sends `data` and closes."""

    def respond(connection: socket.socket, _head: bytes) -> None:
        connection.sendall(data)

    return respond
