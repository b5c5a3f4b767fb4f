"""A keyring call that never returns cannot hold the process once it quits: abandoning the
waits ends the one in progress at once and refuses new ones, without touching the call."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend

from desktop.core.errors import KeyringUnavailable
from desktop.system import secrets
from desktop.system.secrets import KeyringWaits, TokenLookup

BOUND = 30.0  # seconds: how long a wait that should end at once may take to show it did not


class SilentKeyring(KeyringBackend):
    """A backend whose reads never answer (a keyring stuck behind an unlock prompt)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.release = threading.Event()
        self.reads = threading.Semaphore(0)

    def get_password(self, service: str, username: str) -> str | None:
        self.reads.release()
        self.release.wait()
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.release.wait()

    def delete_password(self, service: str, username: str) -> None:
        self.release.wait()


@pytest.fixture
def silent_keyring() -> Iterator[SilentKeyring]:
    previous = keyring.get_keyring()
    backend = SilentKeyring()
    keyring.set_keyring(backend)
    yield backend
    backend.release.set()  # let the abandoned daemon threads end
    keyring.set_keyring(previous)


def in_thread(work: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    results: list[object] = []

    def run() -> None:
        try:
            results.append(work())
        except BaseException as exc:
            results.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, results


def test_abandoning_ends_a_wait_in_progress_and_refuses_new_ones() -> None:
    waits = KeyringWaits()
    started, never = threading.Event(), threading.Event()

    def stuck() -> str:
        started.set()
        never.wait()
        return "late"

    caller, results = in_thread(lambda: waits.call(stuck, "read", timeout=3600))
    assert started.wait(BOUND)
    waits.abandon()
    caller.join(BOUND)
    assert not caller.is_alive()
    assert isinstance(results[0], KeyringUnavailable)
    assert "abandoned" in results[0].detail

    ran = threading.Event()
    with pytest.raises(KeyringUnavailable):
        waits.call(ran.set, "read", timeout=3600)
    assert not ran.is_set()  # a new call is not even started
    never.set()


def test_quitting_ends_a_token_read_the_keyring_never_answers(
    silent_keyring: SilentKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(secrets, "keyring_waits", KeyringWaits())  # this test's process only
    reader, results = in_thread(lambda: secrets.load_token({}))
    assert silent_keyring.reads.acquire(timeout=BOUND)  # the read is waiting on the keyring
    secrets.abandon_keyring_waits()
    reader.join(BOUND)
    assert not reader.is_alive()
    lookup = results[0]
    assert isinstance(lookup, TokenLookup)
    assert lookup.token is None
    assert lookup.keyring_problem


def test_an_answer_in_time_is_returned_and_a_failure_typed() -> None:
    waits = KeyringWaits()
    assert waits.call(lambda: "token", "read", timeout=BOUND) == "token"

    def broken() -> str:
        raise RuntimeError("locked")

    with pytest.raises(KeyringUnavailable) as raised:
        waits.call(broken, "read", timeout=BOUND)
    assert "RuntimeError: locked" in raised.value.detail
