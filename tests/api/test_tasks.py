"""The client's task pages and the blocking listing, against the fake Neo API on 127.0.0.1."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from desktop.api.body import ERROR_BODY_BYTES, read_capped
from desktop.api.client import TASKS_PAGE_MAX_BYTES, NeoClient
from desktop.api.tasks import fetch_task_listing
from desktop.core.errors import (
    AuthRejected,
    InvalidSetting,
    NeoError,
    NoPermission,
    RateLimited,
    ResponseTooLarge,
    ServerError,
    UnexpectedResponse,
)
from desktop.core.query import AuthScheme, UsageQuery
from desktop.core.tasks import MAX_ROWS, TasksStatus, sort_key
from desktop.fakeapi import FakeNeoApi
from desktop.fakeapi.ledger import HOSTILE_TITLES
from tests.hostile import hostile, response, send

TOKEN = "test-token-123456"
NOW = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)
MONTH = (NOW - timedelta(days=30), NOW)


@pytest.fixture
def api() -> Iterator[FakeNeoApi]:
    with FakeNeoApi(token=TOKEN, clock=lambda: NOW) as server:
        yield server


def task_requests(api: FakeNeoApi) -> list[dict[str, str]]:
    return [r["query"] for r in api.requests if r["path"] == "/api/v1/usage/tasks"]


def test_a_page_is_asked_in_utc_with_limit_and_offset_and_the_token(api: FakeNeoApi) -> None:
    berlin = NOW.astimezone(datetime.fromisoformat("2026-01-01T00:00:00+01:00").tzinfo)
    with NeoClient(api.url, TOKEN, AuthScheme.X_API_KEY) as client:
        page = client.fetch_tasks_page(berlin - timedelta(days=2), berlin, 20, 20)
    (request,) = api.requests
    assert request["path"] == "/api/v1/usage/tasks"
    assert request["query"] == {
        "from": "2026-11-23T15:30:00Z",
        "to": "2026-11-25T15:30:00Z",
        "limit": "20",
        "offset": "20",
    }
    assert request["x_api_key"] == TOKEN
    assert len(page.rows) == 20
    assert page.has_more is True
    assert page.total is not None
    assert page.total > 40
    assert page.dropped == 0


def test_the_listing_pages_through_the_window_and_adds_up_to_the_summary(
    api: FakeNeoApi,
) -> None:
    with NeoClient(api.url, TOKEN) as client:
        listing = fetch_task_listing(client, *MONTH)
        summary = client.fetch_summary(UsageQuery(*MONTH))
    asked = task_requests(api)
    assert len(asked) == 3  # about 600 tasks in 30 days: three pages of 200
    assert [q["offset"] for q in asked] == ["0", "200", "400"]
    assert {q["limit"] for q in asked} == {"200"}
    assert listing.status is TasksStatus.OK
    assert listing.count == listing.total == summary.total_tasks
    assert listing.truncated is False
    assert listing.neo_credits == pytest.approx(summary.total_neo_credits, abs=0.005)
    assert list(listing.rows) == sorted(listing.rows, key=sort_key)
    assert len({row.task_id for row in listing.rows}) == listing.count
    assert any(row.email for row in listing.rows)  # an admin's answer


def test_forbidden_is_a_status_and_no_permission_a_type(api: FakeNeoApi) -> None:
    api.scenario = "forbidden"
    with NeoClient(api.url, TOKEN) as client:
        listing = fetch_task_listing(client, *MONTH)
        with pytest.raises(NoPermission):
            client.fetch_tasks_page(*MONTH, 200, 0)
    assert listing.status is TasksStatus.FORBIDDEN
    assert listing.to_json()["items"] == []
    assert listing.to_json()["count"] is None


@pytest.mark.parametrize(
    ("scenario", "error"),
    [
        ("unauthorized", AuthRejected),
        ("rate_limited", RateLimited),
        ("server_error", ServerError),
        ("html", UnexpectedResponse),
        ("wrong_shape", UnexpectedResponse),
        ("malformed", UnexpectedResponse),
        ("truncated", UnexpectedResponse),
        ("gzip_bomb", ResponseTooLarge),
    ],
)
def test_other_failures_are_typed_and_leave_the_listing_unavailable(
    api: FakeNeoApi, scenario: str, error: type[Exception]
) -> None:
    api.scenario = scenario
    with NeoClient(api.url, TOKEN) as client:
        with pytest.raises(error):
            client.fetch_tasks_page(*MONTH, 200, 0)
        assert fetch_task_listing(client, *MONTH).status is TasksStatus.UNAVAILABLE


def test_the_token_an_error_echoes_is_redacted(api: FakeNeoApi) -> None:
    api.scenario = "echo_token"
    with NeoClient(api.url, TOKEN) as client, pytest.raises(ServerError) as caught:
        client.fetch_tasks_page(*MONTH, 200, 0)
    assert TOKEN not in caught.value.detail
    assert TOKEN[:8] not in caught.value.detail


def test_a_page_over_the_cap_is_asked_again_with_50_then_10_rows(api: FakeNeoApi) -> None:
    # About 6 KB a row (its tool calls): 200 or 50 rows are over 100 KB, 10 are not.
    with NeoClient(api.url, TOKEN, max_body_bytes=100_000) as client:
        listing = fetch_task_listing(client, NOW - timedelta(days=2), NOW)
    limits = [(q["limit"], q["offset"]) for q in task_requests(api)]
    assert limits[:3] == [("200", "0"), ("50", "0"), ("10", "0")]
    assert {limit for limit, _ in limits[2:]} == {"10"}
    assert listing.status is TasksStatus.OK
    assert listing.count == listing.total
    assert listing.count > 10


def test_the_deadline_after_one_page_keeps_it_truncated(api: FakeNeoApi) -> None:
    ticks = iter([0.0, 1.0, 60.0, 60.0])  # start, before page 1, before page 2 (time up)
    with NeoClient(api.url, TOKEN) as client:
        listing = fetch_task_listing(client, *MONTH, clock=lambda: next(ticks))
    assert len(task_requests(api)) == 1
    assert (listing.status, listing.count, listing.truncated) == (TasksStatus.OK, 200, True)


def test_a_slow_page_past_the_deadline_is_unavailable(api: FakeNeoApi) -> None:
    api.scenario = "slow"
    api.slow_seconds = 3.0
    with NeoClient(api.url, TOKEN) as client:
        listing = fetch_task_listing(client, *MONTH, deadline_seconds=0.5)
    assert listing.status is TasksStatus.UNAVAILABLE


def test_the_huge_ledger_stops_at_5000_rows_with_hostile_titles_kept(api: FakeNeoApi) -> None:
    api.scenario = "huge"
    with NeoClient(api.url, TOKEN) as client:
        listing = fetch_task_listing(client, *MONTH)
    assert len(task_requests(api)) == MAX_ROWS // 200
    assert (listing.status, listing.count, listing.truncated) == (TasksStatus.OK, MAX_ROWS, True)
    assert listing.total is not None
    assert listing.total > 1_000_000
    titles = {row.task_title for row in listing.rows}
    assert set(HOSTILE_TITLES) <= titles  # as received: escaping is the sinks' job


def test_odd_rows_are_dropped_or_emptied_not_fatal(api: FakeNeoApi) -> None:
    api.scenario = "huge_values"
    with NeoClient(api.url, TOKEN) as client:
        page = client.fetch_tasks_page(NOW - timedelta(days=2), NOW, 200, 0)
    assert page.dropped == 2  # the year-1 row and the row without an id
    assert len(page.rows) == 4
    by_title = {row.task_title: row for row in page.rows}
    assert by_title[HOSTILE_TITLES[0]].neo_credits is None  # NaN
    assert by_title[HOSTILE_TITLES[1]].neo_credits is None  # 10^400


def test_a_naive_window_is_refused_before_sending(api: FakeNeoApi) -> None:
    with NeoClient(api.url, TOKEN) as client, pytest.raises(InvalidSetting):
        client.fetch_tasks_page(datetime(2026, 11, 1), NOW, 200, 0)
    assert api.requests == []


def test_solo_rows_have_no_email(api: FakeNeoApi) -> None:
    api.scenario = "solo"
    with NeoClient(api.url, TOKEN) as client:
        listing = fetch_task_listing(client, NOW - timedelta(days=3), NOW)
    assert listing.count > 0
    assert all(row.email is None for row in listing.rows)


# An error with a body over the cap is its status (issue 27's tester, F4): one place, api/body.


@pytest.mark.parametrize(
    ("status_line", "error"),
    [
        ("401 Unauthorized", AuthRejected),
        ("403 Forbidden", NoPermission),
        ("500 Internal Server Error", ServerError),
        ("429 Too Many Requests", RateLimited),
    ],
)
def test_an_error_over_the_cap_is_its_status_for_a_page_and_the_summary(
    status_line: str, error: type[NeoError]
) -> None:
    body = b'{"message": "no ' + b"x" * (9 * 1024 * 1024) + b'"}'
    with hostile(send(response(status_line, body))) as server:
        with NeoClient(server.url, TOKEN) as client:
            with pytest.raises(error) as page_error:
                client.fetch_tasks_page(*MONTH, 200, 0)
            with pytest.raises(error):
                client.fetch_summary()
            listing = fetch_task_listing(client, *MONTH)
    assert not isinstance(page_error.value, ResponseTooLarge)
    assert len(page_error.value.detail) < 300  # the excerpt, cut
    expected = TasksStatus.FORBIDDEN if error is NoPermission else TasksStatus.UNAVAILABLE
    assert listing.status is expected
    assert len(server.requests) == 3  # the listing asked once: never again with fewer rows


def test_an_error_body_is_read_only_as_far_as_its_excerpt() -> None:
    bomb = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"z" * (1 << 20)
    gzipped = b"".join(bomb.compress(chunk) for _ in range(64)) + bomb.flush()  # 64 MiB of z
    plain = b"y" * (40 * 1024 * 1024)
    cases: list[tuple[str, bytes, tuple[str, ...], bytes | None]] = [
        ("403 Forbidden", gzipped, ("Content-Encoding: gzip",), b"z" * ERROR_BODY_BYTES),
        ("403 Forbidden", plain, (), b"y" * ERROR_BODY_BYTES),
        ("200 OK", plain, (), None),  # a 200 over the cap is still too large
    ]
    for status_line, body, headers, expected in cases:
        with hostile(send(response(status_line, body, headers))) as server:
            with httpx.Client() as http, http.stream("GET", server.url) as reply:
                if expected is None:
                    with pytest.raises(ResponseTooLarge):
                        read_capped(reply, TASKS_PAGE_MAX_BYTES)
                else:
                    assert read_capped(reply, TASKS_PAGE_MAX_BYTES) == expected
                    assert reply.num_bytes_downloaded < 2 * 1024 * 1024  # stopped early


def test_a_cut_off_or_badly_encoded_error_body_is_still_its_status() -> None:
    cut_off = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 5000\r\n\r\n" + b'{"message": "nope'
    unknown = response("403 Forbidden", b"abc", ("Content-Encoding: br",))
    corrupt = response("403 Forbidden", b"not gzip at all", ("Content-Encoding: gzip",))
    for reply in (cut_off, unknown, corrupt):
        with hostile(send(reply)) as server, NeoClient(server.url, TOKEN) as client:
            with pytest.raises(NoPermission):
                client.fetch_tasks_page(*MONTH, 200, 0)
