"""One deadline for a whole request (connect, TLS, response head and body), and a way to cut a
stuck request short from another thread.

httpx's timeouts bound each socket operation; a server that sends a byte every few seconds resets
them forever. Here every socket operation of a request gets at most the time left until the
request's deadline, and `cancel` shuts the request's sockets down, which wakes a blocked read at
once (quitting the tray must not wait for a stuck server).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpcore
import httpx

MonotonicClock = Callable[[], float]


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's synchronous network backend, with every wait bounded by the current deadline."""

    def __init__(self, monotonic: MonotonicClock = time.monotonic) -> None:
        self._inner = httpcore.SyncBackend()
        self._monotonic = monotonic
        self._deadline: float | None = None
        self._cancelled = False
        self._streams: weakref.WeakSet[DeadlineStream] = weakref.WeakSet()
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def deadline(self, seconds: float) -> Iterator[None]:
        """Bound everything inside the block to `seconds` from now."""
        self._deadline = self._monotonic() + seconds
        self._cancelled = False
        try:
            yield
        finally:
            self._deadline = None

    def cancel(self) -> None:
        """From any thread: fail the request in flight now, and any started before `deadline`."""
        self._cancelled = True
        with self._lock:
            streams = list(self._streams)
        for stream in streams:
            stream.abort()

    def bound(self, timeout: float | None) -> float | None:
        """The time a socket operation may take: its own timeout, cut to what is left."""
        if self._cancelled:
            raise httpcore.ReadTimeout("the request was cancelled")
        if self._deadline is None:
            return timeout
        left = self._deadline - self._monotonic()
        if left <= 0:
            raise httpcore.ReadTimeout("total deadline exceeded")
        return left if timeout is None else min(timeout, left)

    def track(self, stream: httpcore.NetworkStream) -> DeadlineStream:
        """Bound `stream` by this deadline, and cut it with `cancel`."""
        wrapped = DeadlineStream(stream, self)
        with self._lock:
            self._streams.add(wrapped)
        return wrapped

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(
            host, port, self.bound(timeout), local_address, socket_options
        )
        return self.track(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_unix_socket(path, self.bound(timeout), socket_options)
        return self.track(stream)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, backend: DeadlineBackend) -> None:
        self._inner = inner
        self._backend = backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._backend.bound(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._backend.bound(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        tls = self._inner.start_tls(ssl_context, server_hostname, self._backend.bound(timeout))
        return self._backend.track(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)

    def abort(self) -> None:
        """Wake a read blocked on this stream's socket (close() alone does not, on Linux)."""
        sock = self._inner.get_extra_info("socket")
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def install(client: httpx.Client, backend: DeadlineBackend) -> None:
    """Route every connection of `client` (direct and through proxies) through `backend`.

    httpx does not take a network backend, so this sets httpcore's pool attribute; the deadline
    tests fail if a new httpx or httpcore moves it.
    """
    transports = [client._transport, *client._mounts.values()]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        if pool is not None and hasattr(pool, "_network_backend"):
            pool._network_backend = backend
