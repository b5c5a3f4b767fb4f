"""`neo-tray --once --tasks` as a real process against real servers on 127.0.0.1: the fake API,
and a small raw-socket server for what the fake API does not do (a summary with a refused,
failing or slow task ledger, crafted rows)."""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from desktop import cached_once, cli, once, once_text
from desktop.core.account_rules import token_tag
from desktop.core.models import summary_from_json
from desktop.core.snapshot import Snapshot
from desktop.fakeapi import FakeNeoApi
from desktop.system import cache
from tests.helpers.constants import TOKEN, shared_example
from tests.helpers.processes import NO_KEYRING, api_env, assert_one_clean_line, run_app
from tests.hostile import hostile, response

TASKS_PATH = "/api/v1/usage/tasks"
ITEM_KEYS = [
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
NULLED: dict[str, object] = {
    "count": None,
    "total": None,
    "truncated": None,
    "neo_credits": None,
    "items": [],
}
ESCAPES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def strict(text: str) -> dict[str, Any]:
    """The document, refusing NaN and Infinity (the contract's strict JSON)."""
    document: dict[str, Any] = json.loads(text, parse_constant=pytest.fail)
    return document


def order(item: dict[str, Any]) -> tuple[float, float, str]:
    """The contract's order, computed from the printed items."""
    created = datetime.fromisoformat(item["created_at"].replace("Z", "+00:00"))
    return (-(item["neo_credits"] or 0), -created.timestamp(), item["task_id"])


def tasks_requests(api: FakeNeoApi) -> list[dict[str, str]]:
    return [entry["query"] for entry in api.requests if entry["path"] == TASKS_PATH]


# --- the fake API -----------------------------------------------------------------------------


def test_json_adds_today_s_tasks_sorted_and_complete(fake_api: FakeNeoApi) -> None:
    zone = "America/New_York"  # the local day is not UTC's
    before = datetime.now(ZoneInfo(zone))
    result = run_app("--once", "--json", "--tasks", env={**api_env(fake_api), "TZ": zone})
    after = datetime.now(UTC)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    report = strict(result.stdout)
    assert report["source"] == "api"
    tasks = report["tasks"]
    assert list(tasks) == [
        "status",
        "from",
        "to",
        "count",
        "total",
        "truncated",
        "neo_credits",
        "items",
    ]
    assert tasks["status"] == "ok"
    start = datetime.fromisoformat(tasks["from"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(tasks["to"].replace("Z", "+00:00"))
    assert tasks["from"].endswith("Z")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", tasks["to"])  # whole seconds
    local_start = start.astimezone(ZoneInfo(zone))
    assert (local_start.hour, local_start.minute, local_start.second) == (0, 0, 0)
    assert local_start.date() in {before.date(), after.astimezone(ZoneInfo(zone)).date()}
    assert before.astimezone(UTC) - timedelta(seconds=1) <= end <= after
    items = tasks["items"]  # maybe none just after midnight: the sorting is tested below too
    assert tasks["count"] == len(items) == tasks["total"]
    assert tasks["truncated"] is False
    assert tasks["neo_credits"] == pytest.approx(sum(i["neo_credits"] or 0 for i in items))
    assert all(list(item) == ITEM_KEYS for item in items)
    assert items == sorted(items, key=order)
    # The window asked for is the one printed, in pages of 200.
    (asked,) = tasks_requests(fake_api)
    assert (asked["from"], asked["to"]) == (tasks["from"], tasks["to"])
    assert (asked["limit"], asked["offset"]) == ("200", "0")


def test_the_window_of_from_and_to_is_the_summary_s(fake_api: FakeNeoApi) -> None:
    result = run_app(
        "--once",
        "--json",
        "--tasks",
        "--from",
        "2026-11-01T00:00:00Z",
        "--to",
        "2026-11-15T00:00:00+01:00",
        env=api_env(fake_api),
    )
    assert result.returncode == 0, result.stderr
    tasks = strict(result.stdout)["tasks"]
    assert (tasks["from"], tasks["to"]) == ("2026-11-01T00:00:00Z", "2026-11-14T23:00:00Z")
    summary_query = fake_api.requests[0]["query"]
    assert (summary_query["from"], summary_query["to"]) == (tasks["from"], tasks["to"])
    assert {(q["from"], q["to"]) for q in tasks_requests(fake_api)} == {
        (tasks["from"], tasks["to"])
    }


def test_from_alone_runs_to_now(fake_api: FakeNeoApi) -> None:
    start = (datetime.now(UTC) - timedelta(days=3)).replace(microsecond=0)
    result = run_app(
        "--once", "--json", "--tasks", "--from", start.isoformat(), env=api_env(fake_api)
    )
    after = datetime.now(UTC)
    assert result.returncode == 0, result.stderr
    tasks = strict(result.stdout)["tasks"]
    assert tasks["from"] == start.strftime("%Y-%m-%dT%H:%M:%SZ")
    end = datetime.fromisoformat(tasks["to"].replace("Z", "+00:00"))
    assert after - timedelta(seconds=30) <= end <= after
    assert tasks["count"] == len(tasks["items"]) > 0
    assert tasks["items"] == sorted(tasks["items"], key=order)


def test_many_pages_and_the_cap_of_5000_rows() -> None:
    result = run_app("--demo", "--scenario", "huge", "--once", "--json", "--tasks")
    assert result.returncode == 0, result.stderr
    tasks = strict(result.stdout)["tasks"]
    assert tasks["status"] == "ok"
    assert tasks["count"] == len(tasks["items"]) == 5000
    assert tasks["total"] > 5000
    assert tasks["truncated"] is True
    assert tasks["items"] == sorted(tasks["items"], key=order)
    assert len({item["task_id"] for item in tasks["items"]}) == 5000


def test_the_human_summary_ends_with_the_five_costliest_tasks(fake_api: FakeNeoApi) -> None:
    window = ("--from", "2026-11-01T00:00:00Z", "--to", "2026-11-15T00:00:00Z")
    as_json = strict(run_app("--once", "--json", "--tasks", *window, env=api_env(fake_api)).stdout)
    result = run_app("--once", "--tasks", *window, env=api_env(fake_api))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    tasks = as_json["tasks"]
    count = tasks["count"]
    assert count > 5
    head = next(i for i, line in enumerate(lines) if line.startswith("Tasks:"))
    assert re.fullmatch(rf"Tasks: +{count} tasks in range used [\d.,]+ credits", lines[head])
    costliest = lines[head + 1 :]
    assert len(costliest) == 5
    column = lines[head].index(str(count))
    for line, item in zip(costliest, tasks["items"], strict=False):
        assert line.startswith(" " * column)  # in the values' column
        assert re.match(r"[\d.,]+ credits · ", line[column:])
        assert f" · {item['task_title'] or item['task_id']}" in line
    plain = run_app("--once", *window, env=api_env(fake_api))
    assert "Tasks:" not in plain.stdout  # without --tasks the summary is as it was
    assert lines[:head] == plain.stdout.splitlines()


def test_hostile_titles_are_escaped_for_the_terminal() -> None:
    text = run_app("--demo", "--scenario", "huge_values", "--once", "--tasks")
    assert text.returncode == 0, text.stderr
    tail = text.stdout.split("Tasks:", 1)[1]
    assert "Pwned" in tail  # the hostile title is shown, as text
    assert not ESCAPES.search(tail.replace("\n", ""))
    as_json = run_app("--demo", "--scenario", "huge_values", "--once", "--json", "--tasks")
    titles = [item["task_title"] for item in strict(as_json.stdout)["tasks"]["items"]]
    assert any(title and "\x1b[31m" in title for title in titles)  # JSON keeps the exact string


def test_demo_and_all_accounts_each_get_their_tasks(isolated_home: Path) -> None:
    from desktop.core.accounts import Account
    from desktop.core.settings import Settings
    from desktop.system import secrets, settings_store

    with (
        FakeNeoApi(token="personal-token-0123456") as personal,
        FakeNeoApi(token="acme-token-0123456789", scenario="forbidden") as acme,
    ):
        settings_store.save(
            Settings(
                accounts=(
                    Account(id="default", name="Personal", base_url=personal.url),
                    Account(id="e5f6a7b8", name="Acme", base_url=acme.url),
                )
            )
        )
        secrets.save_token_to_file(personal.token, "default")
        secrets.save_token_to_file(acme.token, "e5f6a7b8")
        result = run_app("--once", "--json", "--tasks", "--all-accounts", env=NO_KEYRING)
        assert result.returncode == 3  # the summary's failure, as without --tasks
        first, second = strict(result.stdout)["accounts"]
        assert first["tasks"]["status"] == "ok"
        assert first["tasks"]["count"] > 0
        assert set(second) == {"name", "error"}  # a failed entry has no tasks
        acme.scenario = "ok"
        result = run_app("--once", "--json", "--tasks", "--all-accounts", env=NO_KEYRING)
        assert result.returncode == 0, result.stderr
        entries = strict(result.stdout)["accounts"]
        assert [entry["tasks"]["status"] for entry in entries] == ["ok", "ok"]
        text = run_app("--once", "--tasks", "--all-accounts", env=NO_KEYRING)
        assert text.returncode == 0, text.stderr
        assert text.stdout.count("\nTasks:") == 2
    demo = run_app("--demo", "--once", "--json", "--tasks")
    assert demo.returncode == 0, demo.stderr
    assert strict(demo.stdout)["tasks"]["count"] > 0


# --- --cached ---------------------------------------------------------------------------------


def write_cache(api: FakeNeoApi) -> None:
    """A fresh snapshot of the default account, as the running tray writes it."""
    body = api.body_for({})[1]
    fetched = datetime.now(UTC) - timedelta(minutes=1)
    snapshot = Snapshot(summary_from_json(body), fetched, token_tag=token_tag(api.token))
    cache.save(snapshot, api.url, cache.default_path(), interval_seconds=300.0)


def test_cached_takes_the_summary_from_the_cache_and_fetches_the_tasks(
    fake_api: FakeNeoApi, isolated_home: Path
) -> None:
    write_cache(fake_api)
    argv = ["--once", "--cached", "--format", "json", "--tasks"]
    assert cached_once.parse(argv) is None  # never the status bar's fast path
    result = run_app(*argv, env=api_env(fake_api))
    assert result.returncode == 0, result.stderr
    report = strict(result.stdout)
    assert report["source"] == "cache"
    assert report["tasks"]["status"] == "ok"
    assert report["tasks"]["count"] > 0
    paths = {entry["path"] for entry in fake_api.requests}
    assert paths == {TASKS_PATH}  # the summary came from the cache, the tasks from the API


def test_cached_without_a_token_leaves_the_tasks_unavailable(
    fake_api: FakeNeoApi, isolated_home: Path
) -> None:
    from desktop.core.accounts import Account
    from desktop.core.settings import Settings
    from desktop.system import settings_store

    settings_store.save(
        Settings(accounts=(Account(id="default", name="Default", base_url=fake_api.url),))
    )
    write_cache(fake_api)
    result = run_app("--once", "--json", "--cached", "--tasks", env=NO_KEYRING)
    assert result.returncode == 0, result.stderr  # the summary (cached) earned 0
    report = strict(result.stdout)
    assert report["source"] == "cache"
    assert {k: report["tasks"][k] for k in NULLED} == NULLED
    assert report["tasks"]["status"] == "unavailable"
    assert fake_api.request_count == 0


# --- bad usage --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (("--tasks",), "--tasks needs --once"),
        (("--demo", "--tasks"), "--tasks needs --once"),
        (("--once", "--tasks", "--format", "waybar"), "not to --format waybar"),
        (("--once", "--tasks", "--format", "i3blocks"), "not to --format i3blocks"),
        (("--once", "--tasks", "--format", "text"), "not to --format text"),
        (("--once", "--cached", "--tasks", "--format", "waybar"), "not to --format waybar"),
    ],
)
def test_tasks_outside_json_or_the_summary_is_bad_usage(args: tuple[str, ...], phrase: str) -> None:
    result = run_app(*args, env=NO_KEYRING)
    assert result.returncode == 2
    assert result.stdout == ""
    assert_one_clean_line(result.stderr)
    assert phrase in result.stderr


# --- a raw server: the summary answers, the task ledger misbehaves ----------------------------

TasksAnswer = Callable[[socket.socket, dict[str, str]], None]


@pytest.fixture
def summary_and(isolated_home: Path) -> Iterator[Callable[[TasksAnswer], Any]]:
    """A raw-socket server whose summary is the realistic example and whose task pages are
    what the test's `answer(connection, query)` sends."""
    from contextlib import ExitStack

    with ExitStack() as stack:

        def start(answer: TasksAnswer) -> Any:
            def respond(connection: socket.socket, head: bytes) -> None:
                target = head.split(b" ", 2)[1].decode("latin-1")
                parts = urlsplit(target)
                if parts.path == TASKS_PATH:
                    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
                    answer(connection, query)
                else:
                    connection.sendall(response(body=shared_example("example-realistic.json")))

            return stack.enter_context(hostile(respond))

        yield start


def row(task_id: str, created_at: str, **fields: Any) -> dict[str, Any]:
    return {
        "task_id": task_id,
        "created_at": created_at,
        "model": "gpt-5",
        "status": "completed",
        "step_count": 3,
        "tool_calls": 4,
        "agent_triggers": 1,
        **fields,
    }


def page(rows: list[dict[str, Any]], has_more: bool, total: int) -> bytes:
    return response(body=json.dumps({"data": rows, "has_more": has_more, "total": total}).encode())


def env_for(server: Any) -> dict[str, str]:
    return {"NEO_API_URL": server.url, "NEO_API_TOKEN": TOKEN}


def test_items_sort_by_credits_then_newest_then_id_with_missing_fields_null(
    summary_and: Callable[[TasksAnswer], Any],
) -> None:
    rows = [
        row("b", "2026-11-29T08:00:00Z", neo_credits=2.5, task_title="Two and a half"),
        row("c", "2026-11-29T09:00:00Z"),  # no credits: sorts as 0, printed null
        row("a", "2026-11-29T09:00:00Z", neo_credits=0),
        row("d", "2026-11-29T10:00:00Z", neo_credits=7, is_byok=True, email="x@y.test"),
        row("e", "2026-11-29T08:00:00Z", neo_credits=2.5, tool_call_history=[{"index": 0}]),
    ]
    server = summary_and(lambda connection, _q: connection.sendall(page(rows, False, 5)))
    result = run_app("--once", "--json", "--tasks", env=env_for(server))
    assert result.returncode == 0, result.stderr
    tasks = strict(result.stdout)["tasks"]
    assert [item["task_id"] for item in tasks["items"]] == ["d", "b", "e", "a", "c"]
    missing = tasks["items"][-1]
    assert list(missing) == ITEM_KEYS
    assert missing["neo_credits"] is None
    assert missing["task_title"] is None
    assert missing["total_execution_ms"] is None
    assert missing["email"] is None
    assert missing["is_byok"] is None
    assert tasks["items"][0]["is_byok"] is True
    assert (tasks["count"], tasks["total"], tasks["neo_credits"]) == (5, 5, 12.0)


@pytest.mark.parametrize(
    ("status_line", "expected"),
    [
        ("403 Forbidden", "forbidden"),
        ("500 Internal Server Error", "unavailable"),
        ("404 Not Found", "unavailable"),
        ("200 OK", "unavailable"),  # not JSON
    ],
)
def test_a_refused_or_failed_ledger_keeps_the_summary_s_exit_code(
    summary_and: Callable[[TasksAnswer], Any], status_line: str, expected: str
) -> None:
    def answer(connection: socket.socket, _query: dict[str, str]) -> None:
        connection.sendall(response(status_line, b'{"data": [oops'))

    server = summary_and(answer)
    result = run_app("--once", "--json", "--tasks", env=env_for(server))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    tasks = strict(result.stdout)["tasks"]
    assert tasks["status"] == expected
    assert {key: tasks[key] for key in NULLED} == NULLED
    assert tasks["from"].endswith("Z")
    text = run_app("--once", "--tasks", env=env_for(server))
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines()[-1].startswith("Tasks:")  # says so, in one line
    word = "team admin" if expected == "forbidden" else "could not be fetched"
    assert word in text.stdout.splitlines()[-1]


def test_a_token_echoed_by_a_failing_page_never_shows(
    summary_and: Callable[[TasksAnswer], Any],
) -> None:
    def answer(connection: socket.socket, _query: dict[str, str]) -> None:
        body = json.dumps({"message": f"bad token {TOKEN}"}).encode()
        connection.sendall(response("500 Internal Server Error", body))

    server = summary_and(answer)
    result = run_app("--once", "--json", "--tasks", "--log-level", "debug", env=env_for(server))
    assert result.returncode == 0
    assert strict(result.stdout)["tasks"]["status"] == "unavailable"
    assert TOKEN not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_a_failed_summary_exits_as_without_tasks() -> None:
    with hostile(lambda c, _h: c.sendall(response("503 Service Unavailable"))) as server:
        result = run_app("--once", "--json", "--tasks", env=env_for(server))
    assert result.returncode == 4
    assert result.stdout == ""
    assert_one_clean_line(result.stderr)


def slow_pages(delay: float, rows_per_page: int = 3) -> TasksAnswer:
    """Page 0 at once, every later page after `delay` seconds; always more to come."""

    def answer(connection: socket.socket, query: dict[str, str]) -> None:
        offset = int(query["offset"])
        if offset:
            time.sleep(delay)
        rows = [
            row(f"t{offset + i:05d}", "2026-11-29T08:00:00Z", neo_credits=1.0)
            for i in range(rows_per_page)
        ]
        connection.sendall(page(rows, True, 10_000))

    return answer


def test_the_listing_s_deadline_after_a_page_gives_what_arrived_truncated(
    summary_and: Callable[[TasksAnswer], Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """In-process with the listing's deadline cut to 2 s (the real 45 s is measured below):
    the second page never comes in time."""
    server = summary_and(slow_pages(delay=8))
    monkeypatch.setenv("NEO_API_URL", server.url)
    monkeypatch.setenv("NEO_API_TOKEN", TOKEN)
    monkeypatch.setattr(once, "TASKS_DEADLINE", 2.0)
    started = time.monotonic()
    code = cli.run_full(["--once", "--json", "--tasks"])
    elapsed = time.monotonic() - started
    out = capsys.readouterr().out
    assert code == 0
    tasks = strict(out)["tasks"]
    assert tasks["status"] == "ok"
    assert tasks["truncated"] is True
    assert tasks["count"] == 3  # the first page's rows
    assert tasks["total"] == 10_000
    assert elapsed < 7  # the page was cut at the listing's deadline, not left to finish


def test_the_whole_listing_takes_at_most_45_seconds(
    summary_and: Callable[[TasksAnswer], Any],
) -> None:
    """The real deadlines, as a process: each page answers in 12 s (under the page's 15 s),
    so the fifth page meets the listing's 45 s; what arrived is printed, truncated."""
    server = summary_and(slow_pages(delay=12))
    started = time.monotonic()
    result = run_app("--once", "--json", "--tasks", env=env_for(server), timeout=90)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    tasks = strict(result.stdout)["tasks"]
    assert (tasks["status"], tasks["truncated"]) == ("ok", True)
    assert tasks["count"] == 12  # four pages of three
    assert 45 <= elapsed < 52, elapsed


# --- what issue 27's hostile-server tester found (F1-F5), each failing before its fix ------------


def test_a_title_s_unterminated_escape_cannot_eat_the_status(
    summary_and: Callable[[TasksAnswer], Any],
) -> None:
    rows = [
        row(
            "1",
            "2026-11-29T01:00:00Z",
            task_title="Scan prod\x1b]",
            status="failed",
            neo_credits=50,
        ),
        row("2", "2026-11-29T02:00:00Z", task_title="Wipe\x1b", status="aborted", neo_credits=40),
    ]
    server = summary_and(lambda connection, _q: connection.sendall(page(rows, False, 2)))
    result = run_app("--once", "--tasks", env=env_for(server))
    assert result.returncode == 0, result.stderr
    last = result.stdout.splitlines()[-2:]
    assert last[0].endswith("50 credits · Scan prod (failed)")
    assert last[1].endswith("40 credits · Wipe (aborted)")
    assert not ESCAPES.search(result.stdout.replace("\n", ""))


def test_aligned_leaves_escaped_task_lines_as_they_are() -> None:
    line = "50 credits · Scan prod (failed)"
    assert once_text.aligned([("Tasks", "1 task"), ("", line)]).splitlines()[-1].endswith(line)


def huge_error(status_line: str, size: int = 9 * 1024 * 1024, from_offset: int = 0) -> TasksAnswer:
    """Pages of 200 rows before `from_offset`, then an error whose body is over the page cap."""

    def answer(connection: socket.socket, query: dict[str, str]) -> None:
        offset = int(query["offset"])
        if offset < from_offset:
            rows = [
                row(f"t{i}", "2026-11-29T01:00:00Z", neo_credits=1)
                for i in range(offset, offset + 200)
            ]
            connection.sendall(page(rows, True, 1000))
        else:
            connection.sendall(response(status_line, b"x" * size))

    return answer


@pytest.mark.parametrize(
    ("status_line", "from_offset", "expected"),
    [
        ("403 Forbidden", 0, "forbidden"),  # was unavailable (too large even at 10 rows)
        ("403 Forbidden", 200, "forbidden"),  # was ok, truncated
        ("500 Internal Server Error", 200, "unavailable"),  # was ok, truncated
    ],
)
def test_an_error_with_a_body_over_the_cap_is_its_status(
    summary_and: Callable[[TasksAnswer], Any], status_line: str, from_offset: int, expected: str
) -> None:
    server = summary_and(huge_error(status_line, from_offset=from_offset))
    result = run_app("--once", "--json", "--tasks", env=env_for(server))
    assert result.returncode == 0, result.stderr
    assert strict(result.stdout)["tasks"]["status"] == expected
    offsets = [head for head in server.requests if TASKS_PATH.encode() in head]
    assert len(offsets) == from_offset // 200 + 1  # asked once: never again with fewer rows


def test_a_401_summary_with_a_body_over_the_cap_exits_3() -> None:
    body = b"x" * (33 * 1024 * 1024)
    with hostile(lambda c, _h: c.sendall(response("401 Unauthorized", body))) as server:
        result = run_app("--once", "--json", "--tasks", env=env_for(server))
    assert result.returncode == 3, result.stderr
    assert_one_clean_line(result.stderr)


def test_a_page_ignoring_limit_keeps_5000_rows_truncated(
    summary_and: Callable[[TasksAnswer], Any],
) -> None:
    rows = [row(f"t{i}", "2026-11-29T01:00:00Z", neo_credits=i % 9) for i in range(6000)]
    body = page(rows, False, 6000)
    server = summary_and(lambda connection, _q: connection.sendall(body))
    result = run_app("--once", "--json", "--tasks", env=env_for(server))
    assert result.returncode == 0, result.stderr
    tasks = strict(result.stdout)["tasks"]
    assert (tasks["count"], len(tasks["items"]), tasks["truncated"]) == (5000, 5000, True)


def test_a_server_ignoring_offsets_is_asked_twice(
    summary_and: Callable[[TasksAnswer], Any],
) -> None:
    rows = [row("t1", "2026-11-29T01:00:00Z", neo_credits=1)]
    server = summary_and(lambda connection, _q: connection.sendall(page(rows, True, 1)))
    result = run_app("--once", "--json", "--tasks", env=env_for(server))
    assert result.returncode == 0, result.stderr
    tasks = strict(result.stdout)["tasks"]
    assert (tasks["status"], tasks["count"], tasks["truncated"]) == ("ok", 1, True)
    assert len([head for head in server.requests if TASKS_PATH.encode() in head]) == 2


def test_long_text_is_cut_and_a_long_id_dropped(summary_and: Callable[[TasksAnswer], Any]) -> None:
    rows = [
        row("kept", "2026-11-29T01:00:00Z", task_title="T" * 2_000_000, model="m" * 5000),
        row("i" * 257, "2026-11-29T01:00:00Z", neo_credits=3),
    ]
    server = summary_and(lambda connection, _q: connection.sendall(page(rows, False, 2)))
    result = run_app("--once", "--json", "--tasks", env=env_for(server))
    assert result.returncode == 0, result.stderr
    (item,) = strict(result.stdout)["tasks"]["items"]
    assert item["task_title"] == "T" * 499 + "…"
    assert item["model"] == "m" * 199 + "…"
