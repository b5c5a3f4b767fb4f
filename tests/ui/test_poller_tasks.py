"""The poller's task channel against the fake Neo API over loopback HTTP: today's listing after
the first good poll, a window asked for, and failures that stay the listing's (never the
gauge's, never a block)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pytestqt.qtbot import QtBot

from desktop.core.tasks import TaskListing, TasksStatus, today_window
from desktop.fakeapi import FakeNeoApi
from desktop.ui.poller import Poller
from tests.ui.test_poller import MakePoller, make_poller, start_and_wait

__all__ = ["make_poller"]  # the fixture, used by name


def task_requests(fake_api: FakeNeoApi) -> list[dict[str, str]]:
    return [entry["query"] for entry in fake_api.requests if entry["path"].endswith("/usage/tasks")]


def test_todays_tasks_follow_the_first_good_poll(
    qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi
) -> None:
    poller: Poller = make_poller(300, today_tasks=True)
    with qtbot.waitSignal(poller.today_tasks_ready, timeout=10_000) as blocker:
        poller.start()
    listing = blocker.args[0]
    assert isinstance(listing, TaskListing)
    assert listing.status is TasksStatus.OK
    assert listing.total == listing.count
    start, end = today_window(listing.end)
    assert listing.start == start
    assert datetime.now(UTC) - end < timedelta(seconds=30)
    (asked,) = task_requests(fake_api)
    assert (asked["limit"], asked["offset"]) == ("200", "0")


def test_a_window_is_answered_with_its_window(
    qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi
) -> None:
    poller: Poller = make_poller(300)
    start_and_wait(qtbot, poller)
    end = datetime.now(UTC).replace(microsecond=0)
    start = end - timedelta(days=30)
    with qtbot.waitSignal(poller.tasks_ready, timeout=10_000) as blocker:
        poller.request_tasks(start, end)
    listing = blocker.args[0]
    assert (listing.status, listing.start, listing.end) == (TasksStatus.OK, start, end)
    assert listing.count > 200  # several pages, each its own request
    pages = task_requests(fake_api)
    assert [page["offset"] for page in pages] == [str(200 * n) for n in range(len(pages))]
    assert len(pages) == -(-listing.count // 200)


def test_a_forbidden_listing_never_touches_the_account(
    qtbot: QtBot, make_poller: MakePoller, fake_api: FakeNeoApi
) -> None:
    poller: Poller = make_poller(300)
    start_and_wait(qtbot, poller)
    fake_api.scenario = "forbidden"
    end = datetime.now(UTC)
    failures: list[object] = []
    poller.failed.connect(failures.append)
    with qtbot.waitSignal(poller.tasks_ready, timeout=10_000) as blocker:
        poller.request_tasks(end - timedelta(days=1), end)
    assert blocker.args[0].status is TasksStatus.FORBIDDEN
    assert failures == []
    assert not poller.blocked
    assert poller.next_delay == 300
    fake_api.scenario = "server_error"
    with qtbot.waitSignal(poller.tasks_ready, timeout=10_000) as blocker:
        poller.request_tasks(end - timedelta(days=2), end)
    assert blocker.args[0].status is TasksStatus.UNAVAILABLE
    assert failures == []
    assert poller.schedule.failures == 0
