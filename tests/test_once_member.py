"""`--once` in member mode (a summary 403, then `/api/v1/user` with a cap), `mode` on every
document, and an admin's `members` radar: real processes against real servers on 127.0.0.1 (the
fake API, and a raw-socket server for what it does not do: a failing request for today)."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from desktop.core import fmt
from desktop.core.account_rules import token_tag
from desktop.core.accounts import Account
from desktop.core.member import MemberCap, MemberProfile, MemberSnapshot
from desktop.core.settings import Settings
from desktop.fakeapi import FakeNeoApi
from desktop.system import cache, secrets, settings_store
from tests.helpers.constants import TOKEN, shared_example
from tests.helpers.processes import NO_KEYRING, api_env, assert_one_clean_line, run_app
from tests.hostile import HostileServer, hostile, response

SUMMARY_PATH = "/api/v1/usage/summary"
USER_PATH = "/api/v1/user"
MEMBER_KEYS = [
    "schema_version",
    "mode",
    "source",
    "stale",
    "summary",
    "derived",
    "forecast",
    "fetched_at",
    "member",
]
SUMMARY_KEYS = [
    "schema_version",
    "mode",
    "source",
    "stale",
    "summary",
    "derived",
    "forecast",
    "fetched_at",
]
ITEM_KEYS = [
    "email",
    "today_credits",
    "baseline_credits_per_day",
    "ratio",
    "recent_share",
    "unusual",
]
WHOLE_SECONDS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def strict(text: str) -> dict[str, Any]:
    """The document, refusing NaN and Infinity (the contract's strict JSON)."""
    document: dict[str, Any] = json.loads(text, parse_constant=pytest.fail)
    return document


def contract_order(item: dict[str, Any]) -> tuple[bool, bool, float, str]:
    """Unusual first, then the ratio descending (null after numbers), then the email."""
    ratio = item["ratio"]
    return (not item["unusual"], ratio is None, -(ratio or 0.0), item["email"])


def paths(api: FakeNeoApi) -> list[str]:
    return [entry["path"] for entry in api.requests]


# --- member mode ------------------------------------------------------------------------------


def test_a_member_with_a_cap_gets_exit_0_and_the_member_document() -> None:
    with FakeNeoApi(token=TOKEN, scenario="member_cap") as api:
        result = run_app("--once", "--json", env=api_env(api))
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        assert TOKEN not in result.stdout
        document = strict(result.stdout)
        assert list(document) == MEMBER_KEYS
        assert document["schema_version"] == 1
        assert document["mode"] == "member"
        assert (document["source"], document["stale"]) == ("api", False)
        assert document["summary"] is document["derived"] is document["forecast"] is None
        assert WHOLE_SECONDS.fullmatch(document["fetched_at"])
        member = document["member"]
        assert list(member) == ["email", "team", "cap"]
        assert member["team"] == "Acme Sec"
        assert isinstance(member["email"], str)
        assert "@" in member["email"]
        cap = member["cap"]
        assert list(cap) == ["limit", "used", "remaining", "fraction_left", "unit"]
        assert cap["unit"] == "usd"
        assert cap["limit"] > 0
        assert cap["fraction_left"] == pytest.approx(cap["remaining"] / cap["limit"])  # unrounded
        # The summary first (a promotion would show), then the profile; nothing more.
        assert paths(api) == [SUMMARY_PATH, USER_PATH]


def test_a_member_without_a_cap_stays_exit_3_with_one_line_naming_it() -> None:
    with FakeNeoApi(token=TOKEN, scenario="member_no_cap") as api:
        result = run_app("--once", "--json", env=api_env(api))
    assert result.returncode == 3
    assert result.stdout == ""
    assert_one_clean_line(result.stderr)
    assert "No permission" in result.stderr
    assert "your team has no spending cap" in result.stderr


@pytest.mark.parametrize("output", ["json", "text", "i3blocks"])
def test_forbidden_without_member_mode_is_still_exit_3(output: str) -> None:
    with FakeNeoApi(token=TOKEN, scenario="forbidden") as api:
        result = run_app("--once", "--format", output, env=api_env(api))
        assert USER_PATH in paths(api)  # asked, and it gave no cap
    assert result.returncode == (33 if output == "i3blocks" else 3)
    if output == "i3blocks":
        assert result.stderr == ""
        assert "No permission" in result.stdout
    else:
        assert result.stdout == ""
        assert_one_clean_line(result.stderr)
        assert "No permission" in result.stderr


def test_status_bars_and_the_text_report_in_member_mode() -> None:
    with FakeNeoApi(token=TOKEN, scenario="member_cap") as api:
        env = api_env(api)
        document = strict(run_app("--once", "--json", env=env).stdout)["member"]
        cap = document["cap"]
        points = round(cap["fraction_left"] * 100)
        waybar = run_app("--once", "--format", "waybar", env=env)
        i3blocks = run_app("--once", "--format", "i3blocks", env=env)
        text = run_app("--once", "--format", "text", env=env)
        human = run_app("--once", env=env)
        german = run_app("--once", "--format", "text", env={**env, "LANGUAGE": "de"})
    assert waybar.returncode == 0, waybar.stderr
    bar = strict(waybar.stdout)
    assert bar["text"] == f"{points}%"
    assert bar["percentage"] == points
    assert bar["class"] == "ok"
    left, limit, used = (fmt.money(cap[key]) for key in ("remaining", "limit", "used"))
    line = f"Neo (member of Acme Sec): {left} of {limit} cap left"
    assert bar["tooltip"].startswith(line)
    assert i3blocks.returncode == 0, i3blocks.stderr
    full, short, colour = i3blocks.stdout.splitlines()
    assert full.startswith(line)
    assert short == f"Neo {points}%"
    assert re.fullmatch(r"#[0-9a-f]{6}", colour)
    assert text.returncode == 0, text.stderr
    assert text.stdout.strip() == full
    assert human.returncode == 0, human.stderr
    rows = dict(re.split(r":\s+", row, maxsplit=1) for row in human.stdout.splitlines())
    assert rows["Team"] == "Acme Sec"
    # The tray's phrasing, the limit in it (issue 28's tester: "$32 of the cap" hid it).
    assert rows["Cap"] == f"{left} of {limit} cap left ({points}%)"
    assert rows["Email"] == document["email"]
    assert rows["Level"] == "ok"
    assert rows["Used"] == used
    assert rows["Limit"] == limit
    assert german.returncode == 0, german.stderr
    assert "Acme Sec" in german.stdout
    assert german.stdout.strip() != full  # said in German


def test_tasks_in_member_mode_keep_their_own_status() -> None:
    with FakeNeoApi(token=TOKEN, scenario="member_cap") as api:
        result = run_app("--once", "--json", "--tasks", env=api_env(api))
    assert result.returncode == 0, result.stderr
    document = strict(result.stdout)
    assert document["mode"] == "member"
    assert list(document) == [*MEMBER_KEYS, "tasks"]
    assert document["tasks"]["status"] == "forbidden"  # the ledger refuses a member too
    assert document["tasks"]["items"] == []


def test_mode_on_every_document_and_every_account(isolated_home: Path) -> None:
    with (
        FakeNeoApi(token="personal-token-0123456", scenario="solo") as personal,
        FakeNeoApi(token="member-token-0123456789", scenario="member_cap") as member,
        FakeNeoApi(token="viewer-token-0123456789", scenario="member_no_cap") as viewer,
    ):
        settings_store.save(
            Settings(
                accounts=(
                    Account(id="default", name="Personal", base_url=personal.url),
                    Account(id="a1b2c3d4", name="Acme", base_url=member.url),
                    Account(id="e5f6a7b8", name="Viewer", base_url=viewer.url),
                )
            )
        )
        secrets.save_token_to_file(personal.token, "default")
        secrets.save_token_to_file(member.token, "a1b2c3d4")
        secrets.save_token_to_file(viewer.token, "e5f6a7b8")
        single = run_app("--once", "--json", env=NO_KEYRING)
        assert single.returncode == 0, single.stderr
        assert list(strict(single.stdout)) == SUMMARY_KEYS  # a solo user: no members
        assert strict(single.stdout)["mode"] == "summary"
        result = run_app("--once", "--json", "--all-accounts", env=NO_KEYRING)
        text = run_app("--once", "--all-accounts", env=NO_KEYRING)
    assert result.returncode == 3  # the viewer's 403 without a cap
    assert_one_clean_line(result.stderr, token=viewer.token)
    assert "Viewer" in result.stderr
    assert "your team has no spending cap" in result.stderr
    first, second, third = strict(result.stdout)["accounts"]
    assert (first["name"], first["mode"]) == ("Personal", "summary")
    assert (second["name"], second["mode"]) == ("Acme", "member")
    assert second["member"]["cap"]["unit"] == "usd"
    assert set(third) == {"name", "error"}
    assert third["error"]["exit_code"] == 3
    assert "no spending cap" in third["error"]["message"]
    assert text.returncode == 3
    assert "Cap:" in text.stdout
    assert "Available:" in text.stdout


# --- an admin's radar -------------------------------------------------------------------------


def test_an_admin_gets_members_from_one_more_request() -> None:
    zone = "America/New_York"  # the local day is not UTC's
    with FakeNeoApi(token=TOKEN, scenario="admin_spike") as api:
        before = datetime.now(UTC).replace(microsecond=0)
        result = run_app("--once", "--json", env={**api_env(api), "TZ": zone})
        after = datetime.now(UTC)
        requests = [entry for entry in api.requests if entry["path"] == SUMMARY_PATH]
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    document = strict(result.stdout)
    assert list(document) == [*SUMMARY_KEYS, "members"]
    assert document["mode"] == "summary"
    members = document["members"]
    assert list(members) == ["status", "window_days", "today_from", "items"]
    assert (members["status"], members["window_days"]) == ("ok", 14)
    today_from = datetime.fromisoformat(members["today_from"].replace("Z", "+00:00"))
    local = today_from.astimezone(ZoneInfo(zone))
    assert (local.hour, local.minute, local.second) == (0, 0, 0)
    # The summary, the forecast's window (reused), and today's: three requests, no more.
    assert len(requests) == 3
    today_query = requests[2]["query"]
    assert today_query["from"] == members["today_from"]
    asked_to = datetime.fromisoformat(today_query["to"].replace("Z", "+00:00"))
    assert before <= asked_to <= after
    items = members["items"]
    assert all(list(item) == ITEM_KEYS for item in items)
    assert items == sorted(items, key=contract_order)
    spiking = [item for item in items if item["unusual"] and item["ratio"] is not None]
    new = [item for item in items if item["unusual"] and item["ratio"] is None]
    assert spiking
    assert new
    assert all(item["ratio"] >= 3 and item["today_credits"] >= 10 for item in spiking)
    assert all(item["baseline_credits_per_day"] == 0 for item in new)
    assert all(item["today_credits"] >= 10 for item in new)
    shares = [item["recent_share"] for item in items if item["recent_share"] is not None]
    assert sum(shares) == pytest.approx(1.0)


def test_no_members_without_by_email_and_none_in_status_bars(fake_api: FakeNeoApi) -> None:
    fake_api.scenario = "solo"
    result = run_app("--once", "--json", env=api_env(fake_api))
    assert result.returncode == 0, result.stderr
    assert "members" not in strict(result.stdout)
    assert fake_api.request_count == 2  # the summary and the forecast's window
    fake_api.scenario = "ok"  # an admin, but a status bar prints no radar: no request for it
    before = fake_api.request_count
    bar = run_app("--once", "--format", "waybar", env=api_env(fake_api))
    assert bar.returncode == 0, bar.stderr
    assert fake_api.request_count - before == 2


Answer = Callable[[socket.socket, dict[str, str]], None]


@pytest.fixture
def admin_server() -> Iterator[Callable[[Answer], HostileServer]]:
    """A raw-socket API: the unfiltered summary is the realistic admin's example; each request
    with `from` (the forecast's window first, then today's) is what the test answers."""
    from contextlib import ExitStack

    with ExitStack() as stack:

        def start(answer: Answer) -> HostileServer:
            def respond(connection: socket.socket, head: bytes) -> None:
                parts = urlsplit(head.split(b" ", 2)[1].decode("latin-1"))
                query = {key: values[0] for key, values in parse_qs(parts.query).items()}
                if "from" in query:
                    answer(connection, query)
                else:
                    connection.sendall(response(body=shared_example("example-realistic.json")))

            return stack.enter_context(hostile(respond))

        yield start


def summary_body(by_email: list[dict[str, Any]]) -> bytes:
    body = json.loads(shared_example("example-realistic.json"))
    return json.dumps({**body, "by_email": by_email}).encode()


TODAY = [
    {"email": "dev@acme.test", "neo_credits": 70.0, "tasks": 3},
    {"email": "new@acme.test", "neo_credits": 12.0, "tasks": 1},
    {"email": "calm@acme.test", "neo_credits": 9.0, "tasks": 1},
]


def filtered(answers: list[bytes]) -> Answer:
    """Answers the filtered requests in turn (the window's, then today's)."""
    calls = iter(answers)

    def answer(connection: socket.socket, _query: dict[str, str]) -> None:
        connection.sendall(next(calls))

    return answer


def env_for(server: HostileServer) -> dict[str, str]:
    return {"NEO_API_URL": server.url, "NEO_API_TOKEN": TOKEN}


def test_members_are_sorted_unusual_first_then_ratio_with_null_after_numbers(
    admin_server: Callable[[Answer], HostileServer],
) -> None:
    window = response(body=shared_example("example-realistic.json"))  # lead 410, dev 190.4
    server = admin_server(filtered([window, response(body=summary_body(TODAY))]))
    result = run_app("--once", "--json", env=env_for(server))
    assert result.returncode == 0, result.stderr
    members = strict(result.stdout)["members"]
    assert members["status"] == "ok"
    items = members["items"]
    assert [item["email"] for item in items] == [
        "dev@acme.test",  # unusual: 70 today against 13.6 a day
        "new@acme.test",  # unusual: new, 12 today (no ratio: after the numbers)
        "lead@acme.test",  # usual, ratio 0 (a number)
        "calm@acme.test",  # new, but under 10 credits (no ratio: after the numbers)
    ]
    dev, new, lead, calm = items
    assert dev["baseline_credits_per_day"] == pytest.approx(190.4 / 14)
    assert dev["ratio"] == pytest.approx(70 / (190.4 / 14))
    assert dev["recent_share"] == pytest.approx(190.4 / 600.4)
    assert (dev["unusual"], new["unusual"], calm["unusual"], lead["unusual"]) == (
        True,
        True,
        False,
        False,
    )
    assert new["ratio"] is None
    assert new["recent_share"] == 0
    assert calm["ratio"] is None
    assert (lead["ratio"], lead["today_credits"]) == (0, 0)


@pytest.mark.parametrize("failing", ["today", "window"])
def test_a_failed_request_for_members_leaves_them_unavailable_and_exit_0(
    admin_server: Callable[[Answer], HostileServer], failing: str
) -> None:
    window = response(body=shared_example("example-realistic.json"))
    broken = response("500 Internal Server Error", b'{"message": "boom"}')
    answers = [window, broken] if failing == "today" else [broken]
    server = admin_server(filtered(answers))
    result = run_app("--once", "--json", env=env_for(server))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    document = strict(result.stdout)
    members = document["members"]
    assert (members["status"], members["items"], members["window_days"]) == (
        "unavailable",
        [],
        14,
    )
    assert WHOLE_SECONDS.fullmatch(members["today_from"])
    # A failed window leaves the forecast unavailable and asks nothing for today.
    filtered_requests = [head for head in server.requests if b"from=" in head.split(b"\r\n")[0]]
    assert len(filtered_requests) == (2 if failing == "today" else 1)
    forecast_status = document["forecast"]["status"]
    assert (forecast_status == "unavailable") is (failing == "window")


# --- --cached on the full path ----------------------------------------------------------------


def test_cached_member_on_the_full_path_reports_the_cache_and_fetches_the_tasks(
    isolated_home: Path,
) -> None:
    with FakeNeoApi(token=TOKEN, scenario="member_cap") as api:
        profile = MemberProfile("maya@acme.test", "Acme Sec", MemberCap(75.0, 70.5, 4.5), True)
        fetched = datetime.now(UTC) - timedelta(minutes=1)
        snapshot = MemberSnapshot(profile, fetched, token_tag=token_tag(TOKEN))
        cache.save_member(cache.default_path(), api.url, snapshot, 300.0)
        human = run_app("--once", "--cached", env=api_env(api))
        assert api.request_count == 0  # the tray's cache, nothing fetched
        tasks = run_app("--once", "--cached", "--json", "--tasks", env=api_env(api))
        asked = {entry["path"] for entry in api.requests}
    assert human.returncode == 0, human.stderr
    rows = dict(re.split(r":\s+", row, maxsplit=1) for row in human.stdout.splitlines())
    assert rows["Level"] == "critical"  # 6 % left, under the default 10 %
    assert rows["Source"].startswith("the tray's snapshot, ")
    assert tasks.returncode == 0, tasks.stderr
    document = strict(tasks.stdout)
    assert (document["mode"], document["source"]) == ("member", "cache")
    assert document["member"] == profile.to_json()
    assert document["tasks"]["status"] == "forbidden"
    assert asked == {"/api/v1/usage/tasks"}  # the member from the cache, the tasks from the API
