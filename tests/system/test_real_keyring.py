"""The one end-to-end test of the real store: gnome-keyring's Secret Service on a session bus.

Every other test uses an in-memory keyring; this one proves the token really round-trips through
the OS keyring and that `--once` finds it there with no NEO_API_TOKEN.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.fakeapi import FakeNeoApi

pytestmark = pytest.mark.desktop
TOKEN = "real-store-token-123456"


@pytest.fixture
def keyring_env(tmp_path: Path) -> Iterator[dict[str, str]]:
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


def python(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_token_round_trips_through_the_real_keyring(keyring_env: dict[str, str]) -> None:
    saved = python(
        keyring_env, f"from desktop.system import secrets; secrets.save_token({TOKEN!r})"
    )
    assert saved.returncode == 0, saved.stderr
    with FakeNeoApi(token=TOKEN) as api:
        env = {**keyring_env, "NEO_API_URL": api.url}
        once = subprocess.run(
            [sys.executable, "-m", "desktop", "--once", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert once.returncode == 0, once.stderr
        assert api.requests[-1]["authorization"] == f"Bearer {TOKEN}"
        signed_out = python(
            keyring_env, "from desktop.system import secrets; secrets.delete_token()"
        )
        assert signed_out.returncode == 0, signed_out.stderr
        after = subprocess.run(
            [sys.executable, "-m", "desktop", "--once", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert after.returncode == 3
        assert "No Neo API token" in after.stderr
