"""`--once` and the settings it reads: a lost API address stays lost, NEO_API_URL is refused
when it would be cut, and `--account` finds a name by its key. Run as real processes."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from desktop.core.accounts import Account
from desktop.core.settings import Settings
from desktop.fakeapi import FakeNeoApi
from desktop.system import secrets, settings_store
from tests.helpers.processes import NO_KEYRING, api_env, assert_one_clean_line, run_app


@pytest.fixture
def nowhere() -> dict[str, str]:
    """Proxies on a closed loopback port: a request meant for the public API (which these tests
    must never send) fails here as unreachable (exit 4) instead of leaving the machine."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proxy = f"http://127.0.0.1:{port}"
    return {
        **NO_KEYRING,
        "HTTPS_PROXY": proxy,
        "https_proxy": proxy,
        "ALL_PROXY": proxy,
        "NO_PROXY": "",
        "no_proxy": "",
    }


@pytest.mark.parametrize("tail", ["?team=1", "/?", "#usage", "/api?x=1#y"])
def test_an_api_url_with_a_query_or_fragment_is_refused(fake_api: FakeNeoApi, tail: str) -> None:
    env = {**api_env(fake_api), "NEO_API_URL": fake_api.url + tail}
    result = run_app("--once", "--json", env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert_one_clean_line(result.stderr)
    assert "query" in result.stderr
    assert fake_api.request_count == 0  # nothing sent, not even to the part before the "?"


def test_a_lost_address_stays_lost_after_the_repair(
    fake_api: FakeNeoApi, isolated_home: Path, nowhere: dict[str, str]
) -> None:
    """The report: the tray repaired a damaged file whose address could not be read, and the
    next `--once` sent the token to the public API."""
    path = settings_store.default_path()
    path.parent.mkdir(parents=True)
    path.write_text('{"accounts": [{"id": "default", "name": "Work", "base_url": 12')
    settings_store.repair(settings_store.load())  # what the tray does once it has told
    assert json.loads(path.read_text())["accounts"][0]["address_lost"] is True
    secrets.save_token_to_file(fake_api.token, "default")

    result = run_app("--once", "--json", env=nowhere)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert_one_clean_line(result.stderr)
    assert "NEO_API_URL" in result.stderr
    assert fake_api.token not in result.stderr

    with_url = run_app("--once", "--json", env={**nowhere, "NEO_API_URL": fake_api.url})
    assert with_url.returncode == 0, with_url.stderr  # the environment still wins
    assert fake_api.request_count >= 1


def test_all_accounts_says_which_address_is_lost_and_prints_the_others(
    fake_api: FakeNeoApi, isolated_home: Path, nowhere: dict[str, str]
) -> None:
    settings_store.save(
        Settings(
            accounts=(
                Account(id="default", name="Lost", address_lost=True),
                Account(id="e5f6a7b8", name="Acme", base_url=fake_api.url),
            )
        )
    )
    secrets.save_token_to_file(fake_api.token, "default")
    secrets.save_token_to_file(fake_api.token, "e5f6a7b8")
    result = run_app("--once", "--json", "--all-accounts", env=nowhere)
    assert result.returncode == 2
    lost, acme = json.loads(result.stdout)["accounts"]
    assert lost["error"]["exit_code"] == 2
    assert "Lost" in lost["error"]["message"]
    assert acme["derived"]["level"] == "ok"
    (line,) = result.stderr.splitlines()
    assert line.startswith("neo-tray: Lost: ")


def test_account_finds_a_name_by_its_key(fake_api: FakeNeoApi, isolated_home: Path) -> None:
    settings_store.save(
        Settings(
            accounts=(
                Account(id="default", name="Personal", address_lost=True),
                Account(id="e5f6a7b8", name="Ａｃｍｅ\u3164Corp", base_url=fake_api.url),
            )
        )
    )
    secrets.save_token_to_file(fake_api.token, "e5f6a7b8")
    result = run_app("--once", "--json", "--account", "acme corp", env=NO_KEYRING)
    assert result.returncode == 0, result.stderr
    assert fake_api.request_count >= 1


def test_the_environment_token_never_takes_another_accounts_address(
    fake_api: FakeNeoApi, isolated_home: Path, nowhere: dict[str, str]
) -> None:
    """The report: the first account could not be read (set aside), so NEO_API_TOKEN went to the
    second account's address, another customer's. Which account was first is not known then:
    the address is lost, and NEO_API_URL still wins."""
    path = settings_store.default_path()
    path.parent.mkdir(parents=True)
    accounts = [
        {"id": "Not An Id!", "name": "Work", "base_url": "https://work.example.test"},
        {"id": "b0c1d2e3", "name": "Other", "base_url": fake_api.url},
    ]
    path.write_text(json.dumps({"accounts": accounts}))
    env = {**nowhere, "NEO_API_TOKEN": fake_api.token}
    result = run_app("--once", "--json", env=env)
    assert result.returncode == 2, result.stderr
    assert_one_clean_line(result.stderr)
    assert fake_api.request_count == 0  # not sent to the other account's address
    with_url = run_app("--once", "--json", env={**env, "NEO_API_URL": fake_api.url})
    assert with_url.returncode == 0, with_url.stderr
