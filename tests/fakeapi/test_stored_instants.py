"""The fake API's stored instants stay put between requests, as the real API's do: a scenario
that sets an expiry or a last reset sets it when it is chosen, never from each request's now
(else `--demo --scenario expired` would notify "expired" on every poll)."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from desktop.fakeapi import SCENARIOS, FakeNeoApi
from desktop.fakeapi.server import SUMMARY_PATH

TOKEN = "test-token-123456"
NOW = datetime(2026, 11, 25, 15, 30, 12, 345678, tzinfo=UTC)
INSTANTS = ("last_credit_reset", "neo_credits_expires_at")


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
    with FakeNeoApi(token=TOKEN, clock=clock, slow_seconds=0.0) as server:
        yield server


def summary_over_http(api: FakeNeoApi) -> dict[str, Any] | None:
    """The summary the scenario answers over loopback HTTP; None when it answers none (an
    error status, a body that is not a JSON object)."""
    request = urllib.request.Request(
        api.url + SUMMARY_PATH, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            body = json.loads(answer.read().decode("utf-8"))
    except (urllib.error.URLError, http.client.HTTPException, ConnectionError, ValueError):
        return None
    return body if isinstance(body, dict) else None


def instants(body: dict[str, Any]) -> tuple[object, ...]:
    return tuple(body.get(name) for name in INSTANTS)


@pytest.mark.parametrize("scenario", sorted(set(SCENARIOS) - {"gzip_bomb"}))
def test_stored_instants_stay_put_a_second_later(
    api: FakeNeoApi, clock: Clock, scenario: str
) -> None:
    """Every scenario, asked twice a second apart: the body every answer derives from, and the
    answer on the wire where it is a summary."""
    api.scenario = scenario
    direct = api.body_for({})[1]
    wire = summary_over_http(api)
    clock.now += timedelta(seconds=1)
    assert instants(api.body_for({})[1]) == instants(direct)
    if wire is not None:
        later = summary_over_http(api)
        assert later is not None
        assert instants(later) == instants(wire)


@pytest.mark.parametrize("scenario", ["expired", "expiring_soon", "slow_burn", "new_account"])
def test_the_scenarios_instants_are_set_when_it_is_chosen(
    api: FakeNeoApi, clock: Clock, scenario: str
) -> None:
    """Half a day later the instants are still those of the choice (the figures may move); choosing
    the scenario again, as a restart would, sets them from then."""
    api.scenario = scenario
    first = instants(api.body_for({})[1])
    clock.now += timedelta(hours=12)  # past midnight too
    assert instants(api.body_for({})[1]) == first
    api.scenario = scenario  # the same one again: nothing moves
    assert instants(api.body_for({})[1]) == first
    api.scenario = "ok"
    api.scenario = scenario
    assert instants(api.body_for({})[1]) != first


def test_expired_says_two_days_before_it_was_chosen(api: FakeNeoApi, clock: Clock) -> None:
    api.scenario = "expired"
    clock.now += timedelta(minutes=10)
    body = api.body_for({})[1]
    assert body["neo_credits_is_expired"] is True
    expires = datetime.fromisoformat(body["neo_credits_expires_at"].replace("Z", "+00:00"))
    assert expires == NOW - timedelta(days=2)


@pytest.mark.parametrize("scenario", ["low", "critical", "empty", "steady_burn"])
def test_the_issued_credits_stay_put_while_the_account_spends(
    api: FakeNeoApi, clock: Clock, scenario: str
) -> None:
    """A scenario that sets the balance sets the issued credits once: hours of live tasks later
    only the used and available credits have moved (a drifting issued figure reads as a top-up to
    the tray, which then says "topped up" and warns "low" again)."""
    api.scenario = scenario
    first = api.body_for({})[1]
    clock.now += timedelta(hours=6)
    later = api.body_for({})[1]
    assert later["total_issued_neo_credits"] == first["total_issued_neo_credits"]
    assert later["total_neo_credits_post_reset"] >= first["total_neo_credits_post_reset"]
    assert later["total_available_neo_credits"] <= first["total_available_neo_credits"]
