"""Shared fixtures: an isolated home for every test, an in-memory keyring, the fake Neo API."""

from __future__ import annotations

import gc
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import keyring
import pytest
import shiboken6
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QWidget

from desktop.core import i18n
from desktop.core.environment import URL_ENV
from desktop.core.rules.messages import Notification
from desktop.core.settings import Settings
from desktop.fakeapi import FakeNeoApi
from desktop.system.settings_store import LoadedSettings
from desktop.ui.notifier import Notifier
from tests.helpers.constants import REPO_ROOT, shared_example

__all__ = ["REPO_ROOT", "shared_example"]  # still imported from here by some test files

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from desktop.app import TrayApp

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class MemoryKeyring(KeyringBackend):
    """A keyring that forgets everything when the test ends."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            raise PasswordDeleteError("not stored")
        del self.store[(service, username)]


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Config, state, cache and logs in a temp dir; no token or URL from the developer's shell."""
    home = tmp_path / "home"
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    monkeypatch.delenv("NEO_API_TOKEN", raising=False)
    monkeypatch.delenv("NEO_API_URL", raising=False)
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(proxy, raising=False)
    # English whatever the developer's locale (child processes too); language tests choose theirs.
    monkeypatch.setenv("LANGUAGE", "en")
    i18n.use(i18n.Language())
    return home


def _top_level_widgets() -> dict[int, QWidget]:
    """The application's top-level widgets by C++ address (wrappers are not stable keys)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return {}
    return {shiboken6.getCppPointer(widget)[0]: widget for widget in app.topLevelWidgets()}


def _delete_deferred() -> None:
    """Run the pending deleteLater()s: outside an event loop Qt would keep them (and their
    widgets) until the end of the run, each one receiving every later test's events."""
    if QApplication.instance() is not None:
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(autouse=True)
def no_leaked_widgets() -> Iterator[None]:
    """Fail the test that leaves a top-level widget alive, and delete what it left.

    Autouse fixtures are set up first, so this one is torn down last: after the test's own
    fixtures (a `tray_app`'s shutdown) and after pytest-qt has closed the widgets registered
    with `qtbot.addWidget` (its teardown hook closes them before fixtures are finalised).
    Closed is not gone: a widget stays a top-level widget until it is deleted, and every one left
    slows each later test that sends events to all widgets (a language change, a palette)."""
    before = set(_top_level_widgets())
    yield
    _delete_deferred()
    leaked = {key: w for key, w in _top_level_widgets().items() if key not in before}
    if leaked:  # a widget whose only owner is a reference cycle goes with the next collection
        gc.collect()
        _delete_deferred()
        leaked = {key: w for key, w in _top_level_widgets().items() if key not in before}
    if not leaked:
        return
    names = sorted(
        f"{type(w).__name__}({w.objectName() or w.windowTitle()!r})" for w in leaked.values()
    )
    for widget in leaked.values():
        widget.close()
        widget.deleteLater()
    _delete_deferred()
    pytest.fail(f"{len(names)} top-level widget(s) left alive: {', '.join(names)}", pytrace=False)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def fake_api() -> Iterator[FakeNeoApi]:
    with FakeNeoApi(token="test-token-123456") as api:
        yield api


@pytest.fixture
def keyring_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A private session bus with an unlocked gnome-keyring: the real Secret Service store."""
    missing = [tool for tool in ("dbus-launch", "gnome-keyring-daemon") if not shutil.which(tool)]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"missing on CI: {missing}")
        pytest.skip(f"needs {missing}")
    env = {k: v for k, v in os.environ.items() if k not in {"NEO_API_TOKEN", "NEO_API_URL"}}
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env.update(
        {
            "HOME": str(tmp_path),
            "XDG_RUNTIME_DIR": str(runtime),
            "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_STATE_HOME": str(tmp_path / "state"),
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
        }
    )
    env.pop("PYTHON_KEYRING_BACKEND", None)
    out = subprocess.run(
        ["dbus-launch", "--sh-syntax"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    address = re.search(r"DBUS_SESSION_BUS_ADDRESS='([^']+)'", out)
    pid = re.search(r"DBUS_SESSION_BUS_PID=(\d+)", out)
    assert address
    assert pid
    env["DBUS_SESSION_BUS_ADDRESS"] = address.group(1)
    subprocess.run(
        ["gnome-keyring-daemon", "--unlock", "--components=secrets"],
        input="test-pw",
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    yield env
    os.kill(int(pid.group(1)), signal.SIGTERM)
    subprocess.run(
        ["pkill", "-u", str(os.getuid()), "-f", f"gnome-keyring-daemon.*{tmp_path}"],
        check=False,
        capture_output=True,
    )


class RecordingBackend:
    """A notification daemon that keeps what it was sent (the D-Bus backend's stand-in)."""

    name = "recording"

    def __init__(self, on_action: Callable[[int, str], None]) -> None:
        self.on_action = on_action
        self.sent: list[tuple[Notification, int]] = []

    def send(self, note: Notification, replaces_id: int, icon_path: str) -> int:
        self.sent.append((note, replaces_id))
        return 100 + len(self.sent)

    def close(self) -> None:
        pass


@pytest.fixture
def recording_backends() -> list[RecordingBackend]:
    return []


@pytest.fixture
def make_notifier(recording_backends: list[RecordingBackend]) -> Callable[[], Notifier]:
    def make() -> Notifier:
        def backend(on_action: Callable[[int, str], None]) -> RecordingBackend:
            made = RecordingBackend(on_action)
            recording_backends.append(made)
            return made

        return Notifier(lambda: None, lambda _note: "", "test.app", backend_factory=backend)

    return make


@pytest.fixture
def tray_app(
    qtbot: QtBot,
    fake_api: FakeNeoApi,
    memory_keyring: MemoryKeyring,
    make_notifier: Callable[[], Notifier],
) -> Iterator[TrayApp]:
    """The whole tray, built the way the launcher builds it: the token in the (in-memory)
    keyring, the fake API over loopback, notifications recorded instead of shown."""
    from desktop.app import TrayApp

    memory_keyring.set_password("neo-usage-tray", "api-token", fake_api.token)
    app = TrayApp(
        LoadedSettings(Settings()),
        environ={URL_ENV: fake_api.url},
        notifier=make_notifier(),
    )
    yield app
    app.shutdown()
