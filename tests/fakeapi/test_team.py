"""The fake API's team side over real loopback HTTP (issue 28): `/api/v1/user` in every scenario,
the member scenarios, and `admin_spike`'s members, consistent across date filters."""

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

from desktop.api.client import NeoClient
from desktop.api.member import member_after_forbidden
from desktop.arguments import parse_options
from desktop.core.errors import (
    AuthRejected,
    NeoError,
    NoPermission,
    NoSpendingCap,
    RateLimited,
    ServerError,
    UnexpectedResponse,
)
from desktop.core.member import MemberCap, MemberProfile
from desktop.fakeapi import SCENARIOS, FakeNeoApi
from desktop.fakeapi.team import (
    CAP_DOLLARS_PER_LIVE_TASK,
    NEW_EMAIL,
    SPIKE_EMAIL,
    spike_tasks,
    today_start,
)

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
    with FakeNeoApi(token=TOKEN, clock=clock, live_task_interval=60.0) as server:
        yield server


def get(api: FakeNeoApi, path: str, **params: object) -> tuple[int, Any]:
    query = f"?{urlencode(params)}" if params else ""
    request = urllib.request.Request(
        api.url + path + query, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


def z(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


def fetch_user(api: FakeNeoApi) -> MemberProfile | NeoError:
    with NeoClient(api.url, TOKEN) as client:
        try:
            return client.fetch_user()
        except NeoError as exc:
            return exc


ADMIN = MemberProfile("lead@acme.test", "Acme Sec", None, True)


@pytest.mark.parametrize(
    ("scenario", "expected"),
    [
        ("ok", ADMIN),
        ("low", ADMIN),
        ("admin_spike", ADMIN),
        ("expired", ADMIN),
        ("solo", MemberProfile("solo@example.com", None, None, False)),
        ("forbidden", MemberProfile("viewer@acme.test", "Acme Sec", None, True)),
        ("member_no_cap", MemberProfile("maya@acme.test", "Acme Sec", None, True)),
        (
            "member_cap",
            MemberProfile("maya@acme.test", "Acme Sec", MemberCap(75.0, 43.0, 32.0), True),
        ),
        ("huge", MemberProfile("admin@bigcorp.test", "BigCorp Security", None, True)),
        ("unauthorized", AuthRejected),
        ("rate_limited", RateLimited),
        ("server_error", ServerError),
        ("bad_gateway", ServerError),
        ("malformed", UnexpectedResponse),
        ("truncated", UnexpectedResponse),
        ("html", UnexpectedResponse),
        ("wrong_shape", UnexpectedResponse),
        ("encodings", UnexpectedResponse),
        ("echo_token", ServerError),
        ("retry_month", RateLimited),
    ],
)
def test_the_user_answer_in_each_scenario(
    api: FakeNeoApi, scenario: str, expected: MemberProfile | type[NeoError]
) -> None:
    api.scenario = scenario
    got = fetch_user(api)
    if isinstance(expected, MemberProfile):
        assert got == expected
    else:
        assert type(got) is expected
    assert api.requests[-1]["path"] == "/api/v1/user"


def status_of(api: FakeNeoApi, path: str) -> int:
    request = urllib.request.Request(api.url + path, headers={"Authorization": f"Bearer {TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        with error:
            return error.code


def test_every_scenario_answers_the_user_path_as_the_summary(api: FakeNeoApi) -> None:
    for scenario in SCENARIOS:
        if scenario in {"slow", "gzip_bomb", "disconnect", "truncated"}:
            continue  # slow by design, or no whole answer; the client tests cover their failures
        api.scenario = scenario
        summary = status_of(api, "/api/v1/usage/summary")
        user = status_of(api, "/api/v1/user")
        assert user == (200 if summary == 403 else summary), scenario


def test_odd_optional_values_leave_the_profile_usable(api: FakeNeoApi) -> None:
    api.scenario = "huge_values"
    assert fetch_user(api) == ADMIN


@pytest.mark.parametrize("scenario", ["member_cap", "member_no_cap", "forbidden"])
def test_members_get_403_on_usage_and_the_ledger(api: FakeNeoApi, scenario: str) -> None:
    api.scenario = scenario
    assert get(api, "/api/v1/usage/summary")[0] == 403
    assert get(api, "/api/v1/usage/tasks")[0] == 403
    assert get(api, "/api/v1/user")[0] == 200


def test_the_member_rule_against_the_fake_api(api: FakeNeoApi) -> None:
    outcomes: dict[str, object] = {}
    for scenario in ("member_cap", "member_no_cap", "forbidden"):
        api.scenario = scenario
        with NeoClient(api.url, TOKEN) as client:
            try:
                client.fetch_summary()
            except NoPermission as forbidden:
                try:
                    outcomes[scenario] = member_after_forbidden(client, forbidden)
                except NoPermission as exc:
                    outcomes[scenario] = type(exc)
    assert outcomes == {
        "member_cap": MemberProfile(
            "maya@acme.test", "Acme Sec", MemberCap(75.0, 43.0, 32.0), True
        ),
        "member_no_cap": NoSpendingCap,
        "forbidden": NoSpendingCap,
    }


def test_the_cap_creeps_up_with_the_living_account_and_stops_at_the_limit(
    api: FakeNeoApi, clock: Clock
) -> None:
    api.scenario = "member_cap"
    seen = []
    for minutes in (0, 30, 120, 600, 60 * 24 * 30):
        clock.now = NOW + timedelta(minutes=minutes)
        _status, body = get(api, "/api/v1/user")
        cap = body["cap"]
        assert cap["limit"] == 75.0
        assert cap["used"] + cap["remaining"] == pytest.approx(75.0)
        seen.append(cap["used"])
    assert seen[0] == 43.0
    assert seen[1] == pytest.approx(43.0 + 30 * CAP_DOLLARS_PER_LIVE_TASK)
    assert seen == sorted(seen)
    assert seen[-1] == 75.0
    clock.now = NOW + timedelta(minutes=30)  # stored figures stay put between requests
    assert get(api, "/api/v1/user")[1]["cap"]["used"] == seen[1]


def members(api: FakeNeoApi, start: datetime, end: datetime) -> dict[str, float]:
    status, body = get(api, "/api/v1/usage/summary", **{"from": z(start), "to": z(end)})
    assert status == 200, body
    return {row["email"]: row["neo_credits"] for row in body["by_email"]}


def windows(now: datetime) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime]]:
    """The forecast's window (the last 14 complete UTC days) and today's (from the later of
    the local and UTC midnights: the spike's day in any zone this machine has)."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - timedelta(days=14), midnight - timedelta(microseconds=1)), (
        today_start(now),
        now,
    )


def test_admin_spike_has_one_spiking_and_one_new_member(api: FakeNeoApi, clock: Clock) -> None:
    api.scenario = "admin_spike"
    window, today = windows(NOW)
    usual = {email: credits / 14 for email, credits in members(api, *window).items()}
    now = members(api, *today)
    assert usual[SPIKE_EMAIL] == 2.0
    assert now[SPIKE_EMAIL] == 30.0
    assert NEW_EMAIL not in usual
    assert now[NEW_EMAIL] >= 10
    unusual = {
        email
        for email, credits in now.items()
        if credits >= 10 and (email not in usual or credits >= 3 * usual[email])
    }
    assert unusual == {SPIKE_EMAIL, NEW_EMAIL}
    assert len(usual) >= 6  # the steady team around them
    # The whole summary agrees with its members; filters change totals, never the balance.
    status, whole = get(api, "/api/v1/usage/summary")
    assert status == 200
    by_email = {row["email"]: row["neo_credits"] for row in whole["by_email"]}
    assert math.fsum(by_email.values()) == pytest.approx(whole["total_neo_credits"], abs=0.05)
    balances = {
        get(api, "/api/v1/usage/summary", **params)[1]["total_available_neo_credits"]
        for params in ({}, {"from": z(window[0]), "to": z(window[1])}, {"from": z(today[0])})
    }
    assert len(balances) == 1


def test_admin_spike_stays_put_and_steady_as_time_goes_on(api: FakeNeoApi, clock: Clock) -> None:
    api.scenario = "admin_spike"
    window, today = windows(NOW)
    first = members(api, *window), members(api, *today)
    clock.now = NOW + timedelta(hours=3)
    assert (members(api, *window), members(api, *today)) == first
    later = members(api, today[0], clock.now)
    for email, credits in later.items():  # live tasks come at the usual pace: no new spikes
        if email not in (SPIKE_EMAIL, NEW_EMAIL):
            assert credits < max(10.0, 3 * first[0][email] / 14), email


def test_admin_spike_tasks_add_up_to_its_summary(api: FakeNeoApi) -> None:
    api.scenario = "admin_spike"
    _window, today = windows(NOW)
    status, page = get(
        api, "/api/v1/usage/tasks", limit=200, **{"from": z(today[0]), "to": z(today[1])}
    )
    assert status == 200
    assert not page["has_more"]
    spent: dict[str, float] = {}
    for row in page["data"]:
        spent[row["email"]] = spent.get(row["email"], 0.0) + row.get("neo_credits", 0.0)
    assert {email: round(credits, 2) for email, credits in spent.items()} == members(api, *today)


@pytest.mark.parametrize(
    "start",
    [
        NOW,
        datetime(2026, 11, 25, 0, 0, 30, tzinfo=UTC),  # right after midnight: the spike follows
        datetime(2026, 11, 25, 23, 59, tzinfo=UTC),
    ],
)
def test_the_spike_is_today_whenever_the_account_starts(start: datetime) -> None:
    tasks = spike_tasks(start)
    today = [task for task in tasks if task.at >= today_start(start)]
    assert sum(task.neo_credits for task in today if task.email == SPIKE_EMAIL) == 30.0
    assert sum(task.neo_credits for task in today if task.email == NEW_EMAIL) >= 10
    assert all(task.at < start + timedelta(minutes=2) for task in today)
    assert [task.at for task in tasks] == sorted(task.at for task in tasks)


@pytest.mark.parametrize("scenario", ["member_cap", "member_no_cap", "admin_spike"])
def test_the_demo_offers_the_new_scenarios(scenario: str) -> None:
    assert SCENARIOS[scenario]
    assert parse_options(["--demo", "--scenario", scenario]).scenario == scenario
