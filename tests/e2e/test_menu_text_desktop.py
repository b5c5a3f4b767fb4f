"""Menu text on a real StatusNotifierItem host: Qt exports the tray menu as dbusmenu, where `_`
marks the access key and Qt turns only the first `&` into it. Account names with `&` and `_`
must read as typed in the labels the host receives (`core/sinks.menu_label`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from desktop.fakeapi import FakeNeoApi
from tests.e2e.conftest import StartTray
from tests.e2e.desktop_session import DesktopSession, wait_until
from tests.e2e.test_tray_desktop import new_item, write_accounts

pytestmark = pytest.mark.desktop
NAMES = ("R&D", "ops_team", "Tom & Jerry_2")


def host_shows(label: str) -> str:
    """A dbusmenu label as hosts show it (GTK's use_underline, GNOME's and KDE's importers):
    `__` is a literal `_`, `_x` marks the access key x, `&` is an ordinary character."""
    return re.sub(r"_(.)", r"\1", label)


def test_account_names_read_as_typed_in_the_exported_menu(
    sni_desktop: DesktopSession, start_tray: StartTray, tmp_path: Path
) -> None:
    with FakeNeoApi(token="labels-token-0123456789") as api:
        write_accounts(tmp_path, *((f"a1b2c3d{i}", name, api) for i, name in enumerate(NAMES)))
        before = set(sni_desktop.registered_items())
        tray = start_tray(
            sni_desktop, extra_env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
        )
        service = new_item(sni_desktop, before)

        def labels() -> list[str]:
            return sni_desktop.item_menu_labels(service)

        assert wait_until(lambda: "Open _details for R&D…" in labels(), 30), (
            f"{labels()}; log: {tray.output()}"
        )
        wire = labels()
    shown = [host_shows(label) for label in wire]
    for name in NAMES:
        assert name in shown, shown
        assert f"Open details for {name}…" in shown, shown
    assert not any("&&" in label for label in wire), wire  # escaped once, never twice
    assert "Open _details for ops__team…" in wire  # the access key stays on "details"
    for wanted in ("_Refresh all", "_Settings…", "_Quit"):
        assert wanted in wire
