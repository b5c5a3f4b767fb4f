"""Paused polling shows on the icon (dimmed, with a pause mark) and in the tooltip (issue 24)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from desktop.core import presentation, tray_text
from desktop.core.levels import CreditLevel
from desktop.core.looks import IconContent, Look, LookKind
from desktop.core.models import parse_summary
from desktop.core.presentation import ViewState
from desktop.core.snapshot import Snapshot
from desktop.ui.gauge import render_image
from desktop.ui.icon_badges import BADGE_RADIUS
from desktop.ui.icon_palette import LEVEL_COLOURS

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _state(paused: bool) -> ViewState:
    body = {
        "by_model": {},
        "by_status": {},
        "total_neo_credits": 10,
        "total_tasks": 2,
        "total_available_neo_credits": 3600,
        "total_issued_neo_credits": 5000,
    }
    snapshot = Snapshot(parse_summary(json.dumps(body)), NOW - timedelta(minutes=3))
    return ViewState(snapshot, paused=paused, icon_content=IconContent.RING_PERCENT)


def test_paused_polling_marks_the_look_and_the_tooltip() -> None:
    running, paused = _state(False), _state(True)
    assert not presentation.look(running, NOW).paused
    assert presentation.look(paused, NOW).paused
    assert "paused" not in tray_text.tooltip(running, NOW)
    assert tray_text.tooltip(paused, NOW).startswith("Neo (polling paused): 3,600 of 5,000")


def _opaque_columns(image: QImage, row: int, left: int, right: int) -> list[bool]:
    return [image.pixelColor(x, row).alpha() > 128 for x in range(left, right)]


@pytest.mark.parametrize("size", [22, 48])
def test_the_paused_icon_is_dimmed_with_a_pause_mark(qtbot: QtBot, size: int) -> None:
    del qtbot  # the QApplication
    look = Look(LookKind.GAUGE, CreditLevel.OK, 72)
    running = render_image(look, size)
    paused = render_image(Look(LookKind.GAUGE, CreditLevel.OK, 72, paused=True), size)
    green = LEVEL_COLOURS[CreditLevel.OK]

    def has(image: QImage, colour: QColor) -> bool:
        return any(
            image.pixelColor(x, y).rgb() == colour.rgb() and image.pixelColor(x, y).alpha() > 200
            for x in range(size)
            for y in range(size)
        )

    assert has(running, green)
    assert not has(paused, green), "dimmed: the level's colour is greyed"
    # The pause mark: across the top-right corner's middle, two opaque bars with a gap between
    # them and clear space around them (the running icon's ring has one run there).
    radius = size * BADGE_RADIUS
    row = round(radius)
    columns = _opaque_columns(paused, row, round(size - 2 * radius), size)
    runs = sum(1 for i, on in enumerate(columns) if on and (i == 0 or not columns[i - 1]))
    assert runs == 2, columns
    running_columns = _opaque_columns(running, row, round(size - 2 * radius), size)
    assert running_columns != columns
