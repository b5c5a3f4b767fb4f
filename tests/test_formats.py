"""Status-bar formats and `--cached` as real processes against the fake API: Waybar's JSON line,
i3blocks' three lines (and the real i3blocks), text, and the exit code each bar needs."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop.core.account_rules import token_tag
from desktop.core.models import summary_from_json
from desktop.core.snapshot import Snapshot
from desktop.fakeapi import FakeNeoApi
from desktop.system import cache
from tests.helpers.constants import TOKEN
from tests.helpers.processes import api_env, run_app

LEVELS = [
    ("ok", "ok", 0),
    ("low", "low", 0),
    ("critical", "critical", 33),
    ("empty", "empty", 33),
    ("expired", "expired", 33),
]


def waybar(*args: str, env: dict[str, str] | None = None) -> tuple[dict[str, Any], Any]:
    result = run_app("--once", "--format", "waybar", *args, env=env)
    assert result.returncode == 0, result.stderr  # Waybar hides a module that exits non-zero
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    return json.loads(lines[0]), result


@pytest.mark.parametrize(("scenario", "level", "_i3_exit"), LEVELS)
def test_waybar_line_has_the_four_keys(scenario: str, level: str, _i3_exit: int) -> None:
    line, _ = waybar("--demo", "--scenario", scenario)
    assert set(line) == {"text", "tooltip", "class", "percentage"}
    assert line["class"] == level
    assert 0 <= line["percentage"] <= 100
    assert line["tooltip"].startswith("Neo")
    assert len(line["tooltip"]) <= 127


@pytest.mark.parametrize(
    ("scenario", "short"),
    [
        ("forbidden", "No permission"),
        ("unauthorized", "Sign-in failed"),
        ("server_error", "trouble"),
        ("malformed", "Unexpected answer"),
    ],
)
def test_waybar_shows_a_failure_and_still_exits_0(scenario: str, short: str) -> None:
    line, _ = waybar("--demo", "--scenario", scenario)
    assert line["class"] == "error"
    assert short in line["text"]
    assert len(line["text"]) <= 60
    assert line["tooltip"]


@pytest.mark.parametrize(("scenario", "level", "exit_code"), LEVELS)
def test_i3blocks_lines_and_urgency(scenario: str, level: str, exit_code: int) -> None:
    result = run_app("--demo", "--scenario", scenario, "--once", "--format", "i3blocks")
    assert result.returncode == exit_code, result.stderr
    assert result.stderr == ""
    full, short, colour = result.stdout.splitlines()
    assert full.startswith("Neo")
    assert short.startswith("Neo ")
    assert colour.startswith("#")
    assert len(colour) == 7


def test_i3blocks_failure_is_urgent_text_in_the_error_colour() -> None:
    result = run_app("--demo", "--scenario", "forbidden", "--once", "--format", "i3blocks")
    assert result.returncode == 33
    assert result.stderr == ""
    full, _short, colour = result.stdout.splitlines()
    assert "No permission" in full
    assert colour == "#e53935"


def test_text_is_one_short_line_and_json_and_text_keep_the_contract() -> None:
    result = run_app("--demo", "--once", "--format", "text")
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 1
    assert result.stdout.startswith("Neo: ")
    failed = run_app("--demo", "--scenario", "forbidden", "--once", "--format", "text")
    assert failed.returncode == 3
    assert failed.stdout == ""
    assert len(failed.stderr.splitlines()) == 1
    as_json = run_app("--demo", "--once", "--format", "json")
    alias = run_app("--demo", "--once", "--json")
    assert json.loads(as_json.stdout).keys() == json.loads(alias.stdout).keys()
    assert json.loads(as_json.stdout)["schema_version"] == 1


@pytest.mark.parametrize("output", ["json", "waybar", "i3blocks", "text"])
@pytest.mark.parametrize(
    "bad", [("--from", "yesterday"), ("--colour",), ("--format", "yaml"), ("--json", "--format")]
)
def test_bad_usage_is_exit_2_and_one_line_in_every_format(
    output: str, bad: tuple[str, ...]
) -> None:
    args = ("--once", "--format", output, *bad) if bad[0] != "--format" else ("--once", *bad)
    result = run_app(*args)
    assert result.returncode == 2, (args, result.stdout, result.stderr)
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.skipif(
    not shutil.which("i3blocks"), reason="needs i3blocks (tests/run.sh installs it)"
)
@pytest.mark.statusbar
@pytest.mark.parametrize(
    ("scenario", "visible"), [("ok", "credits"), ("forbidden", "No permission")]
)
def test_the_real_i3blocks_shows_the_block(tmp_path: Path, scenario: str, visible: str) -> None:
    import sys

    config = tmp_path / "i3blocks.conf"
    config.write_text(
        "[neo]\n"
        f"command={sys.executable} -m desktop --demo --scenario {scenario} --once --format i3blocks\n"
        "interval=once\n"
    )
    process = subprocess.Popen(
        ["i3blocks", "-c", str(config)],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        block: dict[str, Any] | None = None
        assert process.stdout is not None
        for _ in range(20):  # the header, then one status line per update
            raw = process.stdout.readline()
            if not raw:
                break
            raw = raw.strip().lstrip(",")
            if raw.startswith("[{"):
                found = [b for b in json.loads(raw) if b.get("name") == "neo"]
                if found and found[0].get("full_text"):
                    block = found[0]
                    break
    finally:
        process.kill()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()
    assert block is not None, "i3blocks never showed the block"
    assert visible in block["full_text"]
    assert block["color"].startswith("#")


# --- --cached ---------------------------------------------------------------------------------


def write_cache(api: FakeNeoApi, age: timedelta, token: str | None = None, **meta: Any) -> Path:
    """The cache a tray polling with `token` (the API's by default) wrote, in the Default
    account's file."""
    body = api.body_for({})[1]
    fetched = datetime.now(UTC) - age
    path = cache.default_path()
    tag = token_tag(token or api.token)
    cache.save(Snapshot(summary_from_json(body), fetched, token_tag=tag), api.url, path, **meta)
    return path


def cached(api: FakeNeoApi, output: str = "json") -> dict[str, Any]:
    result = run_app("--once", "--format", output, "--cached", env=api_env(api))
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_a_fresh_cache_costs_the_api_nothing(fake_api: FakeNeoApi, isolated_home: Path) -> None:
    write_cache(fake_api, timedelta(minutes=3), interval_seconds=300.0)
    before = fake_api.request_count
    report = cached(fake_api)
    assert fake_api.request_count == before
    assert report["source"] == "cache"
    assert report["stale"] is False
    assert report["schema_version"] == 1
    line = json.loads(
        run_app("--once", "--format", "waybar", "--cached", env=api_env(fake_api)).stdout
    )
    assert line["class"] == "ok"
    assert fake_api.request_count == before


def test_the_environment_token_reads_only_a_cache_of_the_same_token(
    fake_api: FakeNeoApi, isolated_home: Path
) -> None:
    write_cache(
        fake_api, timedelta(minutes=1), token="another-account-token", interval_seconds=300.0
    )
    assert cached(fake_api)["source"] == "api"  # another account's figures are never shown


def test_an_old_cache_is_fetched_again(fake_api: FakeNeoApi, isolated_home: Path) -> None:
    write_cache(fake_api, timedelta(minutes=11), interval_seconds=300.0)  # > twice 5 min
    report = cached(fake_api)
    assert report["source"] == "api"
    assert fake_api.request_count >= 1


def test_manual_polling_keeps_a_cache_fresh_for_ten_minutes(
    fake_api: FakeNeoApi, isolated_home: Path
) -> None:
    write_cache(fake_api, timedelta(minutes=9), interval_seconds=None)
    assert cached(fake_api)["source"] == "cache"
    write_cache(fake_api, timedelta(minutes=11), interval_seconds=None)
    assert cached(fake_api)["source"] == "api"


def test_while_the_tray_backs_off_the_cache_is_shown_stale(
    fake_api: FakeNeoApi, isolated_home: Path
) -> None:
    retry_at = datetime.now(UTC) + timedelta(minutes=20)
    write_cache(fake_api, timedelta(hours=1), interval_seconds=300.0, retry_at=retry_at)
    report = cached(fake_api)
    assert report["source"] == "cache"
    assert report["stale"] is True
    assert fake_api.request_count == 0
    line = json.loads(
        run_app("--once", "--format", "waybar", "--cached", env=api_env(fake_api)).stdout
    )
    assert line["class"] == ["ok", "stale"]


@pytest.mark.parametrize("content", [None, "{corrupt", json.dumps({"base_url": "elsewhere"})])
def test_a_missing_or_corrupt_cache_means_a_fetch(
    fake_api: FakeNeoApi, isolated_home: Path, content: str | None
) -> None:
    if content is not None:
        path = cache.default_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    assert cached(fake_api)["source"] == "api"
    assert fake_api.request_count >= 1


def test_the_cache_holds_the_trays_forecast(fake_api: FakeNeoApi, isolated_home: Path) -> None:
    forecast = {
        "status": "ok",
        "window_days": 14,
        "credits_per_day": 40.0,
        "runs_out_at": "2027-01-02T00:00:00Z",
        "runs_out_before_expiry": False,
        "unused_at_expiry": 321.0,
        "pace_fraction": 0.5,
        "credits_per_day_range": [30.5, 52.25],
        "runs_out_range": ["2026-12-20T00:00:00Z", None],
        "unused_at_expiry_range": [0.0, 600.0],
        "method": "prediction-10-90",
    }
    write_cache(fake_api, timedelta(minutes=1), interval_seconds=300.0, forecast=forecast)
    assert cached(fake_api)["forecast"] == forecast
    assert TOKEN not in cache.default_path().read_text()


def instants_in(document: object, where: str = "") -> dict[str, str]:
    """Every string of a JSON document that is an instant with a zone, by its path."""
    found: dict[str, str] = {}
    if isinstance(document, dict):
        for key, value in document.items():
            found.update(instants_in(value, f"{where}.{key}"))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found.update(instants_in(value, f"{where}[{index}]"))
    elif isinstance(document, str):
        try:
            instant = datetime.fromisoformat(document)
        except ValueError:
            return found
        if instant.tzinfo is not None:
            found[where] = document
    return found


def test_every_instant_of_a_json_report_is_utc_with_z(
    fake_api: FakeNeoApi, isolated_home: Path
) -> None:
    """`derived.expires_at` was written "+00:00" while the rest of the document said "Z"."""
    fetched = run_app("--once", "--json", env=api_env(fake_api))
    assert fetched.returncode == 0, fetched.stderr
    write_cache(fake_api, timedelta(minutes=1), interval_seconds=300.0)
    for report in (json.loads(fetched.stdout), cached(fake_api)):
        instants = instants_in(report)
        assert {".derived.expires_at", ".fetched_at", ".summary.neo_credits_expires_at"} <= set(
            instants
        )
        assert {where: text for where, text in instants.items() if not text.endswith("Z")} == {}
    assert cached(fake_api)["source"] == "cache"
