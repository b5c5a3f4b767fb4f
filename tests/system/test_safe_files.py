"""Files are checked before they are trusted (`system/safe_files.py`): folders the user's alone,
regular files of bounded size, no link followed by a write, leftovers of interrupted writes
removed. The command-line and other-user cases are in tests/test_files_safety.py."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from desktop.core.models import parse_summary
from desktop.core.rules.catalogue import Rule, Urgency
from desktop.core.rules.memory import NotifyMemory
from desktop.core.rules.messages import Notification
from desktop.core.settings import Settings
from desktop.core.snapshot import Snapshot
from desktop.fakeapi import FakeNeoApi
from desktop.once import from_cache
from desktop.system import (
    autostart,
    cache,
    notify_store,
    paths,
    safe_files,
    secrets,
    settings_store,
)
from desktop.ui.fetch_worker import utc_now
from desktop.ui.notification_icon import notification_icon, write_icon
from desktop.ui.notifier import Notifier
from tests.conftest import MemoryKeyring, shared_example

if TYPE_CHECKING:
    from desktop.app import TrayApp

VICTIM_TEXT = "export PATH=$HOME/bin:$PATH  # the victim's own file\n"
OTHER_UID = 54321  # no such user is needed: root can give a folder to any uid


def victim(tmp_path: Path) -> Path:
    path = tmp_path / "victim" / ".bashrc"
    path.parent.mkdir()
    path.write_text(VICTIM_TEXT)
    return path


def image() -> QImage:
    picture = QImage(8, 8, QImage.Format.Format_ARGB32)
    picture.fill(QColor("red"))
    return picture


def snapshot(fetched_at: datetime) -> Snapshot:
    return Snapshot(parse_summary(shared_example("example-realistic.json")), fetched_at)


# --- writes never follow a link ---------------------------------------------------------------
def test_the_notification_icon_replaces_a_planted_link_and_leaves_its_target(
    qtbot: QtBot, tmp_path: Path
) -> None:
    target = victim(tmp_path)
    icon = paths.cache_dir() / "notification-icon.png"
    paths.private_dir(icon.parent)
    icon.symlink_to(target)
    assert write_icon(icon, image()) == str(icon)
    assert target.read_text() == VICTIM_TEXT  # the victim's file is untouched
    assert not icon.is_symlink()
    assert icon.read_bytes().startswith(b"\x89PNG")
    assert icon.stat().st_mode & 0o777 == 0o600


def test_the_trays_notification_icon_goes_through_the_same_check(
    tray_app: TrayApp, tmp_path: Path
) -> None:
    target = victim(tmp_path)
    icon = paths.cache_dir() / "notification-icon.png"
    paths.private_dir(icon.parent)
    icon.symlink_to(target)
    note = Notification(Rule.LOW, "Low", "body", Urgency.NORMAL)
    assert notification_icon(note, tray_app.sessions, utc_now) == str(icon)
    assert target.read_text() == VICTIM_TEXT


@pytest.mark.parametrize("what", ["settings", "cache", "notifications", "token"])
def test_no_write_follows_a_planted_link(what: str, tmp_path: Path) -> None:
    target = victim(tmp_path)
    writes: dict[str, tuple[Path, Callable[[], object]]] = {
        "settings": (settings_store.default_path(), lambda: settings_store.save(Settings())),
        "cache": (
            cache.default_path(),
            lambda: cache.save(snapshot(datetime.now(UTC)), "https://x.test", cache.default_path()),
        ),
        "notifications": (
            notify_store.default_path(),
            lambda: notify_store.save(NotifyMemory(), notify_store.default_path()),
        ),
        "token": (secrets.token_file(), lambda: secrets.save_token_to_file("file-token-0123")),
    }
    path, write = writes[what]
    paths.private_dir(path.parent)
    path.symlink_to(target)
    write()
    assert target.read_text() == VICTIM_TEXT
    assert not path.is_symlink()
    assert path.stat().st_mode & 0o777 == 0o600


def test_the_autostart_entry_follows_no_planted_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    target = victim(tmp_path)
    entry = autostart.linux_path()
    entry.parent.mkdir(parents=True)
    # Where the old temp file was written, and where a new one could be guessed.
    for name in (entry.name + ".tmp", f".{entry.name}.planted.tmp"):
        (entry.parent / name).symlink_to(target)
    autostart.enable(["/usr/bin/neo-tray"])
    assert target.read_text() == VICTIM_TEXT
    assert "Exec=/usr/bin/neo-tray" in entry.read_text()
    assert entry.stat().st_mode & 0o777 == 0o600


def test_the_autostart_folder_is_refused_when_others_can_write_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    folder = autostart.linux_path().parent
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    with pytest.raises(safe_files.RefusedFolder, match="Other users can write"):
        autostart.enable(["/usr/bin/neo-tray"])
    assert not autostart.linux_path().exists()
    assert folder.stat().st_mode & 0o777 == 0o777  # another app's folder: its mode is its own


def test_leftovers_of_interrupted_writes_are_removed_on_the_next_write() -> None:
    path = settings_store.default_path()
    paths.private_dir(path.parent)
    leftovers = [path.parent / f".settings.json.{tag}.tmp" for tag in ("k3j2_x9a", "0")]
    for leftover in leftovers:
        leftover.write_text("{half a")
    other = path.parent / ".window-state.ini.abc.tmp"  # another file's: not ours to remove
    other.write_text("x")
    settings_store.save(Settings())
    assert [leftover.exists() for leftover in leftovers] == [False, False]
    assert other.exists()
    assert json.loads(path.read_text())["poll_interval_minutes"] == Settings().poll_interval_minutes
    cache_leftover = cache.default_path().parent / ".last-snapshot.json.zz.tmp"
    paths.private_dir(cache_leftover.parent)
    cache_leftover.symlink_to("/etc/passwd")  # unlinking a link never touches its target
    cache.save(snapshot(datetime.now(UTC)), "https://x.test", cache.default_path())
    assert not cache_leftover.is_symlink()
    assert Path("/etc/passwd").exists()


# --- reads: regular files of bounded size, no link but the settings' to an own file -----------
def test_reads_refuse_links_fifos_and_oversized_files(tmp_path: Path) -> None:
    folder = tmp_path / "app"
    folder.mkdir(mode=0o700)
    real = tmp_path / "elsewhere.json"
    real.write_text("{}")
    (folder / "link").symlink_to(real)
    os.mkfifo(folder / "fifo")
    with (folder / "big").open("wb") as handle:
        handle.truncate(2 << 20)
    (folder / "ok").write_bytes(b"x" * 100)
    with pytest.raises(safe_files.RefusedFile, match="is a link"):
        safe_files.read_file(folder / "link", 1000)
    assert safe_files.read_file(folder / "link", 1000, follow_to_own_file=True) == b"{}"
    with pytest.raises(safe_files.RefusedFile, match="not a regular file"):
        safe_files.read_file(folder / "fifo", 1000)  # returns at once: no writer is awaited
    with pytest.raises(safe_files.RefusedFile, match="larger than"):
        safe_files.read_file(folder / "big", 1 << 20)
    with pytest.raises(safe_files.RefusedFile, match="not a regular file"):
        safe_files.read_file(folder, 1000, follow_to_own_file=True)  # a folder
    assert safe_files.read_file(folder / "ok", 100) == b"x" * 100
    with pytest.raises(safe_files.RefusedFile, match="larger than"):
        safe_files.read_file(folder / "ok", 99)
    with pytest.raises(FileNotFoundError):
        safe_files.read_file(folder / "missing", 100)


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_settings_follow_a_link_only_to_the_users_own_file(tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles" / "settings.json"
    dotfiles.parent.mkdir()
    dotfiles.write_text(json.dumps({"poll_interval_minutes": 15}))
    path = settings_store.default_path()
    paths.private_dir(path.parent)
    path.symlink_to(dotfiles)
    assert settings_store.load().settings.poll_interval_minutes == 15  # a dotfile manager's link
    os.chown(dotfiles, OTHER_UID, -1)
    loaded = settings_store.load()
    assert loaded.unreadable
    assert "belongs to another user" in (loaded.problem or "")
    assert loaded.settings.poll_interval_minutes == Settings().poll_interval_minutes


def test_a_settings_fifo_is_damaged_for_the_tray_and_set_aside() -> None:
    path = settings_store.default_path()
    paths.private_dir(path.parent)
    os.mkfifo(path)
    loaded = settings_store.load()  # returns at once
    assert loaded.unreadable
    assert loaded.damaged_path == path
    assert "not a regular file" in (loaded.problem or "")
    assert paths.stored_language() == ""
    backup = settings_store.repair(loaded)
    assert backup is not None
    assert path.is_file()  # defaults written in its place; the FIFO kept aside
    assert (path.parent / backup).is_fifo()


def test_an_oversized_settings_file_is_not_read() -> None:
    path = settings_store.default_path()
    paths.private_dir(path.parent)
    text = json.dumps({"language": "de", "padding": " " * paths.SETTINGS_LIMIT})
    path.write_text(text)
    loaded = settings_store.load()
    assert loaded.unreadable
    assert "larger than 1 MiB" in (loaded.problem or "")
    assert paths.stored_language() == ""
    path.write_text(json.dumps({"language": "de"}))
    assert paths.stored_language() == "de"


@pytest.mark.parametrize("kind", ["link", "fifo", "huge"])
def test_the_cache_token_and_memory_are_ignored_unless_regular_small_files(
    kind: str, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    planted = tmp_path / "planted"
    fetched = datetime.now(UTC) - timedelta(minutes=1)
    cache.save(snapshot(fetched), "https://x.test", planted)
    secrets.save_token_to_file("file-token-0123456")
    for path in (cache.default_path(), secrets.token_file(), notify_store.default_path()):
        paths.private_dir(path.parent)
        path.unlink(missing_ok=True)
        if kind == "link":
            path.symlink_to(planted)
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            with path.open("wb") as handle:
                handle.truncate(cache.CACHE_LIMIT + 1)
    assert cache.load("https://x.test", cache.default_path()) is None
    assert secrets.load_token({}).source == "none"
    assert notify_store.load(notify_store.default_path()) == NotifyMemory()


# --- folders: the user's alone ----------------------------------------------------------------
@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another user needs root")
def test_a_folder_of_another_user_is_refused_with_one_sentence_naming_it() -> None:
    folder = paths.cache_dir()
    folder.mkdir(parents=True)
    cache.save(snapshot(datetime.now(UTC)), "https://x.test", cache.default_path())
    os.chown(folder, OTHER_UID, -1)
    sentence = safe_files.folder_problem(folder)
    assert sentence == f"The folder {folder} belongs to another user, so the app does not use it."
    assert safe_files.refused_folders(paths.app_folders()) == [sentence]
    assert cache.load("https://x.test", cache.default_path()) is None  # planted: not used
    with pytest.raises(safe_files.RefusedFolder):
        paths.private_dir(folder)
    cache.save(snapshot(datetime.now(UTC)), "https://y.test", cache.default_path())  # logged
    assert "https://y.test" not in cache.default_path().read_text()
    assert write_icon(folder / "notification-icon.png", image()) == ""


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a link to another user needs root")
def test_a_folder_linked_by_another_user_is_refused(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o700)
    link = paths.state_dir()
    link.parent.mkdir(parents=True)
    link.symlink_to(mine)
    assert safe_files.folder_problem(link) is None  # the user's own link: a dotfile manager's
    os.lchown(link, OTHER_UID, -1)
    assert "belongs to another user" in (safe_files.folder_problem(link) or "")


@pytest.mark.parametrize("mode", [0o770, 0o702, 0o1777])
def test_a_folder_others_can_write_is_refused(mode: int) -> None:
    folder = paths.data_dir()
    folder.mkdir(parents=True)
    secrets.save_token_to_file("file-token-0123456")
    folder.chmod(mode)
    sentence = f"Other users can write to the folder {folder}, so the app does not use it."
    assert safe_files.refused_folders(paths.app_folders()) == [sentence]
    assert secrets.load_token({}).token is None  # the planted-looking file is not used
    with pytest.raises(safe_files.RefusedFolder, match="Other users can write"):
        secrets.save_token_to_file("file-token-0123456")
    assert folder.stat().st_mode & 0o7777 == mode  # refused, not silently taken over


def test_a_refused_settings_folder_sends_nothing_and_writes_nothing() -> None:
    folder = paths.config_dir()
    folder.mkdir(parents=True)
    path = settings_store.default_path()
    path.write_text(json.dumps({"poll_interval_minutes": 15}))
    folder.chmod(0o777)
    loaded = settings_store.load()
    assert loaded.problem == safe_files.folder_problem(folder)
    assert loaded.address_lost
    assert loaded.settings.poll_interval_minutes == Settings().poll_interval_minutes
    with pytest.raises(safe_files.RefusedFolder):
        settings_store.save(Settings())
    assert json.loads(path.read_text()) == {"poll_interval_minutes": 15}


def test_the_tray_says_once_which_folder_it_refused(
    qtbot: QtBot,
    fake_api: FakeNeoApi,
    memory_keyring: MemoryKeyring,
    make_notifier: Callable[[], Notifier],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from desktop.app import TrayApp
    from desktop.core.environment import URL_ENV

    folder = paths.state_dir()
    folder.mkdir(parents=True)
    folder.chmod(0o775)
    memory_keyring.set_password("neo-usage-tray", "api-token", fake_api.token)
    loaded = settings_store.load()
    app = TrayApp(loaded, environ={URL_ENV: fake_api.url}, notifier=make_notifier())
    try:
        with caplog.at_level(logging.WARNING, logger="desktop"):
            app.start()
        sentence = f"Other users can write to the folder {folder}, so the app does not use it."
        assert [r.getMessage() for r in caplog.records].count(sentence) == 1
        # Once in the menu too (a tray host that appears late never showed the balloon).
        shown = "".join(action.text() for action in app.tray.notice_actions)
        assert shown.replace(" ", "") == sentence.replace("&", "&&").replace(" ", "")
        assert all(not action.isEnabled() for action in app.tray.notice_actions)
        assert app.tray.menu.actions()[: len(app.tray.notice_actions)] == app.tray.notice_actions
        qtbot.waitUntil(lambda: app.sessions[0].state.view.snapshot is not None, timeout=15_000)
    finally:
        app.shutdown()


# --- the cache's times ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fetched_ahead", "retry_ahead", "used"),
    [
        (timedelta(days=365), None, False),
        (timedelta(days=365), timedelta(minutes=10), False),
        (-timedelta(hours=1), timedelta(days=365), False),
        (timedelta(minutes=3), None, False),
        (-timedelta(hours=1), timedelta(minutes=33), False),
        (timedelta(minutes=1), None, True),  # a tray's clock a little ahead: still believed
        (-timedelta(hours=1), timedelta(minutes=31), True),  # the longest backoff, stale
        (-timedelta(minutes=1), None, True),
    ],
)
def test_a_cache_from_the_future_is_ignored(
    fetched_ahead: timedelta, retry_ahead: timedelta | None, used: bool
) -> None:
    now = datetime.now(UTC)
    path = cache.default_path()
    retry_at = now + retry_ahead if retry_ahead else None
    cache.save(snapshot(now + fetched_ahead), "https://x.test", path, retry_at=retry_at)
    entry = cache.load_entry("https://x.test", path, now)
    assert (entry is not None) is used
    assert (cache.load("https://x.test", path, now) is not None) is used
    if entry is not None:
        assert from_cache(entry, now) is not None
    # `--once --cached` checks an entry it is handed, too.
    forged = cache.CacheEntry(snapshot(now + fetched_ahead), None, None, retry_at)
    assert (from_cache(forged, now) is not None) is used


@pytest.mark.parametrize(
    ("interval", "kept"),
    [(86_399, 1800.0), (1800, 1800.0), (300, 300.0), (True, None), (0, None), (-5, None)],
)
def test_a_cached_poll_interval_cannot_make_old_figures_fresh(
    interval: object, kept: float | None
) -> None:
    """The report: `interval_seconds` of a day made a day-old cache `stale: false`."""
    now = datetime.now(UTC)
    path = cache.default_path()
    cache.save(snapshot(now - timedelta(hours=20)), "https://x.test", path)
    data = json.loads(path.read_text())
    data["interval_seconds"] = interval
    path.write_text(json.dumps(data))
    entry = cache.load_entry("https://x.test", path, now)
    assert entry is not None
    assert entry.interval_seconds == kept
    assert from_cache(entry, now) is None  # twenty hours old: fetched, whatever it says
