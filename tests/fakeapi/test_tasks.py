"""The fake API's task ledger over real loopback HTTP: rows, filters, paging, failures, and its
agreement with the summary for the same window."""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from desktop.fakeapi import FakeNeoApi
from desktop.fakeapi.ledger import HOSTILE_TITLES, huge_task_count

TOKEN = "test-token-123456"
NOW = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(clock: Clock) -> Iterator[FakeNeoApi]:
    with FakeNeoApi(token=TOKEN, clock=clock) as server:
        yield server


def get(api: FakeNeoApi, path: str, **params: object) -> tuple[int, Any]:
    query = urlencode({key: str(value) for key, value in params.items()})
    request = urllib.request.Request(
        f"{api.url}{path}?{query}", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body


def z(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


def all_rows(api: FakeNeoApi, **params: object) -> tuple[list[dict[str, Any]], int]:
    """Every row of a query, page after page; and the `total` the pages said."""
    rows: list[dict[str, Any]] = []
    totals = set()
    while True:
        status, page = get(api, "/api/v1/usage/tasks", limit=200, offset=len(rows), **params)
        assert status == 200, page
        rows += page["data"]
        totals.add(page["total"])
        if not page["has_more"]:
            break
    assert len(totals) == 1
    return rows, totals.pop()


WINDOWS = [
    (NOW - timedelta(hours=15, minutes=30), NOW),  # today
    (NOW - timedelta(days=7), NOW),
    (NOW - timedelta(days=30), NOW - timedelta(days=10)),
    (NOW - timedelta(days=400), NOW),
]


@pytest.mark.parametrize("scenario", ["ok", "solo", "critical", "expired"])
@pytest.mark.parametrize(("start", "end"), WINDOWS)
def test_a_windows_tasks_add_up_to_the_summary(
    api: FakeNeoApi, scenario: str, start: datetime, end: datetime
) -> None:
    api.scenario = scenario
    rows, total = all_rows(api, **{"from": z(start), "to": z(end)})
    _status, summary = get(api, "/api/v1/usage/summary", **{"from": z(start), "to": z(end)})
    assert total == len(rows) == summary["total_tasks"] > 0
    credits = math.fsum(row.get("neo_credits", 0.0) for row in rows)
    assert credits == pytest.approx(summary["total_neo_credits"], abs=0.005)
    by_status: dict[str, int] = {}
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + 1
        assert start <= datetime.fromisoformat(row["created_at"]) <= end
    assert by_status == summary["by_status"]


def test_rows_are_realistic_and_only_admins_see_emails(api: FakeNeoApi) -> None:
    rows, _total = all_rows(api, **{"from": z(NOW - timedelta(days=60))})
    assert {row["status"] for row in rows} >= {"completed", "failed", "error", "aborted"}
    assert len({row["model"] for row in rows}) >= 4
    assert len({row["email"] for row in rows}) >= 5
    assert len({row["task_id"] for row in rows}) == len(rows)
    assert any(row.get("is_byok") for row in rows)
    assert any("task_title" not in row for row in rows)  # some tasks have no title
    assert any("total_execution_ms" not in row for row in rows)
    assert any("is_byok" not in row for row in rows)
    assert any("neo_credits" not in row for row in rows)
    assert all(row.get("error_message") for row in rows if row["status"] == "error")
    full = next(row for row in rows if "total_execution_ms" in row and "task_title" in row)
    assert {"step_count", "tool_calls", "agent_triggers", "tool_call_history"} <= set(full)
    assert len(full["tool_call_history"]) == full["tool_calls"]
    api.scenario = "solo"
    solo_rows, _total = all_rows(api, **{"from": z(NOW - timedelta(days=60))})
    assert [row["task_id"] for row in solo_rows] == [row["task_id"] for row in rows]
    assert not any("email" in row for row in solo_rows)
    status, body = get(api, "/api/v1/usage/tasks", email="maya@acme.test")
    assert status == 403, body


def test_stored_rows_stay_put_between_requests_as_time_goes_on(
    api: FakeNeoApi, clock: Clock
) -> None:
    window = {"from": z(NOW - timedelta(days=3)), "to": z(NOW)}
    first, _total = all_rows(api, **window)
    clock.now += timedelta(hours=2)  # live tasks arrive after NOW: outside the window
    again, _total = all_rows(api, **window)
    assert again == first
    later, _total = all_rows(api, **{"from": window["from"]})
    assert len(later) > len(first)
    kept = {row["task_id"]: row["created_at"] for row in later}
    assert all(kept[row["task_id"]] == row["created_at"] for row in first)


@pytest.mark.parametrize(
    ("name", "value", "check"),
    [
        ("status", "failed", lambda row: row["status"] == "failed"),
        ("model", "gpt-5", lambda row: row["model"] == "gpt-5"),
        ("email", "dev@acme.test", lambda row: row["email"] == "dev@acme.test"),
        ("is_byok", "true", lambda row: "llm_cost" in row),
        ("is_byok", "false", lambda row: "llm_cost" not in row),
    ],
)
def test_filters_select_exactly_the_matching_rows(
    api: FakeNeoApi, name: str, value: str, check: Any
) -> None:
    window = {"from": z(NOW - timedelta(days=30))}
    everything, _total = all_rows(api, **window)
    chosen, total = all_rows(api, **window, **{name: value})
    expected = [row for row in everything if check(row)]
    assert chosen == expected
    assert total == len(expected) > 0


def test_task_id_finds_one_task(api: FakeNeoApi) -> None:
    rows, _total = all_rows(api, **{"from": z(NOW - timedelta(days=5))})
    status, page = get(api, "/api/v1/usage/tasks", task_id=rows[7]["task_id"])
    assert status == 200
    assert page == {"data": [rows[7]], "has_more": False, "total": 1}


def test_paging_fields_and_the_default_limit(api: FakeNeoApi) -> None:
    start = z(NOW - timedelta(days=10))
    _status, first = get(api, "/api/v1/usage/tasks", **{"from": start})
    assert len(first["data"]) == 50
    assert first["has_more"] is True
    total = first["total"]
    _status, last = get(api, "/api/v1/usage/tasks", **{"from": start}, offset=total - 3, limit=50)
    assert (len(last["data"]), last["has_more"], last["total"]) == (3, False, total)
    _status, past = get(api, "/api/v1/usage/tasks", **{"from": start}, offset=total + 10)
    assert (past["data"], past["has_more"]) == ([], False)


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 201},
        {"limit": "ten"},
        {"offset": -1},
        {"is_byok": "maybe"},
        {"from": "yesterday"},
    ],
)
def test_bad_queries_are_400(api: FakeNeoApi, params: dict[str, object]) -> None:
    status, body = get(api, "/api/v1/usage/tasks", **params)
    assert status == 400
    assert body["message"]


@pytest.mark.parametrize(
    "scenario",
    [
        "unauthorized",
        "forbidden",
        "not_found",
        "rate_limited",
        "server_error",
        "bad_gateway",
        "html",
        "wrong_shape",
        "malformed",
        "echo_token",
        "retry_month",
    ],
)
def test_failure_scenarios_fail_the_ledger_as_the_summary(api: FakeNeoApi, scenario: str) -> None:
    api.scenario = scenario
    summary = get(api, "/api/v1/usage/summary")
    tasks = get(api, "/api/v1/usage/tasks")
    assert tasks[0] == summary[0]
    if summary[0] != 200:
        assert tasks == summary
    else:  # a 200 the app cannot use
        assert not isinstance(tasks[1], dict) or "data" not in tasks[1]


def test_the_huge_ledger_matches_its_summary_member_by_member(api: FakeNeoApi) -> None:
    api.scenario = "huge"
    _status, summary = get(api, "/api/v1/usage/summary")
    _status, first = get(api, "/api/v1/usage/tasks", limit=200)
    assert first["total"] == huge_task_count() == summary["total_tasks"]
    assert first["has_more"] is True
    assert [row["task_title"] for row in first["data"][:3]] == list(HOSTILE_TITLES)
    for member in (summary["by_email"][0], summary["by_email"][777], summary["by_email"][-1]):
        rows, total = all_rows(api, email=member["email"])
        assert total == len(rows) == member["tasks"]
        assert math.fsum(row["neo_credits"] for row in rows) == pytest.approx(
            member["neo_credits"], abs=0.005
        )
        assert all(row["neo_credits"] >= 0 for row in rows)
    _status, one = get(api, "/api/v1/usage/tasks", task_id="huge-0000042")
    assert [row["task_id"] for row in one["data"]] == ["huge-0000042"]


def test_hostile_values_scenario_sends_odd_rows(api: FakeNeoApi) -> None:
    api.scenario = "huge_values"
    request = urllib.request.Request(
        f"{api.url}/api/v1/usage/tasks?from={z(NOW - timedelta(days=2))}",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read().decode()
    assert "NaN" in text
    assert "1" + "0" * 400 in text
    assert "0001-01-01T00:00:00+05:00" in text
    page = json.loads(text)
    assert sum("task_id" not in row for row in page["data"]) == 1
    assert [row["task_title"] for row in page["data"][:3]] == list(HOSTILE_TITLES)
