"""The status bar's fast path (`desktop/cached_once.py`) prints what the full path prints for the
same cache, byte for byte, in every format and language; anything unusual goes the full way; and
it imports no model, client, keyring or Qt."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop import cached_once, cli
from desktop.core.account_rules import token_tag
from desktop.core.forecast import Forecast, ForecastStatus
from desktop.core.member import MemberCap, MemberProfile, MemberSnapshot
from desktop.core.models import summary_from_json
from desktop.core.query import DEFAULT_BASE_URL
from desktop.core.snapshot import Snapshot
from desktop.system import cache, paths

FORMATS = ("waybar", "i3blocks", "text", "json")
LANGUAGES = ("en", "de", "fr", "es", "de_CH")
NOW = datetime.now(UTC).replace(microsecond=0)
HEALTHY: dict[str, Any] = {
    "by_model": {"gpt-x": {"neo_credits": 80.5, "tasks": 3}, "claude": 20, "odd": {"cost": 1}},
    "by_status": {"done": 3, "failed": {"count": 1}},
    "total_neo_credits": 100.5,
    "total_tasks": 4,
    "by_email": [{"email": "a@x.io", "neo_credits": 60, "tasks": 2}, {"email": "b@x.io"}],
    "by_period": [{"date": "2026-01-02", "neo_credits": 3.25}],
    "byok": {"total_llm_cost": 1.5, "total_tasks": 2, "extra_figure": 7},
    "last_credit_reset": (NOW - timedelta(days=10, microseconds=-250)).isoformat(),
    "neo_credits_expires_at": (NOW + timedelta(days=20)).isoformat(),
    "neo_credits_is_expired": False,
    "total_available_neo_credits": 3882,
    "total_issued_neo_credits": 5000,
    "total_neo_credits_post_reset": 1118,
    "total_execution_ms": 123456,
}
LOW = {**HEALTHY, "total_available_neo_credits": 400.25, "by_email": None, "byok": None}
EXPIRED = {**HEALTHY, "neo_credits_is_expired": True, "neo_credits_expires_at": None}
OK_FORECAST = Forecast(
    ForecastStatus.OK,
    120.0,
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
ODD_NAMES = (("R&D <ops> Zoë", "R&D <ops> Zoë"), ("Ops team", " ops  TEAM"), ("Zoë", "ZOË"))


def write_settings(home: Path, settings: dict[str, Any]) -> None:
    paths.settings_file().parent.mkdir(parents=True, exist_ok=True)
    paths.settings_file().write_text(json.dumps(settings, indent=2), encoding="utf-8")


def write_cache(
    summary: dict[str, Any],
    *,
    account_id: str = "default",
    age: timedelta = timedelta(seconds=90),
    forecast: dict[str, Any] | None = None,
    interval: float | None = 300.0,
    retry_at: datetime | None = None,
    key: str = DEFAULT_BASE_URL,
    tag: str = "abcdefabcdef",
) -> Path:
    """The cache as the tray writes it (`cache.save`)."""
    snapshot = Snapshot(summary_from_json(summary), NOW - age, token_tag=tag)
    path = cache.default_path(account_id)
    cache.save(snapshot, key, path, interval_seconds=interval, forecast=forecast, retry_at=retry_at)
    return path


class _Frozen(datetime):
    """One `now` for both paths: the JSON's `expires_in_seconds` counts microseconds."""

    @classmethod
    def now(cls, tz: Any = None) -> _Frozen:
        return cls.fromtimestamp(NOW.timestamp() + 0.123456, tz)


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    # `NOW` is taken when each test starts: the probes run in a child process read the real
    # clock, which a `NOW` taken at collection falls behind in a long run (its cache then looks
    # older than twice the poll interval, and the fast path rightly goes the full way).
    monkeypatch.setattr(sys.modules[__name__], "NOW", datetime.now(UTC).replace(microsecond=0))
    monkeypatch.setattr("desktop.once.datetime", _Frozen)
    monkeypatch.setattr("desktop.cached_once.datetime", _Frozen)


def both(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[str, int]:
    """The fast path's output and code, asserted equal to the full path's."""
    code = cached_once.run(argv)
    fast = capsys.readouterr()
    assert code is not None, "the fast path fell back"
    full_code = cli.run_full(argv)
    full = capsys.readouterr()
    assert (fast.out, code) == (full.out, full_code)
    assert fast.err == full.err == ""
    return fast.out, code


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("output", FORMATS)
@pytest.mark.parametrize(
    ("summary", "forecast"),
    [(HEALTHY, OK_FORECAST), (HEALTHY, None), (LOW, OK_FORECAST), (EXPIRED, None)],
    ids=["healthy", "healthy-no-forecast", "low", "expired"],
)
def test_the_fast_path_prints_what_the_full_path_prints(
    isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    language: str,
    output: str,
    summary: dict[str, Any],
    forecast: dict[str, Any] | None,
) -> None:
    monkeypatch.setenv("LANGUAGE", language)
    write_cache(summary, forecast=forecast)
    out, _ = both(["--once", "--cached", "--format", output], capsys)
    assert out.strip()


@pytest.mark.parametrize(("name", "asked"), ODD_NAMES)
def test_an_account_by_name(
    isolated_home: Path, capsys: pytest.CaptureFixture[str], name: str, asked: str
) -> None:
    write_settings(
        isolated_home,
        {
            "accounts": [
                {"id": "default", "name": "Default"},
                {"id": "a1b2", "name": name, "base_url": "https://neo.example.org"},
            ],
            "language": "fr",
            "low_threshold": 0.9,
            "critical_threshold": 0.1,
        },
    )
    write_cache(HEALTHY, account_id="a1b2", key="https://neo.example.org")
    for output in FORMATS:
        out, _ = both(["--account", asked, "--once", f"--format={output}", "--cached"], capsys)
        if output == "waybar":
            assert json.loads(out)["class"] == "low"  # the file's thresholds


@pytest.mark.parametrize(
    "argv",
    [
        ["--once", "--cached", "--format", "human"],
        ["--once", "--cached"],
        ["--once", "--cached", "--format", "json", "--json"],
        ["--once", "--cached", "--format", "json", "--format", "json"],
        ["--once", "--cached", "--format", "json", "--account", "--demo"],
        ["--once", "--cached", "--format", "json", "--account", "  "],
        ["--once", "--cached", "--format", "json", "--log-level", "debug"],
        ["--once", "--cached", "--format", "json", "--tasks"],  # the tasks are fetched
        ["--cached", "--format", "json"],
    ],
)
def test_other_arguments_go_the_full_way(argv: list[str]) -> None:
    assert cached_once.parse(argv) is None


def test_a_stale_or_missing_cache_goes_the_full_way(
    isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--once", "--cached", "--format", "waybar"]
    assert cached_once.run(argv) is None  # no cache
    write_cache(HEALTHY, age=timedelta(minutes=11))
    assert cached_once.run(argv) is None  # older than twice the interval
    write_cache(HEALTHY, age=timedelta(minutes=11), retry_at=NOW + timedelta(minutes=5))
    out, _ = both(argv, capsys)  # the tray waits out a backoff: shown stale
    assert "stale" in json.loads(out)["class"]
    write_cache(HEALTHY, age=timedelta(minutes=-5))
    assert cached_once.run(argv) is None  # from the future
    write_cache(HEALTHY, key="https://elsewhere.example.org")
    assert cached_once.run(argv) is None  # another address's
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    "settings",
    [
        {"base_url": "https://old.example.org"},  # the first release's: migrated
        {"accounts": [{"id": "default", "name": "Default"}], "language": "tlh"},
        {
            "accounts": [{"id": "default", "name": "Default"}],
            "low_threshold": 0.1,
            "critical_threshold": 0.2,
        },
        {"accounts": [{"id": "default", "name": " Default "}]},
        {"accounts": [{"id": "default", "name": "Default", "base_url": "http://plain.example"}]},
        {"accounts": [{"id": "default", "name": "Default"}], "accounts_set_aside": [3]},
        {"accounts": [{"id": "default", "name": "Default"}], "poll_interval_minutes": 7},
        {"accounts": [{"id": "default", "name": "Default"}], "expiry_warning_days": []},
        {"accounts": [{"id": "default", "name": "Default", "address_lost": True}]},
        {"accounts": [{"id": "default", "name": "A"}, {"id": "x2", "name": "a"}]},
        {"accounts": [{"id": "default", "name": "Default", "web_url": "http://neo.example"}]},
        {"accounts": [{"id": "default", "name": "Default", "web_url": "https://n.example/"}]},
        {"accounts": [{"id": "default", "name": "Default", "web_url": " "}]},
        {"accounts": [{"id": "default", "name": "Default", "web_url": 3}]},
        {"accounts": [{"id": "default", "name": "Default"}], "hook_command": [""]},
        {"accounts": [{"id": "default", "name": "Default"}], "hook_command": "notify-send"},
        {"accounts": [{"id": "default", "name": "Default"}], "hook_command": ["a\u0000"]},
    ],
)
def test_settings_the_model_would_change_go_the_full_way(
    isolated_home: Path, settings: dict[str, Any]
) -> None:
    write_settings(isolated_home, settings)
    write_cache(HEALTHY)
    assert cached_once.run(["--once", "--cached", "--format", "json"]) is None


@pytest.mark.parametrize("output", FORMATS)
def test_this_rounds_settings_keep_the_fast_path(
    isolated_home: Path, capsys: pytest.CaptureFixture[str], output: str
) -> None:
    """A web address, an event hook and the radar's switch (issue 30 and 29's settings) are
    settings the model keeps as they are: the fast path is taken and prints the same."""
    write_settings(
        isolated_home,
        {
            "accounts": [
                {"id": "default", "name": "Default", "web_url": "https://neo.example.com/t?a=1#x"},
                {"id": "a1b2", "name": "Lab", "web_url": "https://lab.example.com"},
            ],
            "hook_command": ["/usr/bin/notify-send", "Neo: $NEO_EVENT", ""],
            "notifications": {"unusual_member": False, "big_task": True},
        },
    )
    write_cache(HEALTHY, forecast=OK_FORECAST)
    out, _ = both(["--once", "--cached", "--format", output], capsys)
    assert out.strip()


@pytest.mark.parametrize(
    "change",
    [
        {"total_tasks": True},
        {"by_email": [{"email": "b@x.io"}, {"email": "a@x.io", "neo_credits": 60}]},  # unsorted
        {"by_period": [{"date": "2026-01-02", "extra": 1}]},
        {"byok": {"total_tasks": "2"}},
        {"last_credit_reset": "2026-01-01T00:00:00+00:00"},
        {"total_steps": 1e16},
    ],
)
def test_a_summary_the_model_would_change_goes_the_full_way(
    isolated_home: Path, change: dict[str, Any]
) -> None:
    path = write_cache(HEALTHY)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["summary"].update(change)
    path.write_text(json.dumps(data), encoding="utf-8")
    assert cached_once.run(["--once", "--cached", "--format", "json"]) is None


@pytest.mark.parametrize("account_id", ["environment", "default"])
def test_the_environment_token_reads_a_cache_of_that_token(
    isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    account_id: str,
) -> None:
    monkeypatch.setenv("NEO_API_TOKEN", "secret-token")
    write_cache(HEALTHY, account_id=account_id, tag=token_tag("another-token"))
    assert cached_once.run(["--once", "--cached", "--format", "json"]) is None
    write_cache(HEALTHY, account_id=account_id, tag=token_tag("secret-token"))
    for output in FORMATS:
        both(["--once", "--cached", "--format", output], capsys)
    both(["--once", "--cached", "--format", "text", "--account", "environment"], capsys)


HEAVY = ("PySide6", "httpx", "pydantic", "keyring", "jeepney", "cryptography", "platformdirs")
PROBE = """
import sys
from desktop import cli
code = cli.main(sys.argv[1:])
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {heavy})
print(code, heavy, file=sys.stderr)
"""
# Light, but each costs the status bar milliseconds of its ~45 ms budget (argparse's parser,
# logging with traceback, hashlib loading OpenSSL for the token tag's digest, dataclasses with
# inspect and ast: its values are named tuples).
LEAN = ("argparse", "logging", "hashlib", "dataclasses", "inspect")


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("output", FORMATS)
def test_the_fast_path_imports_nothing_heavy(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch, output: str, language: str
) -> None:
    monkeypatch.setenv("LANGUAGE", language)
    monkeypatch.setenv("NEO_API_TOKEN", "secret-token")  # the token tag's digest too
    write_cache(HEALTHY, forecast=OK_FORECAST, tag=token_tag("secret-token"))
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE.format(heavy={*HEAVY, *LEAN}),
            "--once",
            "--cached",
            "--format",
            output,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stderr.split(maxsplit=1) == ["0", "[]\n"]
    assert result.stdout.strip()


SAYING = """
import sys
from desktop import cached_once
code = cached_once.run(sys.argv[1:])
print(code, "logging" in sys.modules, file=sys.stderr)
"""


def test_what_the_fast_path_would_log_sends_it_the_full_way_unsaid(isolated_home: Path) -> None:
    """Without `logging` loaded (a status bar's process), a warning on the way (here: an
    unreadable cache) imports it: the fast path gives up, and Python's last-resort handler
    prints nothing on stderr (the full path logs it to its file)."""
    path = write_cache(HEALTHY)
    path.write_text("{not json", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", SAYING, "--once", "--cached", "--format", "waybar"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert (result.stdout, result.stderr) == ("", "None True\n")


@pytest.mark.parametrize("tasks", ["today", "damaged"])
def test_todays_tasks_in_the_cache_change_nothing_on_either_path(
    isolated_home: Path, capsys: pytest.CaptureFixture[str], tasks: str
) -> None:
    """The tray writes today's task ledger's figures beside the summary (for `--format
    openmetrics`): the status bars print the same on both paths, with figures or damaged ones,
    and the fast path still imports nothing heavy."""
    from desktop.core.tasks import TasksStatus, today_window
    from desktop.core.today_tasks import TodayTasks

    start, _now = today_window(NOW)
    path = write_cache(HEALTHY, forecast=OK_FORECAST)
    data = json.loads(path.read_text())
    data["tasks_today"] = (
        TodayTasks(TasksStatus.OK, start, NOW, 7, 42.5).to_json()
        if tasks == "today"
        else {"status": "ok", "count": float("inf")}
    )
    path.write_text(json.dumps(data))
    for output in FORMATS:
        out, code = both(["--once", "--cached", "--format", output], capsys)
        assert code == 0
        assert "42.5" not in out
    argv = ["--once", "--cached", "--format", "waybar"]
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy={*HEAVY, *LEAN}), *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stderr.split(maxsplit=1) == ["0", "[]\n"]


# --- member mode: the tray's cache holds a member's cap (`cache.save_member`) ----------------

MEMBER = MemberProfile("maya@acme.test", "R&D <Sec>\nteam", MemberCap(75.0, 43.0, 32.0), True)
MEMBERS = {
    "ok": MEMBER,
    "no-team-name": MEMBER._replace(team=None),
    "critical": MEMBER._replace(cap=MemberCap(75.0, 70.5, 4.5)),
    "reached": MEMBER._replace(cap=MemberCap(75.0, 80.0, -5.0)),
    "no-limit": MEMBER._replace(cap=MemberCap(0.0, 12.0, 0.0)),
    "cents": MEMBER._replace(cap=MemberCap(1250.0, 1000.25, 249.75)),
}


def write_member(
    profile: MemberProfile = MEMBER,
    *,
    account_id: str = "default",
    age: timedelta = timedelta(seconds=90),
    interval: float | None = 300.0,
    retry_at: datetime | None = None,
    key: str = DEFAULT_BASE_URL,
    tag: str = "abcdefabcdef",
) -> Path:
    """The cache as the tray writes it in member mode (`cache.save_member`)."""
    path = cache.default_path(account_id)
    snapshot = MemberSnapshot(profile, NOW - age, token_tag=tag)
    cache.save_member(path, key, snapshot, interval, retry_at=retry_at)
    return path


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("output", FORMATS)
@pytest.mark.parametrize("profile", MEMBERS.values(), ids=MEMBERS.keys())
def test_a_member_prints_the_same_on_both_paths(
    isolated_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    language: str,
    output: str,
    profile: MemberProfile,
) -> None:
    monkeypatch.setenv("LANGUAGE", language)
    write_member(profile)
    out, code = both(["--once", "--cached", "--format", output], capsys)
    assert profile.cap is not None
    fraction = profile.cap.fraction_left
    if output == "json":
        document = json.loads(out, parse_constant=pytest.fail)
        assert (document["mode"], document["source"], document["stale"]) == (
            "member",
            "cache",
            False,
        )
        assert document["summary"] is document["derived"] is document["forecast"] is None
        assert document["member"] == profile.to_json()
        assert document["fetched_at"] == (NOW - timedelta(seconds=90)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
    elif output == "waybar":
        bar = json.loads(out)
        assert bar["percentage"] == (0 if fraction is None else round(fraction * 100))
        assert "<" not in bar["tooltip"].replace("&lt;", "")  # the team's name is markup-safe
        expected = {"ok": "ok", "critical": "critical", "reached": "empty"}
        for name, level in expected.items():
            if profile == MEMBERS[name]:
                assert bar["class"] == level
    else:
        assert len(out.splitlines()) == (3 if output == "i3blocks" else 1)  # no line from a name
    if output == "i3blocks":
        urgent = profile in (MEMBERS["critical"], MEMBERS["reached"], MEMBERS["no-limit"])
        assert code == (33 if urgent else 0)


def test_a_member_while_the_tray_backs_off_is_stale_and_unusual_ones_go_the_full_way(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--once", "--cached", "--format", "waybar"]
    write_member(age=timedelta(minutes=11))
    assert cached_once.run(argv) is None  # older than twice the interval
    write_member(age=timedelta(minutes=11), retry_at=NOW + timedelta(minutes=5))
    out, _ = both(argv, capsys)
    assert json.loads(out)["class"] == ["ok", "stale"]
    out, _ = both(["--once", "--cached", "--format", "json"], capsys)
    assert json.loads(out)["stale"] is True
    write_member(age=timedelta(minutes=-5))
    assert cached_once.run(argv) is None  # from the future
    write_member(MEMBER._replace(cap=None))
    assert cached_once.run(argv) is None  # no cap: no member mode, the full path fetches
    path = write_member()
    data = json.loads(path.read_text(encoding="utf-8"))
    data["member"]["cap"]["limit"] = "75"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert cached_once.run(argv) is None  # what the full path would log about
    monkeypatch.setenv("NEO_API_TOKEN", "secret-token")
    write_member(tag=token_tag("another-token"))
    assert cached_once.run(argv) is None  # another token's
    write_member(tag=token_tag("secret-token"))
    for output in FORMATS:
        both(["--once", "--cached", "--format", output], capsys)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("output", FORMATS)
def test_the_fast_path_imports_nothing_heavy_for_a_member(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch, output: str
) -> None:
    monkeypatch.setenv("NEO_API_TOKEN", "secret-token")
    write_member(tag=token_tag("secret-token"))
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE.format(heavy={*HEAVY, *LEAN}),
            "--once",
            "--cached",
            "--format",
            output,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stderr.split(maxsplit=1) == ["0", "[]\n"]
    assert "maya@acme.test" in result.stdout if output == "json" else "%" in result.stdout
