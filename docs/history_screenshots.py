"""The History tab's pictures: `.venv/bin/python docs/history_screenshots.py`.

docs/history-light.png and docs/history-dark.png: the detail window's History tab (Fusion style,
offscreen) with a year of the fake API's usage: its account began 360 days ago (120 days of
history before it was made 240 days ago, then a task every 70 minutes; credits issued 20 days
ago for 90 days), its forecast and the balance chart's band. The year is answered as the page
asks for it, through its range channel.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs"))
DOCS = ROOT / "docs"


def history_windows() -> None:
    from PySide6.QtWidgets import QApplication
    from screenshots import dark_palette

    from desktop.core import forecast
    from desktop.core.models import summary_from_json
    from desktop.core.query import UsageQuery
    from desktop.core.snapshot import Snapshot
    from desktop.fakeapi.world import UsageWorld
    from desktop.ui.detail.window import DetailWindow
    from desktop.ui.state import AccountState

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setStyle("Fusion")
    now = datetime.now(UTC).replace(microsecond=0)
    world = UsageWorld(now - timedelta(days=240), live_task_interval=70 * 60)
    # Credits issued 20 days ago for 90 days, as the demo's: the forecast has a range to show.
    world.last_credit_reset = now.replace(hour=0, minute=0, second=0) - timedelta(days=20)
    world.expires_at = world.last_credit_reset + timedelta(days=90)
    light = app.palette()

    def answer(window: DetailWindow, query: UsageQuery) -> None:
        assert query.start is not None
        body = world.summary(now, query.start, query.end, "day")
        window.on_range_answer("", Snapshot(summary_from_json(body), now, query, token_tag="demo"))

    for name, palette in (("light", light), ("dark", dark_palette())):
        app.setPalette(palette)
        state = AccountState()
        main = Snapshot(summary_from_json(world.summary(now)), now, token_tag="demo")
        state.on_snapshot(main)
        daily = forecast.window_query(now)
        day_by_day = world.summary(now, daily.start, daily.end, "day")
        state.on_forecast_window(Snapshot(summary_from_json(day_by_day), now, daily))
        window = DetailWindow(state, lambda: now)
        asked: list[UsageQuery] = []
        window.range_requested.connect(lambda _account, query, asked=asked: asked.append(query))
        window.resize(900, 720)
        window.show_and_raise()
        window.tabs.setCurrentIndex(window.page().history_index)
        for query in list(asked):
            if query == window.range_bar.pending or query == window.page().history.pending:
                answer(window, query)
        window.request_balance()
        answer(window, asked[-1])
        app.processEvents()
        window.grab().save(str(DOCS / f"history-{name}.png"))
        window.hide()
        window.deleteLater()
    app.setPalette(light)


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    qt_app = QApplication([])
    history_windows()
    print("wrote history-light.png, history-dark.png")
