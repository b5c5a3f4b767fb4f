"""The History tab at the window's default size and in another language (issue 29's tester):
the day table showed two and a half rows at 900 x 642, the legend named an expiry cross the
grid did not paint (the expiry next February), and the German table said ISO days beside a
range bar saying 31.10.2026."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.core import history, i18n
from desktop.core.i18n import Language
from desktop.core.models import summary_from_json
from desktop.core.query import GroupBy, UsageQuery
from desktop.core.snapshot import Snapshot
from desktop.fakeapi.world import UsageWorld
from desktop.launcher import install_language
from desktop.ui.detail.range_bar import date_format
from desktop.ui.detail.window import DetailWindow
from desktop.ui.state import AccountState
from tests.zones import local_zone

NOW = datetime(2026, 11, 29, 18, 46, tzinfo=UTC)
TAG = "aaaaaaaaaaaa"


@pytest.fixture
def detail(qtbot: QtBot) -> Iterator[DetailWindow]:
    with local_zone("UTC"):
        state = AccountState()
        body = UsageWorld(NOW).summary(NOW)  # expires 2027-02-07, reset 2026-11-09
        state.on_snapshot(Snapshot(summary_from_json(body), NOW, token_tag=TAG))
        made = DetailWindow(state, lambda: NOW, account_id="default", cache_keys=lambda _id: "k")
        qtbot.addWidget(made)
        made.resize(900, 642)  # the tester's window
        made.show_and_raise()
        qtbot.waitExposed(made)
        asked: list[UsageQuery] = []
        made.range_requested.connect(lambda _account, query: asked.append(query))
        made.tabs.setCurrentIndex(made.page().history_index)
        (query,) = [q for q in asked if q.group_by is GroupBy.DAY]
        year = UsageWorld(NOW).summary(NOW, query.start, query.end, "day")
        made.on_range_answer(
            "default", Snapshot(summary_from_json(year), NOW, query, token_tag=TAG)
        )
        QApplication.processEvents()
        yield made


def test_the_day_table_shows_eight_rows_at_the_default_size(detail: DetailWindow) -> None:
    tab = detail.page().history
    view = tab.table.view
    row = view.verticalHeader().defaultSectionSize()
    assert view.viewport().height() >= 8 * row
    # The heatmap keeps its natural height above the handle, which the user can move.
    assert tab.heatmap.height() >= tab.heatmap.sizeHint().height()
    assert tab.splitter.count() == 2
    # The window keeps its size: the tab scrolls instead of growing it.
    assert detail.size().width() == 900
    assert detail.size().height() == 642
    assert tab.scroll_area.verticalScrollBar().maximum() > 0


def test_the_legend_names_only_the_marks_in_the_grid_and_the_facts_say_a_later_expiry(
    detail: DetailWindow,
) -> None:
    tab = detail.page().history
    assert tab.legend.marks == (True, False)  # this year's reset; the expiry is next year
    assert "cross" not in tab.legend.accessibleDescription()
    assert tab.facts.text().endswith("Credits expire on Feb 7, 2027.")
    assert tab.facts.accessibleName() == tab.facts.text()
    # Within the grid the cross is painted and named, and the facts say no more.
    with local_zone("UTC"):
        inside = history.year_cells((), NOW, None, datetime(2026, 10, 1, tzinfo=UTC))
        tab.show_cells(inside, datetime(2026, 10, 1, tzinfo=UTC))
    assert tab.legend.marks == (False, True)
    assert "A cross marks the expiry." in tab.legend.accessibleDescription()
    assert "Credits expire" not in tab.facts.text()


def test_the_core_says_an_expiry_after_the_grid_only() -> None:
    with local_zone("UTC"):
        cells = history.year_cells((), NOW, None, None)
        assert history.expiry_after(cells, None) is None
        assert history.expiry_after(cells, datetime(2026, 11, 29, 23, tzinfo=UTC)) is None
        later = datetime(2026, 11, 30, 0, 30, tzinfo=UTC)
        assert history.expiry_after(cells, later) == date(2026, 11, 30)
        assert history.expiry_after((), later) is None
    with local_zone("America/New_York"):  # 00:30 UTC Nov 30 is still Nov 29 there
        cells = history.year_cells((), NOW, None, None)
        assert history.expiry_after(cells, later) is None


@pytest.fixture
def german(qapp: QApplication) -> Iterator[None]:
    i18n.use(Language("de", "de"))
    translator = install_language(qapp)  # Qt's locale too, as the launcher sets it
    yield
    if translator is not None:
        qapp.removeTranslator(translator)
    i18n.use(Language())
    QLocale.setDefault(QLocale.c())


def test_german_days_read_as_the_range_bar_and_the_csv_keeps_iso(
    qtbot: QtBot, german: None, tmp_path: Path
) -> None:
    with local_zone("UTC"):
        state = AccountState()
        state.on_snapshot(Snapshot(summary_from_json(UsageWorld(NOW).summary(NOW)), NOW))
        made = DetailWindow(state, lambda: NOW, account_id="default", cache_keys=lambda _id: "k")
        qtbot.addWidget(made)
        tab = made.page().history
        cells = history.year_cells(
            (
                history.DayUsage(date(2026, 8, 1), 5.4, 4),
                history.DayUsage(date(2026, 10, 31), 3, 1),
            ),
            NOW,
            None,
            None,
        )
        tab.show_cells(cells)
    assert date_format() == "dd.MM.yyyy"
    model = tab.table.proxy
    shown = [model.index(row, 0).data() for row in range(model.rowCount())]
    assert shown == ["01.08.2026", "31.10.2026"]  # as the range bar says them
    tab.table.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    shown = [model.index(row, 0).data() for row in range(model.rowCount())]
    assert shown == ["31.10.2026", "01.08.2026"]  # by date, not by the text's day number
    path = tmp_path / "days.csv"
    tab.table.export_csv(path)
    assert path.read_text(encoding="utf-8").splitlines()[1:] == [
        "2026-08-01,5.4,4,",
        "2026-10-31,3,1,",
    ]


def test_tab_reaches_the_table(qtbot: QtBot, detail: DetailWindow) -> None:
    """The scroll area is no stop of its own (an unnamed control): Tab moves from the export
    button to the table (Qt's scroll area then shows the table's current cell)."""
    tab = detail.page().history
    bar = tab.scroll_area.verticalScrollBar()
    bar.setValue(0)
    assert not tab.scroll_area.focusPolicy() & Qt.FocusPolicy.TabFocus
    detail.activateWindow()
    tab.table.export_button.setFocus()
    qtbot.keyClick(tab.table.export_button, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is tab.table.view
