"""The detail window's Tasks tab through qtbot: asked when shown and when the range changes, the
listing's table (sorting, filters, Ctrl+C, CSV), its sentences and states; and end to end, the
whole tray fetching the tab's window from the fake API over loopback."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QTableView
from pytestqt.qtbot import QtBot

from desktop.app import TrayApp
from desktop.core.ranges import RangePreset
from desktop.core.tasks import TaskListing, TaskRow, TasksStatus, row_from_json, sort_key
from desktop.core.tasks_text import TaskColumn
from desktop.fakeapi.ledger import task_row
from desktop.fakeapi.world import UsageWorld
from desktop.ui.detail.tasks_tab import TasksTab
from desktop.ui.detail.window import DetailWindow
from desktop.ui.state import AccountState
from tests.helpers.app import start_and_wait_until_idle

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
Window = tuple[datetime, datetime]


def at(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


ROWS = (
    TaskRow("t-a", at(1), "gpt-5", "completed", 18.2, "Scan staging API", 105_000, 42, "a@x.test"),
    TaskRow("t-b", at(2), "claude", "failed", 12.4, None, 700_000, 7, "b@x.test", True),
    TaskRow("t-c", at(3), "gpt-5", "error", 0.6, "Check <b>bold</b>", 850, 3, "a@x.test"),
    TaskRow("t-d", at(4), "claude", "completed", None, "No figure", None, None, "b@x.test"),
    TaskRow("t-e", at(5), "gpt-5", "aborted", 3.0, '=HYPERLINK("http://evil")', 60_000, 1),
)


@pytest.fixture
def window(qtbot: QtBot) -> DetailWindow:
    win = DetailWindow(AccountState(), lambda: NOW)
    qtbot.addWidget(win)
    return win


def open_tasks(qtbot: QtBot, window: DetailWindow) -> Window:
    """Show the window and its Tasks tab; the window the tab asked for."""
    window.show_and_raise()
    with qtbot.waitSignal(window.tasks_requested) as blocker:
        window.tabs.setCurrentIndex(window.tabs.tasks_index)
    account_id, start, end = blocker.args
    assert account_id == ""
    return start, end


def answer(window: DetailWindow, asked: Window, *rows: TaskRow, **more: object) -> TaskListing:
    listing = TaskListing(
        TasksStatus.OK,
        *asked,
        tuple(sorted(rows, key=sort_key)),
        len(rows),
        **more,  # type: ignore[arg-type]
    )
    window.on_tasks_answer("", listing)
    return listing


def shown(tab: TasksTab, column: TaskColumn) -> list[str]:
    proxy = tab.pane.proxy
    return [str(proxy.index(r, column).data()) for r in range(proxy.rowCount())]


def header_centre(view: QTableView, column: int) -> QPoint:
    header = view.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    return QPoint(x, header.height() // 2)


def test_the_tab_asks_for_the_ranges_window_when_shown_and_says_it_is_loading(
    qtbot: QtBot, window: DetailWindow
) -> None:
    requests: list[object] = []
    window.tasks_requested.connect(lambda *args: requests.append(args))
    window.show_and_raise()
    assert requests == []  # another tab is shown: nothing fetched
    start, end = open_tasks(qtbot, window)
    query = window.range_bar.current_query()
    assert (start, end) == (query.start, query.end)
    tab = window.tabs.tasks
    assert tab.state_label.isVisibleTo(window)
    assert tab.state_label.text() == "Loading tasks…"
    assert tab.pane.proxy.rowCount() == 0
    window.tabs.setCurrentIndex(0)
    window.tabs.setCurrentIndex(window.tabs.tasks_index)
    assert len(requests) == 1  # shown again, the same range: not fetched again


def test_a_listing_is_shown_sorted_by_credits_with_its_totals(
    qtbot: QtBot, window: DetailWindow
) -> None:
    asked = open_tasks(qtbot, window)
    answer(window, asked, *ROWS)
    tab = window.tabs.tasks
    assert shown(tab, TaskColumn.TASK) == [
        "Scan staging API",
        "t-b",  # no title: its id
        '=HYPERLINK("http://evil")',
        "Check <b>bold</b>",
        "No figure",  # a missing figure sorts as 0
    ]
    assert shown(tab, TaskColumn.CREDITS)[:2] == ["18.2", "12.4"]
    assert shown(tab, TaskColumn.DURATION) == ["1 min 45 s", "11 min", "1 min", "850 ms", "—"]
    assert shown(tab, TaskColumn.BYOK)[:2] == ["—", "Yes"]
    assert tab.state_label.isHidden()
    assert tab.totals_label.text() == "5 tasks in this range used 34.2 credits"
    assert tab.failed_label.text() == "3 failed tasks cost 16 credits"
    assert tab.failed_label.isVisibleTo(window)
    assert tab.truncated_label.isHidden()
    view = tab.pane.view
    assert view.horizontalHeader().sortIndicatorSection() == TaskColumn.CREDITS
    assert view.isColumnHidden(TaskColumn.TASK_ID)
    assert not view.isColumnHidden(TaskColumn.MEMBER)
    assert tab.pane.count_label.text() == "5 rows"


def test_sorting_by_duration_and_start_uses_the_figures_not_the_text(
    qtbot: QtBot, window: DetailWindow
) -> None:
    asked = open_tasks(qtbot, window)
    answer(window, asked, *ROWS)
    tab = window.tabs.tasks
    view = tab.pane.view
    view.sortByColumn(TaskColumn.DURATION, Qt.SortOrder.DescendingOrder)
    assert shown(tab, TaskColumn.DURATION) == ["11 min", "1 min 45 s", "1 min", "850 ms", "—"]
    view.sortByColumn(TaskColumn.STARTED, Qt.SortOrder.AscendingOrder)
    assert shown(tab, TaskColumn.TASK)[0] == '=HYPERLINK("http://evil")'  # the oldest
    # A new listing keeps the order the user chose (a click on the header).
    header = view.horizontalHeader()
    qtbot.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=header_centre(view, TaskColumn.STATUS)
    )
    order = shown(tab, TaskColumn.STATUS)
    assert order in (sorted(order), sorted(order, reverse=True))
    answer(window, asked, *ROWS)
    assert header.sortIndicatorSection() == TaskColumn.STATUS
    assert shown(tab, TaskColumn.STATUS) == order


def test_filters_by_status_model_member_and_search(qtbot: QtBot, window: DetailWindow) -> None:
    asked = open_tasks(qtbot, window)
    answer(window, asked, *ROWS)
    tab = window.tabs.tasks
    status = tab.filters[TaskColumn.STATUS]
    assert [status.itemText(i) for i in range(status.count())] == [
        "All",
        "aborted",
        "completed",
        "error",
        "failed",
    ]
    status.setCurrentIndex(status.findData("completed"))
    assert shown(tab, TaskColumn.TASK) == ["Scan staging API", "No figure"]
    assert tab.pane.count_label.text() == "2 of 5"
    model = tab.filters[TaskColumn.MODEL]
    model.setCurrentIndex(model.findData("claude"))
    assert shown(tab, TaskColumn.TASK) == ["No figure"]
    status.setCurrentIndex(0)  # All
    member = tab.filters[TaskColumn.MEMBER]
    member.setCurrentIndex(member.findData("b@x.test"))
    assert shown(tab, TaskColumn.TASK) == ["t-b", "No figure"]
    member.setCurrentIndex(0)
    model.setCurrentIndex(0)
    qtbot.keyClicks(tab.pane.search, "scan")
    assert shown(tab, TaskColumn.TASK) == ["Scan staging API"]
    tab.pane.search.clear()
    # A new listing keeps the chosen value, even one it does not hold (as the search box
    # keeps its text): the filter stays until the user changes it.
    status.setCurrentIndex(status.findData("failed"))
    answer(window, asked, *ROWS[:3])
    assert status.currentData() == "failed"
    assert shown(tab, TaskColumn.TASK) == ["t-b"]
    answer(window, asked, ROWS[0])
    assert status.currentData() == "failed"
    assert [status.itemText(i) for i in range(status.count())] == ["All", "completed", "failed"]
    assert shown(tab, TaskColumn.TASK) == []
    assert tab.pane.count_label.text() == "0 of 1"
    status.setCurrentIndex(0)
    assert shown(tab, TaskColumn.TASK) == ["Scan staging API"]


def test_member_column_and_filter_only_for_rows_with_emails(
    qtbot: QtBot, window: DetailWindow
) -> None:
    asked = open_tasks(qtbot, window)
    solo = tuple(row._replace(email=None) for row in ROWS)
    answer(window, asked, *solo)
    tab = window.tabs.tasks
    assert tab.pane.view.isColumnHidden(TaskColumn.MEMBER)
    assert tab.filters[TaskColumn.MEMBER].isHidden()
    assert tab.filter_labels[TaskColumn.MEMBER].isHidden()
    answer(window, asked, *ROWS)
    assert not tab.pane.view.isColumnHidden(TaskColumn.MEMBER)
    assert tab.filters[TaskColumn.MEMBER].isVisibleTo(window)


def test_copy_and_export_the_rows_shown(qtbot: QtBot, window: DetailWindow, tmp_path: Path) -> None:
    asked = open_tasks(qtbot, window)
    answer(window, asked, *ROWS)
    tab = window.tabs.tasks
    view = tab.pane.view
    view.selectRow(2)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    copied = QGuiApplication.clipboard().text()
    assert copied.split("\t")[:4] == [
        '=HYPERLINK("http://evil")',
        "2026-11-25 07:00",
        "gpt-5",
        "aborted",
    ]
    assert "t-e" not in copied  # the hidden id column is not copied
    status = tab.filters[TaskColumn.STATUS]
    status.setCurrentIndex(status.findData("aborted"))
    target = tmp_path / "tasks.csv"
    tab.pane.export_csv(target)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))
    assert rows[0] == [
        "Task",
        "Started (UTC)",
        "Model",
        "Status",
        "Credits",
        "Duration (ms)",
        "Tool calls",
        "Member",
        "BYOK",
        "Task ID",
    ]
    # Only the row shown; a formula in a title is quoted as text.
    assert rows[1:] == [
        [
            '\'=HYPERLINK("http://evil")',
            "2026-11-25T07:00:00Z",
            "gpt-5",
            "aborted",
            "3",
            "60000",
            "1",
            "",
            "",
            "t-e",
        ]
    ]


def test_server_text_is_plain(qtbot: QtBot, window: DetailWindow) -> None:
    asked = open_tasks(qtbot, window)
    hostile = ROWS[0]._replace(model="<img src=x>", status="<i>x</i>")
    answer(window, asked, hostile)
    tab = window.tabs.tasks
    assert shown(tab, TaskColumn.MODEL) == ["<img src=x>"]
    model = tab.filters[TaskColumn.MODEL]
    assert model.itemText(1) == "<img src=x>"
    for label in tab.findChildren(QLabel):
        if label.text():
            assert label.textFormat() in (Qt.TextFormat.PlainText, Qt.TextFormat.AutoText)
    for label in (tab.state_label, tab.totals_label, tab.failed_label, tab.truncated_label):
        assert label.textFormat() is Qt.TextFormat.PlainText


def test_truncated_listing_says_so(qtbot: QtBot, window: DetailWindow) -> None:
    asked = open_tasks(qtbot, window)
    listing = TaskListing(TasksStatus.OK, *asked, ROWS[:2], 7_000, True)
    window.on_tasks_answer("", listing)
    tab = window.tabs.tasks
    assert tab.truncated_label.isVisibleTo(window)
    assert tab.truncated_label.text() == (
        "Only 2 of 7,000 tasks were fetched: the figures cover those."
    )


def test_forbidden_is_explained_and_unavailable_offers_a_retry(
    qtbot: QtBot, window: DetailWindow
) -> None:
    asked = open_tasks(qtbot, window)
    tab = window.tabs.tasks
    window.on_tasks_answer("", TaskListing(TasksStatus.FORBIDDEN, *asked))
    assert tab.state_label.text().startswith("Only team admins and solo users can see tasks")
    assert tab.retry_button.isHidden()
    assert tab.totals_label.isHidden()
    assert tab.pane.proxy.rowCount() == 0
    window.on_tasks_answer("", TaskListing(TasksStatus.UNAVAILABLE, *asked))
    assert tab.state_label.text() == "The tasks could not be fetched; details are in the log."
    assert tab.retry_button.isVisibleTo(window)
    with qtbot.waitSignal(window.tasks_requested) as blocker:
        qtbot.mouseClick(tab.retry_button, Qt.MouseButton.LeftButton)
    assert blocker.args[1] == asked[0]
    assert tab.state_label.text() == "Loading tasks…"
    assert tab.retry_button.isHidden()


def test_refresh_and_f5_fetch_the_tasks_again(qtbot: QtBot, window: DetailWindow) -> None:
    asked = open_tasks(qtbot, window)
    answer(window, asked, *ROWS)
    with qtbot.waitSignal(window.tasks_requested) as blocker:
        qtbot.mouseClick(window.page().header.refresh_button, Qt.MouseButton.LeftButton)
    assert (blocker.args[1], blocker.args[2]) == asked
    answer(window, asked, *ROWS)
    refresh = next(
        shortcut
        for shortcut in window.findChildren(QShortcut)
        if shortcut.key() == QKeySequence(QKeySequence.StandardKey.Refresh)
    )
    with qtbot.waitSignal(window.tasks_requested):
        refresh.activated.emit()  # F5 (offscreen windows are never active, so no key event)


def test_another_range_asks_again_and_old_answers_are_dropped(
    qtbot: QtBot, window: DetailWindow
) -> None:
    old = open_tasks(qtbot, window)
    combo = window.range_bar.range_combo
    with qtbot.waitSignal(window.tasks_requested) as blocker:
        combo.setCurrentIndex(combo.findData(RangePreset.LAST_7_DAYS))
    new = (blocker.args[1], blocker.args[2])
    assert new[0] > old[0]
    answer(window, old, *ROWS)  # the range the user left
    tab = window.tabs.tasks
    assert tab.pane.proxy.rowCount() == 0
    assert tab.state_label.text() == "Loading tasks…"
    answer(window, new, ROWS[0])
    assert shown(tab, TaskColumn.TASK) == ["Scan staging API"]
    # All time: from the ledger's first instant to now.
    with qtbot.waitSignal(window.tasks_requested) as blocker:
        combo.setCurrentIndex(combo.findData(RangePreset.ALL_TIME))
    assert blocker.args[1] == datetime(1970, 1, 1, tzinfo=UTC)
    assert blocker.args[2] == NOW


def test_the_filter_row_stays_while_loading_and_keeps_both_filters(
    qtbot: QtBot, window: DetailWindow
) -> None:
    """Issue 27 F8: while another range loads, the filter row kept neither its geometry (the
    combos shrank to "All", the member filter vanished, "0 rows" showed beside "Loading
    tasks…") nor the chosen status (reset), while the search box kept its text. Now nothing in
    the row moves, the count is blank, and both filters apply to the answer, as the search box
    of every table (the Team tab's too) keeps its text across ranges."""
    asked = open_tasks(qtbot, window)
    answer(window, asked, *ROWS)
    tab = window.tabs.tasks
    status = tab.filters[TaskColumn.STATUS]
    status.setCurrentIndex(status.findData("completed"))
    qtbot.keyClicks(tab.pane.search, "scan")
    assert shown(tab, TaskColumn.TASK) == ["Scan staging API"]
    row = [
        *tab.filters.values(),
        *tab.filter_labels.values(),
        tab.pane.search,
        tab.pane.export_button,
        tab.pane.view,
    ]

    def geometry() -> list[object]:
        QGuiApplication.processEvents()  # (layout requests are posted events)
        return [(w.isVisible(), w.mapTo(window, QPoint(0, 0)), w.size()) for w in row]

    before = geometry()
    combo = window.range_bar.range_combo
    with qtbot.waitSignal(window.tasks_requested) as blocker:
        combo.setCurrentIndex(combo.findData(RangePreset.LAST_7_DAYS))
    assert tab.state_label.text() == "Loading tasks…"
    assert tab.pane.proxy.rowCount() == 0
    assert tab.pane.count_label.text() == ""
    qtbot.keyClick(tab.pane.search, Qt.Key.Key_Space)  # typing while loading: still blank
    qtbot.keyClick(tab.pane.search, Qt.Key.Key_Backspace)
    assert tab.pane.count_label.text() == ""
    assert geometry() == before
    assert status.currentData() == "completed"
    answer(window, (blocker.args[1], blocker.args[2]), *ROWS[:3])
    assert (status.currentData(), tab.pane.search.text()) == ("completed", "scan")
    assert shown(tab, TaskColumn.TASK) == ["Scan staging API"]
    assert tab.pane.count_label.text() == "1 of 3"


def test_a_range_changed_on_another_tab_is_fetched_when_the_tab_is_shown(
    qtbot: QtBot, window: DetailWindow
) -> None:
    asked = open_tasks(qtbot, window)
    answer(window, asked, *ROWS)
    window.tabs.setCurrentIndex(0)
    requests: list[object] = []
    window.tasks_requested.connect(lambda *args: requests.append(args))
    combo = window.range_bar.range_combo
    combo.setCurrentIndex(combo.findData(RangePreset.LAST_7_DAYS))
    assert requests == []
    window.tabs.setCurrentIndex(window.tabs.tasks_index)
    assert len(requests) == 1
    assert requests[0][1] == window.range_bar.current_query().start  # type: ignore[index]


def test_answers_go_to_their_accounts_page(qtbot: QtBot, window: DetailWindow) -> None:
    other = AccountState()
    window.set_accounts([("", "Personal", AccountState()), ("acme", "Acme", other)])
    window.show_and_raise("acme")
    with qtbot.waitSignal(window.tasks_requested) as blocker:
        window.tabs.setCurrentIndex(window.tabs.tasks_index)
    account_id, start, end = blocker.args
    assert account_id == "acme"
    listing = TaskListing(TasksStatus.OK, start, end, ROWS[:1], 1)
    window.on_tasks_answer("", listing)  # another account's page asked for nothing
    assert window.page("acme").tabs.tasks.pane.proxy.rowCount() == 0
    window.on_tasks_answer("acme", listing)
    assert window.page("acme").tabs.tasks.pane.proxy.rowCount() == 1
    window.on_tasks_answer("gone", listing)  # an account without a page: dropped


def test_controls_have_accessible_names(window: DetailWindow) -> None:
    tab = window.tabs.tasks
    assert window.tabs.tabText(window.tabs.tasks_index) == "Tas&ks"
    assert tab.accessibleName() == "Tasks"
    assert tab.pane.view.accessibleName() == "Tasks table"
    assert tab.pane.search.accessibleName() == "Filter Tasks"
    assert tab.retry_button.accessibleName() == "Fetch the tasks again"
    names = [tab.filters[c].accessibleName() for c in tab.filters]
    assert names == [
        "Filter tasks by status",
        "Filter tasks by model",
        "Filter tasks by member",
    ]
    for column, label in tab.filter_labels.items():
        assert label.buddy() is tab.filters[column]


def test_the_fake_apis_ledger_fills_the_tab(qtbot: QtBot, tray_app: TrayApp) -> None:
    """End to end: the tray's window asks through the session set, the worker pages the fake
    API over loopback, and the listing lands on the tab."""
    start_and_wait_until_idle(qtbot, tray_app)
    tray_app.show_window()
    window = tray_app.windows.detail()
    window.tabs.setCurrentIndex(window.tabs.tasks_index)
    tab = window.tabs.tasks
    qtbot.waitUntil(lambda: tab.listing is not None, timeout=20_000)
    listing = tab.listing
    assert listing is not None
    assert listing.status is TasksStatus.OK
    assert listing.rows
    assert tab.pane.proxy.rowCount() == len(listing.rows)
    assert tab.totals_label.text().startswith(f"{len(listing.rows):,} task")


def test_realistic_rows_from_the_fake_world(qtbot: QtBot, window: DetailWindow) -> None:
    """The demo's own rows (titles, statuses, members): every row shown, the failed ones'
    credits said as their sum."""
    asked = open_tasks(qtbot, window)
    world = UsageWorld(NOW)
    rows = [row_from_json(task_row(t, NOW, True)) for t in world.tasks_until(NOW)]
    kept = tuple(r for r in rows if r is not None and asked[0] <= r.created_at <= asked[1])
    answer(window, asked, *kept)
    tab = window.tabs.tasks
    assert tab.pane.proxy.rowCount() == len(kept) > 100
    failed = [r for r in kept if r.status in {"failed", "error", "aborted"}]
    assert tab.failed_label.text().startswith(f"{len(failed)} failed tasks cost ")


def test_a_header_click_turns_the_presorted_credits_around(
    qtbot: QtBot, window: DetailWindow
) -> None:
    """The rows arrive sorted by credits (one reset, one fit); the header still sorts them."""
    asked = open_tasks(qtbot, window)
    answer(window, asked, *ROWS)
    tab = window.tabs.tasks
    view = tab.pane.view
    qtbot.mouseClick(
        view.horizontalHeader().viewport(),
        Qt.MouseButton.LeftButton,
        pos=header_centre(view, TaskColumn.CREDITS),
    )
    assert view.horizontalHeader().sortIndicatorOrder() is Qt.SortOrder.AscendingOrder
    assert shown(tab, TaskColumn.CREDITS) == ["—", "0.6", "3.0", "12.4", "18.2"]
    view.sortByColumn(TaskColumn.CREDITS, Qt.SortOrder.DescendingOrder)
    assert shown(tab, TaskColumn.CREDITS) == ["18.2", "12.4", "3.0", "0.6", "—"]
