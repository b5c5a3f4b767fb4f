"""The demo cannot touch the user's account: every file it keeps (settings, cache, state, log,
token, notification memory, start at login) is in a private per-run sandbox removed when it
quits, its token store is its memory, and it reads only the user's language. Sign out asks
first; Test says which token and address it used; `--demo --once --cached` reads the running
demo's sandbox or is refused."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from desktop import demo
from desktop.app import TrayApp
from desktop.core.accounts import DEMO_ID
from desktop.core.rules.memory import NotifyMemory
from desktop.core.settings import Settings
from desktop.system import autostart, notify_store, paths, safe_files, secrets, settings_store
from desktop.ui.notifier import Notifier
from tests.conftest import MemoryKeyring
from tests.helpers.processes import run_app, start_app

USER_TOKEN = "users-own-token-1234567"


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder` with its size and modification time (what a write changes)."""
    if not folder.exists():
        return {}
    return {
        str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    return folder


@dataclass
class UsersOwn:
    """The user's real files and keyring entry, made before the demo starts."""

    home: Path
    settings: bytes
    token_file: Path

    def unchanged(self) -> bool:
        return (
            paths.user_settings_file().read_bytes() == self.settings
            and self.token_file.read_text().strip() == USER_TOKEN
        )


@pytest.fixture
def users_own(isolated_home: Path, memory_keyring: MemoryKeyring) -> UsersOwn:
    settings_store.save(Settings(language="de", start_at_login=False))
    path = secrets.save_token_to_file(USER_TOKEN)
    memory_keyring.set_password(secrets.KEYRING_SERVICE, secrets.keyring_entry(), USER_TOKEN)
    return UsersOwn(isolated_home, paths.settings_file().read_bytes(), path)


@pytest.fixture
def sandbox(runtime: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The demo's sandbox entered as the launcher enters it; left again after the test."""
    monkeypatch.setattr(paths._Switch, "sandbox", None)
    monkeypatch.setattr(secrets, "sandbox_store", secrets.MemoryTokenStore())
    root = demo.create_sandbox()
    demo.enter_sandbox(root)
    yield root
    demo.remove_sandbox(root)


@pytest.fixture
def demo_app(
    qtbot: QtBot,
    users_own: UsersOwn,
    sandbox: Path,
    make_notifier: Callable[[], Notifier],
) -> Iterator[TrayApp]:
    api = demo.start_demo_api("ok", {})
    app = TrayApp(settings_store.load(), demo_api=api, notifier=make_notifier())
    app.start()
    yield app
    app.shutdown()


@dataclass
class Answers:
    """The questions the app asked (QMessageBox) and the answer it gets: Yes or Cancel."""

    yes: bool = False
    asked: list[str] = field(default_factory=list)


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    given = Answers()

    def exec_(box: QMessageBox) -> int:
        given.asked.append(box.text())
        button = QMessageBox.StandardButton.Yes if given.yes else QMessageBox.StandardButton.Cancel
        return int(button.value)

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return given


# --- the one switch ----------------------------------------------------------------------------
def test_every_folder_of_the_app_is_in_the_sandbox(users_own: UsersOwn, sandbox: Path) -> None:
    info = os.stat(sandbox)
    assert stat.S_IMODE(info.st_mode) == 0o700
    assert safe_files.folder_problem(sandbox) is None
    assert sandbox.parent == Path(os.environ["XDG_RUNTIME_DIR"]) / "neo-usage-tray"
    for folder in paths.app_folders():
        assert sandbox in folder.parents
    assert sandbox in secrets.token_file().parents
    assert sandbox in notify_store.default_path(DEMO_ID).parents
    assert users_own.home in paths.user_settings_file().parents


def test_without_a_runtime_folder_the_sandbox_is_a_private_temporary_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    root = demo.create_sandbox()
    try:
        assert root.parent == tmp_path
        assert root.name.startswith(demo.TEMP_PREFIX)
        assert stat.S_IMODE(os.stat(root).st_mode) == 0o700
    finally:
        demo.remove_sandbox(root)
    assert not root.exists()
    assert paths.runtime_dir() == paths.user_state_dir()  # the lock's fixed place


def test_the_demo_reads_the_users_language_and_writes_none_of_their_files(
    users_own: UsersOwn, sandbox: Path
) -> None:
    demo_settings = settings_store.load().settings
    assert demo_settings.language == "de"
    assert [account.id for account in demo_settings.accounts] == [DEMO_ID]
    settings_store.save(demo_settings.model_copy(update={"language": "fr", "tray_account": ""}))
    assert users_own.unchanged()


def test_the_token_store_is_the_demos_memory(
    users_own: UsersOwn, sandbox: Path, memory_keyring: MemoryKeyring
) -> None:
    os.environ["NEO_API_TOKEN"] = "env-token-1234567"
    try:
        assert secrets.load_token().token is None  # neither the environment nor the keyring
    finally:
        del os.environ["NEO_API_TOKEN"]
    secrets.save_token("demo-typed-token-1234")
    assert secrets.load_token().token == "demo-typed-token-1234"
    secrets.delete_token()
    assert secrets.load_token().token is None
    stored = memory_keyring.get_password(secrets.KEYRING_SERVICE, secrets.keyring_entry())
    assert stored == USER_TOKEN
    assert users_own.unchanged()


def test_start_at_login_in_the_demo_is_a_file_in_its_sandbox(
    users_own: UsersOwn, sandbox: Path
) -> None:
    real_entry = autostart.linux_path()
    autostart.enable(["neo-tray"])
    pretend = autostart.sandbox_path()
    assert pretend is not None
    assert sandbox in pretend.parents
    assert pretend.exists()
    assert not real_entry.exists()
    autostart.disable()
    assert not pretend.exists()


def test_no_notification_memory_reaches_the_next_run(
    runtime: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paths._Switch, "sandbox", None)
    first = demo.create_sandbox()
    demo.enter_sandbox(first)
    path = notify_store.default_path(DEMO_ID)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"sent": "topped up"}')  # what this run's notifications remember
    demo.remove_sandbox(first)
    second = demo.create_sandbox()
    demo.enter_sandbox(second)
    try:
        assert not first.exists()
        assert second != first
        assert not notify_store.default_path(DEMO_ID).exists()
        assert notify_store.load(notify_store.default_path(DEMO_ID)) == NotifyMemory()
    finally:
        demo.remove_sandbox(second)


def test_a_killed_runs_sandbox_is_removed_by_the_next(
    runtime: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paths._Switch, "sandbox", None)
    left = demo.create_sandbox()
    (left / "state").mkdir()
    now = demo.create_sandbox()
    demo.record_sandbox(now)
    try:
        assert not left.exists()
        assert now.exists()
    finally:
        demo.remove_sandbox(now)


# --- the demo's settings -------------------------------------------------------------------------
def test_sign_out_in_the_demo_asks_and_removes_only_the_demos_token(
    qtbot: QtBot, demo_app: TrayApp, users_own: UsersOwn, answers: Answers
) -> None:
    controller = demo_app.settings_controller
    dialog = controller.open()
    entry = secrets.keyring_entry(DEMO_ID)
    assert secrets.sandbox_store.get(entry) == demo_app.demo_api.token  # type: ignore[union-attr]
    qtbot.waitUntil(dialog.sign_out_button.isEnabled, timeout=10_000)  # a token is stored
    qtbot.mouseClick(dialog.sign_out_button, Qt.MouseButton.LeftButton)
    assert answers.asked == ["Sign out of Demo?"]
    qtbot.wait(200)
    assert secrets.sandbox_store.get(entry) is not None  # Cancel: nothing removed
    answers.yes = True
    with qtbot.waitSignal(controller.token_changed, timeout=10_000):
        qtbot.mouseClick(dialog.sign_out_button, Qt.MouseButton.LeftButton)
    assert secrets.sandbox_store.get(entry) is None
    assert users_own.unchanged()


def test_test_in_the_demo_uses_the_typed_token_and_says_so(qtbot: QtBot, demo_app: TrayApp) -> None:
    controller = demo_app.settings_controller
    dialog = controller.open()
    dialog.token_edit.setText("bogus-token-9876543")
    with qtbot.waitSignal(demo_app._prober.probe_finished, timeout=15_000):
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    text = dialog.token_status.text()
    assert "It works" not in text
    assert demo_app.demo_api is not None
    assert demo_app.demo_api.url in text
    assert "typed above" in text
    dialog.token_edit.clear()
    with qtbot.waitSignal(demo_app._prober.probe_finished, timeout=15_000):
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert "It works" in dialog.token_status.text()
    assert "demo's stored token" in dialog.token_status.text()


def test_the_demos_settings_say_it_is_the_demo_and_keep_to_its_sandbox(
    demo_app: TrayApp, users_own: UsersOwn, sandbox: Path
) -> None:
    controller = demo_app.settings_controller
    dialog = controller.open()
    note = dialog.findChild(QLabel, "demoNote")
    assert note is not None
    assert "demo" in note.text()
    changed = controller.settings.model_copy(update={"language": "es", "start_at_login": True})
    controller.apply(changed)
    assert users_own.unchanged()
    assert not autostart.linux_path().exists()
    assert json.loads(paths.settings_file().read_text())["language"] == "es"
    assert sandbox in paths.settings_file().parents


# --- the real process ----------------------------------------------------------------------------
def run(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The app in `env` (which has no session bus)."""
    return run_app(*args, env=env, drop=("DBUS_SESSION_BUS_ADDRESS",), timeout=timeout)


def test_a_demo_run_leaves_the_users_files_as_they_were(tmp_path: Path) -> None:
    home = tmp_path / "process-home"
    runtime = home / "run"
    runtime.mkdir(parents=True, mode=0o700)
    env = {k: v for k, v in os.environ.items() if k not in {"NEO_API_TOKEN", "NEO_API_URL"}}
    env.update(
        {
            "HOME": str(home),
            "XDG_RUNTIME_DIR": str(runtime),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_STATE_HOME": str(home / "state"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "QT_QPA_PLATFORM": "offscreen",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        }
    )
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    seeded = subprocess.run(
        [
            sys.executable,
            "-c",
            "from desktop.core.settings import Settings\n"
            "from desktop.system import secrets, settings_store\n"
            "settings_store.save(Settings(language='fr'))\n"
            f"secrets.save_token_to_file({USER_TOKEN!r})\n",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert seeded.returncode == 0, seeded.stderr
    users_folders = [home / name for name in ("config", "data", "state", "cache")]
    refused = run(env, "--demo", "--once", "--cached", "--json")
    assert refused.returncode == 2
    # In the user's language (French, seeded above): --demo reads that setting, nothing else.
    assert "Aucune démo n'est en cours" in refused.stderr
    before = {str(f): tree(f) for f in users_folders}  # the refusal above logged in the user's

    stderr = tmp_path / "demo-stderr.txt"
    with stderr.open("w") as sink:
        tray = start_app("--demo", env=env, drop=("DBUS_SESSION_BUS_ADDRESS",), stderr=sink)
    record = runtime / "neo-usage-tray" / demo.RECORD_NAME
    try:
        deadline = time.monotonic() + 60
        cached: subprocess.CompletedProcess[str] | None = None
        while time.monotonic() < deadline:
            if record.exists():
                cached = run(env, "--demo", "--once", "--cached", "--json")
                if cached.returncode == 0 and json.loads(cached.stdout)["source"] == "cache":
                    break
            assert tray.poll() is None, stderr.read_text()
            time.sleep(0.2)
        assert cached is not None
        assert cached.returncode == 0, cached.stderr
        assert json.loads(cached.stdout)["source"] == "cache"  # the running demo's figures
        root = Path(json.loads(record.read_text())["path"])
        assert root.parent == runtime / "neo-usage-tray"
        assert stat.S_IMODE(os.stat(root).st_mode) == 0o700
        assert (root / "log" / "neo-tray.log").exists()
        assert json.loads((root / "config" / "settings.json").read_text())["language"] == "fr"
    finally:
        tray.send_signal(signal.SIGTERM)
        tray.wait(30)
    assert tray.returncode == 0
    assert not root.exists()  # removed at exit
    # Not one write in the user's folders, not even an empty log file.
    assert {str(f): tree(f) for f in users_folders} == before
    after = run(env, "--demo", "--once", "--cached", "--format", "waybar")
    assert after.returncode == 2
