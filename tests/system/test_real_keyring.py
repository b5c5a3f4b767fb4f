"""The one end-to-end test of the real store: gnome-keyring's Secret Service on a session bus.

Every other test uses an in-memory keyring; this one proves the token really round-trips through
the OS keyring and that `--once` finds it there with no NEO_API_TOKEN.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from desktop.fakeapi import FakeNeoApi

pytestmark = pytest.mark.desktop
TOKEN = "real-store-token-123456"


def python(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def once_json(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", "--once", "--json"],
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
        once = once_json(env)
        assert once.returncode == 0, once.stderr
        assert api.requests[-1]["authorization"] == f"Bearer {TOKEN}"
        signed_out = python(
            keyring_env, "from desktop.system import secrets; secrets.delete_token()"
        )
        assert signed_out.returncode == 0, signed_out.stderr
        after = once_json(env)
        assert after.returncode == 3
        assert "No Neo API token" in after.stderr
