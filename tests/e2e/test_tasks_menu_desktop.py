"""Today's tasks in the tray menu on a real StatusNotifierItem host: the line the host receives
over dbusmenu, within the menu's 60 characters, one in each account's block."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from desktop.fakeapi import FakeNeoApi
from tests.e2e.conftest import StartTray
from tests.e2e.desktop_session import DesktopSession, wait_until
from tests.e2e.test_tray_desktop import new_item, write_accounts

pytestmark = pytest.mark.desktop
TODAY = re.compile(
    r"Today: ([\d,.]+ credits? · [\d,]+ tasks? · top: .+ \([\d,.—]+\)"
    r"|[\d,.]+ credits? · [\d,]+ tasks?|no tasks yet)"
)


def test_the_demo_menu_says_todays_tasks(
    sni_desktop: DesktopSession, start_tray: StartTray
) -> None:
    before = set(sni_desktop.registered_items())
    start_tray(sni_desktop, "--demo")
    service = new_item(sni_desktop, before)

    def labels() -> list[str]:
        return sni_desktop.item_menu_labels(service)

    assert wait_until(lambda: any(label.startswith("Today: ") for label in labels()), 30), labels()
    shown = labels()
    (today,) = [label for label in shown if label.startswith("Today")]
    assert TODAY.fullmatch(today), today
    assert len(today) <= 60
    # After the usage and before the freshness line.
    assert shown.index(today) > next(i for i, x in enumerate(shown) if x.startswith("Used "))


def test_each_account_has_its_own_line(
    sni_desktop: DesktopSession, start_tray: StartTray, tmp_path: Path
) -> None:
    with (
        FakeNeoApi(token="personal-token-0123456") as personal,
        FakeNeoApi(token="acme-token-0123456789", scenario="solo") as acme,
    ):
        write_accounts(tmp_path, ("default", "Personal", personal), ("e5f6a7b8", "Acme", acme))
        before = set(sni_desktop.registered_items())
        tray = start_tray(
            sni_desktop, extra_env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
        )
        service = new_item(sni_desktop, before)

        def labels() -> list[str]:
            return sni_desktop.item_menu_labels(service)

        def lines_today() -> list[str]:
            return [label for label in labels() if label.startswith("Today")]

        assert wait_until(lambda: len(lines_today()) == 2, 30), f"{labels()}; {tray.output()}"
        shown = labels()
        blocks = (
            shown[shown.index("Personal") : shown.index("Acme")],
            shown[shown.index("Acme") :],
        )
        for block in blocks:
            (today,) = [label for label in block if label.startswith("Today")]
            assert TODAY.fullmatch(today), today
            assert len(today) <= 60
        assert any("/usage/tasks" in r["path"] for r in personal.requests)
        assert any("/usage/tasks" in r["path"] for r in acme.requests)
