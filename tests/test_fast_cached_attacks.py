"""What an outside tester found in the status bar's fast path (issue 26's F1-F6, S1-S3): each
case either prints what the full path prints or goes the full way, and both paths agree on it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop import cached_once, cli
from desktop.core import account_rules, accounts, summary_figures
from desktop.core.plain_settings import plain_settings
from desktop.core.query import DEFAULT_BASE_URL
from desktop.system import cache, paths, safe_files, settings_store
from tests import test_fast_cached as fast_cached_tests
from tests.helpers.processes import NO_KEYRING, app_env
from tests.test_fast_cached import (  # the same cache, settings and clock as its tests
    HEALTHY,
    OK_FORECAST,
    _frozen,  # noqa: F401 - autouse: one `now` for both paths
    both,
    write_cache,
    write_settings,
)

WAYBAR = ["--once", "--cached", "--format", "waybar"]
JSON = ["--once", "--cached", "--format", "json"]
FULL = "import sys; from desktop import cli; sys.exit(cli.run_full(sys.argv[1:]))"


def edit_cache(path: Path, change: dict[str, Any], summary: dict[str, Any] | None = None) -> None:
    """Change the cache file's top-level fields (`change`) and its summary's (`summary`)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(change)
    data["summary"].update(summary or {})
    path.write_text(json.dumps(data), encoding="utf-8")


# F1 ------------------------------------------------------------------------------------------


def test_a_settings_link_to_a_missing_file_goes_the_full_way(
    isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A dotfile manager's link before its files are there: not "no settings" (the default
    account's figures) but the full path's exit 2 naming the link."""
    write_cache(HEALTHY)
    paths.settings_file().parent.mkdir(parents=True, exist_ok=True)
    paths.settings_file().symlink_to(isolated_home / "dotfiles" / "settings.json")
    assert cached_once.run(WAYBAR) is None
    assert capsys.readouterr().out == ""
    assert cli.run_full(WAYBAR) == 2
    assert "which does not exist" in capsys.readouterr().err


# F2 ------------------------------------------------------------------------------------------


def test_a_stored_account_with_the_environment_id_is_set_aside(
    isolated_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """One rule for both paths: `environment` is NEO_API_TOKEN's account's id, never a stored
    one's (`account_rules.is_stored_id`): the model sets such an account aside, the fast path
    leaves the file to it."""
    stored = {"accounts": [{"id": "environment", "name": "Work"}, {"id": "a1", "name": "Home"}]}
    write_settings(isolated_home, stored)
    write_cache(HEALTHY, account_id="environment")
    write_cache(HEALTHY, account_id="a1")
    assert not account_rules.is_stored_id("environment")
    assert account_rules.is_stored_id("demo")  # the demo's own settings store it
    assert plain_settings(stored) is None
    assert cached_once.run(["--once", "--cached", "--format", "text"]) is None
    loaded = settings_store.load()
    assert [a.id for a in loaded.settings.accounts] == ["a1"]
    assert loaded.settings.accounts_set_aside == ({"id": "environment", "name": "Work"},)
    assert "reserved id environment" in caplog.text
    with pytest.raises(ValueError, match="reserved"):
        accounts.check_accounts([accounts.Account(id="environment", name="Work")])


# F3 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"by_model": {"\udcff": 5}},
        {"by_status": {"done": {"\ud800": 1}}},
        {"byok": {"total_tasks": 2, "\udc80": 1}},
        {"by_email": [{"email": "a\udcff@x.io", "neo_credits": 1}]},
        {"by_period": [{"date": "2026-01-0\udc32"}]},
    ],
    ids=["breakdown-key", "nested-key", "byok-key", "email", "date"],
)
def test_lone_surrogates_in_the_cached_summary_go_the_full_way(
    isolated_home: Path, change: dict[str, Any]
) -> None:
    """JSON can carry a lone surrogate (`\\udcff`), UTF-8 cannot: the model has its own way with
    it, so the fast path leaves it to the model's path."""
    edit_cache(write_cache(HEALTHY), {}, change)
    data = json.loads(cache.default_path().read_text(encoding="utf-8"))
    assert summary_figures.normal_summary(data["summary"]) is None
    assert cached_once.run(JSON) is None


# F4 ------------------------------------------------------------------------------------------


@pytest.fixture
def closed_pipe() -> Iterator[int]:
    """A pipe's writing end whose reader is gone: every write is EPIPE (Python ignores
    SIGPIPE), as for `neo-tray … | head -c 10` once head has its bytes."""
    read, write = os.pipe()
    os.close(read)
    try:
        yield write
    finally:
        os.close(write)


def _run(
    code: str | None, argv: list[str], stdout: int, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "desktop"] if code is None else [sys.executable, "-c", code]
    return subprocess.run(
        [*command, *argv],
        stdout=stdout,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=app_env({"PYTHONUNBUFFERED": "1", **(extra or {})}),
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("output", ["json", "waybar", "i3blocks", "text"])
@pytest.mark.parametrize("code", [None, FULL], ids=["fast", "full"])
def test_a_closed_stdout_is_one_line_and_exit_5(
    isolated_home: Path, closed_pipe: int, output: str, code: str | None
) -> None:
    """`… | head -c 10` (the reader gone) or a full disk: never a traceback, never a second
    line from the interpreter's last flush, never exit 1."""
    write_cache(HEALTHY, forecast=OK_FORECAST)
    argv = ["--once", "--cached", "--format", output]
    result = _run(code, argv, closed_pipe)
    assert (result.returncode, result.stderr) == (
        5,
        "neo-tray: Could not write stdout: Broken pipe\n",
    )
    with open("/dev/full", "w") as full:
        result = _run(code, argv, full.fileno())
    assert result.returncode == 5
    assert result.stderr == "neo-tray: Could not write stdout: No space left on device\n"


@pytest.mark.parametrize("output", ["waybar", "i3blocks"])
def test_a_status_bar_failure_on_a_closed_stdout_is_said_once(
    isolated_home: Path, closed_pipe: int, output: str
) -> None:
    """The full path's failure line (`cli._report`, here: no keyring) meets the closed stdout
    too: still one stderr line, not a traceback."""
    write_cache(HEALTHY, age=timedelta(hours=1))  # stale: it fetches, and has no token
    extra = {**NO_KEYRING, "NEO_API_URL": "http://127.0.0.1:9"}
    result = _run(None, ["--once", "--cached", "--format", output], closed_pipe, extra)
    assert (result.returncode, result.stderr) == (
        5,
        "neo-tray: Could not write stdout: Broken pipe\n",
    )


# F5 ------------------------------------------------------------------------------------------


def test_the_cheap_rules_come_before_the_summary(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stale cache (the tray is not running) is given up on before its summary, which may be
    38 MB, is checked."""
    checked: list[object] = []
    normal_summary = summary_figures.normal_summary

    def counted(data: object) -> Any:
        checked.append(data)
        return normal_summary(data)

    monkeypatch.setattr(cached_once, "normal_summary", counted)
    write_cache(HEALTHY, age=timedelta(hours=1))
    assert cached_once.run(JSON) is None
    assert checked == []
    # NEO_API_TOKEN's account skips another token's cache (its summary checked all the same:
    # the full path would log about a broken one) and finds its own, stale.
    monkeypatch.setenv("NEO_API_TOKEN", "secret-token")
    write_cache(HEALTHY, account_id="environment", tag="another")
    write_cache(HEALTHY, age=timedelta(hours=1), tag=account_rules.token_tag("secret-token"))
    assert cached_once.run(JSON) is None
    assert len(checked) == 1


def test_a_cache_the_fast_path_gave_up_on_is_parsed_once(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fast path gives up late (the model would change the summary); the full path takes
    the JSON it parsed instead of reading and parsing the file again, while it is unchanged."""
    path = write_cache(HEALTHY)
    edit_cache(path, {}, {"last_credit_reset": "2026-01-01T00:00:00+00:00"})
    reads: list[Path] = []
    read_file = safe_files.read_file

    def counted(where: Path, limit: int, **kwargs: Any) -> bytes:
        reads.append(where)
        return read_file(where, limit, **kwargs)

    monkeypatch.setattr(safe_files, "read_file", counted)
    assert cli.main(JSON) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["last_credit_reset"] == (
        "2026-01-01T00:00:00Z"
    )
    assert reads.count(path) == 1
    # Changed since (a new file, as the tray writes it): read again.
    assert cached_once.run(JSON) is None
    write_cache(HEALTHY)
    assert cli.main(JSON) == 0
    assert "2026-01-01" not in capsys.readouterr().out
    assert reads.count(path) == 3


# F6 ------------------------------------------------------------------------------------------


def test_a_refused_cache_folder_is_still_logged_once(isolated_home: Path) -> None:
    """The fast attempt logs a refused folder to nowhere (and gives up): the full path's log
    names it, once."""
    path = write_cache(HEALTHY)
    path.parent.chmod(0o770)
    extra = {**NO_KEYRING, "NEO_API_URL": "http://127.0.0.1:9"}  # it fetches: nothing leaves
    result = _run(None, WAYBAR, subprocess.DEVNULL, extra)
    assert result.returncode == 0
    log = (paths.log_dir() / "neo-tray.log").read_text(encoding="utf-8")
    assert log.count("Other users can write to the folder") == 1


def test_unsay_forgets_only_what_was_said_since() -> None:
    before = safe_files.said()
    safe_files.log_once("F6 probe: a refused folder")
    assert "F6 probe: a refused folder" in safe_files.said()
    safe_files.unsay(before)
    assert safe_files.said() == before


# S1 ------------------------------------------------------------------------------------------


def test_thousands_of_accounts_are_read_in_linear_time(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """5,000 accounts, 2,000 of them named alike, with one invalid setting (the path that
    checks each account alone): name keys are looked up, not compared pairwise (that took
    more than a minute)."""
    count = 5000
    stored = [
        {"id": f"a{i}", "name": "Team" if i % 5 < 2 else f"Account {i}"} for i in range(count)
    ]
    stored.insert(3, {"id": "x0", "name": "Team (2)"})
    write_settings(isolated_home, {"accounts": stored, "language": "xx"})
    name_key = accounts.name_key
    calls = 0

    def counted(name: str) -> str:
        nonlocal calls
        calls += 1
        assert calls < 20 * count, "name keys compared pairwise"
        return name_key(name)

    monkeypatch.setattr(accounts, "name_key", counted)
    names = [account.name for account in settings_store.load().settings.accounts]
    assert len(names) == count + 1
    # The first keeps its name; the others count up past every name the file holds.
    assert names[:5] == ["Team", "Team (3)", "Account 2", "Team (2)", "Account 3"]
    assert names[-5:] == [
        "Team (2000)",
        "Team (2001)",
        "Account 4997",
        "Account 4998",
        "Account 4999",
    ]
    assert len(set(names)) == len(names)


# S2 ------------------------------------------------------------------------------------------


def test_a_forecast_running_out_in_year_9999_is_no_forecast(
    isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It overflowed converting to UTC (exit 5, or Waybar's "Unexpected error"): now both
    paths compute the forecast as without one."""
    path = write_cache(HEALTHY, forecast=OK_FORECAST)
    forecast = {**OK_FORECAST, "runs_out_at": "9999-12-31T23:59:59-01:00"}
    edit_cache(path, {"forecast": forecast})
    for output in ("json", "waybar"):
        out, code = both(["--once", "--cached", "--format", output], capsys)
        assert code == 0
        assert "Unexpected" not in out


@pytest.mark.parametrize("fetched_at", ["0001-01-01T00:00:00Z", "0001-01-01T00:30:00+01:00"])
def test_a_cache_fetched_in_year_1_is_no_cache(isolated_home: Path, fetched_at: str) -> None:
    """Shown stale as "739948 d ago", or an OverflowError: now no cache on either path (the
    model's 1970-2199, `validators.stored_instant`)."""
    path = write_cache(HEALTHY)
    retry_at = (fast_cached_tests.NOW + timedelta(seconds=60)).isoformat()
    edit_cache(path, {"fetched_at": fetched_at, "retry_at": retry_at})
    assert cached_once.run(WAYBAR) is None
    assert cache.load_entry(DEFAULT_BASE_URL, path, fast_cached_tests.NOW) is None


# S3 ------------------------------------------------------------------------------------------


def test_a_token_that_is_not_utf8_gets_the_token_sentence_with_cached(isolated_home: Path) -> None:
    """`NEO_API_TOKEN=$'tok\\xff'`: exit 3 and the header's sentence, as without --cached
    (the token tag hashed it before the header check: exit 5)."""
    assert len(account_rules.token_tag("tok\udcff")) == 12
    env = {
        k.encode(): v.encode() for k, v in app_env({"NEO_API_URL": "http://127.0.0.1:9"}).items()
    }
    env[b"NEO_API_TOKEN"] = b"tok\xff"
    for argv in (["--once", "--format", "json"], JSON):
        result = subprocess.run(
            [sys.executable, "-m", "desktop", *argv],
            capture_output=True,
            env=env,
            stdin=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )
        assert result.returncode == 3, result.stderr
        assert b"a header cannot carry" in result.stderr
        assert result.stderr.count(b"\n") == 1
