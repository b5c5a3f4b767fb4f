"""The task ledger's pure core: rows read tolerantly, the order, today's window, the listing's
JSON, and the paging state machine and loop (no server: a table of pages)."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from desktop.core.errors import (
    AuthRejected,
    NeoError,
    NoPermission,
    ResponseTooLarge,
    ServerError,
    UnexpectedResponse,
    Unreachable,
)
from desktop.core.tasks import (
    MAX_EMAIL_CHARS,
    MAX_FIELD_CHARS,
    MAX_PAGES,
    MAX_ROWS,
    MAX_TASK_ID_CHARS,
    MAX_TITLE_CHARS,
    PAGE_LIMIT,
    Paging,
    TaskListing,
    TaskRow,
    TasksPage,
    TasksStatus,
    collect,
    failed_tasks,
    page_from_json,
    parse_page,
    sort_key,
    today_window,
)
from desktop.core.validators import cut
from tests.zones import local_zone

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
HOSTILE = "<b>x</b> & \x1b[31mred\x1b[0m \u202egpj.exe\n2nd"


def raw_row(index: int, **fields: object) -> dict[str, object]:
    row: dict[str, object] = {
        "task_id": f"t{index:05d}",
        "created_at": (T0 - timedelta(minutes=index)).isoformat().replace("+00:00", "Z"),
        "model": "gpt-5",
        "status": "completed",
        "neo_credits": 1.5,
        "step_count": 3,
        "tool_calls": 9,
        "agent_triggers": 0,
        "tool_call_history": [{"tool_name": "httpx", "duration_ms": 5, "index": 0}],
        "tool_breakdown": {"httpx": {"count": 1}},
        "agent_breakdown": {"planner": {"steps": 3}},
    }
    row.update(fields)
    return {key: value for key, value in row.items() if value is not ...}


def row(
    task_id: str,
    credits: float | None,
    minutes_ago: int = 0,
    *,
    status: str | None = None,
    task_title: str | None = None,
    email: str | None = None,
) -> TaskRow:
    return TaskRow(
        task_id,
        T0 - timedelta(minutes=minutes_ago),
        status=status,
        neo_credits=credits,
        task_title=task_title,
        email=email,
    )


# Parsing


def test_a_full_row_is_kept_with_every_field_and_nothing_else() -> None:
    data = {
        "data": [
            raw_row(
                1,
                task_title=HOSTILE,
                email="maya@acme.test",
                is_byok=True,
                total_execution_ms=61_000,
                created_at="2026-11-25T13:00:00.250+01:00",
            )
        ],
        "has_more": True,
        "total": 450,
    }
    page = page_from_json(data)
    assert page == TasksPage(
        (
            TaskRow(
                task_id="t00001",
                created_at=datetime(2026, 11, 25, 12, 0, 0, 250_000, tzinfo=UTC),
                model="gpt-5",
                status="completed",
                neo_credits=1.5,
                task_title=HOSTILE,  # hostile text kept as received: the sinks escape it
                total_execution_ms=61_000,
                tool_calls=9,
                email="maya@acme.test",
                is_byok=True,
            ),
        ),
        has_more=True,
        total=450,
        dropped=0,
    )
    assert page.rows[0].created_at.tzinfo is UTC
    # A row keeps its ten fields only: the history and breakdowns are gone.
    assert len(page.rows[0]) == 10


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("model", 7),
        ("status", ["failed"]),
        ("neo_credits", "12.5"),
        ("neo_credits", True),
        ("neo_credits", float("nan")),
        ("neo_credits", 10**400),
        ("task_title", {"text": "x"}),
        ("total_execution_ms", -5),
        ("total_execution_ms", 1.5),
        ("total_execution_ms", "61000"),
        ("tool_calls", False),
        ("tool_calls", 10**16),
        ("email", 42),
        ("is_byok", "true"),
        ("is_byok", 1),
    ],
)
def test_an_odd_optional_value_becomes_none_and_the_row_stays(field: str, value: object) -> None:
    page = page_from_json({"data": [raw_row(1, **{field: value}), raw_row(2)], "has_more": False})
    assert [r.task_id for r in page.rows] == ["t00001", "t00002"]
    assert getattr(page.rows[0], field) is None
    assert page.dropped == 0


def test_missing_optional_fields_are_none() -> None:
    bare = {"task_id": "bare", "created_at": "2026-11-25T12:00:00Z"}
    (only,) = page_from_json({"data": [bare], "has_more": False, "total": 1}).rows
    assert only == TaskRow("bare", T0)
    assert only[2:] == (None,) * 8


def test_an_integral_float_count_is_a_count() -> None:
    (only,) = page_from_json({"data": [raw_row(1, tool_calls=12.0)], "has_more": False}).rows
    assert only.tool_calls == 12
    assert type(only.tool_calls) is int


@pytest.mark.parametrize(
    "bad",
    [
        "not a row",
        None,
        ["t1"],
        raw_row(1, task_id=...),
        raw_row(1, task_id=""),
        raw_row(1, task_id=17),
        raw_row(1, created_at=...),
        raw_row(1, created_at=None),
        raw_row(1, created_at="yesterday"),
        raw_row(1, created_at="0001-01-01T00:00:00+05:00"),
        raw_row(1, created_at=1764072000),
    ],
)
def test_a_row_without_a_usable_id_or_instant_is_dropped_and_counted(
    bad: object, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        page = page_from_json({"data": [raw_row(0), bad, raw_row(2)], "has_more": True})
    assert [r.task_id for r in page.rows] == ["t00000", "t00002"]
    assert page.dropped == 1
    assert "Ignoring 1 task row" in caplog.text


@pytest.mark.parametrize(
    ("total", "expected"), [(450, 450), (None, None), ("450", None), (-1, None), (True, None)]
)
def test_total_is_a_count_or_none(total: object, expected: int | None) -> None:
    assert page_from_json({"data": [], "has_more": False, "total": total}).total == expected


def test_a_missing_has_more_ends_the_listing() -> None:
    assert page_from_json({"data": []}).has_more is False


@pytest.mark.parametrize(
    "data",
    [[], "page", None, {"rows": []}, {"data": {"a": 1}}, {"data": [], "has_more": "yes"}],
)
def test_not_a_page_is_a_value_error(data: object) -> None:
    with pytest.raises(ValueError, match="expected"):
        page_from_json(data)


def test_parse_page_reads_bytes_and_refuses_what_is_not_a_page() -> None:
    body = json.dumps({"data": [raw_row(1)], "has_more": False, "total": 1}).encode()
    assert parse_page(b"\xef\xbb\xbf" + body).rows[0].task_id == "t00001"
    assert parse_page('{"data": [], "has_more": false, "total": 1' + "0" * 400 + "}").total is None
    for broken in (b'{"data": [', b"\xff\xfe", b"[1, 2]", b'{"data": 5}'):
        with pytest.raises(UnexpectedResponse):
            parse_page(broken)


# Order and figures


def test_sort_credits_descending_missing_as_zero_then_newest_then_id() -> None:
    rows = [
        row("b", None, 5),
        row("z", 0.0, 5),
        row("a", None, 5),
        row("new-free", None, 1),
        row("big", 9.5, 30),
        row("small", 0.1, 0),
        row("neg", -1.0, 0),
        row("big-newer", 9.5, 10),
    ]
    ordered = [r.task_id for r in sorted(rows, key=sort_key)]
    assert ordered == ["big-newer", "big", "small", "new-free", "a", "b", "z", "neg"]


def test_failed_tasks_counts_failed_error_and_aborted_with_their_credits() -> None:
    rows = [
        row("1", 2.5, status="failed"),
        row("2", 1.25, status="error"),
        row("3", None, status="aborted"),
        row("4", 0.2, status="ABORTED"),
        row("5", 10.0, status="completed"),
        row("6", 4.0, status="blocked"),
        row("7", 4.0, status=None),
    ]
    assert failed_tasks(rows) == (4, 3.95)
    assert failed_tasks([]) == (0, 0.0)


def test_listing_json_when_ok() -> None:
    rows = (
        row("a", 0.1, 0, task_title=HOSTILE, status="failed"),
        row("b", 0.2, 1),
        row("c", None, 2, email="x@y"),
    )
    listing = TaskListing(TasksStatus.OK, T0 - timedelta(hours=3), T0, rows, 450, True)
    assert listing.count == 3
    assert listing.neo_credits == 0.3  # no binary noise
    document = listing.to_json()
    assert document == {
        "status": "ok",
        "from": "2026-11-25T09:00:00Z",
        "to": "2026-11-25T12:00:00Z",
        "count": 3,
        "total": 450,
        "truncated": True,
        "neo_credits": 0.3,
        "items": [
            {
                "task_id": "a",
                "task_title": HOSTILE,
                "created_at": "2026-11-25T12:00:00Z",
                "model": None,
                "status": "failed",
                "neo_credits": 0.1,
                "total_execution_ms": None,
                "tool_calls": None,
                "email": None,
                "is_byok": None,
            },
            {**document["items"][1], "task_id": "b", "neo_credits": 0.2},
            {**document["items"][2], "task_id": "c", "neo_credits": None, "email": "x@y"},
        ],
    }
    assert list(document["items"][0]) == [
        "task_id",
        "task_title",
        "created_at",
        "model",
        "status",
        "neo_credits",
        "total_execution_ms",
        "tool_calls",
        "email",
        "is_byok",
    ]
    json.dumps(document, allow_nan=False)


@pytest.mark.parametrize("status", [TasksStatus.FORBIDDEN, TasksStatus.UNAVAILABLE])
def test_listing_json_when_not_ok_has_null_figures_and_no_items(status: TasksStatus) -> None:
    listing = TaskListing(status, T0 - timedelta(hours=1), T0, (row("a", 1.0),), 5, True)
    assert listing.to_json() == {
        "status": status.value,
        "from": "2026-11-25T11:00:00Z",
        "to": "2026-11-25T12:00:00Z",
        "count": None,
        "total": None,
        "truncated": None,
        "neo_credits": None,
        "items": [],
    }


# Today's window


@pytest.mark.parametrize(
    ("zone", "now", "start"),
    [
        # Berlin in winter (UTC+1): local midnight is 23:00 UTC the day before.
        ("Europe/Berlin", datetime(2026, 11, 25, 8, 30, tzinfo=UTC), "2026-11-24T23:00:00"),
        # 00:30 UTC is already the 26th in Berlin.
        ("Europe/Berlin", datetime(2026, 11, 25, 23, 30, tzinfo=UTC), "2026-11-25T23:00:00"),
        # The day DST starts (midnight was still UTC+1; now is UTC+2).
        ("Europe/Berlin", datetime(2026, 3, 29, 10, 0, tzinfo=UTC), "2026-03-28T23:00:00"),
        # The day DST ends (midnight was UTC+2).
        ("Europe/Berlin", datetime(2026, 10, 25, 10, 0, tzinfo=UTC), "2026-10-24T22:00:00"),
        # New York, the day after DST ended (UTC-5) and late evening (already tomorrow in UTC).
        ("America/New_York", datetime(2026, 11, 2, 3, 0, tzinfo=UTC), "2026-11-01T04:00:00"),
        ("America/New_York", datetime(2026, 11, 3, 3, 0, tzinfo=UTC), "2026-11-02T05:00:00"),
        # Sao Paulo's midnight once did not exist (DST started at 00:00): the day began at 01:00.
        ("America/Sao_Paulo", datetime(2018, 11, 4, 12, 0, tzinfo=UTC), "2018-11-04T03:00:00"),
        # Chatham's +13:45 and a zone behind UTC by 11 hours.
        ("Pacific/Chatham", datetime(2026, 11, 25, 12, 0, tzinfo=UTC), "2026-11-25T10:15:00"),
        ("Pacific/Pago_Pago", datetime(2026, 11, 25, 12, 0, tzinfo=UTC), "2026-11-25T11:00:00"),
        ("UTC", datetime(2026, 11, 25, 12, 0, tzinfo=UTC), "2026-11-25T00:00:00"),
    ],
)
def test_today_is_local_midnight_to_now_in_utc(zone: str, now: datetime, start: str) -> None:
    with local_zone(zone):
        window = today_window(now)
    assert window == (datetime.fromisoformat(start).replace(tzinfo=UTC), now)
    assert all(instant.utcoffset() == timedelta(0) for instant in window)


def test_today_takes_now_in_any_offset_and_gives_utc() -> None:
    now = datetime(2026, 11, 25, 9, 30, tzinfo=UTC).astimezone(
        datetime.fromisoformat("2026-01-01T00:00:00+05:30").tzinfo
    )
    with local_zone("Asia/Tokyo"):
        start, end = today_window(now)
    assert start == datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    assert end.tzinfo is UTC
    assert start.tzinfo is UTC


# Paging: the loop fed by a table of answers, with a clock the table moves


class Scripted:
    """A fetch_page that answers from a list and records (limit, offset, seconds) asked."""

    def __init__(
        self, answers: Sequence[TasksPage | NeoError], seconds_per_page: float = 1.0
    ) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[int, int, float]] = []
        self.now = 100.0
        self.seconds_per_page = seconds_per_page

    def clock(self) -> float:
        return self.now

    def __call__(self, limit: int, offset: int, seconds: float) -> TasksPage:
        self.asked.append((limit, offset, seconds))
        self.now += self.seconds_per_page
        answer = self.answers.pop(0)
        if isinstance(answer, NeoError):
            raise answer
        return answer


def page_of(
    first: int, count: int, *, more: bool, total: int | None = 1000, dropped: int = 0
) -> TasksPage:
    rows = tuple(row(f"t{i:05d}", float(i % 7), i) for i in range(first, first + count))
    return TasksPage(rows, more, total, dropped)


def run(script: Scripted, **kwargs: float) -> TaskListing:
    return collect(script, T0 - timedelta(days=1), T0, clock=script.clock, **kwargs)


def test_several_pages_follow_has_more_and_offsets() -> None:
    script = Scripted(
        [
            page_of(0, 200, more=True, total=450),
            page_of(200, 200, more=True, total=450),
            page_of(400, 50, more=False, total=450),
        ]
    )
    listing = run(script)
    assert [(limit, offset) for limit, offset, _ in script.asked] == [
        (200, 0),
        (200, 200),
        (200, 400),
    ]
    assert listing.status is TasksStatus.OK
    assert (listing.count, listing.total, listing.truncated) == (450, 450, False)
    assert list(listing.rows) == sorted(listing.rows, key=sort_key)
    assert listing.start == T0 - timedelta(days=1)
    assert listing.end == T0


def test_dropped_rows_advance_the_offset_and_a_task_met_twice_is_kept_once() -> None:
    first = page_of(0, 190, more=True, dropped=10)
    second = TasksPage(page_of(185, 100, more=False).rows, False, 295, 0)  # 5 rows seen again
    script = Scripted([first, second])
    listing = run(script)
    assert [offset for _, offset, _ in script.asked] == [0, 200]
    assert listing.count == 190 + 95
    assert len({r.task_id for r in listing.rows}) == listing.count


def test_the_cap_stops_at_5000_rows_truncated() -> None:
    answers = [page_of(i * 200, 200, more=True, total=12_000) for i in range(MAX_ROWS // 200)]
    script = Scripted(answers, seconds_per_page=0.1)
    listing = run(script)
    assert len(script.asked) == 25
    assert script.answers == []
    assert (listing.status, listing.count, listing.total, listing.truncated) == (
        TasksStatus.OK,
        MAX_ROWS,
        12_000,
        True,
    )


def test_exactly_5000_rows_with_nothing_more_is_not_truncated() -> None:
    answers = [page_of(i * 200, 200, more=i < 24, total=MAX_ROWS) for i in range(25)]
    listing = run(Scripted(answers, seconds_per_page=0.1))
    assert (listing.count, listing.truncated) == (MAX_ROWS, False)


def test_the_last_page_before_the_cap_asks_only_what_is_left() -> None:
    answers = [
        page_of(0, 150, more=True),
        *[page_of(150 + i * 200, 200, more=True) for i in range(24)],
        page_of(4950, 50, more=True),
    ]
    script = Scripted(answers, seconds_per_page=0.1)
    listing = run(script)
    assert script.asked[1][:2] == (200, 150)  # a short page: the next starts where it ended
    assert script.asked[-1][:2] == (50, 4950)
    assert (listing.count, listing.truncated) == (MAX_ROWS, True)


# The state machine alone, as the tray's channel drives it (one request at a time).

PagingStep = tuple[str, object, tuple[int, int] | None]


@pytest.mark.parametrize(
    "steps",
    [
        # (what happened, its argument, the next request after it)
        [
            ("page", page_of(0, 200, more=True), (200, 200)),
            ("page", page_of(200, 3, more=False, total=203), None),
        ],
        [
            ("too_large", None, (50, 0)),
            ("too_large", None, (10, 0)),
            ("page", page_of(0, 10, more=True), (10, 10)),
            ("too_large", None, None),
        ],
        [("page", page_of(0, 200, more=True), (200, 200)), ("deadline", None, None)],
        [("page", page_of(0, 0, more=False, total=0), None)],
    ],
)
def test_paging_table(steps: list[PagingStep]) -> None:
    paging = Paging(T0 - timedelta(hours=1), T0)
    assert paging.next_request() == (PAGE_LIMIT, 0)
    for event, argument, expected in steps:
        if event == "page":
            assert isinstance(argument, TasksPage)
            paging.on_page(argument)
        elif event == "too_large":
            paging.on_too_large()
        else:
            paging.on_deadline()
        assert paging.next_request() == expected
    listing = paging.listing()
    assert listing.truncated == (steps[-1][0] in {"too_large", "deadline"})
    assert paging.listing(TasksStatus.UNAVAILABLE).rows == ()


def test_paging_with_a_smaller_cap() -> None:
    paging = Paging(T0, T0, max_rows=300)
    paging.on_page(page_of(0, 200, more=True))
    assert paging.next_request() == (100, 200)
    paging.on_page(page_of(200, 100, more=True))
    assert paging.next_request() is None
    assert paging.listing().truncated


def test_a_page_too_large_is_asked_again_smaller_50_then_10_at_the_same_offset() -> None:
    too_large = ResponseTooLarge("too large", "body over 8 bytes")
    script = Scripted(
        [
            page_of(0, 200, more=True),
            too_large,
            too_large,
            page_of(200, 10, more=True),
            page_of(210, 5, more=False, total=215),
        ]
    )
    listing = run(script)
    assert [(limit, offset) for limit, offset, _ in script.asked] == [
        (PAGE_LIMIT, 0),
        (200, 200),
        (50, 200),
        (10, 200),
        (10, 210),
    ]
    assert (listing.status, listing.count, listing.truncated) == (TasksStatus.OK, 215, False)


def test_too_large_even_at_10_rows_ends_truncated_after_a_page_unavailable_before() -> None:
    too_large = ResponseTooLarge("too large")
    script = Scripted([page_of(0, 200, more=True), too_large, too_large, too_large])
    listing = run(script)
    assert (listing.status, listing.count, listing.truncated) == (TasksStatus.OK, 200, True)
    assert run(Scripted([too_large] * 3)).status is TasksStatus.UNAVAILABLE


def test_the_deadline_after_one_page_gives_ok_truncated() -> None:
    script = Scripted([page_of(0, 200, more=True), page_of(200, 200, more=True)], 20.0)
    listing = run(script, deadline_seconds=30.0, page_seconds=15.0)
    # Each page gets at most 15 s, and never more than the listing has left.
    assert [seconds for _, _, seconds in script.asked] == [15.0, 10.0]
    assert (listing.status, listing.count, listing.truncated) == (TasksStatus.OK, 400, True)


def test_a_page_cut_by_the_listings_deadline_keeps_what_arrived() -> None:
    script = Scripted([page_of(0, 200, more=True), Unreachable("late")], 25.0)
    listing = run(script, deadline_seconds=45.0)
    assert (listing.status, listing.count, listing.truncated) == (TasksStatus.OK, 200, True)


def test_a_later_page_cut_by_its_own_deadline_keeps_what_arrived() -> None:
    script = Scripted([page_of(0, 200, more=True), Unreachable("late")], 15.0)
    listing = run(script, deadline_seconds=45.0, page_seconds=15.0)
    assert (listing.status, listing.count, listing.truncated) == (TasksStatus.OK, 200, True)
    quick_failure = Scripted([page_of(0, 200, more=True), Unreachable("refused")], 1.0)
    assert run(quick_failure).status is TasksStatus.UNAVAILABLE


def test_the_deadline_before_any_page_is_unavailable() -> None:
    script = Scripted([Unreachable("did not answer in time")], 50.0)
    assert run(script).status is TasksStatus.UNAVAILABLE
    already_over = Scripted([])
    assert run(already_over, deadline_seconds=0.0).status is TasksStatus.UNAVAILABLE
    assert already_over.asked == []


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NoPermission(), TasksStatus.FORBIDDEN),
        (AuthRejected(), TasksStatus.UNAVAILABLE),
        (ServerError(), TasksStatus.UNAVAILABLE),
        (UnexpectedResponse(), TasksStatus.UNAVAILABLE),
        (Unreachable(), TasksStatus.UNAVAILABLE),
    ],
)
@pytest.mark.parametrize("pages_before", [0, 1])
def test_failures_map_to_forbidden_or_unavailable(
    error: NeoError, status: TasksStatus, pages_before: int
) -> None:
    answers: list[TasksPage | NeoError] = [page_of(0, 200, more=True)] * pages_before
    listing = run(Scripted([*answers, error]))
    assert listing.status is status
    assert (listing.rows, listing.total, listing.truncated) == ((), None, False)


def test_more_promised_but_nothing_served_stops_truncated() -> None:
    script = Scripted([page_of(0, 200, more=True), TasksPage((), True, 900, 0)])
    listing = run(script)
    assert len(script.asked) == 2
    assert (listing.count, listing.truncated) == (200, True)


def test_an_empty_window_is_ok_with_no_rows() -> None:
    listing = run(Scripted([TasksPage((), False, 0, 0)]))
    assert (listing.status, listing.count, listing.total, listing.truncated) == (
        TasksStatus.OK,
        0,
        0,
        False,
    )
    assert listing.to_json()["neo_credits"] == 0.0


# What a hostile server tried (issue 27's tester): each bound, failing before it was held.


def test_a_task_id_longer_than_the_bound_drops_its_row_counted_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    longest = "i" * MAX_TASK_ID_CHARS
    data = {"data": [raw_row(1, task_id=longest), raw_row(2, task_id=longest + "x")]}
    with caplog.at_level(logging.WARNING):
        page = page_from_json(data)
    assert [r.task_id for r in page.rows] == [longest]  # kept whole: an id is never cut
    assert page.dropped == 1
    assert "over 256 characters" in caplog.text


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("task_title", MAX_TITLE_CHARS),
        ("model", MAX_FIELD_CHARS),
        ("status", MAX_FIELD_CHARS),
        ("email", MAX_EMAIL_CHARS),
    ],
)
def test_long_text_is_cut_at_the_model_with_an_ellipsis(field: str, limit: int) -> None:
    exact = "a" * limit
    huge = "\x1b]0;" + "T" * 3_000_000  # a megabyte-long title: 8 MiB pages hold a few
    (fits, long) = page_from_json(
        {"data": [raw_row(1, **{field: exact}), raw_row(2, **{field: huge})]}
    ).rows
    assert getattr(fits, field) == exact
    kept = getattr(long, field)
    assert len(kept) == limit
    assert kept == huge[: limit - 1] + "…"


def test_a_cut_never_splits_a_surrogate_pair() -> None:
    pair = "\ud83d\ude00"  # as json.loads leaves an escaped pair it cannot join: two halves
    text = "a" * (MAX_TITLE_CHARS - 2) + pair + "tail"
    assert cut(text, MAX_TITLE_CHARS) == "a" * (MAX_TITLE_CHARS - 2) + "…"
    assert cut("😀" * 600, 10) == "😀" * 9 + "…"  # a real character is one: cut between them
    assert cut("short", 10) == "short"


def test_a_page_ignoring_limit_is_read_up_to_the_cap_and_the_listing_keeps_5000() -> None:
    data = {"data": [raw_row(i) for i in range(MAX_ROWS + 1000)], "has_more": False, "total": 6}
    page = page_from_json(data)
    assert (len(page.rows), page.dropped, page.unread) == (MAX_ROWS, 0, 1000)
    paging = Paging(T0 - timedelta(days=1), T0)
    paging.on_page(page)
    listing = paging.listing()
    assert (listing.count, listing.truncated, paging.next_request()) == (MAX_ROWS, True, None)


@pytest.mark.parametrize("first_page", [0, 150])
def test_one_page_with_more_rows_than_the_cap_leaves_keeps_the_cap_truncated(
    first_page: int,
) -> None:
    paging = Paging(T0 - timedelta(days=1), T0)
    if first_page:
        paging.on_page(page_of(0, first_page, more=True))
    paging.on_page(page_of(first_page, 6000, more=False, total=6000))  # `limit` ignored
    listing = paging.listing()
    assert (listing.count, listing.truncated, paging.next_request()) == (MAX_ROWS, True, None)
    assert {r.task_id for r in listing.rows} == {f"t{i:05d}" for i in range(MAX_ROWS)}


def test_rows_past_the_cap_that_were_seen_before_do_not_truncate() -> None:
    paging = Paging(T0, T0, max_rows=300)
    paging.on_page(page_of(0, 200, more=True))
    paging.on_page(page_of(100, 200, more=False))  # rows 100-299: 100 new, all kept
    assert (paging.listing().count, paging.listing().truncated) == (300, False)


def test_a_server_ignoring_offsets_draws_two_requests_not_thousands() -> None:
    same = TasksPage((row("t1", 1.0), row("t2", 2.0), row("t3", 3.0)), True, 3, 0)
    script = Scripted([same] * 2000, seconds_per_page=0.001)
    listing = run(script)
    assert len(script.asked) == 2  # the second page brought no task not seen before
    assert (listing.status, listing.count, listing.truncated) == (TasksStatus.OK, 3, True)


def test_a_page_of_unusable_rows_promising_more_ends_truncated() -> None:
    script = Scripted([page_of(0, 200, more=True), TasksPage((), True, 900, dropped=200)])
    listing = run(script)
    assert len(script.asked) == 2
    assert (listing.count, listing.truncated) == (200, True)


def test_a_new_row_a_page_stops_at_max_pages() -> None:
    answers = [page_of(i, 1, more=True, total=10_000) for i in range(MAX_ROWS)]
    script = Scripted(answers, seconds_per_page=0.001)
    listing = run(script)
    assert len(script.asked) == MAX_PAGES == 500
    assert (listing.count, listing.truncated) == (MAX_PAGES, True)


def test_the_last_total_seen_stays_when_the_last_page_lacks_it() -> None:
    script = Scripted(
        [page_of(0, 200, more=True, total=450), page_of(200, 5, more=False, total=None)]
    )
    assert run(script).total == 450
    assert run(Scripted([page_of(0, 3, more=False, total=None)])).total is None


@pytest.mark.parametrize(
    ("created_at", "kept"),
    [
        ("1970-01-01T00:00:00+01:00", None),  # 1969-12-31T23:00:00Z
        ("1970-01-01T00:00:00-01:00", "1970-01-01T01:00:00+00:00"),
        ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00+00:00"),
        ("2199-12-31T23:00:00-05:00", None),  # 2200-01-01T04:00:00Z
        ("2199-12-31T23:59:59Z", "2199-12-31T23:59:59+00:00"),
        ("2200-01-01T01:00:00+02:00", "2199-12-31T23:00:00+00:00"),
        ("0001-01-01T00:00:00+14:00", None),  # overflows when converted
        ("9999-12-31T23:59:59-14:00", None),
    ],
)
def test_the_years_are_checked_in_utc(created_at: str, kept: str | None) -> None:
    page = page_from_json({"data": [raw_row(1, created_at=created_at)]})
    assert [r.created_at.isoformat() for r in page.rows] == ([kept] if kept else [])
    assert page.dropped == (0 if kept else 1)
