"""The Team tab's columns in any language (issue 28's tester: in German and French the figures'
headers squeezed the member's e-mail to `bo@ex…`): compact headers with the full title as
tooltip, the member column stretched but never below its readable width (a horizontal scroll
bar instead), and shares in the locale's percent format in every table."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from desktop.core.i18n import Language, use
from desktop.core.snapshot import Snapshot
from desktop.core.tables import TeamColumn
from desktop.ui.detail.table_model import NAME_AT_LEAST
from desktop.ui.detail.window import DetailWindow
from desktop.ui.state import AccountState
from tests.ui.detail.test_detail_window import all_time
from tests.ui.detail.test_team_tab import EXPIRES_AT, NOW, RANGE, column, open_team, the_radar


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> DetailWindow:
    state = AccountState()
    store = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    made = DetailWindow(state, lambda: NOW, geometry_store=store)
    qtbot.addWidget(made)
    all_time(made)  # the main poll's figures are all-time ones
    state.on_snapshot(Snapshot(RANGE, NOW))
    return made


@pytest.fixture(params=["en", "de", "fr", "es"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    use(Language(request.param, request.param))
    yield request.param
    use(Language())


def shown(window: DetailWindow, qtbot: QtBot, width: int) -> None:
    window.resize(width, 640)
    window.show()
    qtbot.waitExposed(window)
    open_team(window)
    window.tabs.show_radar(the_radar(), 700.0, EXPIRES_AT, NOW)
    qtbot.wait(1)  # (the layout settles in the event loop)


def test_the_member_column_is_whole_at_900_px_in_every_language(
    window: DetailWindow, qtbot: QtBot, language: str
) -> None:
    shown(window, qtbot, 900)
    view = window.tabs.team.view
    # Wide enough for its widest cell (the bold, unusual rows' too): no e-mail elided.
    assert view.columnWidth(TeamColumn.MEMBER) >= view.sizeHintForColumn(TeamColumn.MEMBER)
    assert view.horizontalScrollBar().maximum() == 0  # and the whole table fits


def test_a_narrow_window_scrolls_sideways_instead_of_eliding(
    window: DetailWindow, qtbot: QtBot, language: str
) -> None:
    shown(window, qtbot, 520)  # (the window's minimum width, about 650 px)
    view = window.tabs.team.view
    readable = min(
        view.sizeHintForColumn(TeamColumn.MEMBER),
        view.fontMetrics().averageCharWidth() * NAME_AT_LEAST,
    )
    assert view.columnWidth(TeamColumn.MEMBER) >= readable
    assert view.horizontalScrollBar().maximum() > 0
    for width in (800, 900, 650, 1400):  # never squeezed as the window is resized
        window.resize(width, 640)
        qtbot.wait(1)
        assert view.columnWidth(TeamColumn.MEMBER) >= readable, width
    # Wide: the member column takes the spare width, and nothing scrolls.
    assert view.horizontalScrollBar().maximum() == 0
    header = view.horizontalHeader()
    others = sum(header.sectionSize(c) for c in range(1, header.count()))
    assert view.columnWidth(TeamColumn.MEMBER) + others >= view.viewport().width() - 1


def test_compact_headers_carry_their_full_title(window: DetailWindow, qtbot: QtBot) -> None:
    shown(window, qtbot, 900)
    model = window.tabs.team.model
    horizontal = Qt.Orientation.Horizontal

    def header(role: Qt.ItemDataRole) -> list[str]:
        return [model.headerData(c, horizontal, role) for c in range(model.columnCount())]

    assert header(Qt.ItemDataRole.DisplayRole)[TeamColumn.TODAY :] == [
        "Today",
        "Usual/day",
        "× usual",
        "14-day share",
        "Unusual",
    ]
    full = ["Today", "Usual per day", "Today / usual", "Share of 14 days", "Unusual"]
    assert header(Qt.ItemDataRole.ToolTipRole)[TeamColumn.TODAY :] == full
    assert header(Qt.ItemDataRole.AccessibleTextRole)[TeamColumn.TODAY :] == full


@pytest.mark.parametrize(
    ("language", "share"),
    [("en", "62.5%"), ("de", "62,5\u00a0%"), ("fr", "62,5\u00a0%")],
)
def test_shares_in_the_locale_s_percent_format(
    window: DetailWindow, qtbot: QtBot, language: str, share: str
) -> None:
    use(Language(language, language))
    try:
        shown(window, qtbot, 900)
        assert column(window, TeamColumn.WINDOW_SHARE)[0] == share
        assert " %" not in "".join(column(window, TeamColumn.SHARE)) or language != "en"
    finally:
        use(Language())
