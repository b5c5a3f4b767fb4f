"""The worker's main poll after a summary's 403 (issue 28), against a raw-socket server: it asks
`/api/v1/user` within what is left of the main request's deadline (15 s at most), and treats a
passing `/user` failure as that failure when the request was sent in member mode."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from desktop.api.client import NeoClient
from desktop.core.errors import ErrorKind
from desktop.core.member import MemberSnapshot
from desktop.core.query import UsageQuery
from desktop.core.snapshot import PollError
from desktop.ui.fetch_worker import ClientConfig, FetchWorker
from tests.hostile import HostileServer, hostile, response

TOKEN = "tok-0123456789abcdefghijklmnopqrstuvwxyz"
NOW = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
FORBIDDEN = response("403 Forbidden", b'{"error": "forbidden"}')
CAP = json.dumps(
    {
        "email": "bo@acme.test",
        "team": {"name": "Acme"},
        "cap": {"limit": 75, "used": 1, "remaining": 74},
    }
)


def server_answering(user: bytes) -> Callable[[socket.socket, bytes], None]:
    def respond(connection: socket.socket, head: bytes) -> None:
        connection.sendall(user if b" /api/v1/user " in head else FORBIDDEN)

    return respond


def run_main_poll(
    server: HostileServer, *, member: bool, clock_steps: Iterator[float] | None = None
) -> object:
    """One main poll through a `FetchWorker` (on this thread), its outcome."""
    steps = clock_steps or iter(())

    def monotonic() -> float:
        return next(steps, 0.0)

    def factory(config: ClientConfig) -> tuple[NeoClient, str]:
        return NeoClient(config.base_url, TOKEN), "tag"

    worker = FetchWorker(ClientConfig(server.url, token=TOKEN), lambda: NOW, factory, monotonic)
    outcomes: list[object] = []
    worker.finished.connect(lambda _id, outcome: outcomes.append(outcome))
    worker.fetch(1, UsageQuery(), True, member)
    worker.shutdown()
    return outcomes[0]


def user_requests(server: HostileServer) -> int:
    return sum(b" /api/v1/user " in head for head in server.requests)


def test_a_cap_after_the_403_is_member_mode(qtbot: QtBot) -> None:
    with hostile(server_answering(response("200 OK", CAP.encode()))) as server:
        outcome = run_main_poll(server, member=False)
    assert isinstance(outcome, MemberSnapshot)
    assert outcome.profile.cap is not None


def test_a_passing_user_failure_is_that_failure_only_in_member_mode(qtbot: QtBot) -> None:
    down = response("503 Service Unavailable", b"{}")
    with hostile(server_answering(down)) as server:
        first = run_main_poll(server, member=False)
        kept = run_main_poll(server, member=True)
    assert isinstance(first, PollError)
    assert first.kind is ErrorKind.NO_PERMISSION  # before member mode: the 403 stands
    assert isinstance(kept, PollError)
    assert kept.kind is ErrorKind.OFFLINE  # in member mode: the 503 itself (a backoff)


def test_user_gets_what_is_left_of_the_main_deadline(qtbot: QtBot) -> None:
    """The summary's 403 came when the main request's 45 s were spent: `/user` is not sent (the
    failure is a timeout: kept member mode backs off; before member mode, the 403 stands)."""
    with hostile(server_answering(response("200 OK", CAP.encode()))) as server:
        spent = run_main_poll(server, member=True, clock_steps=iter([0.0, 46.0]))
        none_left = run_main_poll(server, member=False, clock_steps=iter([0.0, 45.0]))
        assert user_requests(server) == 0
        some_left = run_main_poll(server, member=True, clock_steps=iter([0.0, 40.0]))
        assert user_requests(server) == 1
    assert isinstance(spent, PollError)
    assert spent.kind is ErrorKind.OFFLINE
    assert isinstance(none_left, PollError)
    assert none_left.kind is ErrorKind.NO_PERMISSION
    assert isinstance(some_left, MemberSnapshot)
