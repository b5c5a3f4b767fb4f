"""End to end on a real tray (issue 28): `neo-tray --demo --scenario member_cap` under Xvfb with
a StatusNotifierItem host; the member's tooltip, menu and gauge read off D-Bus as the host gets
them."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import StartTray
from tests.e2e.desktop_session import DesktopSession, wait_until
from tests.e2e.test_tray_desktop import new_item, ring_shares

pytestmark = pytest.mark.desktop
TOOLTIP = re.compile(
    r"Neo \(member of Acme Sec\): \$(\d+(?:\.\d\d)?) of \$75 cap left \((\d+)%\)"
    r" · (just now|\d+ s ago)"
)


def test_member_tooltip_menu_and_gauge_on_a_real_tray(
    sni_desktop: DesktopSession, start_tray: StartTray
) -> None:
    before = set(sni_desktop.registered_items())
    tray = start_tray(sni_desktop, "--demo", "--scenario", "member_cap")
    service = new_item(sni_desktop, before)
    tooltip = wait_until(lambda: TOOLTIP.fullmatch(sni_desktop.item_tooltip(service)), 30)
    assert tooltip, f"tooltip was {sni_desktop.item_tooltip(service)!r}; log: {tray.output()}"
    left, percent = float(tooltip.group(1)), int(tooltip.group(2))
    assert 0 < left <= 32  # $43 of $75 used when the fake starts, creeping up
    assert percent == round(left / 75 * 100)
    assert sni_desktop.item_status(service) == "Active"

    labels = wait_until(
        lambda: [x for x in sni_desktop.item_menu_labels(service) if "cap" in x], 30
    )
    assert labels, sni_desktop.item_menu_labels(service)
    assert labels[0].startswith("Neo (member of Acme Sec): $")
    shown = sni_desktop.item_menu_labels(service)
    assert not any("credits" in label for label in shown), shown  # no credit lines

    largest = max(sni_desktop.item_pixmaps(service), key=lambda pixmap: pixmap[0])
    green, grey = ring_shares(largest)
    assert green > 0  # the gauge of the cap left, in the ok level's green
    assert green / (green + grey) == pytest.approx(percent / 100, abs=0.08)
    assert tray.stop() == 0
