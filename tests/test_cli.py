"""The `--once` contract, run as a real process: stdout JSON, exit codes, one clean stderr line."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest

from desktop import __version__
from desktop.fakeapi import FakeNeoApi
from tests.helpers.constants import TOKEN, shared_example
from tests.helpers.processes import NO_KEYRING, api_env, assert_one_clean_line, run_app
from tests.hostile import hostile, response, send


def test_once_json_prints_summary_derived_and_time(fake_api: FakeNeoApi) -> None:
    result = run_app("--once", "--json", env=api_env(fake_api))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    report = json.loads(result.stdout)
    assert set(report) == {
        "schema_version",
        "mode",
        "source",
        "stale",
        "summary",
        "derived",
        "forecast",
        "fetched_at",
        "members",  # the fake API's `ok` is a team admin's account
    }
    assert report["schema_version"] == 1
    assert report["mode"] == "summary"
    assert report["source"] == "api"
    assert len(report["summary"]) == 17
    assert report["summary"]["total_issued_neo_credits"] == 5000
    derived = report["derived"]
    assert derived["available_fraction"] == pytest.approx(
        report["summary"]["total_available_neo_credits"] / 5000
    )
    assert derived["level"] == "ok"
    assert derived["expires_in_seconds"] > 0
    assert report["fetched_at"].endswith("Z")


def test_once_json_passes_range_and_group_by(fake_api: FakeNeoApi) -> None:
    result = run_app(
        "--once",
        "--json",
        "--from",
        "2026-11-01T00:00:00Z",
        "--to",
        "2026-11-15T00:00:00+01:00",
        "--group-by",
        "day",
        env=api_env(fake_api),
    )
    assert result.returncode == 0, result.stderr
    assert fake_api.requests[0]["query"] == {  # then the forecast's own window
        "from": "2026-11-01T00:00:00Z",
        "to": "2026-11-14T23:00:00Z",
        "group_by": "day",
    }
    periods = json.loads(result.stdout)["summary"]["by_period"]
    assert periods[0]["date"] == "2026-11-01"
    assert len(periods) == 14


def test_x_api_key_scheme_from_the_command_line(fake_api: FakeNeoApi) -> None:
    result = run_app("--once", "--json", "--auth-scheme", "x-api-key", env=api_env(fake_api))
    assert result.returncode == 0, result.stderr
    assert fake_api.requests[-1]["x_api_key"] == TOKEN


@pytest.mark.parametrize(
    ("scenario", "code", "phrase"),
    [
        ("unauthorized", 3, "rejected the token"),
        ("forbidden", 3, "ask your team admin"),
        ("rate_limited", 4, "rate limiting"),
        ("server_error", 4, "HTTP 500"),
        ("bad_gateway", 4, "HTTP 502"),
        ("not_found", 4, "not found"),
        ("malformed", 5, "not valid JSON"),
        ("truncated", 5, "cut off"),
        ("html", 5, "web page"),
        ("wrong_shape", 5, "instead of a usage summary"),
    ],
)
def test_failure_classes_exit_codes(
    fake_api: FakeNeoApi, scenario: str, code: int, phrase: str
) -> None:
    fake_api.scenario = scenario
    result = run_app("--once", "--json", env=api_env(fake_api))
    assert result.returncode == code
    assert result.stdout == ""
    assert_one_clean_line(result.stderr)
    assert phrase in result.stderr


def test_wrong_token_exits_3(fake_api: FakeNeoApi) -> None:
    result = run_app("--once", "--json", env=api_env(fake_api, "wrong-token-zzz"))
    assert result.returncode == 3
    assert_one_clean_line(result.stderr)
    assert "wrong-token-zzz" not in result.stderr


def test_no_token_exits_3(isolated_home: Path) -> None:
    result = run_app(
        "--once", "--json", env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    )
    assert result.returncode == 3
    assert_one_clean_line(result.stderr)
    assert "NEO_API_TOKEN" in result.stderr


def test_unreachable_exits_4() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run_app(
        "--once", "--json", env={"NEO_API_URL": f"http://127.0.0.1:{port}", "NEO_API_TOKEN": TOKEN}
    )
    assert result.returncode == 4
    assert_one_clean_line(result.stderr)


@pytest.mark.parametrize(
    "args",
    [
        ("--once", "--json", "--from", "yesterday"),
        ("--once", "--json", "--group-by", "year"),
        ("--once", "--json", "--from", "2026-11-20", "--to", "2026-11-01"),
        ("--json",),
        ("--from", "2026-11-01"),
        ("--no-such-flag",),
        ("--demo", "--once", "--scenario", "no-such-scenario"),
    ],
)
def test_bad_usage_exits_2(args: tuple[str, ...]) -> None:
    result = run_app(*args)
    assert result.returncode == 2
    assert_one_clean_line(result.stderr)


def test_insecure_url_is_refused_before_connecting() -> None:
    result = run_app(
        "--once", "--json", env={"NEO_API_URL": "http://neo.example.test", "NEO_API_TOKEN": TOKEN}
    )
    assert result.returncode == 2
    assert_one_clean_line(result.stderr)
    assert "https://" in result.stderr


def test_demo_once_json_needs_no_token() -> None:
    result = run_app("--demo", "--once", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["by_email"]
    assert report["derived"]["level"] == "ok"


def test_version_and_help() -> None:
    version = run_app("--version")
    assert version.returncode == 0
    assert version.stdout.strip() == f"neo-tray {__version__}"
    helptext = run_app("--help")
    assert helptext.returncode == 0
    assert "--once" in helptext.stdout
    assert "Exit codes" in helptext.stdout


def test_human_output(fake_api: FakeNeoApi) -> None:
    result = run_app("--once", env=api_env(fake_api))
    assert result.returncode == 0
    assert "Available:" in result.stdout
    assert "of 5,000 credits" in result.stdout


def test_corrupt_settings_with_the_address_in_the_environment(
    fake_api: FakeNeoApi, isolated_home: Path
) -> None:
    config = isolated_home / "xdg_config_home" / "neo-usage-tray"
    config.mkdir(parents=True)
    (config / "settings.json").write_text("{broken")
    result = run_app("--once", "--json", env=api_env(fake_api))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert (config / "settings.json").read_text() == "{broken"  # --once never rewrites it
    assert not list(config.glob("settings.json.corrupt-*"))


def test_corrupt_settings_without_an_address_refuse_to_guess(
    fake_api: FakeNeoApi, isolated_home: Path
) -> None:
    config = isolated_home / "xdg_config_home" / "neo-usage-tray"
    config.mkdir(parents=True)
    (config / "settings.json").write_text("{broken")
    env = {"NEO_API_TOKEN": fake_api.token}  # no NEO_API_URL: the public API would be guessed
    result = run_app("--once", "--json", env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert "settings.json" in result.stderr
    assert "NEO_API_URL" in result.stderr
    assert (config / "settings.json").read_text() == "{broken"


def test_an_ascii_only_terminal_does_not_break_the_output() -> None:
    # No issued credits: the share prints as an em dash, which ASCII cannot encode.
    env = {"PYTHONIOENCODING": "ascii"}
    result = run_app("--demo", "--scenario", "zero_issued", "--once", env=env)
    assert result.returncode == 0, result.stderr
    assert "\\u2014" in result.stdout
    result = run_app("--demo", "--scenario", "zero_issued", "--once", "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["derived"]["available_fraction"] is None


def test_tray_without_any_display_says_so_instead_of_aborting() -> None:
    result = run_app("--demo", drop=("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))
    assert result.returncode == 2  # like a display that does not answer
    assert "no graphical session" in result.stderr
    assert_one_clean_line(result.stderr)


FORECAST_KEYS = {
    "status",
    "window_days",
    "credits_per_day",
    "runs_out_at",
    "runs_out_before_expiry",
    "unused_at_expiry",
    "pace_fraction",
    "credits_per_day_range",
    "runs_out_range",
    "unused_at_expiry_range",
    "method",
}


@pytest.mark.parametrize(
    ("scenario", "status", "before"),
    [
        ("ok", "ok", False),
        ("steady_burn", "ok", True),
        ("slow_burn", "ok", False),
        ("new_account", "insufficient_data", None),
        ("idle", "no_recent_use", None),
        ("expired", "expired", None),
    ],
)
def test_once_json_carries_the_forecast(scenario: str, status: str, before: bool | None) -> None:
    result = run_app("--demo", "--scenario", scenario, "--once", "--json")
    assert result.returncode == 0, result.stderr
    forecast = json.loads(result.stdout)["forecast"]
    assert set(forecast) == FORECAST_KEYS
    assert forecast["status"] == status
    assert forecast["window_days"] == 14
    assert forecast["runs_out_before_expiry"] is before
    if status == "ok":
        assert forecast["credits_per_day"] > 0
        assert forecast["runs_out_at"].endswith("Z")
        assert 0 <= forecast["pace_fraction"] <= 1
        if before:
            assert forecast["unused_at_expiry"] == 0
        else:
            assert forecast["unused_at_expiry"] > 0
        low, high = forecast["credits_per_day_range"]
        assert low <= forecast["credits_per_day"] <= high
        assert len(forecast["runs_out_range"]) == 2
        assert forecast["method"]
    else:
        assert forecast["runs_out_at"] is None
        assert forecast["unused_at_expiry"] is None
        assert forecast["credits_per_day_range"] is forecast["runs_out_range"] is None
        assert forecast["unused_at_expiry_range"] is forecast["method"] is None


def test_a_failed_forecast_request_leaves_the_exit_code(isolated_home: Path) -> None:
    from tests.hostile import hostile, response

    summary = json.dumps(
        {"by_model": {}, "by_status": {}, "total_neo_credits": 1, "total_tasks": 1}
    ).encode()

    def respond(connection: socket.socket, head: bytes) -> None:
        if b"group_by=day" in head:  # the forecast's window
            connection.sendall(response("503 Service Unavailable", b"busy"))
        else:
            connection.sendall(response("200 OK", summary))

    with hostile(respond) as server:
        result = run_app(
            "--once", "--json", env={"NEO_API_URL": server.url, "NEO_API_TOKEN": TOKEN}
        )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert json.loads(result.stdout)["forecast"]["status"] == "unavailable"


# --- several accounts -------------------------------------------------------------------------


@pytest.fixture
def two_accounts(isolated_home: Path) -> Iterator[tuple[FakeNeoApi, FakeNeoApi]]:
    """Personal and Acme in the settings, each token in its owner-only file (no keyring in a
    child process), each against its own fake API."""
    from desktop.core.accounts import Account
    from desktop.core.settings import Settings
    from desktop.system import secrets, settings_store

    with (
        FakeNeoApi(token="personal-token-0123456") as personal,
        FakeNeoApi(token="acme-token-0123456789", scenario="critical") as acme,
    ):
        accounts = (
            Account(id="default", name="Personal", base_url=personal.url),
            Account(id="e5f6a7b8", name="Acme", base_url=acme.url),
        )
        settings_store.save(Settings(accounts=accounts))
        secrets.save_token_to_file(personal.token, "default")
        secrets.save_token_to_file(acme.token, "e5f6a7b8")
        yield personal, acme


def test_once_prints_the_named_account(two_accounts: tuple[FakeNeoApi, FakeNeoApi]) -> None:
    personal, acme = two_accounts
    result = run_app("--once", "--json", "--account", "acme", env=NO_KEYRING)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["derived"]["level"] == "critical"
    assert acme.request_count >= 1
    assert personal.request_count == 0
    first = run_app("--once", "--json", env=NO_KEYRING)  # no --account: the first account
    assert json.loads(first.stdout)["derived"]["level"] == "ok"


def test_an_unknown_account_is_bad_usage_listing_the_names(
    two_accounts: tuple[FakeNeoApi, FakeNeoApi],
) -> None:
    result = run_app("--once", "--json", "--account", "Globex", env=NO_KEYRING)
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert "Globex" in line
    assert "'Personal', 'Acme'" in line


def test_all_accounts_prints_each_and_exits_with_the_first_failure(
    two_accounts: tuple[FakeNeoApi, FakeNeoApi],
) -> None:
    personal, acme = two_accounts
    result = run_app("--once", "--json", "--all-accounts", env=NO_KEYRING)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    report = json.loads(result.stdout)
    assert report["schema_version"] == 1
    assert [entry["name"] for entry in report["accounts"]] == ["Personal", "Acme"]
    assert report["accounts"][1]["derived"]["level"] == "critical"
    assert report["accounts"][0]["schema_version"] == 1  # each the single-account object

    acme.scenario = "forbidden"
    result = run_app("--once", "--json", "--all-accounts", env=NO_KEYRING)
    assert result.returncode == 3
    report = json.loads(result.stdout, parse_constant=pytest.fail)
    personal_entry, acme_entry = report["accounts"]
    assert personal_entry["derived"]["level"] == "ok"  # one failure never blanks another
    assert set(acme_entry) == {"name", "error"}
    assert acme_entry["error"]["exit_code"] == 3
    assert "admin" in acme_entry["error"]["message"]
    (line,) = result.stderr.splitlines()
    assert line.startswith("neo-tray: Acme: ")
    assert acme.token not in result.stdout + result.stderr

    personal.scenario = "server_error"  # the first failing account in the list decides
    result = run_app("--once", "--json", "--all-accounts", env=NO_KEYRING)
    assert result.returncode == 4
    assert "(1 more failed)" in result.stderr


def test_the_environment_token_is_the_one_account(
    two_accounts: tuple[FakeNeoApi, FakeNeoApi],
) -> None:
    personal, _acme = two_accounts
    env = {**NO_KEYRING, "NEO_API_TOKEN": personal.token}
    result = run_app("--once", "--json", "--all-accounts", env=env)
    assert result.returncode == 0, result.stderr
    assert [e["name"] for e in json.loads(result.stdout)["accounts"]] == ["environment"]
    assert run_app("--once", "--json", "--account", "environment", env=env).returncode == 0
    assert run_app("--once", "--json", "--account", "Acme", env=env).returncode == 2


@pytest.mark.parametrize(
    "args",
    [
        ["--account", "Acme"],
        ["--all-accounts"],
        ["--once", "--account", "A", "--all-accounts"],
        ["--once", "--all-accounts", "--format", "waybar"],
        ["--once", "--account", "  "],
    ],
)
def test_account_flags_misused_are_bad_usage(args: list[str]) -> None:
    result = run_app(*args)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1


def test_an_unexpected_error_is_one_line_and_never_exit_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A bug of ours in --once: the contract's codes only (5), one stderr line."""
    from desktop import arguments, cli
    from desktop.core.errors import NeoError
    from desktop.options import OutputFormat

    options = arguments.parse_options(["--once", "--json"])
    assert options.output is OutputFormat.JSON
    code = cli._report(options, NeoError("unexpected error (KeyError); details are in the log"))
    assert code == 5
    assert len(capsys.readouterr().err.splitlines()) == 1


# --- text escaped for where it lands (core/sinks.py) ------------------------------------------

OSC52_MODEL = "x\u001b]52;c;ZWNobyBwd25lZA==\u0007"  # sets the terminal's (and tmux's) clipboard
# What no terminal or status-bar output may carry: C0 but the app's own newline, DEL, C1, bidi.
UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def hostile_summary(model: str) -> bytes:
    """The realistic summary with its top model renamed to `model`."""
    body = json.loads(shared_example("example-realistic.json"))
    body["by_model"] = {model: body["by_model"].pop("claude-sonnet-4-5"), **body["by_model"]}
    return json.dumps(body).encode()


def assert_markup(text: str) -> None:
    """`text` parses as Pango markup (an XML subset: a stray `&` or `<` fails)."""
    ElementTree.fromstring(f"<markup>{text}</markup>")


@pytest.mark.parametrize(
    "model",
    [
        OSC52_MODEL,
        "\u001b[2J\u001b[Hgpt",  # clears the screen
        "gpt\nAvailable:     5,000 of 5,000 credits (100%)",  # a faked line
        "\u202egpt-5\u2066",  # reorders the line
    ],
)
def test_a_hostile_model_name_reaches_no_terminal(model: str) -> None:
    with hostile(send(response(body=hostile_summary(model)))) as server:
        env = {"NEO_API_URL": server.url, "NEO_API_TOKEN": TOKEN}
        report = run_app("--once", env=env)
        assert report.returncode == 0, report.stderr
        lines = report.stdout.splitlines()
        assert len(lines) == 6, report.stdout  # one line per figure, no more
        (top,) = [line for line in lines if line.startswith("Top model:")]
        assert "gpt" in top or top.endswith("x")
        as_json = run_app("--once", "--json", env=env)
        assert model in json.loads(as_json.stdout)["summary"]["by_model"]  # JSON keeps it exact
        for output in ("text", "i3blocks", "waybar"):
            result = run_app("--once", "--format", output, env=env)
            assert not UNSAFE.search(result.stdout + result.stderr), (output, result.stdout)
    assert not UNSAFE.search(report.stdout + report.stderr), report.stdout
    assert "\u001b" not in report.stdout


def test_a_404_quoting_an_address_with_an_ampersand_is_valid_waybar_markup() -> None:
    with hostile(send(response("404 Not Found", b'{"error": "no"}'))) as server:
        env = {"NEO_API_URL": f"{server.url}/r&d", "NEO_API_TOKEN": TOKEN}
        result = run_app("--once", "--format", "waybar", env=env)
        text_line = run_app("--once", "--format", "i3blocks", env=env)
        human = run_app("--once", env=env)
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout)
    assert line["class"] == "error"
    assert "/r&amp;d:" in line["tooltip"]
    assert_markup(line["text"])
    assert_markup(line["tooltip"])
    assert text_line.returncode == 33
    assert human.returncode == 4
    assert "/r&d:" in human.stderr  # a terminal shows the address as it is
    assert_one_clean_line(human.stderr)


def test_a_log_line_on_stderr_is_a_terminal_field() -> None:
    body = json.dumps({"message": "gone\u202e\u009b2J\u2066 for good"}).encode()
    with hostile(send(response("404 Not Found", body))) as server:
        env = {"NEO_API_URL": server.url, "NEO_API_TOKEN": TOKEN}
        result = run_app("--once", "--log-level", "debug", env=env)
    assert result.returncode == 4
    assert "gone" in result.stderr  # the server's reason is logged ...
    assert not UNSAFE.search(result.stderr), result.stderr  # ... as a terminal field
    assert TOKEN not in result.stderr


def latin1_locale(folder: Path) -> dict[str, str]:
    """The environment of a French ISO-8859-1 locale, compiled into `folder` (no root needed)."""
    if not shutil.which("localedef"):
        pytest.skip("needs localedef")
    built = subprocess.run(
        ["localedef", "-i", "fr_FR", "-f", "ISO-8859-1", str(folder / "fr_FR.ISO-8859-1")],
        capture_output=True,
        check=False,
    )
    if built.returncode not in (0, 1) or not (folder / "fr_FR.ISO-8859-1").exists():
        pytest.skip("the fr_FR locale sources are not installed")
    return {
        "LOCPATH": str(folder),
        "LANG": "fr_FR.ISO-8859-1",
        "LC_ALL": "fr_FR.ISO-8859-1",
        "LANGUAGE": "",
        "PYTHONIOENCODING": "",
        "PYTHONUTF8": "0",
    }


def test_status_bars_get_utf8_whatever_the_locale_charset(tmp_path: Path) -> None:
    env = latin1_locale(tmp_path)
    charset = subprocess.run(
        [sys.executable, "-c", "import sys; print(sys.stdout.encoding)"],
        capture_output=True,
        env={**os.environ, **env},
        check=True,
    )
    assert charset.stdout.strip() == b"iso8859-1"  # the trap is armed
    for output in ("i3blocks", "text"):
        result = run_app(
            "--demo", "--once", "--format", output, env=env, drop=("NEO_", "LC_"), text=False
        )
        assert result.returncode == 0, result.stderr
        assert (
            "\u202f".encode() in result.stdout
        )  # French groups digits with a narrow no-break space
        assert b"\\u202f" not in result.stdout  # not a literal backslash escape
        result.stdout.decode("utf-8")  # strict: i3bar rejects the whole bar otherwise
    full, _short, colour = (
        run_app(
            "--demo", "--once", "--format", "i3blocks", env=env, drop=("NEO_", "LC_"), text=False
        )
        .stdout.decode("utf-8")
        .splitlines()
    )
    assert full.startswith("Neo")
    assert colour.startswith("#")
    failed = run_app(
        *("--demo", "--scenario", "forbidden", "--once", "--format", "i3blocks"),
        env=env,
        drop=("NEO_", "LC_"),
        text=False,
    )
    assert failed.returncode == 33
    assert b"\\u" not in failed.stdout
    failed.stdout.decode("utf-8")
    # stderr is read by a person in that terminal: its charset, whatever the format.
    for output in ("json", "text", "human"):
        flags = () if output == "human" else ("--format", output)
        refused = run_app(
            "--demo",
            "--scenario",
            "forbidden",
            "--once",
            *flags,
            env=env,
            drop=("NEO_", "LC_"),
            text=False,
        )
        assert refused.returncode == 3
        assert refused.stderr.count(b"\n") == 1
        assert "\xa0".encode("latin-1") in refused.stderr  # French: "utilisation : demandez"
        assert "\xa0".encode() not in refused.stderr


def test_a_model_name_cannot_set_the_clipboard_in_tmux(tmp_path: Path) -> None:
    """The example as it was seen: `--once` in tmux, which turns OSC 52 into a paste buffer."""
    if not shutil.which("tmux"):
        pytest.skip("needs tmux")
    server = ["tmux", "-L", f"neo-test-{os.getpid()}", "-f", "/dev/null"]
    done = tmp_path / "done"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO_")}
    with hostile(send(response(body=hostile_summary(OSC52_MODEL)))) as api:
        env.update({"NEO_API_URL": api.url, "NEO_API_TOKEN": TOKEN})
        command = f"{sys.executable} -m desktop --once; echo $? > {done}; sleep 60"
        subprocess.run([*server, "new-session", "-d", "sleep 60"], env=env, check=True)
        try:
            subprocess.run([*server, "set", "-g", "set-clipboard", "on"], check=True)
            subprocess.run([*server, "new-window", command], env=env, check=True, cwd=os.getcwd())
            deadline = time.monotonic() + 60
            while not done.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert done.read_text().strip() == "0"
            shown = subprocess.run(
                [*server, "capture-pane", "-p"], capture_output=True, text=True, check=True
            ).stdout
            buffer = subprocess.run([*server, "show-buffer"], capture_output=True, check=False)
        finally:
            subprocess.run([*server, "kill-server"], capture_output=True, check=False)
    assert "Top model: x" in shown
    assert buffer.returncode != 0, buffer.stdout  # no paste buffer: the clipboard is untouched
