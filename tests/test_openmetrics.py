"""`neo-tray --once --format openmetrics` as a real process (issue 30): both parsers accept the
output of every fake scenario; a failure is `neo_up{error=...} 0` with exit 0; bad usage alone
exits 2; each figure is the one `--once --json` prints."""

from __future__ import annotations

import json
import math
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop import cached_once, cli
from desktop.core import openmetrics
from desktop.core.errors import ErrorKind
from desktop.core.query import DEFAULT_BASE_URL
from desktop.fakeapi import FakeNeoApi
from desktop.fakeapi.server import SCENARIOS
from tests.helpers.constants import TOKEN
from tests.helpers.openmetrics import both_parsers, samples
from tests.helpers.processes import NO_KEYRING, api_env, assert_one_clean_line, run_app

METRICS = ("--once", "--format", "openmetrics")
ODD = ('Acme "R&D" \\ Ops', "Zoë 🙂 <team>")


def scrape(*args: str, env: dict[str, str] | None = None) -> tuple[dict[Any, Any], str]:
    """Run `--once --format openmetrics *args`: exit 0, stdout accepted by both parsers (read as
    bytes: UTF-8 whatever the locale); its samples and stderr."""
    result = run_app(*METRICS, *args, env=env, text=False)
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert len(stderr.splitlines()) <= 1, stderr
    return samples(both_parsers(result.stdout)), stderr


def values(found: dict[Any, Any], account: str) -> dict[str, float]:
    return {metric: value for (metric, name), (_l, value) in found.items() if name == account}


@pytest.mark.parametrize(
    ("scenario", "up"),
    [
        ("ok", 1),
        ("low", 1),
        ("expired", 1),
        ("zero_issued", 1),
        ("idle", 1),
        ("steady_burn", 1),
        ("huge_values", 1),
        ("server_error", 0),
        ("unauthorized", 0),
        ("forbidden", 0),
        ("malformed", 0),
        pytest.param(
            "member_cap",
            1,
            marks=pytest.mark.skipif(
                "member_cap" not in SCENARIOS, reason="the member scenarios have not landed"
            ),
        ),
    ],
)
def test_every_demo_scenario_passes_both_parsers(scenario: str, up: int) -> None:
    found, stderr = scrape("--demo", "--scenario", scenario)
    figures = values(found, "Demo")
    assert figures["neo_up"] == up
    if not up:
        labels, _value = found["neo_up", "Demo"]
        assert labels["error"] in {"offline", "auth_rejected", "no_permission", "bad_response"}
        # An answer not understood is not an outage (`--once --json` exits 5 with it).
        assert (labels["error"] == "bad_response") is (scenario == "malformed")
        assert set(figures) == {"neo_up"}
        assert stderr.startswith("neo-tray: Demo: ")
        return
    assert stderr == ""
    assert figures["neo_stale"] == 0
    if scenario == "member_cap":
        assert figures["neo_member_cap_limit_usd"] > 0
        assert "neo_credits_available" not in figures
        return
    assert "neo_credits_available" in figures
    if scenario == "expired":
        assert figures.get("neo_credits_expires_in_seconds", 0) == 0
    if scenario == "ok":
        assert 0 <= figures["neo_credits_available_ratio"] <= 1
        assert figures["neo_credits_expires_in_seconds"] > 0


def test_a_failure_is_a_metric_with_exit_0_never_the_token(fake_api: FakeNeoApi) -> None:
    fake_api.scenario = "echo_token"  # its 500's text quotes the token
    found, stderr = scrape(env=api_env(fake_api))
    assert found["neo_up", "environment"] == ({"account": "environment", "error": "offline"}, 0.0)
    assert_one_clean_line(stderr)
    fake_api.scenario = "ok"
    found, stderr = scrape(env=api_env(fake_api, "wrong-token-zzz"))
    assert found["neo_up", "environment"][0]["error"] == "auth_rejected"
    assert "wrong-token-zzz" not in stderr


def test_no_token_and_a_closed_port_are_metrics() -> None:
    found, stderr = scrape(env=NO_KEYRING)
    assert found["neo_up", "Default"] == ({"account": "Default", "error": "no_token"}, 0.0)
    assert "NEO_API_TOKEN" in stderr
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    found, _stderr = scrape(env={"NEO_API_URL": f"http://127.0.0.1:{port}", "NEO_API_TOKEN": TOKEN})
    assert found["neo_up", "environment"] == ({"account": "environment", "error": "offline"}, 0.0)


def test_settings_that_stop_the_command_are_a_metric(isolated_home: Path) -> None:
    """Where `--once --json` exits 2 for the settings, a scrape still gets its `neo_up`."""
    config = isolated_home / "xdg_config_home" / "neo-usage-tray"
    config.mkdir(parents=True)
    (config / "settings.json").write_text("{broken")
    found, stderr = scrape(env={"NEO_API_TOKEN": TOKEN})  # no address: none is guessed
    assert found["neo_up", "environment"] == ({"account": "environment", "error": "settings"}, 0.0)
    assert "settings.json" in stderr
    assert run_app("--once", "--json", env={"NEO_API_TOKEN": TOKEN}).returncode == 2
    found, _stderr = scrape("--account", "Acme", env={"NEO_API_TOKEN": TOKEN})
    assert found["neo_up", "Acme"][0]["error"] == "settings"


def test_an_insecure_address_is_a_settings_metric_sent_nowhere(isolated_home: Path) -> None:
    config = isolated_home / "xdg_config_home" / "neo-usage-tray"
    config.mkdir(parents=True)
    settings = {"accounts": [{"id": "default", "name": "Plain", "base_url": "http://neo.test"}]}
    (config / "settings.json").write_text(json.dumps(settings))
    found, _stderr = scrape(env={"NEO_API_TOKEN": TOKEN, "NEO_API_URL": "http://neo.test"})
    assert found["neo_up", "environment"][0]["error"] == "settings"


def test_no_running_demo_is_a_settings_metric() -> None:
    """`--demo --cached` with no demo running: nothing cached to print, a failure (the other
    formats say it as bad usage)."""
    found, stderr = scrape("--demo", "--cached")
    assert found["neo_up", "Demo"] == ({"account": "Demo", "error": "settings"}, 0)
    assert [metric for metric, _name in found] == ["neo_up"]
    assert stderr.startswith("neo-tray: Demo: ")
    assert "neo-tray --demo" in stderr
    other = run_app("--once", "--json", "--demo", "--cached")
    assert (other.returncode, other.stdout) == (2, "")


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "openmetrics"],  # without --once
        [*METRICS, "--tasks"],
        [*METRICS, "--json"],
        [*METRICS, "--account", "A", "--all-accounts"],
        [*METRICS, "--from", "2026-11-01"],  # a window its gauges would not print
        [*METRICS, "--to", "2026-11-01T00:00:00Z"],
        [*METRICS, "--group-by", "day", "--cached"],
    ],
)
def test_bad_usage_alone_exits_2(args: list[str]) -> None:
    result = run_app(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1


@pytest.fixture
def odd_accounts(isolated_home: Path) -> Iterator[tuple[FakeNeoApi, FakeNeoApi]]:
    """Two accounts whose names need escaping, each with its token file and its fake API."""
    from desktop.core.accounts import Account
    from desktop.core.settings import Settings
    from desktop.system import secrets, settings_store

    with (
        FakeNeoApi(token="first-token-0123456") as first,
        FakeNeoApi(token="second-token-0123456", scenario="critical") as second,
    ):
        settings_store.save(
            Settings(
                accounts=(
                    Account(id="default", name=ODD[0], base_url=first.url),
                    Account(id="e5f6a7b8", name=ODD[1], base_url=second.url),
                )
            )
        )
        secrets.save_token_to_file(first.token, "default")
        secrets.save_token_to_file(second.token, "e5f6a7b8")
        yield first, second


def test_two_accounts_with_odd_names(odd_accounts: tuple[FakeNeoApi, FakeNeoApi]) -> None:
    first, second = odd_accounts
    found, stderr = scrape("--all-accounts", env=NO_KEYRING)
    assert stderr == ""
    assert {name for (metric, name) in found if metric == "neo_up"} == set(ODD)
    assert values(found, ODD[1])["neo_credits_available_ratio"] < 0.1  # critical
    found, _stderr = scrape("--account", ODD[1], env=NO_KEYRING)
    assert {name for (_metric, name) in found} == {ODD[1]}

    second.scenario = "server_error"  # one failure never blanks another
    found, stderr = scrape("--all-accounts", env=NO_KEYRING)
    assert values(found, ODD[0])["neo_up"] == 1
    assert found["neo_up", ODD[1]] == ({"account": ODD[1], "error": "offline"}, 0.0)
    assert stderr.startswith(f"neo-tray: {ODD[1]}: ")
    assert second.token not in stderr
    first.scenario = "unauthorized"
    _found, stderr = scrape("--all-accounts", env=NO_KEYRING)
    assert stderr.startswith(f"neo-tray: {ODD[0]}: ")
    assert stderr.rstrip().endswith("(1 more failed)")

    result = run_app(*METRICS, "--account", "Globex", env=NO_KEYRING)  # the arguments: usage
    assert result.returncode == 2
    assert result.stdout == ""


# --- --cached: the tray's snapshot, each figure the JSON's -------------------------------------

NOW = datetime.now(UTC).replace(microsecond=0)
SUMMARY: dict[str, Any] = {
    "by_model": {"gpt-x": {"neo_credits": 80.5, "tasks": 3}},
    "by_status": {"done": 4},
    "by_period": [],
    "total_execution_ms": 123456,
    "total_neo_credits": 100.5,
    "total_tasks": 4,
    "last_credit_reset": (NOW - timedelta(days=10)).isoformat(),
    "neo_credits_expires_at": (NOW + timedelta(days=20, microseconds=250_000)).isoformat(),
    "neo_credits_is_expired": False,
    "total_available_neo_credits": 3882.25,
    "total_issued_neo_credits": 5000,
    "total_neo_credits_post_reset": 1117.75,
}
#: metric: where `--once --json` keeps its figure
JSON_FIELDS: dict[str, tuple[str | int, ...]] = {
    "neo_stale": ("stale",),
    "neo_credits_available": ("derived", "available_credits"),
    "neo_credits_issued": ("derived", "issued_credits"),
    "neo_credits_used_since_reset": ("derived", "used_credits"),
    "neo_credits_available_ratio": ("derived", "gauge_fraction"),
    "neo_credits_expires_in_seconds": ("derived", "expires_in_seconds"),
    "neo_forecast_credits_per_day": ("forecast", "credits_per_day"),
    "neo_forecast_unused_at_expiry_credits": ("forecast", "unused_at_expiry"),
    "neo_forecast_unused_at_expiry_credits_low": ("forecast", "unused_at_expiry_range", 0),
    "neo_forecast_unused_at_expiry_credits_high": ("forecast", "unused_at_expiry_range", 1),
}


class _Frozen(datetime):
    """One `now` for both outputs (`expires_in_seconds` counts microseconds)."""

    @classmethod
    def now(cls, tz: Any = None) -> _Frozen:
        return cls.fromtimestamp(NOW.timestamp() + 0.5, tz)


@pytest.mark.parametrize("stale", [False, True])
def test_cached_figures_are_the_jsons(
    stale: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop.core.forecast import Forecast, ForecastStatus
    from desktop.core.models import summary_from_json
    from desktop.core.snapshot import Snapshot
    from desktop.system import cache, paths

    monkeypatch.setattr("desktop.once.datetime", _Frozen)
    monkeypatch.setattr("desktop.once_metrics.datetime", _Frozen)
    paths.settings_file().parent.mkdir(parents=True)
    paths.settings_file().write_text(json.dumps({"accounts": [{"id": "default", "name": "Mine"}]}))
    age = timedelta(minutes=30 if stale else 2)
    summary = summary_from_json(SUMMARY)
    forecast = Forecast(
        ForecastStatus.OK,
        120.25,
        NOW + timedelta(days=9),
        True,
        0.0,
        0.4,
        NOW + timedelta(days=20),
        credits_per_day_range=(80.5, 150.25),
        runs_out_range=(NOW + timedelta(days=7), None),
        unused_at_expiry_range=(0.0, 1210.5),
        method="prediction-10-90",
    ).to_json()
    cache.save(
        Snapshot(summary, NOW - age, token_tag="abcdefabcdef"),
        DEFAULT_BASE_URL,
        cache.default_path("default"),
        interval_seconds=300.0,
        forecast=forecast,
        retry_at=NOW + timedelta(minutes=5) if stale else None,
    )
    argv = [*METRICS, "--cached"]
    assert cached_once.parse(argv) is None  # the status bar's fast path leaves it to the full
    assert cli.main(["--once", "--json", "--cached"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["source"] == "cache"
    assert document["stale"] is stale
    assert cli.main(argv) == 0
    out = capsys.readouterr()
    assert out.err == ""
    found = values(samples(both_parsers(out.out)), "Mine")
    assert found["neo_up"] == 1
    for metric, path in JSON_FIELDS.items():
        figure: Any = document
        for step in path:
            figure = figure[step]
        if figure is None:
            assert metric not in found
        else:
            assert found[metric] == float(figure), metric
    assert found["neo_forecast_credits_per_day"] == 120.25
    for metric, instant in [
        ("neo_credits_expiry_timestamp_seconds", document["derived"]["expires_at"]),
        ("neo_forecast_runs_out_timestamp_seconds", document["forecast"]["runs_out_at"]),
    ]:
        expected = datetime.fromisoformat(instant.replace("Z", "+00:00")).timestamp()
        assert math.isclose(found[metric], expected, rel_tol=0, abs_tol=1e-6), metric


@pytest.mark.parametrize("member", [False, True])
def test_a_cached_outage_is_neo_up_0_stale_with_the_kept_figures(
    member: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    """The tray's latest poll failed and it backs off past twice its interval: `neo_up` 0
    naming the failure, `neo_stale` 1, the kept figures and when they were fetched; `--once
    --json --cached` says it as before (stale), without a new key."""
    from desktop.core.member import MemberCap, MemberProfile, MemberSnapshot
    from desktop.core.models import summary_from_json
    from desktop.core.snapshot import Snapshot
    from desktop.system import cache, paths

    paths.settings_file().parent.mkdir(parents=True)
    paths.settings_file().write_text(json.dumps({"accounts": [{"id": "default", "name": "Mine"}]}))
    fetched_at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    retry_at = datetime.now(UTC) + timedelta(minutes=5)
    path = cache.default_path("default")
    if member:
        profile = MemberProfile("bo@acme.test", "Acme", MemberCap(75.0, 43.0, 32.0), True)
        snapshot = MemberSnapshot(profile, fetched_at, token_tag="abcdefabcdef")
        cache.save_member(path, DEFAULT_BASE_URL, snapshot, 300.0, retry_at, failure="offline")
    else:
        summary = summary_from_json(SUMMARY)
        cache.save(
            Snapshot(summary, fetched_at, token_tag="abcdefabcdef"),
            DEFAULT_BASE_URL,
            path,
            interval_seconds=300.0,
            retry_at=retry_at,
            failure="rate_limited",
        )
    assert cli.main([*METRICS, "--cached"]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    found = samples(both_parsers(out.out))
    kind = "offline" if member else "rate_limited"
    labels, up = found["neo_up", "Mine"]
    assert (labels, up) == ({"account": "Mine", "error": kind}, 0.0)
    assert found["neo_stale", "Mine"][1] == 1
    assert found["neo_last_success_timestamp_seconds", "Mine"][1] == fetched_at.timestamp()
    figure = (
        ("neo_member_cap_remaining_usd", 32.0) if member else ("neo_credits_available", 3882.25)
    )
    assert found[figure[0], "Mine"][1] == figure[1]
    assert cli.main(["--once", "--json", "--cached"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["source"], document["stale"]) == ("cache", True)
    assert not {"failure", "tray_failure", "error"} & set(document)


@pytest.mark.parametrize("case", ["today", "unavailable", "yesterday", "none", "old release"])
def test_cached_tasks_of_today_are_metrics(
    case: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The tray's cache holds today's task ledger's figures: `neo_tasks_today` and
    `neo_tasks_today_credits` say them, only for a fetched listing of the local day."""
    from desktop.core.models import summary_from_json
    from desktop.core.snapshot import Snapshot
    from desktop.core.tasks import TasksStatus, today_window
    from desktop.core.today_tasks import TodayTasks
    from desktop.system import cache, paths

    monkeypatch.setattr("desktop.once.datetime", _Frozen)
    monkeypatch.setattr("desktop.once_metrics.datetime", _Frozen)
    paths.settings_file().parent.mkdir(parents=True)
    paths.settings_file().write_text(json.dumps({"accounts": [{"id": "default", "name": "Mine"}]}))
    start, _now = today_window(NOW)
    tasks: TodayTasks | None = {
        "today": TodayTasks(TasksStatus.OK, start, NOW - timedelta(minutes=1), 7, 42.75),
        "unavailable": TodayTasks(TasksStatus.UNAVAILABLE, start, NOW - timedelta(minutes=1)),
        "yesterday": TodayTasks(
            TasksStatus.OK, *today_window(start - timedelta(seconds=1)), 3, 1.5
        ),
    }.get(case)
    path = cache.default_path("default")
    cache.save(
        Snapshot(summary_from_json(SUMMARY), NOW - timedelta(minutes=1), token_tag="abcdefabcdef"),
        DEFAULT_BASE_URL,
        path,
        interval_seconds=300.0,
        tasks_today=tasks,
    )
    if case == "old release":
        data = json.loads(path.read_text())
        del data["tasks_today"]
        path.write_text(json.dumps(data))
    assert cli.main([*METRICS, "--cached"]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    found = values(samples(both_parsers(out.out)), "Mine")
    assert found["neo_up"] == 1
    assert "neo_credits_available" in found
    if case == "today":
        assert (found["neo_tasks_today"], found["neo_tasks_today_credits"]) == (7, 42.75)
        assert "# UNIT neo_tasks_today_credits credits" in out.out
    else:
        assert "neo_tasks_today" not in out.out
    # Without --cached the tray's figures are not the command's: none.
    assert cli.main([*METRICS, "--demo"]) == 0
    assert "neo_tasks_today" not in capsys.readouterr().out


def test_tasks_of_today_render_only_when_fetched_on_the_local_day() -> None:
    from desktop.core.tasks import TasksStatus, today_window
    from desktop.core.today_tasks import TodayTasks

    start, _now = today_window(NOW)
    ok = TodayTasks(TasksStatus.OK, start, NOW, 0, 0.0)
    section = openmetrics.tasks_today_section(ok, NOW)
    assert section is not None
    assert (section["count"], section["neo_credits"]) == (0, 0.0)  # no task yet is a figure
    found = samples(
        both_parsers(openmetrics.render([("a", {"stale": False, "tasks_today": section})]))
    )
    assert (found["neo_tasks_today", "a"][1], found["neo_tasks_today_credits", "a"][1]) == (0, 0)
    assert openmetrics.tasks_today_section(None, NOW) is None
    forbidden = TodayTasks(TasksStatus.FORBIDDEN, start, NOW)
    assert openmetrics.tasks_today_section(forbidden, NOW) is None
    assert openmetrics.tasks_today_section(ok, NOW + timedelta(days=1)) is None


# --- any names and figures: promtool too --------------------------------------------------------

NAMES = st.text(
    st.characters(codec="utf-8") | st.sampled_from('\\"\n\r\t {}=,#'), min_size=0, max_size=10
)
FIGURES = st.none() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(NAMES, st.tuples(FIGURES, FIGURES, FIGURES), min_size=1, max_size=3))
def test_any_names_and_figures_pass_both_parsers(
    accounts: dict[str, tuple[object, object, object]],
) -> None:
    entries: list[openmetrics.Entry] = [
        (
            name,
            {
                "stale": False,
                "derived": {"available_credits": a, "expires_at": None},
                "forecast": {"credits_per_day": b, "unused_at_expiry_range": [c, b]},
                "member": {"cap": {"limit": c}},
            },
        )
        for name, (a, b, c) in accounts.items()
    ]
    entries.append(("\n".join(accounts) + "\\", ErrorKind.RATE_LIMITED))
    if len({name for name, _document in entries}) != len(entries):
        return
    found = samples(both_parsers(openmetrics.render(entries)))
    assert {name for (metric, name) in found if metric == "neo_up"} == {n for n, _d in entries}
    for name, (figure, _b, _c) in accounts.items():
        expected = _finite(figure)
        if expected is None:
            assert ("neo_credits_available", name) not in found
        else:
            assert found["neo_credits_available", name][1] == expected


def _finite(figure: object) -> float | None:
    """The value a figure reads back as; None when it must be left out."""
    if not isinstance(figure, int | float):
        return None
    try:
        value = float(figure)
    except OverflowError:  # an integer past any float
        return None
    return value if math.isfinite(value) else None
