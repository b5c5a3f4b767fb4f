"""A trust store named in the environment that is not a regular file (a FIFO, nobody writing)
would block OpenSSL's plain open() for ever, before any deadline: it is refused at once, with
one line and exit 2, like any other setting of the environment that no retry can fix."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from desktop.api.trust import TRUST_DIR_ENV, TRUST_FILE_ENV, trust_store_problem
from desktop.core.errors import EXIT_USAGE
from desktop.fakeapi import FakeNeoApi
from tests.helpers.processes import api_env, assert_one_clean_line, run_app

TOKEN = "trust-store-test-token-123456"
#: Without the check the command never ends; this only bounds how long that takes to show.
HANG_BOUND = 30.0


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def test_a_fifo_as_ssl_cert_file_is_refused_at_once(
    https_api: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ca = https_api
    monkeypatch.delenv(TRUST_DIR_ENV, raising=False)
    trust = fifo(tmp_path / "bundle.pem")
    env = {"NEO_API_URL": url, "NEO_API_TOKEN": TOKEN, TRUST_FILE_ENV: str(trust)}
    result = run_app("--once", "--json", env=env, timeout=HANG_BOUND)
    assert result.returncode == EXIT_USAGE, result.stderr
    assert_one_clean_line(result.stderr.replace(TOKEN, ""))
    assert TRUST_FILE_ENV in result.stderr
    assert str(trust) in result.stderr
    assert result.stdout == ""


def test_a_fifo_among_the_ssl_cert_dir_certificates_is_refused_at_once(
    https_api: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OpenSSL opens `<subject hash>.0` in the folder when it looks for the server's CA."""
    url, ca = https_api
    monkeypatch.delenv(TRUST_FILE_ENV, raising=False)
    subject_hash = subprocess.run(
        ["openssl", "x509", "-subject_hash", "-noout", "-in", str(ca)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    folder = tmp_path / "certs"
    folder.mkdir()
    fifo(folder / f"{subject_hash}.0")
    env = {"NEO_API_URL": url, "NEO_API_TOKEN": TOKEN, TRUST_DIR_ENV: str(folder)}
    result = run_app("--once", "--json", env=env, timeout=HANG_BOUND)
    assert result.returncode == EXIT_USAGE, result.stderr
    assert TRUST_DIR_ENV in result.stderr
    assert_one_clean_line(result.stderr)


def test_no_trust_store_is_read_for_a_loopback_http_address(
    fake_api: FakeNeoApi, tmp_path: Path
) -> None:
    """Nothing to verify, nothing refused: the fake API on 127.0.0.1 speaks plain HTTP."""
    env = {**api_env(fake_api), TRUST_FILE_ENV: str(fifo(tmp_path / "bundle.pem"))}
    result = run_app("--once", "--json", env=env, timeout=HANG_BOUND)
    assert result.returncode == 0, result.stderr


def test_the_check_follows_links_and_leaves_missing_paths_to_openssl(tmp_path: Path) -> None:
    regular = tmp_path / "bundle.pem"
    regular.write_text("-----BEGIN CERTIFICATE-----\n")
    pipe = fifo(tmp_path / "pipe")
    link = tmp_path / "link.pem"
    link.symlink_to(pipe)
    folder = tmp_path / "certs"
    folder.mkdir()
    (folder / "0123abcd.0").symlink_to(regular)
    (folder / "README").symlink_to(pipe)  # not a name OpenSSL opens
    assert trust_store_problem({TRUST_FILE_ENV: str(regular)}) is None
    assert trust_store_problem({TRUST_FILE_ENV: str(tmp_path / "missing")}) is None
    assert trust_store_problem({TRUST_DIR_ENV: f"{folder}{os.pathsep}{tmp_path / 'no'}"}) is None
    problem = trust_store_problem({TRUST_FILE_ENV: str(link)})
    assert problem is not None
    assert problem.exit_code == EXIT_USAGE
    assert str(link) in problem.user_message
    (folder / "0123abcd.1").symlink_to(pipe)
    assert trust_store_problem({TRUST_DIR_ENV: str(folder)}) is not None
