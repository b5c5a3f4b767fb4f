"""A file group or others can write is not read, whatever it is and however it is reached (issues
28 to 30, hardening, X8 item 1): before, only a followed link's target was checked, so a 0666
settings file in the user's own folder was read and its `hook_command` run as the user."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from desktop.core.history import DayUsage
from desktop.core.models import parse_summary
from desktop.core.rules.memory import NotifyMemory
from desktop.core.settings import Settings
from desktop.core.snapshot import Snapshot
from desktop.fakeapi import FakeNeoApi
from desktop.system import (
    cache,
    history_cache,
    notify_store,
    paths,
    safe_files,
    secrets,
    settings_store,
)
from tests.conftest import MemoryKeyring, shared_example
from tests.helpers.constants import TOKEN
from tests.helpers.processes import NO_KEYRING, assert_one_clean_line, run_app

PROMPTLY = 30  # seconds: a hang, not a slow machine, is what this catches
OTHERS_CAN_WRITE = [0o666, 0o620, 0o602, 0o660]
HOOK_SETTINGS = {"poll_interval_minutes": 15, "hook_command": ["/bin/sh", "-c", "touch /tmp/x"]}


def own_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "app"
    folder.mkdir(mode=0o700)
    return folder


@pytest.mark.parametrize("mode", OTHERS_CAN_WRITE)
def test_a_file_others_can_write_is_refused_with_the_links_sentence(
    mode: int, tmp_path: Path
) -> None:
    path = own_folder(tmp_path) / "file.json"
    path.write_text("{}")
    path.chmod(mode)
    with pytest.raises(safe_files.RefusedFile) as refused:
        safe_files.read_file(path, 1000)
    assert str(refused.value) == f"Other users can write to {path}, so the app does not read it."
    with pytest.raises(safe_files.RefusedFile, match="Other users can write"):
        safe_files.read_file(path, 1000, follow_to_own_file=True)
    path.chmod(0o644)  # others may read it: nothing they can change
    assert safe_files.read_file(path, 1000) == b"{}"


def test_a_hard_link_to_a_file_others_can_write_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "shared.json"  # somewhere others can write it
    shared.write_text(json.dumps(HOOK_SETTINGS))
    shared.chmod(0o666)
    path = own_folder(tmp_path) / "settings.json"
    os.link(shared, path)
    with pytest.raises(safe_files.RefusedFile, match="Other users can write to"):
        safe_files.read_file(path, 1000, follow_to_own_file=True)


@pytest.mark.parametrize("mode", [0o666, 0o620])
def test_settings_others_can_write_are_not_read_and_left_as_they_are(mode: int) -> None:
    path = settings_store.default_path()
    paths.private_dir(path.parent)
    path.write_text(json.dumps(HOOK_SETTINGS))
    path.chmod(mode)
    loaded = settings_store.load()
    assert loaded.settings.hook_command == Settings().hook_command  # the hook is not taken
    assert loaded.settings.poll_interval_minutes == Settings().poll_interval_minutes
    assert loaded.unreadable
    assert loaded.damaged_path is None  # not damaged: nothing is set aside or rewritten
    assert loaded.problem == (
        f"The settings file cannot be used: Other users can write to {path}, "
        "so the app does not read it."
    )
    assert settings_store.repair(loaded) is None
    assert json.loads(path.read_text()) == HOOK_SETTINGS
    assert paths.stored_language() == ""
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]


def test_once_refuses_settings_others_can_write_with_exit_2(fake_api: FakeNeoApi) -> None:
    path = settings_store.default_path()
    account = {"id": "default", "name": "Default", "base_url": fake_api.url}
    settings_store.write_json_atomically(path, {"accounts": [account]})
    secrets.save_token_to_file(TOKEN)
    path.chmod(0o666)
    result = run_app("--once", "--json", env=NO_KEYRING, timeout=PROMPTLY)
    assert result.returncode == 2, result.stderr
    assert_one_clean_line(result.stderr)
    assert f"Other users can write to {path}" in result.stderr
    assert fake_api.request_count == 0
    path.chmod(0o600)  # the control: the same file, the user's alone, is used
    result = run_app("--once", "--json", env=NO_KEYRING, timeout=PROMPTLY)
    assert result.returncode == 0, result.stderr


def test_the_cache_token_memory_and_history_others_can_write_are_ignored(
    memory_keyring: MemoryKeyring,
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    summary = parse_summary(shared_example("example-realistic.json"))
    cache.save(
        Snapshot(summary, now - timedelta(minutes=1)), "https://x.test", cache.default_path()
    )
    secrets.save_token_to_file("file-token-0123456")
    memory = NotifyMemory(snoozed_until="2026-12-01T00:00:00Z")
    notify_store.save(memory, notify_store.default_path())
    entry = history_cache.HistoryEntry(
        now - timedelta(hours=1), (DayUsage(date(2026, 11, 2), 5.0, 1),)
    )
    history_cache.save(entry, "https://x.test", "aaaaaaaaaaaa", history_cache.default_path())

    def loaded() -> tuple[object, ...]:
        return (
            cache.load("https://x.test", cache.default_path()) is not None,
            secrets.load_token({}).source,
            notify_store.load(notify_store.default_path()),
            history_cache.load("https://x.test", "aaaaaaaaaaaa", history_cache.default_path(), now),
        )

    assert loaded() == (True, "file", memory, entry)  # the control: the app's own 0600 files
    files = [
        cache.default_path(),
        secrets.token_file(),
        notify_store.default_path(),
        history_cache.default_path(),
    ]
    for path in files:
        assert path.stat().st_mode & 0o777 == 0o600  # what the app writes stays readable
        path.chmod(0o666)
    assert loaded() == (False, "none", NotifyMemory(), None)
