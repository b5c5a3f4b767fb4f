"""The detail window through qtbot: ranges, tables, sorting, filtering, CSV, states."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, QRect, QSettings, Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop.core.errors import ErrorKind
from desktop.core.models import parse_summary, summary_from_json
from desktop.core.query import GroupBy, UsageQuery
from desktop.core.ranges import RangePreset
from desktop.core.snapshot import PollError, Snapshot
from desktop.fakeapi.world import huge_summary
from desktop.ui.detail.window import DetailWindow
from desktop.ui.state import AccountState
from tests.conftest import shared_example

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def realistic() -> Snapshot:
    return Snapshot(
        parse_summary(shared_example("example-realistic.json")), NOW - timedelta(minutes=1)
    )


@pytest.fixture
def state() -> AccountState:
    return AccountState()


@pytest.fixture
def window(qtbot: QtBot, state: AccountState, tmp_path: Path) -> DetailWindow:
    store = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    win = DetailWindow(state, lambda: NOW, geometry_store=store)
    qtbot.addWidget(win)
    return win


def visit_all_tabs(window: DetailWindow) -> None:
    """Tabs are filled when first shown, as a user clicking through them would."""
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
    window.tabs.setCurrentIndex(0)


def all_time(window: DetailWindow) -> None:
    """Choose "All time": the only range the main poll's (all-time) figures may stand under."""
    window.range_bar.range_combo.setCurrentIndex(
        window.range_bar.range_combo.findData(RangePreset.ALL_TIME)
    )


def answer(state: AccountState, window: DetailWindow, summary: Any) -> None:
    """Answer the range the window asked for (the main poll's answer when it asked for none)."""
    query = window.range_bar.pending
    if query is None:
        state.on_snapshot(Snapshot(summary, NOW))
    else:
        window.on_range_answer("", Snapshot(summary, NOW, query))


def test_first_show_asks_for_the_default_range(qtbot: QtBot, window: DetailWindow) -> None:
    with qtbot.waitSignal(window.range_requested) as blocker:
        window.show_and_raise()
    query = blocker.args[1]
    assert query.group_by is GroupBy.DAY
    assert query.end is not None
    assert query.start is not None
    assert (query.end - query.start) > timedelta(days=29)
    assert window.range_bar.busy.isVisibleTo(window)


def test_changing_group_by_and_range_asks_the_poller(qtbot: QtBot, window: DetailWindow) -> None:
    with qtbot.waitSignal(window.range_requested) as blocker:
        window.range_bar.group_combo.setCurrentIndex(
            window.range_bar.group_combo.findData(GroupBy.WEEK)
        )
    assert blocker.args[1].group_by is GroupBy.WEEK
    with qtbot.waitSignal(window.range_requested) as blocker:
        window.range_bar.range_combo.setCurrentIndex(
            window.range_bar.range_combo.findData(RangePreset.ALL_TIME)
        )
    assert blocker.args[1].start is None
    assert blocker.args[1].end is None


def test_custom_dates_are_whole_local_days(qtbot: QtBot, window: DetailWindow) -> None:
    assert not window.range_bar.from_edit.isEnabled()
    with qtbot.waitSignal(window.range_requested):
        window.range_bar.range_combo.setCurrentIndex(
            window.range_bar.range_combo.findData(RangePreset.CUSTOM)
        )
    assert window.range_bar.from_edit.isEnabled()
    window.range_bar.to_edit.setDate(QDate(2026, 11, 20))
    with qtbot.waitSignal(window.range_requested) as blocker:
        window.range_bar.from_edit.setDate(QDate(2026, 11, 1))
    query = blocker.args[1]
    assert query.start.astimezone().date() == date(2026, 11, 1)
    assert query.end.astimezone().date() == date(2026, 11, 20)
    assert query.end.astimezone().hour == 23


def test_inverted_custom_range_is_explained_not_sent(qtbot: QtBot, window: DetailWindow) -> None:
    window.range_bar.range_combo.setCurrentIndex(
        window.range_bar.range_combo.findData(RangePreset.CUSTOM)
    )
    window.range_bar.to_edit.setDate(QDate(2026, 11, 1))
    with qtbot.assertNotEmitted(window.range_requested):
        window.range_bar.from_edit.setDate(QDate(2026, 11, 20))
    assert "after its end" in window.range_bar.range_status.text()


def test_range_answer_fills_every_table(
    qtbot: QtBot, window: DetailWindow, state: AccountState
) -> None:
    state.on_snapshot(realistic())
    window.show_and_raise()
    answer(state, window, realistic().summary)
    assert not window.range_bar.busy.isVisibleTo(window)
    visit_all_tabs(window)
    assert window.tabs.models.model.rowCount() == 2
    assert window.tabs.statuses.model.rowCount() == 3
    assert window.tabs.periods.model.rowCount() == 14
    assert window.tabs.team.model.rowCount() == 2
    assert window.tabs.isTabVisible(window.tabs.team_tab_index)
    assert window.tabs.overview_values["credits"].text() == "600.4"
    assert window.tabs.overview_values["tasks"].text() == "43"
    assert window.tabs.overview_values["steps"].text() == "812"
    assert window.tabs.overview_values["execution"].text() == "1 h 27 min"
    assert window.tabs.overview_values["issued"].text() == "2,000"
    assert window.header.credit_title.text() == "Available: 1,400 of 2,000 credits (70%)"
    assert window.tabs.periods_chart.values[0] == pytest.approx(16.4)


def test_missing_fields_show_a_dash_and_team_hides(
    qtbot: QtBot, window: DetailWindow, state: AccountState
) -> None:
    minimal = parse_summary(
        json.dumps({"by_model": {}, "by_status": {}, "total_neo_credits": 0, "total_tasks": 0})
    )
    all_time(window)  # the main poll's figures are all-time ones
    state.on_snapshot(Snapshot(minimal, NOW))
    visit_all_tabs(window)
    for key in (
        "steps",
        "tool_calls",
        "agent_triggers",
        "execution",
        "issued",
        "available",
        "last_reset",
        "credits_per_task",
    ):
        assert window.tabs.overview_values[key].text() in {"—", "never"}, key
    assert window.tabs.overview_values["credits"].text() == "0"
    assert not window.tabs.isTabVisible(window.tabs.team_tab_index)
    assert "No Bring-Your-Own-Key usage" in window.tabs.byok_page.findChildren(QLabel)[0].text()


def test_sorting_and_filtering_the_team(
    qtbot: QtBot, window: DetailWindow, state: AccountState
) -> None:
    body = json.loads(shared_example("example-realistic.json"))
    body["by_email"] = [
        {"email": f"user{i}@acme.test", "neo_credits": float(i), "tasks": 100 - i}
        for i in range(50)
    ]
    all_time(window)  # the main poll's figures are all-time ones
    state.on_snapshot(Snapshot(summary_from_json(body), NOW))
    window.tabs.setCurrentIndex(window.tabs.team_tab_index)
    proxy = window.tabs.team.proxy
    assert proxy.index(0, 0).data() == "user49@acme.test"  # credits, descending
    window.tabs.team.view.sortByColumn(3, Qt.SortOrder.DescendingOrder)  # tasks
    assert proxy.index(0, 0).data() == "user0@acme.test"
    qtbot.keyClicks(window.tabs.team.search, "user4")
    assert proxy.rowCount() == 11  # user4 and user40..49
    assert window.tabs.team.count_label.text() == "11 of 50"


def test_numbers_are_right_aligned_and_locale_formatted(
    window: DetailWindow, state: AccountState
) -> None:
    all_time(window)  # the main poll's figures are all-time ones
    state.on_snapshot(realistic())
    window.tabs.setCurrentIndex(window.tabs.models_index)
    index = window.tabs.models.proxy.index(0, 1)
    assert index.data() == "512.4"
    assert index.data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert window.tabs.models.proxy.index(0, 2).data() == "85.3%"


def test_csv_export(
    window: DetailWindow, state: AccountState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    all_time(window)  # the main poll's figures are all-time ones
    state.on_snapshot(realistic())
    window.tabs.setCurrentIndex(window.tabs.team_tab_index)
    target = tmp_path / "team.csv"
    monkeypatch.setattr(
        "desktop.ui.detail.table_pane.QFileDialog.getSaveFileName",
        lambda *a, **k: (str(target), ""),
    )
    window.tabs.team.export_button.click()
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[0] == ["Member", "Credits", "Share", "Tasks"]
    assert rows[1][0] == "lead@acme.test"
    assert rows[1][1] == "410"
    assert float(rows[1][2]) == pytest.approx(410 / 600.4)


def test_copy_selection_as_text(qtbot: QtBot, window: DetailWindow, state: AccountState) -> None:
    all_time(window)  # the main poll's figures are all-time ones
    state.on_snapshot(realistic())
    window.tabs.setCurrentIndex(window.tabs.models_index)
    window.show()
    window.tabs.models.view.selectRow(0)
    window.tabs.models.view.setFocus()
    qtbot.keyClick(window.tabs.models.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text().startswith("claude-sonnet-4-5\t512.4")


def test_stale_answers_are_ignored(qtbot: QtBot, window: DetailWindow, state: AccountState) -> None:
    window.show_and_raise()
    old = window.range_bar.pending
    assert old is not None
    window.range_bar.group_combo.setCurrentIndex(
        window.range_bar.group_combo.findData(GroupBy.MONTH)
    )
    window.on_range_answer("", Snapshot(realistic().summary, NOW, old))  # to the earlier range
    assert window.range_bar.busy.isVisibleTo(window)
    answer(state, window, realistic().summary)
    assert not window.range_bar.busy.isVisibleTo(window)


def test_range_error_is_shown(qtbot: QtBot, window: DetailWindow, state: AccountState) -> None:
    window.show_and_raise()
    chosen = window.range_bar.pending
    assert chosen is not None
    error = PollError(ErrorKind.OFFLINE, "Cannot reach the Neo API.", NOW, query=chosen)
    window.on_range_answer("", error)
    assert window.range_bar.range_status.text() == "Cannot reach the Neo API."
    assert not window.range_bar.busy.isVisibleTo(window)


def test_a_range_error_shows_on_its_own_range_only(
    qtbot: QtBot, window: DetailWindow, state: AccountState
) -> None:
    """The balance history's failure is said under the balance chart, never on the range the
    user chose (still on its way); the chosen range's failure is said on the range bar."""
    state.on_snapshot(realistic())
    asked: list[UsageQuery] = []
    window.range_requested.connect(lambda _account, query: asked.append(query))
    window.show_and_raise()
    chosen = window.range_bar.pending
    assert chosen is not None
    balance = next(query for query in asked if query != chosen)  # asked with the range
    offline = "Cannot reach the Neo API."
    window.on_range_answer("", PollError(ErrorKind.OFFLINE, offline, NOW, query=balance))
    assert window.range_bar.pending == chosen  # still waits for its own answer
    assert window.range_bar.busy.isVisibleTo(window)
    assert offline not in window.range_bar.range_status.text()
    chart = window.header.balance_chart.accessibleDescription()
    assert chart.startswith("No balance history: ")
    assert offline in chart
    refused = "The Neo API is having trouble (HTTP 500)."
    window.on_range_answer("", PollError(ErrorKind.OFFLINE, refused, NOW, query=chosen))
    assert window.range_bar.range_status.text() == refused
    assert window.header.balance_chart.accessibleDescription() == chart


@pytest.mark.parametrize(
    ("kind", "phrase", "token_button"),
    [
        (ErrorKind.NO_PERMISSION, "ask your team admin", False),
        (ErrorKind.AUTH_REJECTED, "Sign-in failed", True),
        (ErrorKind.NO_TOKEN, "No Neo API token", True),
        (ErrorKind.OFFLINE, "Cannot reach", False),
    ],
)
def test_error_states_banner(
    qtbot: QtBot,
    window: DetailWindow,
    state: AccountState,
    kind: ErrorKind,
    phrase: str,
    token_button: bool,
) -> None:
    state.on_snapshot(realistic())
    message = {
        ErrorKind.AUTH_REJECTED: "Sign-in failed: rejected.",
        ErrorKind.NO_TOKEN: "No Neo API token.",
        ErrorKind.NO_PERMISSION: "No permission to see usage: ask your team admin.",
    }
    state.on_error(PollError(kind, message.get(kind, "Cannot reach the Neo API."), NOW))
    window.show()
    assert window.header.banner.isVisibleTo(window)
    assert phrase in window.header.banner_text.text()
    assert "Showing data from" in window.header.banner_text.text()
    assert window.header.banner_token.isVisibleTo(window) is token_button
    with qtbot.waitSignal(window.retry_requested):
        qtbot.mouseClick(window.header.banner_retry, Qt.MouseButton.LeftButton)


def test_loading_state_and_stale_banner(window: DetailWindow, state: AccountState) -> None:
    assert window.header.credit_title.text() == "Neo credits"
    assert window.header.updated_label.text() == "Loading…"
    cached = Snapshot(realistic().summary, NOW - timedelta(hours=3), from_cache=True)
    state.on_snapshot(cached)
    window.show()
    assert window.header.banner.isVisibleTo(window)
    assert "3 h ago" in window.header.banner_text.text()


def test_closing_hides_and_remembers_geometry(
    qtbot: QtBot, window: DetailWindow, tmp_path: Path
) -> None:
    window.show()
    qtbot.waitExposed(window)
    window.resize(640, 500)
    window.close()
    assert not window.isVisible()
    store = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    assert not store.value("detail/geometry").isEmpty()


def test_controls_have_accessible_names(window: DetailWindow) -> None:
    for widget in (
        window.range_bar.range_combo,
        window.range_bar.group_combo,
        window.range_bar.from_edit,
        window.range_bar.to_edit,
        window.tabs.team.search,
        window.tabs.team.export_button,
        window.header.refresh_button,
        window.header.credit_bar,
        window.tabs.models.view,
    ):
        assert widget.accessibleName(), widget


def test_huge_payload_opens_and_sorts(
    qtbot: QtBot, window: DetailWindow, state: AccountState
) -> None:
    all_time(window)  # the main poll's figures are all-time ones
    state.on_snapshot(Snapshot(summary_from_json(huge_summary()), NOW))
    assert window.tabs.team.model.rowCount() == 0, "the team is tabulated only when its tab opens"
    visit_all_tabs(window)
    assert window.tabs.team.model.rowCount() == 20_000
    assert window.tabs.periods.model.rowCount() == 1_000
    window.tabs.team.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert window.tabs.team.proxy.index(0, 0).data() == "member00000@bigcorp.test"


def test_server_text_is_shown_as_plain_text(window: DetailWindow, state: AccountState) -> None:
    from PySide6.QtWidgets import QLabel

    hostile = "<img src=x><font size=6>account suspended: call 555</font>"
    body = {
        "by_model": {hostile: 5},
        "by_status": {},
        "total_neo_credits": 5,
        "total_tasks": 1,
        "byok": {hostile: 3},
    }
    all_time(window)  # the main poll's figures are all-time ones
    state.on_snapshot(Snapshot(summary_from_json(body), NOW))
    window.show()
    visit_all_tabs(window)
    labels = window.findChildren(QLabel)
    shown = [label for label in labels if "font" in label.text()]
    assert shown, "the hostile key is shown somewhere"
    for label in shown:
        assert label.textFormat() is Qt.TextFormat.PlainText, label.text()
    assert window.tabs.models.model.rowCount() == 1


def test_the_header_shows_the_forecast_and_the_balance_heading_to_the_expiry(
    qtbot: QtBot, window: DetailWindow, state: AccountState
) -> None:
    from desktop.core import forecast
    from desktop.fakeapi.world import UsageWorld

    world = UsageWorld(NOW)
    main = Snapshot(summary_from_json(world.summary(NOW)), NOW)
    state.on_snapshot(main)
    daily = forecast.window_query(NOW)
    assert daily.start is not None
    assert daily.end is not None
    body = world.summary(NOW, daily.start, daily.end, "day")
    state.on_forecast_window(Snapshot(summary_from_json(body), NOW, daily))
    assert "credits/day" in window.header.forecast_label.text()
    # The range straddles the expiry; the pace (ahead of even use) would contradict it with
    # "at this pace about 630 will expire unused": left out (issue 29's tester).
    assert "may run out before they expire (Feb 3)" in window.header.forecast_label.text()
    assert "expire unused" not in window.header.forecast_label.text()
    with qtbot.waitSignal(window.range_requested) as blocker:
        window.request_balance()
    balance = blocker.args[1]
    assert balance.start == main.summary.last_credit_reset
    history = world.summary(NOW, balance.start, NOW, "day")
    window.on_range_answer("", Snapshot(summary_from_json(history), NOW, balance))
    past, ahead = window.header.balance_chart.series
    assert past[0].at == main.summary.last_credit_reset
    assert past[-1].credits == main.summary.total_available_neo_credits
    assert ahead[-1].at == main.summary.neo_credits_expires_at
    assert "Heading to" in window.header.balance_chart.accessibleDescription()
    window.show()
    qtbot.waitExposed(window)
    image = window.header.balance_chart.grab().toImage()
    highlight = window.palette().color(window.palette().ColorRole.Highlight)
    painted = sum(
        image.pixelColor(x, y) == highlight
        for x in range(0, image.width(), 3)
        for y in range(0, image.height(), 3)
    )
    assert painted > 20, "the balance line is drawn"


def test_the_balance_chart_waits_politely(window: DetailWindow) -> None:
    assert window.header.balance_chart.series == ((), ())
    assert window.header.forecast_label.text() == "Forecast: —"


def test_the_name_column_stretches_and_numbers_stay_by_their_headers(
    qtbot: QtBot, window: DetailWindow, state: AccountState
) -> None:
    from PySide6.QtWidgets import QHeaderView

    all_time(window)  # the main poll's figures are all-time ones
    state.on_snapshot(realistic())
    window.tabs.setCurrentIndex(window.tabs.models_index)
    window.resize(900, 600)
    window.show()
    qtbot.waitExposed(window)
    header = window.tabs.models.view.horizontalHeader()
    assert header.sectionResizeMode(0) is QHeaderView.ResizeMode.Stretch
    assert not header.stretchLastSection()
    last = header.count() - 1
    # The last numeric column is as wide as its contents, not the rest of the table.
    assert header.sectionSize(last) < header.sectionSize(0)
    credits = window.tabs.models.model.index(0, 1)
    alignment = window.tabs.models.model.data(credits, Qt.ItemDataRole.TextAlignmentRole)
    assert Qt.AlignmentFlag(int(alignment)) & Qt.AlignmentFlag.AlignRight


def arrow_points_up(image: QImage, rect: QRect) -> bool:
    """Whether the darkest triangle in `rect` is wider at its bottom (▲) than at its top."""
    rows = []
    for y in range(rect.top(), rect.bottom() + 1):
        ink = [
            x for x in range(rect.left(), rect.right() + 1) if image.pixelColor(x, y).value() < 110
        ]
        if ink:
            rows.append(max(ink) - min(ink))
    assert len(rows) >= 3, "no arrow drawn"
    return rows[-1] > rows[0]


@pytest.mark.parametrize("style_name", ["Fusion", "Windows"])
@pytest.mark.parametrize("order", [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
def test_the_sort_arrow_points_the_way_the_data_is_sorted(
    qtbot: QtBot, style_name: str, order: Qt.SortOrder
) -> None:
    from PySide6.QtWidgets import QProxyStyle, QStyleFactory

    from desktop.core import tables
    from desktop.ui.detail.table_pane import TablePane

    pane = TablePane("Models", "models")
    qtbot.addWidget(pane)
    header = pane.view.horizontalHeader()
    arrows = header.style()
    assert isinstance(arrows, QProxyStyle)
    arrows.setBaseStyle(QStyleFactory.create(style_name))
    table = tables.Table(
        (tables.Column("Model"), tables.Column("Credits", tables.ColumnKind.NUMBER)),
        (("a", 1.0), ("b", 2.0), ("c", 3.0)),
    )
    pane.set_table(table, sort_column=1, order=order)
    pane.resize(400, 200)
    pane.show()
    qtbot.waitExposed(pane)
    image = header.grab().toImage()
    # The sorted column is the last one: its indicator sits at the header's right end.
    section = QRect(image.width() - 18, 0, 18, image.height())
    first = pane.proxy.data(pane.proxy.index(0, 1))
    assert (first == "1.0") is (order is Qt.SortOrder.AscendingOrder)
    assert arrow_points_up(image, section) is (order is Qt.SortOrder.AscendingOrder)


def balance(available: float, used: float) -> Snapshot:
    figures = {"total_available_neo_credits": available, "total_neo_credits_post_reset": used}
    return Snapshot(realistic().summary.model_copy(update=figures), NOW)


def test_the_overview_s_balance_is_the_header_s(
    qtbot: QtBot, window: DetailWindow, state: AccountState
) -> None:
    """Issue 27 F12: the overview said 3,983 available and 1,017 used under a header saying
    3,984 and 1,016: the range's answer, fetched a moment after the main poll, had another
    balance. The overview's balance fields now say the header's (one fetch, one rounding)."""
    state.on_snapshot(balance(3983.66, 1016.34))
    window.show_and_raise()
    answer(state, window, balance(3983.4, 1016.6).summary)  # the range, a task later
    values = window.tabs.overview_values
    visit_all_tabs(window)
    assert window.header.credit_title.text().startswith("Available: 3,984 of 2,000")
    assert (values["available"].text(), values["used_since_reset"].text()) == ("3,984", "1,016")
    assert values["credits"].text() == "600.4"  # the range's own figures stay the range's
    # The next poll moves both; another range loading keeps the balance meanwhile.
    state.on_snapshot(balance(3983.4, 1016.6))
    assert (values["available"].text(), values["used_since_reset"].text()) == ("3,983", "1,017")
    window.range_bar.range_combo.setCurrentIndex(
        window.range_bar.range_combo.findData(RangePreset.LAST_7_DAYS)
    )
    assert (values["credits"].text(), values["available"].text()) == ("…", "3,983")
