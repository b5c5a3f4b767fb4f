"""End to end on a real tray: `neo-tray --demo` under Xvfb with a StatusNotifierItem host
(gtk-sni-tray) or the legacy XEmbed tray (trayer). Reads what the user sees: the item's
tooltip, icon pixels and status over D-Bus, or the embedded window."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.fakeapi import FakeNeoApi
from tests.e2e.conftest import StartTray
from tests.e2e.desktop_session import DESKTOP_DROPS, DesktopSession, wait_until
from tests.helpers.processes import run_app

pytestmark = pytest.mark.desktop
TOOLTIP = re.compile(
    r"Neo: [\d,.]+ of 5,000 credits \((\d+)%\) · expires in \d+ d"
    # The forecast, when there is one (issue 29's words; a range of days has an en dash).
    r"( · ~[\d,]+(–[\d,]+)? credits will expire unused on \w+ \d+| · runs out [^·]+"
    r"| · may run out before they expire \(\w+ \d+\))?"
    r" · (just now|\d+ s ago)"
)


def new_item(session: DesktopSession, before: set[str], timeout: float = 30) -> str:
    found = wait_until(lambda: [s for s in session.registered_items() if s not in before], timeout)
    assert found, "the tray item never registered with the StatusNotifierWatcher"
    return str(found[0])


def ring_shares(pixmap: tuple[int, int, bytes]) -> tuple[int, int]:
    """Counts of level-green and track-grey pixels in an ARGB32 (network order) icon."""
    _, _, data = pixmap
    green = grey = 0
    for offset in range(0, len(data), 4):
        alpha, red, green_c, blue = data[offset : offset + 4]
        if alpha < 90:
            continue
        if green_c > red + 60 and green_c > blue + 40:
            green += 1
        elif abs(red - green_c) < 12 and abs(green_c - blue) < 12:
            grey += 1
    return green, grey


def test_demo_shows_gauge_tooltip_and_status_on_a_real_tray(
    sni_desktop: DesktopSession, start_tray: StartTray, tmp_path: Path
) -> None:
    before = set(sni_desktop.registered_items())
    tray = start_tray(sni_desktop, "--demo")
    service = new_item(sni_desktop, before)
    tooltip = wait_until(lambda: TOOLTIP.fullmatch(sni_desktop.item_tooltip(service)), 30)
    assert tooltip, f"tooltip was {sni_desktop.item_tooltip(service)!r}; log: {tray.output()}"
    percent = int(tooltip.group(1))
    assert sni_desktop.item_status(service) == "Active"

    pixmaps = sni_desktop.item_pixmaps(service)
    sizes = {(width, height) for width, height, _ in pixmaps}
    assert (16, 16) in sizes
    assert (64, 64) in sizes or (48, 48) in sizes
    largest = max(pixmaps, key=lambda pixmap: pixmap[0])
    green, grey = ring_shares(largest)
    assert green > 0
    assert green / (green + grey) == pytest.approx(percent / 100, abs=0.08)

    sni_desktop.screenshot(tmp_path / "tray.png")
    assert tray.stop() == 0
    # The demo kept its cache in its own sandbox, removed when it quit: none in the user's.
    assert not (tmp_path / "xdg_cache_home" / "neo-usage-tray").exists()


def test_the_menu_is_exported_with_current_figures(
    sni_desktop: DesktopSession, start_tray: StartTray
) -> None:
    before = set(sni_desktop.registered_items())
    start_tray(sni_desktop, "--demo")
    service = new_item(sni_desktop, before)

    def labels() -> list[str]:
        return sni_desktop.item_menu_labels(service)

    assert wait_until(lambda: any("credits (" in label for label in labels()), 30), labels()
    shown = labels()
    assert shown[0].startswith("Available: ")
    assert "of 5,000 credits" in shown[0]
    for wanted in ("_Refresh now", "Open _details…", "_Settings…", "_Quit"):
        assert wanted in shown
    assert all(len(label) <= 60 for label in shown), [x for x in shown if len(x) > 60]


def test_no_permission_looks_different_and_says_why(
    sni_desktop: DesktopSession, start_tray: StartTray
) -> None:
    before = set(sni_desktop.registered_items())
    start_tray(sni_desktop, "--demo", "--scenario", "forbidden")
    service = new_item(sni_desktop, before)
    tip = wait_until(lambda: "team admin" in sni_desktop.item_tooltip(service), 30)
    assert tip, sni_desktop.item_tooltip(service)
    largest = max(sni_desktop.item_pixmaps(service), key=lambda pixmap: pixmap[0])
    green, _ = ring_shares(largest)
    assert green == 0


def test_second_instance_shows_the_first_and_exits(
    sni_desktop: DesktopSession, start_tray: StartTray, tmp_path: Path
) -> None:
    before = set(sni_desktop.registered_items())
    first = start_tray(sni_desktop, "--demo")
    new_item(sni_desktop, before)
    # The desktop's environment: no offscreen platform, no Wayland.
    second = run_app("--demo", env=sni_desktop.env_for(tmp_path), drop=DESKTOP_DROPS)
    assert second.returncode == 0
    assert "already running" in second.stderr

    assert wait_until(lambda: sni_desktop.window_viewable("Neo Usage (demo)"), 15), first.output()
    assert first.process.poll() is None


def test_legacy_xembed_tray_embeds_the_icon(
    xembed_desktop: DesktopSession, start_tray: StartTray
) -> None:
    tray = start_tray(xembed_desktop, "--demo")

    def embedded() -> bool:
        tree = xembed_desktop.window_names()
        panel = tree.split('"panel": ("panel" "trayer")', 1)
        return len(panel) == 2 and '"neo-tray" "neo-usage-tray"' in panel[1]

    assert wait_until(embedded, 30), xembed_desktop.window_names() + tray.output()
    assert "No system tray" not in tray.output()


def write_accounts(home: Path, *apis: tuple[str, str, FakeNeoApi]) -> None:
    """Settings with these accounts (id, name, API) and each token in its owner-only file, in
    the tray's home (the test desktop has no keyring for the tray's user)."""
    code = (
        "import sys\n"
        "from desktop.core.accounts import Account\n"
        "from desktop.core.settings import Settings\n"
        "from desktop.system import secrets, settings_store\n"
        f"apis = {[(key, name, api.url, api.token) for key, name, api in apis]!r}\n"
        "settings_store.save(Settings(accounts=tuple(\n"
        "    Account(id=key, name=name, base_url=url) for key, name, url, _ in apis)))\n"
        "for key, _name, _url, token in apis:\n"
        "    secrets.save_token_to_file(token, key)\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NEO_")},
        **{
            name: str(home / name.lower())
            for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")
        },
    }
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)


def test_two_accounts_share_one_item_with_a_block_each(
    sni_desktop: DesktopSession, start_tray: StartTray, tmp_path: Path
) -> None:
    with (
        FakeNeoApi(token="personal-token-0123456") as personal,
        FakeNeoApi(token="acme-token-0123456789", scenario="forbidden") as acme,
    ):
        write_accounts(tmp_path, ("default", "Personal", personal), ("e5f6a7b8", "Acme", acme))
        before = set(sni_desktop.registered_items())
        tray = start_tray(
            sni_desktop, extra_env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
        )
        service = new_item(sni_desktop, before)
        # Acme lost access: the one item shows it, and its tooltip names it.
        tip = wait_until(lambda: "team admin" in sni_desktop.item_tooltip(service), 30)
        assert tip, f"{sni_desktop.item_tooltip(service)!r}; log: {tray.output()}"
        assert sni_desktop.item_tooltip(service).startswith("Acme: ")

        def labels() -> list[str]:
            return sni_desktop.item_menu_labels(service)

        assert wait_until(lambda: any("credits (" in label for label in labels()), 30), labels()
        shown = labels()
        assert shown.index("Personal") < shown.index("Acme")
        personal_block = shown[shown.index("Personal") : shown.index("Acme")]
        assert personal_block[1].startswith("Available: ")
        assert "Open _details for Personal…" in personal_block
        acme_block = shown[shown.index("Acme") :]
        assert "Available: —" not in acme_block  # no permission: its sentence only
        assert any("ask your team admin" in label for label in acme_block)
        for wanted in ("Open _details for Acme…", "_Refresh all", "_Settings…", "_Quit"):
            assert wanted in shown
        assert all(len(label) <= 60 for label in shown)
        assert personal.requests
        assert {r["authorization"] for r in personal.requests} == {f"Bearer {personal.token}"}
        assert {r["authorization"] for r in acme.requests} == {f"Bearer {acme.token}"}
