"""The opt-in token file for desktops without a keyring: where it is, who can read it, the order
of lookup, the move to a keyring that appears later, and sign out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends.fail import Keyring as FailKeyring

from desktop.core.settings import Settings
from desktop.system import secrets, settings_store
from tests.conftest import MemoryKeyring

FILE_TOKEN = "file-token-0123456789"


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    yield
    keyring.set_keyring(previous)


def test_the_file_is_owner_only_in_the_data_folder(isolated_home: Path, no_keyring: None) -> None:
    path = secrets.save_token_to_file(f"  {FILE_TOKEN}  ")
    assert path == isolated_home / "xdg_data_home" / "neo-usage-tray" / "token"
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert path.read_text().strip() == FILE_TOKEN


def test_without_a_keyring_the_file_is_read(no_keyring: None) -> None:
    secrets.save_token_to_file(FILE_TOKEN)
    lookup = secrets.load_token({})
    assert (lookup.token, lookup.source) == (FILE_TOKEN, "file")
    assert lookup.keyring_problem is not None
    assert not secrets.keyring_works()


def test_the_order_is_environment_keyring_file(memory_keyring: MemoryKeyring) -> None:
    secrets.save_token_to_file(FILE_TOKEN)
    assert secrets.load_token({}).source == "file"  # the keyring is empty
    secrets.save_token("keyring-token-0123456")
    assert secrets.load_token({}).token == "keyring-token-0123456"
    assert secrets.load_token({"NEO_API_TOKEN": "env-token-0123456"}).source == "environment"


def test_a_keyring_that_appears_later_takes_the_token(memory_keyring: MemoryKeyring) -> None:
    assert secrets.keyring_works()
    secrets.save_token_to_file(FILE_TOKEN)
    assert secrets.move_file_token_to_keyring()
    assert memory_keyring.get_password("neo-usage-tray", "api-token") == FILE_TOKEN
    assert not secrets.token_file().exists()
    assert not secrets.move_file_token_to_keyring()  # nothing left to move


def test_sign_out_removes_it_wherever_it_is(memory_keyring: MemoryKeyring) -> None:
    secrets.save_token("keyring-token-0123456")
    secrets.save_token_to_file(FILE_TOKEN)
    secrets.delete_token()
    assert secrets.load_token({}).token is None
    assert not secrets.token_file().exists()


def test_sign_out_without_a_keyring_removes_the_file(no_keyring: None) -> None:
    secrets.save_token_to_file(FILE_TOKEN)
    secrets.delete_token()  # the keyring cannot be reached; the file was the token's home
    assert not secrets.token_file().exists()


def test_the_token_never_lands_in_settings_or_logs(
    isolated_home: Path, no_keyring: None, caplog: pytest.LogCaptureFixture
) -> None:
    secrets.save_token_to_file(FILE_TOKEN)
    settings_store.save(Settings())
    secrets.load_token({})
    written = [
        path for path in isolated_home.rglob("*") if path.is_file() and path != secrets.token_file()
    ]
    for path in written:
        assert FILE_TOKEN not in path.read_text(errors="replace"), path
    assert FILE_TOKEN not in caplog.text
    assert "token" not in json.loads(settings_store.default_path().read_text())
