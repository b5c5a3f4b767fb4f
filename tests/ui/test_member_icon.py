"""Member mode's tray icon painted (issue 28): the gauge of the cap left, with the credits'
levels and colours, and the number style showing the dollars left."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtGui import QImage, QPainter
from pytestqt.qtbot import QtBot

from desktop.core import presentation
from desktop.core.levels import CreditLevel
from desktop.core.looks import IconContent
from desktop.core.member import MemberCap, MemberProfile, MemberSnapshot
from desktop.core.presentation import ViewState
from desktop.ui.gauge import render_image
from desktop.ui.icon_palette import LEVEL_COLOURS
from tests.ui.test_gauge import centre_hits, filled_share

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SHOT = Path("/tmp/member_icon.png")


def member_view(remaining: float, content: IconContent = IconContent.RING) -> ViewState:
    profile = MemberProfile(
        "maya@acme.test", "Acme Sec", MemberCap(75, 75 - remaining, remaining), True
    )
    return replace(ViewState(member=MemberSnapshot(profile, NOW)), icon_content=content)


@pytest.mark.parametrize(
    ("remaining", "level"),
    [(32, CreditLevel.OK), (15, CreditLevel.LOW), (5, CreditLevel.CRITICAL)],
)
def test_the_ring_is_the_share_of_the_cap_left(
    qtbot: QtBot, remaining: float, level: CreditLevel
) -> None:
    look = presentation.look(member_view(remaining), NOW)
    image = render_image(look, 64)
    assert filled_share(image, LEVEL_COLOURS[level]) == pytest.approx(remaining / 75, abs=0.03)


def test_the_number_style_shows_the_dollars_left(qtbot: QtBot) -> None:
    look = presentation.look(member_view(32, IconContent.NUMBER), NOW)
    assert look.text == "$32"
    image = render_image(look, 64)
    ring = render_image(presentation.look(member_view(32), NOW), 64)
    assert image != ring
    assert centre_hits(image, LEVEL_COLOURS[CreditLevel.OK]) > 0  # the figure, in colour
    # The dollar figure differs from a credit figure of the same digits.
    credits = render_image(look._replace(text="32"), 64)
    assert image != credits
    sheet = QImage(64 * 3 + 16, 64, QImage.Format.Format_ARGB32_Premultiplied)
    sheet.fill(0xFF2B2B2B)
    painter = QPainter(sheet)
    for index, content in enumerate(IconContent):
        shown = render_image(presentation.look(member_view(32, content), NOW), 64)
        shown.setDevicePixelRatio(1.0)
        painter.drawImage(index * 72, 0, shown)
    painter.end()
    assert sheet.save(str(SHOT))
