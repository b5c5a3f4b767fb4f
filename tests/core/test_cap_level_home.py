"""A member's cap level has one home, `glance.cap_level` (the light module the status bar's
fast path uses): the icon's look, the tray's lines, the window's header and the rules read it
there, so the status bar and the tray can never disagree on a cap's level."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from desktop.core import detail_text, glance, presentation, tray_text
from desktop.core.levels import CreditLevel, Thresholds
from desktop.core.member import MemberCap, MemberProfile, MemberSnapshot
from desktop.core.rules import decisions

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)


def test_one_home() -> None:
    for module in (presentation, tray_text, detail_text, decisions):
        assert vars(module)["cap_level"] is glance.cap_level, module.__name__


@pytest.mark.parametrize(
    ("cap", "level"),
    [
        (MemberCap(75.0, 43.0, 32.0), CreditLevel.OK),
        (MemberCap(75.0, 65.0, 10.0), CreditLevel.LOW),
        (MemberCap(75.0, 73.0, 2.0), CreditLevel.CRITICAL),
        (MemberCap(75.0, 75.0, 0.0), CreditLevel.EMPTY),
        (MemberCap(0.0, 0.0, 5.0), CreditLevel.UNKNOWN),
        (None, CreditLevel.UNKNOWN),
    ],
)
def test_the_icon_says_the_level_glance_says(cap: MemberCap | None, level: CreditLevel) -> None:
    member = MemberSnapshot(MemberProfile("ana@acme.test", "Acme", cap, True), NOW)
    state = presentation.ViewState(member=member)
    assert presentation.look(state, NOW).level is level
    if cap is not None:
        assert glance.cap_level(cap, Thresholds()) is level
    assert tray_text.member_line(state, "Neo", 200)  # a cap or none: a line, never a raise
