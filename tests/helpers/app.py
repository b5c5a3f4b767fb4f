"""The "start and wait until idle" preamble of the tests that build the whole tray in-process."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytestqt.qtbot import QtBot

if TYPE_CHECKING:
    from desktop.app import TrayApp

IDLE_WAIT_MS = 20_000  # a bound for loopback answers, never a measurement


def wait_until_idle(qtbot: QtBot, app: TrayApp) -> None:
    """No account has a request in flight or queued (a refresh asked while busy is not sent
    twice; with no tray host, the window's range is fetched after the first poll), nor a
    cache write waiting or running (`ui/cache_writer.py`: after the poller settles)."""
    qtbot.waitUntil(
        lambda: not any(s.poller.busy or s.cache_writer.pending for s in app.sessions),
        timeout=IDLE_WAIT_MS,
    )


def start_and_wait_until_idle(qtbot: QtBot, app: TrayApp) -> None:
    """Start `app` and return once every account has answered (a snapshot or an error) and
    nothing is left to send."""

    def every_account_answered() -> None:
        for session in app.sessions:
            view = session.state.view
            answered = (view.snapshot, view.member, view.error)  # member: member mode's
            assert any(value is not None for value in answered), session.id

    app.start()
    qtbot.waitUntil(every_account_answered, timeout=IDLE_WAIT_MS)
    wait_until_idle(qtbot, app)
