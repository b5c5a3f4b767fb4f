"""The app against a hostile or broken server over loopback: each attack that once got through.

Each test reproduces the attack with a raw-socket server and checks the contract's answer: the
exit class, one clean stderr line, bounded time and memory, no part of the token anywhere.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import zlib
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop.api.client import NeoClient
from desktop.core.errors import Unreachable
from desktop.core.redaction import MIN_FRAGMENT
from desktop.ui.fetch_worker import ClientConfig
from desktop.ui.poller import Poller
from tests.helpers.processes import run_app
from tests.hostile import HostileServer, hostile, response, send

TOKEN = "tok-0123456789abcdefghijklmnopqrstuvwxyz"
SUMMARY: dict[str, Any] = {
    "by_model": {"m": 1},
    "by_status": {"done": 1},
    "total_neo_credits": 1,
    "total_tasks": 1,
    "total_available_neo_credits": 400,
    "total_issued_neo_credits": 1000,
}


def json_response(body: object, status: str = "200 OK") -> bytes:
    return response(status, json.dumps(body).encode(), ("Content-Type: application/json",))


def raw_json_response(text: str) -> bytes:
    return response("200 OK", text.encode(), ("Content-Type: application/json",))


def once(server: HostileServer, *args: str, **env: str) -> Any:
    return run_app(
        "--once", "--json", *args, env={"NEO_API_URL": server.url, "NEO_API_TOKEN": TOKEN, **env}
    )


def assert_clean_failure(result: Any, code: int) -> None:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert_no_token_fragment(result.stderr)


def assert_no_token_fragment(text: str) -> None:
    pieces = {TOKEN[i : i + MIN_FRAGMENT] for i in range(len(TOKEN) - MIN_FRAGMENT + 1)}
    leaked = [piece for piece in pieces if piece in text]
    assert not leaked, leaked


def strict_json(text: str) -> Any:
    def refuse(name: str) -> None:
        raise AssertionError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


# --- resources and time -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def stacked_gzip_bomb() -> bytes:
    """2 GB of zeros, gzipped twice: 3.5 KB on the wire."""
    inner = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 20)
    layer = b"".join(inner.compress(zeros) for _ in range(2048)) + inner.flush()
    outer = zlib.compressobj(9, zlib.DEFLATED, 31)
    return outer.compress(layer) + outer.flush()


LIMITED_ONCE = """
import resource, sys
limit = 1 << 30  # 1 GiB of address space: the bomb would need 2 GB at once
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from desktop.cli import main
sys.exit(main(["--once", "--json"]))
"""


def test_a_stacked_gzip_bomb_is_capped_while_it_inflates(stacked_gzip_bomb: bytes) -> None:
    import subprocess
    import sys

    bomb = response("200 OK", stacked_gzip_bomb, ("Content-Encoding: gzip, gzip",))
    with hostile(send(bomb)) as server:
        env = {**os.environ, "NEO_API_URL": server.url, "NEO_API_TOKEN": TOKEN}
        result = subprocess.run(
            [sys.executable, "-c", LIMITED_ONCE],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    assert_clean_failure(result, 5)
    assert "larger" in result.stderr


def test_three_stacked_encodings_are_not_understood() -> None:
    body = zlib.compress(zlib.compress(zlib.compress(json.dumps(SUMMARY).encode())))
    reply = response("200 OK", body, ("Content-Encoding: deflate, deflate, deflate",))
    with hostile(send(reply)) as server:
        assert_clean_failure(once(server), 5)


def test_two_encodings_are_undone() -> None:
    body = zlib.compress(zlib.compress(json.dumps(SUMMARY).encode()))
    reply = response("200 OK", body, ("Content-Encoding: deflate", "Content-Encoding: deflate"))
    with hostile(send(reply)) as server:
        result = once(server)
    assert result.returncode == 0, result.stderr
    assert strict_json(result.stdout)["summary"]["total_tasks"] == 1


def trickle(total: int, every: float) -> tuple[Any, list[int]]:
    sent = [0]

    def respond(connection: socket.socket, _head: bytes) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        for _ in range(total):
            connection.sendall(b"a")
            sent[0] += 1
            time.sleep(every)

    return respond, sent


def test_a_head_trickled_byte_by_byte_meets_the_total_deadline() -> None:
    respond, sent = trickle(total=200, every=0.05)  # 10 s of head, each byte well in time
    with hostile(respond) as server:
        client = NeoClient(server.url, TOKEN, deadline_seconds=1.5)
        with client, pytest.raises(Unreachable, match="in time"):
            client.fetch_summary()
    assert sent[0] < 200, "the request ended only because the server stopped"


def stuck(server_done: threading.Event) -> Any:
    def respond(connection: socket.socket, _head: bytes) -> None:
        server_done.wait(30)  # says nothing, keeps the connection open

    return respond


def test_cancel_wakes_a_request_stuck_on_a_silent_server() -> None:
    done = threading.Event()
    with hostile(stuck(done)) as server:
        client = NeoClient(server.url, TOKEN)
        failures: list[BaseException] = []

        def fetch() -> None:
            try:
                client.fetch_summary()
            except BaseException as exc:
                failures.append(exc)

        worker = threading.Thread(target=fetch)
        worker.start()
        assert server.wait_for_request()
        client.cancel()
        worker.join(10)
        alive = worker.is_alive()
        done.set()
    assert not alive
    assert isinstance(failures[0], Unreachable)


def test_quitting_does_not_wait_for_a_stuck_request(qtbot: QtBot) -> None:
    done = threading.Event()
    with hostile(stuck(done)) as server:
        poller = Poller(ClientConfig(server.url, token=TOKEN), 300)
        poller.start()
        assert server.wait_for_request()
        poller.stop()  # cancels: returns as soon as the worker thread ends
        stopped = not poller._thread.isRunning()
        done.set()
    assert stopped


@pytest.mark.parametrize("value", ["2592000", "inf", "9" * 5000, "1e999", "-5"])
def test_any_retry_after_is_a_clean_rate_limit(value: str) -> None:
    reply = response("429 Too Many Requests", b"slow down", (f"Retry-After: {value}",))
    with hostile(send(reply)) as server:
        assert_clean_failure(once(server), 4)


def test_a_month_long_retry_after_is_clamped_and_said(qtbot: QtBot) -> None:
    reply = response("429 Too Many Requests", b"", ("Retry-After: 2592000",))
    with hostile(send(reply)) as server:
        poller = Poller(ClientConfig(server.url, token=TOKEN), 300, random_unit=lambda: 0.5)
        with qtbot.waitSignal(poller.failed, timeout=10_000) as blocker:
            poller.start()
        poller.stop()
    error = blocker.args[0]
    assert error.retry_after == 1800
    assert poller.next_delay == 1800
    assert "longer than 30 min" in error.user_message


# --- values at the edge of the types ------------------------------------------------------------


def test_huge_and_odd_values_never_reach_the_output() -> None:
    text = json.dumps(SUMMARY)[:-1] + (
        ', "total_steps": 1' + "0" * 400 + ', "total_tool_calls": NaN'
        ', "total_issued_neo_credits": 1e-308, "total_execution_ms": 1e308'
        ', "last_credit_reset": "0001-01-01T00:00:00+05:00"'
        ', "neo_credits_expires_at": "9999-12-31T23:59:59-14:00"}'
    )
    with hostile(send(raw_json_response(text))) as server:
        result = once(server)
    assert result.returncode == 0, result.stderr
    report = strict_json(result.stdout)
    summary = report["summary"]
    for dropped in ("total_steps", "total_tool_calls", "total_execution_ms"):
        assert summary[dropped] is None, dropped
    assert summary["last_credit_reset"] is None
    assert summary["neo_credits_expires_at"] is None
    assert report["derived"]["available_fraction"] is None  # 400 / 1e-308 is no number


def test_an_out_of_range_required_field_is_not_understood() -> None:
    text = json.dumps(SUMMARY).replace('"total_tasks": 1', '"total_tasks": 1' + "0" * 400)
    with hostile(send(raw_json_response(text))) as server:
        assert_clean_failure(once(server), 5)


def test_mostly_invalid_rows_are_not_understood() -> None:
    rows = [{"email": 5}] * 1500 + [{"email": "a@example.test", "neo_credits": 1}] * 500
    with hostile(send(json_response({**SUMMARY, "by_email": rows}))) as server:
        assert_clean_failure(once(server), 5)


# --- the token and what reaches disk ------------------------------------------------------------


def test_a_token_echoed_past_the_cut_leaves_no_fragment(isolated_home: Path) -> None:
    body = json.dumps({"message": "x" * 150 + f" bad token {TOKEN} " + "y" * 50}).encode()
    with hostile(send(response("401 Unauthorized", body))) as server:
        result = once(server, "--log-level", "debug")
    assert result.returncode == 3
    assert_no_token_fragment(result.stderr)
    log_file = isolated_home / "xdg_state_home" / "neo-usage-tray" / "log" / "neo-tray.log"
    assert_no_token_fragment(log_file.read_text())
    assert log_file.stat().st_mode & 0o777 == 0o600
    assert log_file.parent.stat().st_mode & 0o777 == 0o700


def test_without_a_log_directory_once_still_says_one_line(isolated_home: Path) -> None:
    blocked = isolated_home / "state-is-a-file"
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_text("not a directory")
    body = json.dumps({"message": f"bad token {TOKEN}"}).encode()
    with hostile(send(response("401 Unauthorized", body))) as server:
        failed = once(server, XDG_STATE_HOME=str(blocked))
    assert_clean_failure(failed, 3)
    with hostile(send(json_response(SUMMARY))) as server:
        ok = once(server, XDG_STATE_HOME=str(blocked))
    assert ok.returncode == 0
    assert ok.stderr == ""


# --- the contract's "never exit 1" --------------------------------------------------------------


@pytest.mark.parametrize("target", ["javascript:alert(1)", "data:text/plain,hi", "http://[::1"])
def test_a_redirect_to_no_place_is_unreachable(target: str) -> None:
    reply = response("302 Found", b"", (f"Location: {target}",))
    with hostile(send(reply)) as server:
        assert_clean_failure(once(server), 4)


def test_a_nul_in_the_address_is_bad_usage() -> None:
    result = run_app(
        "--once", "--json", env={"NEO_API_URL": "http://127.0.0.1:9/%00", "NEO_API_TOKEN": TOKEN}
    )
    assert_clean_failure(result, 2)


def test_a_token_a_header_cannot_carry_is_refused_before_sending() -> None:
    with hostile(send(json_response(SUMMARY))) as server:
        result = run_app(
            "--once",
            "--json",
            env={"NEO_API_URL": server.url, "NEO_API_TOKEN": "tökén-ünicode-123456"},
        )
        assert not server.requests
    assert result.returncode == 3
    assert "characters" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_a_socks_proxy_without_support_is_explained() -> None:
    env = {
        "NEO_API_URL": "https://neo.example.invalid",  # never reached: the proxy is refused first
        "NEO_API_TOKEN": TOKEN,
        "HTTPS_PROXY": "socks5://127.0.0.1:9",
        "ALL_PROXY": "socks5://127.0.0.1:9",
    }
    result = run_app("--once", "--json", env=env)
    assert_clean_failure(result, 2)
    assert "SOCKS" in result.stderr


@pytest.mark.parametrize("host", ["evil.localhost", "localhost.evil.test"])
def test_only_literal_loopback_may_use_plain_http(host: str) -> None:
    result = run_app(
        "--once", "--json", env={"NEO_API_URL": f"http://{host}:9", "NEO_API_TOKEN": TOKEN}
    )
    assert_clean_failure(result, 2)


@pytest.mark.parametrize(
    "args",
    [("--from", "0001-01-01"), ("--to", "9999-12-31T23:59:59-14:00"), ("--from", "1969-12-31")],
)
def test_dates_out_of_range_are_bad_usage(args: tuple[str, str]) -> None:
    result = run_app(
        "--once", "--json", *args, env={"NEO_API_URL": "http://127.0.0.1:9", "NEO_API_TOKEN": TOKEN}
    )
    assert_clean_failure(result, 2)


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (b"HELLO WORLD\r\n\r\n", 5),  # not HTTP at all
        (b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n{}", 5),
        (b"HTTP/1.1 302 Found\r\nLocation: \r\nContent-Length: 0\r\n\r\n", 5),
        (b"", 4),  # closed without a word: an outage
    ],
)
def test_what_is_not_http_is_not_understood(answer: bytes, code: int) -> None:
    with hostile(send(answer)) as server:
        assert_clean_failure(once(server), code)
