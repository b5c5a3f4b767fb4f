"""A keyring read never prompts where nobody can answer: the Secret Service is probed over D-Bus
first (is there a default keyring, is it locked?), and a keyring that is not set up or locked is
skipped for the environment and the token file; with no token that is a no-token answer.

The unit tests stand the probe in; the `desktop` ones run the real gnome-keyring on a private
session bus, D-Bus-activated as on an i3 or sway desktop, and read every Secret Service call off
the bus: a prompt would show there as CreateCollection, Unlock or Prompt.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.errors import KeyringUnavailable, NoToken
from desktop.fakeapi import FakeNeoApi
from desktop.system import secrets
from desktop.system.secrets import KeyringState
from tests.conftest import MemoryKeyring
from tests.helpers.processes import run_app

TOKEN = "probe-token-1234567"
PASSWORD = "test-pw"
#: Secret Service calls that raise a prompt (or come from one).
PROMPTING = ("CreateCollection", "Unlock", "Prompt")


# --- the order and the sentences, with the probe stood in -------------------------------------
@pytest.mark.parametrize("state", [KeyringState.LOCKED, KeyringState.NOT_SET_UP])
def test_an_unready_keyring_is_not_read_in_once(
    state: KeyringState, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory_keyring.set_password(secrets.KEYRING_SERVICE, secrets.keyring_entry(), TOKEN)
    monkeypatch.setattr(secrets, "keyring_state", lambda: state)
    lookup = secrets.load_token({}, may_prompt=False)
    assert lookup.token is None
    assert lookup.keyring_problem == state.problem()
    with pytest.raises(KeyringUnavailable) as raised:
        lookup.required("default")
    assert raised.value.exit_code == 3
    assert raised.value.short_message == state.short()
    assert "token in a file" in raised.value.user_message


def test_the_file_answers_when_the_keyring_is_locked(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(secrets, "keyring_state", lambda: KeyringState.LOCKED)
    secrets.save_token_to_file("file-token-1234567")
    lookup = secrets.load_token({}, may_prompt=False)
    assert (lookup.token, lookup.source) == ("file-token-1234567", "file")


def test_the_environment_comes_first_without_a_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    def probe() -> KeyringState:
        raise AssertionError("the keyring was probed")

    monkeypatch.setattr(secrets, "keyring_state", probe)
    lookup = secrets.load_token({"NEO_API_TOKEN": "env-token-1234567"}, may_prompt=False)
    assert (lookup.token, lookup.source) == ("env-token-1234567", "environment")


def test_the_tray_may_ask_to_unlock_once_and_never_to_create(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory_keyring.set_password(secrets.KEYRING_SERVICE, secrets.keyring_entry(), TOKEN)
    monkeypatch.setattr(secrets, "unlock_prompts", secrets.UnlockPrompts())
    monkeypatch.setattr(secrets, "keyring_state", lambda: KeyringState.NOT_SET_UP)
    assert secrets.load_token({}).token is None  # "choose a password for a new keyring": never
    monkeypatch.setattr(secrets, "keyring_state", lambda: KeyringState.LOCKED)
    assert secrets.load_token({}).token == TOKEN  # the one read that may ask to unlock
    second = secrets.load_token({})
    assert second.token is None
    assert second.keyring_problem == KeyringState.LOCKED.problem()


def test_a_secret_service_that_does_not_answer_counts_as_locked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fails(timeout: float = 0) -> KeyringState:
        raise TimeoutError("no reply")

    monkeypatch.setattr(secrets, "_uses_secret_service", lambda: True)
    monkeypatch.setattr(secrets, "secret_service_state", fails)
    assert secrets.keyring_state() is KeyringState.LOCKED
    assert not secrets.keyring_works()


def test_another_backend_is_read_as_before(memory_keyring: MemoryKeyring) -> None:
    assert secrets.keyring_state() is KeyringState.OTHER
    assert secrets.keyring_works()
    with pytest.raises(NoToken):
        secrets.load_token({}, may_prompt=False).required("default")


# --- the real gnome-keyring ---------------------------------------------------------------------
class SessionBus:
    """A private session bus whose gnome-keyring D-Bus starts on demand, with a monitor of
    every Secret Service call."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log

    def calls(self) -> list[str]:
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return re.findall(r"method call .*? member=(\w+)", text)

    def run_python(self, code: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", code],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def default_alias(self) -> str:
        probe = self.run_python(
            "from jeepney import DBusAddress, new_method_call\n"
            "from jeepney.io.blocking import open_dbus_connection\n"
            "from jeepney.wrappers import unwrap_msg\n"
            "s = DBusAddress('/org/freedesktop/secrets', 'org.freedesktop.secrets',"
            " 'org.freedesktop.Secret.Service')\n"
            "with open_dbus_connection(bus='SESSION') as c:\n"
            "    print(unwrap_msg(c.send_and_get_reply("
            "new_method_call(s, 'ReadAlias', 's', ('default',)), timeout=10))[0])\n"
        )
        assert probe.returncode == 0, probe.stderr
        return probe.stdout.strip()


def _secrets_daemon_pid(env: dict[str, str]) -> int | None:
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "from jeepney import DBusAddress, new_method_call\n"
            "from jeepney.io.blocking import open_dbus_connection\n"
            "from jeepney.wrappers import unwrap_msg\n"
            "bus = DBusAddress('/org/freedesktop/DBus', 'org.freedesktop.DBus',"
            " 'org.freedesktop.DBus')\n"
            "with open_dbus_connection(bus='SESSION') as c:\n"
            "    m = new_method_call(bus, 'GetConnectionUnixProcessID', 's',"
            " ('org.freedesktop.secrets',))\n"
            "    print(unwrap_msg(c.send_and_get_reply(m, timeout=5))[0])\n",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return int(found.stdout) if found.returncode == 0 and found.stdout.strip() else None


@pytest.fixture
def session_bus(tmp_path: Path) -> Iterator[SessionBus]:
    missing = [
        tool
        for tool in ("dbus-launch", "dbus-monitor", "gnome-keyring-daemon")
        if not shutil.which(tool)
    ]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"missing on CI: {missing}")
        pytest.skip(f"needs {missing}")
    home = tmp_path / "fresh-home"
    runtime = home / "run"
    runtime.mkdir(parents=True, mode=0o700)
    env = {k: v for k, v in os.environ.items() if k not in {"NEO_API_TOKEN", "NEO_API_URL"}}
    env.pop("PYTHON_KEYRING_BACKEND", None)
    env.pop("DISPLAY", None)  # a prompt, if one were raised, fails at once instead of waiting
    env.update(
        {
            "HOME": str(home),
            "XDG_RUNTIME_DIR": str(runtime),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_STATE_HOME": str(home / "state"),
            "XDG_CACHE_HOME": str(home / "cache"),
        }
    )
    out = subprocess.run(
        ["dbus-launch", "--sh-syntax"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    address = re.search(r"DBUS_SESSION_BUS_ADDRESS='([^']+)'", out)
    bus_pid = re.search(r"DBUS_SESSION_BUS_PID=(\d+)", out)
    assert address
    assert bus_pid
    env["DBUS_SESSION_BUS_ADDRESS"] = address.group(1)
    log = tmp_path / "secrets-bus.log"
    with log.open("w") as sink:
        monitor = subprocess.Popen(
            [
                "dbus-monitor",
                "interface='org.freedesktop.Secret.Service'",
                "interface='org.freedesktop.Secret.Prompt'",
                "interface='org.freedesktop.Secret.Collection'",
            ],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 10
    while "NameAcquired" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield SessionBus(env, log)
    finally:
        daemon = _secrets_daemon_pid(env)
        monitor.terminate()
        monitor.wait(10)
        for pid in (daemon, int(bus_pid.group(1))):
            if pid:
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass


def write_token_file(env: dict[str, str], token: str) -> None:
    folder = Path(env["XDG_DATA_HOME"]) / "neo-usage-tray"
    folder.mkdir(parents=True, mode=0o700)
    path = folder / "token"
    path.write_text(token + "\n")
    path.chmod(0o600)


def once(bus: SessionBus, api: FakeNeoApi, *args: str) -> subprocess.CompletedProcess[str]:
    # A generous limit: the point is that it returns, and that nothing on the bus prompted.
    return run_app(
        "--once",
        *args,
        env={**bus.env, "NEO_API_URL": api.url},
        drop=("PYTHON_KEYRING_BACKEND", "DISPLAY"),  # as the bus's environment has them
        timeout=30,
    )


def lock_a_keyring_holding(bus: SessionBus, token: str) -> None:
    """Set up a default keyring with a password (unlocked), store `token`, then lock it."""
    started = subprocess.run(
        ["gnome-keyring-daemon", "--unlock", "--components=secrets"],
        input=PASSWORD,
        env=bus.env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert started.returncode == 0, started.stderr
    locked = bus.run_python(
        "from desktop.system import secrets\n"
        f"secrets.save_token({token!r})\n"
        "from jeepney import DBusAddress, new_method_call\n"
        "from jeepney.io.blocking import open_dbus_connection\n"
        "from jeepney.wrappers import unwrap_msg\n"
        "s = DBusAddress('/org/freedesktop/secrets', 'org.freedesktop.secrets',"
        " 'org.freedesktop.Secret.Service')\n"
        "with open_dbus_connection(bus='SESSION') as c:\n"
        "    path = unwrap_msg(c.send_and_get_reply("
        "new_method_call(s, 'ReadAlias', 's', ('default',)), timeout=10))[0]\n"
        "    unwrap_msg(c.send_and_get_reply("
        "new_method_call(s, 'Lock', 'ao', ([path],)), timeout=10))\n"
        "print(secrets.keyring_state().value)\n"
    )
    assert locked.returncode == 0, locked.stderr
    assert locked.stdout.strip() == "locked"


@pytest.mark.desktop
def test_a_keyring_not_set_up_raises_no_prompt(session_bus: SessionBus) -> None:
    """gnome-keyring installed, no keyring yet: every format answers from the token file (or as
    no token), and the Secret Service sees only the probe, never a new keyring's prompt."""
    write_token_file(session_bus.env, TOKEN)
    with FakeNeoApi(token=TOKEN) as api:
        bar = once(session_bus, api, "--format", "waybar")
        assert bar.returncode == 0, bar.stderr
        assert json.loads(bar.stdout)["class"] != "error"
        assert api.requests[-1]["authorization"] == f"Bearer {TOKEN}"
        Path(session_bus.env["XDG_DATA_HOME"], "neo-usage-tray", "token").unlink()
        answers = {
            fmt: once(session_bus, api, "--format", fmt)
            for fmt in ("json", "text", "waybar", "i3blocks")
        }
    assert [answers[f].returncode for f in ("json", "text", "waybar", "i3blocks")] == [3, 3, 0, 33]
    assert "not set up" in answers["json"].stderr
    assert "token in a file" in answers["text"].stderr
    waybar = json.loads(answers["waybar"].stdout)
    assert waybar["class"] == "error"
    assert "not set up" in waybar["tooltip"]
    assert "keyring" in answers["i3blocks"].stdout
    calls = session_bus.calls()
    assert "ReadAlias" in calls
    assert not [call for call in calls if call in PROMPTING], calls
    assert session_bus.default_alias() == "/"  # still no keyring: nothing created one


@pytest.mark.desktop
def test_a_locked_keyring_is_not_read_and_raises_no_prompt(session_bus: SessionBus) -> None:
    lock_a_keyring_holding(session_bus, "keyring-token-7654321")
    write_token_file(session_bus.env, TOKEN)
    with FakeNeoApi(token=TOKEN) as api:
        bar = once(session_bus, api, "--format", "waybar")
        assert bar.returncode == 0, bar.stderr
        assert json.loads(bar.stdout)["class"] != "error"
        assert api.requests[-1]["authorization"] == f"Bearer {TOKEN}"  # the file's, not asked
        Path(session_bus.env["XDG_DATA_HOME"], "neo-usage-tray", "token").unlink()
        blocks = once(session_bus, api, "--format", "i3blocks")
        text = once(session_bus, api, "--format", "text")
    assert blocks.returncode == 33
    assert text.returncode == 3
    assert "locked" in text.stderr
    assert "Unlock it" in text.stderr
    assert not [call for call in session_bus.calls() if call in PROMPTING], session_bus.calls()
