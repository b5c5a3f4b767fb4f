"""The one end-to-end test of the real store: gnome-keyring's Secret Service on a session bus.

Every other test uses an in-memory keyring; this one proves the token really round-trips through
the OS keyring and that `--once` finds it there with no NEO_API_TOKEN.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from desktop.fakeapi import FakeNeoApi
from tests.helpers.processes import run_app

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


def once_json(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`--once --json` in `env` (the keyring fixture's, which has no keyring backend chosen)."""
    return run_app("--once", "--json", *args, env=env, drop=("PYTHON_KEYRING_BACKEND",))


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


ACME_ID = "e5f6a7b8"
REMOVE_ACME = f"""
import time
import keyring
from PySide6.QtWidgets import QApplication
from desktop.system import settings_store
from desktop.ui.fetch_worker import ClientConfig
from desktop.ui.prober import Prober
from desktop.ui.settings_controller import SettingsController

app = QApplication([])
settings = settings_store.load().settings
poller = Prober()
controller = SettingsController(settings, poller, lambda _a, _t: ClientConfig("https://x.test"))
dialog = controller.open()
assert dialog.remove_account({ACME_ID!r})


def acme_entry():
    try:
        return keyring.get_password("neo-usage-tray", "api-token-{ACME_ID}")
    except Exception:  # read while the delete runs: the item vanished mid-lookup
        return "changing"


deadline = time.monotonic() + 30
while acme_entry() and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.05)
print(keyring.get_password("neo-usage-tray", "api-token-{ACME_ID}"))
print(keyring.get_password("neo-usage-tray", "api-token"))
"""


def test_each_account_has_its_entry_and_removing_it_deletes_only_that(
    keyring_env: dict[str, str],
) -> None:
    """Two accounts in the real Secret Service: `--all-accounts` reads both entries; removing
    one in the settings deletes its entry and leaves the other's."""
    acme_token = "acme-store-token-1234567"
    with FakeNeoApi(token=TOKEN) as personal, FakeNeoApi(token=acme_token) as acme:
        saved = python(
            keyring_env,
            "from desktop.core.accounts import Account\n"
            "from desktop.core.settings import Settings\n"
            "from desktop.system import secrets, settings_store\n"
            f"secrets.save_token({TOKEN!r})\n"
            f"secrets.save_token({acme_token!r}, {ACME_ID!r})\n"
            "settings_store.save(Settings(accounts=(\n"
            f"    Account(id='default', name='Personal', base_url={personal.url!r}),\n"
            f"    Account(id={ACME_ID!r}, name='Acme', base_url={acme.url!r}))))\n",
        )
        assert saved.returncode == 0, saved.stderr
        both = once_json(keyring_env, "--all-accounts")
        assert both.returncode == 0, both.stderr
        assert personal.requests[-1]["authorization"] == f"Bearer {TOKEN}"
        assert acme.requests[-1]["authorization"] == f"Bearer {acme_token}"
    removed = python({**keyring_env, "QT_QPA_PLATFORM": "offscreen"}, REMOVE_ACME)
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.splitlines() == ["None", TOKEN]
