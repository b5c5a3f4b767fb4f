"""Files are checked before they are trusted, round three (`system/safe_files.py`): folders the
app creates are 0700 parents included, the folder holding an app folder is one no other user
can change, subfolders are checked from their app folder down, the settings link leads only to
the user's own file that others cannot change, a dangling settings link loses the address, the
window's geometry file is bounded, names with invisible characters are kept, and a refused
folder is said once. The cases that need another user are in tests/test_files_safety.py."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.core.settings import Settings
from desktop.fakeapi import FakeNeoApi
from desktop.system import paths, safe_files, settings_store
from desktop.ui.notifier import Notifier
from tests.conftest import MemoryKeyring

OTHER_UID = 54321  # no such user is needed: root can give a folder to any uid
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="giving files to another uid needs root")
ATTACKER = "https://attacker.example"


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o7777


# --- every folder the app creates is 0700, parents included -----------------------------------
@pytest.mark.parametrize("umask", [0o000, 0o002, 0o022])
def test_missing_parents_are_created_owner_only_whatever_the_umask(
    tmp_path: Path, umask: int
) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    previous = os.umask(umask)
    try:
        safe_files.private_folder(home / ".local" / "state" / "neo-usage-tray" / "log")
        safe_files.write_atomically(
            home / ".config" / "autostart" / "x.desktop", b"", own_folder=False
        )
    finally:
        os.umask(previous)
    made = [p for p in home.rglob("*") if p.is_dir()]
    assert len(made) == 6
    assert {p.relative_to(home).as_posix(): mode(p) for p in made} == {
        p.relative_to(home).as_posix(): 0o700 for p in made
    }
    assert mode(home) == 0o755  # a folder that was there keeps its mode (XDG base dir spec)
    # The app's own folders are never refused because of the app.
    assert safe_files.folder_problem(home / ".local" / "state" / "neo-usage-tray" / "log") is None


def test_the_app_folders_made_by_its_writes_are_never_refused_under_umask_002(
    tmp_path: Path,
) -> None:
    from desktop.core.rules.memory import NotifyMemory
    from desktop.system import logs, notify_store

    previous = os.umask(0o002)
    try:
        logs.configure(None)  # makes the state folder as the log folder's parent
        notify_store.save(NotifyMemory(), notify_store.default_path())
    finally:
        os.umask(previous)
        logs.configure(None, tmp_path / "elsewhere" / "test.log")
    assert mode(paths.state_dir()) == 0o700
    assert mode(paths.log_dir()) == 0o700
    assert mode(paths.state_dir().parent) == 0o700  # XDG_STATE_HOME, made by the app
    assert safe_files.refused_folders(paths.app_folders()) == []
    assert notify_store.default_path().exists()  # the memory was saved


# --- the folder holding an app folder ---------------------------------------------------------
@pytest.mark.parametrize(
    ("holder_mode", "refused"),
    [(0o777, True), (0o775, True), (0o757, True), (0o1777, False), (0o755, False), (0o700, False)],
)
def test_an_app_folder_in_a_folder_others_can_change_is_refused(
    holder_mode: int, refused: bool
) -> None:
    folder = paths.config_dir()
    folder.mkdir(parents=True, mode=0o700)
    settings_store.save(Settings(poll_interval_minutes=15))
    folder.parent.chmod(holder_mode)
    sentence = (
        f"{folder} is inside {folder.parent}, which another user can change, so the app does not "
        "use it."
    )
    assert safe_files.folder_problem(folder) == (sentence if refused else None)
    loaded = settings_store.load()
    assert loaded.address_lost is refused
    assert (loaded.settings.poll_interval_minutes == 15) is not refused
    if refused:
        assert loaded.problem == sentence
        assert sentence in safe_files.refused_folders(paths.app_folders())
        with pytest.raises(safe_files.RefusedFolder):
            settings_store.save(Settings())


@needs_root
def test_an_app_folder_renamed_away_by_the_owner_of_its_holder_leaves_the_address_lost() -> None:
    folder = paths.config_dir()
    folder.mkdir(parents=True, mode=0o700)
    settings_store.save(Settings())
    os.chown(folder.parent, OTHER_UID, -1)  # XDG_CONFIG_HOME inside another user's folder
    folder.rename(folder.with_name("moved-away"))  # what that user can do
    loaded = settings_store.load()
    assert loaded.address_lost  # not the defaults: nothing is sent to the public address
    assert f"inside {folder.parent}" in (loaded.problem or "")
    with pytest.raises(safe_files.RefusedFolder):
        settings_store.save(Settings())
    assert not folder.exists()  # nothing written in a folder another user controls


@needs_root
def test_a_holder_of_another_user_or_their_link_is_refused(tmp_path: Path) -> None:
    folder = paths.cache_dir()
    folder.mkdir(parents=True, mode=0o700)
    os.chown(folder.parent, OTHER_UID, -1)
    assert f"inside {folder.parent}" in (safe_files.folder_problem(folder) or "")
    os.chown(folder.parent, 0, -1)  # root's: fine
    assert safe_files.folder_problem(folder) is None


# --- subfolders: checked from the app folder down ---------------------------------------------
def test_no_subfolder_is_made_in_a_refused_app_folder() -> None:
    state = paths.state_dir()
    state.mkdir(parents=True, mode=0o700)
    state.chmod(0o777)
    log_dir = paths.log_dir()
    assert log_dir.parent == state
    with pytest.raises(safe_files.RefusedFolder, match=f"the folder {state},"):
        safe_files.private_folder(log_dir)
    assert not log_dir.exists()
    assert safe_files.folder_problem(log_dir) == safe_files.folder_problem(state)
    # Said once, for the state folder, not again for the log folder inside it.
    assert safe_files.refused_folders(paths.app_folders()) == [safe_files.folder_problem(state)]


@needs_root
def test_no_subfolder_is_made_through_another_users_link(tmp_path: Path) -> None:
    ssh = tmp_path / "victim" / ".ssh"
    ssh.mkdir(parents=True, mode=0o700)
    shared = tmp_path / "shared3" / "state"
    shared.mkdir(parents=True)
    for folder in (shared, shared.parent):
        folder.chmod(0o777)
        os.chown(folder, OTHER_UID, -1)
    link = shared / "neo-usage-tray"
    link.symlink_to(ssh)
    os.lchown(link, OTHER_UID, -1)
    with pytest.raises(safe_files.RefusedFolder):
        safe_files.private_folder(link / "log")
    with pytest.raises(safe_files.RefusedFolder):
        safe_files.open_private(link / "log" / "neo-tray.log", os.O_APPEND | os.O_WRONLY)
    assert list(ssh.iterdir()) == []


# --- the settings link: to the user's own file that no one else can change ---------------------
def dotfile_link(tmp_path: Path, folder_mode: int = 0o755, file_mode: int = 0o644) -> Path:
    """settings.json, a link to a dotfiles copy naming the attacker's address."""
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    target = dotfiles / "settings.json"
    account = {"id": "default", "name": "Default", "base_url": ATTACKER}
    target.write_text(json.dumps({"accounts": [account]}))
    target.chmod(file_mode)
    dotfiles.chmod(folder_mode)
    path = settings_store.default_path()
    paths.private_dir(path.parent)
    path.symlink_to(target)
    return target


@pytest.mark.parametrize(
    ("folder_mode", "file_mode", "why"),
    [
        (0o755, 0o666, "Other users can write to {target}"),
        (0o755, 0o664, "Other users can write to {target}"),
        (0o777, 0o644, "inside {folder}, which another user can change"),
        (0o775, 0o600, "inside {folder}, which another user can change"),
    ],
)
def test_the_settings_link_is_refused_when_others_can_change_its_target(
    tmp_path: Path, folder_mode: int, file_mode: int, why: str
) -> None:
    target = dotfile_link(tmp_path, folder_mode, file_mode)
    loaded = settings_store.load()
    assert loaded.unreadable
    assert loaded.address_lost
    assert all(account.base_url is None for account in loaded.settings.accounts)
    assert why.format(target=target, folder=target.parent) in (loaded.problem or "")


@pytest.mark.parametrize("folder_mode", [0o755, 0o700, 0o1777])
def test_the_settings_link_is_followed_to_the_users_own_safe_file(
    tmp_path: Path, folder_mode: int
) -> None:
    # A sticky folder (like /tmp) lets no one else rename or delete the user's file.
    dotfile_link(tmp_path, folder_mode, 0o644)
    loaded = settings_store.load()
    assert loaded.problem is None
    assert loaded.settings.accounts[0].base_url == ATTACKER  # the user's own choice, here


@needs_root
def test_a_settings_link_through_another_users_link_or_folder_is_refused(tmp_path: Path) -> None:
    target = dotfile_link(tmp_path)
    os.chown(target.parent, OTHER_UID, -1)
    assert f"inside {target.parent}" in (settings_store.load().problem or "")
    os.chown(target.parent, 0, -1)
    hop = tmp_path / "hop"  # settings.json -> hop (another user's link) -> the dotfile
    hop.symlink_to(target)
    os.lchown(hop, OTHER_UID, -1)
    path = settings_store.default_path()
    path.unlink()
    path.symlink_to(hop)
    loaded = settings_store.load()
    assert loaded.unreadable
    assert f"{hop} belongs to another user" in (loaded.problem or "")


def test_a_dangling_settings_link_loses_the_address_and_is_left_alone(tmp_path: Path) -> None:
    path = settings_store.default_path()
    paths.private_dir(path.parent)
    missing = tmp_path / ".dotfiles" / "neo.json"
    path.symlink_to(missing)
    loaded = settings_store.load()
    assert loaded.address_lost
    assert loaded.unreadable
    assert all(a.address_lost and a.base_url is None for a in loaded.settings.accounts)
    assert f"{path} is a link to {missing}, which does not exist" in (loaded.problem or "")
    assert settings_store.repair(loaded) is None  # the dotfiles may come back: left as it is
    assert path.is_symlink()
    assert os.readlink(path) == str(missing)


# --- window-state.ini: checked and bounded before QSettings reads it whole ---------------------
def test_an_oversized_window_state_file_is_started_afresh(
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = paths.config_dir() / "window-state.ini"
    paths.private_dir(path.parent)
    with path.open("wb") as handle:
        handle.truncate(50 << 30)  # 50 GB, sparse: costs no disk
    with caplog.at_level(logging.WARNING, logger="desktop"):
        assert settings_store.window_state_file() == path
    assert path.stat().st_size == 0
    assert "window starts at its default size" in caplog.text
    path.write_text("[window]\ngeometry=@ByteArray(x)\n")
    assert settings_store.window_state_file() == path
    assert path.read_text() == "[window]\ngeometry=@ByteArray(x)\n"  # a small one is kept


@pytest.mark.parametrize("kind", ["fifo", "link"])
def test_a_window_state_file_that_is_not_regular_is_refused(tmp_path: Path, kind: str) -> None:
    path = paths.config_dir() / "window-state.ini"
    paths.private_dir(path.parent)
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(tmp_path / "elsewhere.ini")
    with pytest.raises(OSError, match=r"not a regular file|symbolic links|No such device"):
        settings_store.window_state_file()
    assert not (tmp_path / "elsewhere.ini").exists()


# --- account names with invisible characters are kept, cleaned ---------------------------------
def test_names_with_invisible_characters_are_kept_cleaned_and_renamed_when_taken() -> None:
    path = settings_store.default_path()
    paths.private_dir(path.parent)
    stored = [
        {"id": "default", "name": "Work"},
        {"id": "b2", "name": "Wo\u200brk"},
        {"id": "c3", "name": "Per\u00adsonal"},
        {"id": "d4", "name": "\u200b\u00ad"},  # nothing visible once cleaned: set aside
    ]
    path.write_text(json.dumps({"accounts": stored}))
    loaded = settings_store.load()
    assert [(a.id, a.name) for a in loaded.settings.accounts] == [
        ("default", "Work"),
        ("b2", "Work (2)"),
        ("c3", "Personal"),
    ]
    assert list(loaded.settings.accounts_set_aside) == [stored[3]]


# --- a refused folder is said once ------------------------------------------------------------
def test_the_tray_says_a_refused_config_folder_once(
    qtbot: QtBot,
    fake_api: FakeNeoApi,
    memory_keyring: MemoryKeyring,
    make_notifier: Callable[[], Notifier],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from desktop.app import TrayApp
    from desktop.core.environment import URL_ENV

    folder = paths.config_dir()
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    memory_keyring.set_password("neo-usage-tray", "api-token", fake_api.token)
    with caplog.at_level(logging.WARNING, logger="desktop"):
        app = TrayApp(
            settings_store.load(), environ={URL_ENV: fake_api.url}, notifier=make_notifier()
        )
        try:
            app.start()
        finally:
            app.shutdown()
    sentence = f"Other users can write to the folder {folder}, so the app does not use it."
    assert [r.getMessage() for r in caplog.records].count(sentence) == 1


def test_a_folder_the_app_is_handed_keeps_its_mode(tmp_path: Path) -> None:
    """The report: a log file named `/dev/null` made /dev 0700 (then no other user could open
    /dev/null). Only the app's own folders are made owner-only; one it is handed keeps its mode."""
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    safe_files.private_folder(shared)
    assert mode(shared) == 0o755
    own = tmp_path / "neo-usage-tray"
    own.mkdir(mode=0o755)
    own.chmod(0o755)
    safe_files.private_folder(own)
    assert mode(own) == 0o700
