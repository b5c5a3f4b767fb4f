"""The detail window's BYOK tab writes each figure by its field: costs with two decimals,
streams and tasks as whole counts, an undocumented credits figure as credits."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop.core.models import summary_from_json
from desktop.core.ranges import RangePreset
from desktop.core.snapshot import Snapshot
from desktop.ui.detail.window import DetailWindow
from desktop.ui.state import AccountState

NOW = datetime(2026, 11, 25, tzinfo=UTC)


def test_byok_figures_say_what_they_are(qtbot: QtBot, tmp_path: Path) -> None:
    state = AccountState()
    store = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    window = DetailWindow(state, lambda: NOW, geometry_store=store)
    qtbot.addWidget(window)
    combo = window.range_bar.range_combo
    combo.setCurrentIndex(combo.findData(RangePreset.ALL_TIME))  # the poll's figures are all-time
    summary = summary_from_json(
        {
            "by_model": {},
            "by_status": {},
            "total_neo_credits": 10,
            "total_tasks": 3,
            "byok": {
                "total_llm_cost": 4.75,
                "total_neo_cost": 0.6,
                "total_streams": 2,
                "total_tasks": 1,
                "total_refund_credits": 1240,
            },
        }
    )
    state.on_snapshot(Snapshot(summary, NOW))
    window.tabs.setCurrentIndex(window.tabs.byok_index)
    texts = [label.text() for label in window.tabs.byok_page.findChildren(QLabel)]
    shown = dict(zip(texts[::2], texts[1::2], strict=False))
    assert shown["LLM cost (your keys):"] == "4.75"
    assert shown["Neo cost:"] == "0.60"
    assert shown["Streams:"] == "2"
    assert shown["Tasks:"] == "1"
    assert shown["Total refund credits:"] == "1,240 credits"
