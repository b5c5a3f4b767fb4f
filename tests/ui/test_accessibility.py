"""What assistive technology and keyboard users rely on, for each window and each of its pages:
every control a keyboard reaches has a name a screen reader can say, no two visible mnemonics
share a letter, and Escape closes the dialog."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QGroupBox,
    QLabel,
    QTabBar,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop.core.accounts import Account
from desktop.core.models import summary_from_json
from desktop.core.settings import Settings
from desktop.core.snapshot import Snapshot
from desktop.fakeapi.world import UsageWorld
from desktop.ui.detail.window import DetailWindow
from desktop.ui.settings_dialog import SettingsDialog
from desktop.ui.state import AccountState

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
MNEMONIC = re.compile(r"&([^&])")


def pages(window: QWidget) -> Iterator[str]:
    """Show each page of each tab widget in turn; yields a name for the page shown."""
    tabs = window.findChildren(QTabWidget)
    outer = tabs[0] if tabs else None
    if outer is None:
        yield "window"
        return
    for index in range(outer.count()):
        outer.setCurrentIndex(index)
        yield outer.tabText(index)


def visible(window: QWidget) -> list[QWidget]:
    return [child for child in window.findChildren(QWidget) if child.isVisibleTo(window)]


def unnamed_controls(window: QWidget) -> list[str]:
    """Keyboard-reachable controls with neither an accessible name nor a text of their own."""
    missing = []
    for child in visible(window):
        if not child.focusPolicy() & Qt.FocusPolicy.TabFocus or isinstance(child, QTabBar):
            continue
        if isinstance(child.parent(), QAbstractSpinBox):
            continue  # a spin box's own line edit: the spin box carries the name
        text = child.text() if isinstance(child, QAbstractButton) else ""
        if not (child.accessibleName() or text.replace("&", "")):
            missing.append(f"{type(child).__name__} {child.objectName()!r}")
    return missing


def mnemonic_clashes(window: QWidget) -> dict[str, list[str]]:
    letters: dict[str, list[str]] = {}
    texts = [
        child.text() for child in visible(window) if isinstance(child, QAbstractButton | QLabel)
    ]
    texts += [child.title() for child in visible(window) if isinstance(child, QGroupBox)]
    for bar in (child for child in visible(window) if isinstance(child, QTabBar)):
        texts += [bar.tabText(index) for index in range(bar.count())]
    for text in texts:
        found = MNEMONIC.search(text.replace("&&", ""))
        if found:
            letters.setdefault(found.group(1).casefold(), []).append(text)
    return {letter: used for letter, used in letters.items() if len(used) > 1}


@pytest.fixture
def detail(qtbot: QtBot) -> DetailWindow:
    state = AccountState()
    world = UsageWorld(NOW)
    state.on_snapshot(Snapshot(summary_from_json(world.summary(NOW)), NOW))
    window = DetailWindow(state, lambda: NOW)
    qtbot.addWidget(window)
    window.show()
    return window


def test_every_page_of_the_detail_window_is_named_and_mnemonics_differ(
    detail: DetailWindow,
) -> None:
    for page in range(detail.tabs.count()):
        detail.tabs.setCurrentIndex(page)
        name = detail.tabs.tabText(page)
        assert unnamed_controls(detail) == [], name
        assert mnemonic_clashes(detail) == {}, name


def test_every_page_of_the_settings_is_named_and_mnemonics_differ(qtbot: QtBot) -> None:
    two = (Account(id="default", name="Personal"), Account(id="e5f6a7b8", name="Acme"))
    dialog = SettingsDialog(Settings(accounts=two))
    qtbot.addWidget(dialog)
    dialog.show()
    for page in pages(dialog):
        assert unnamed_controls(dialog) == [], page
        assert mnemonic_clashes(dialog) == {}, page


def test_escape_closes_the_settings(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def focus_chain(window: QWidget) -> list[QWidget]:
    """The widgets Tab visits, in order, from the window's first."""
    chain: list[QWidget] = []
    widget: QWidget | None = window.nextInFocusChain()
    while widget is not None and widget is not window and widget not in chain:
        if (
            widget.isVisibleTo(window)
            and widget.isEnabled()
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        ):
            chain.append(widget)
        widget = widget.nextInFocusChain()
    return chain


def test_tab_goes_through_the_detail_window_top_down(detail: DetailWindow) -> None:
    chain = focus_chain(detail)
    wanted = [
        detail.header.refresh_button,
        detail.range_bar.range_combo,
        detail.range_bar.group_combo,
        detail.tabs,
    ]
    assert [widget for widget in chain if widget in wanted] == wanted


def test_tab_goes_through_the_settings_top_down(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.show()
    wanted = [
        dialog.account_list,
        dialog.add_account_button,
        dialog.token_edit,
        dialog.test_button,
        dialog.save_button,
        dialog.base_url_edit,
        dialog.scheme_combo,
    ]
    assert [widget for widget in focus_chain(dialog) if widget in wanted] == wanted


@pytest.mark.parametrize("scale", [1.0, 1.5])
def test_no_text_is_cut_at_the_default_or_a_larger_font(qtbot: QtBot, scale: float) -> None:
    """The windows follow the system font: at 1.5 times its size no label or button text is
    wider than its widget, on any page."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    original = app.font()
    bigger = app.font()
    bigger.setPointSizeF(original.pointSizeF() * scale)
    app.setFont(bigger)
    try:
        state = AccountState()
        state.on_snapshot(Snapshot(summary_from_json(UsageWorld(NOW).summary(NOW)), NOW))
        two = (Account(id="default", name="Personal"), Account(id="e5f6a7b8", name="Acme"))
        for window in (DetailWindow(state, lambda: NOW), SettingsDialog(Settings(accounts=two))):
            qtbot.addWidget(window)
            window.show()
            tabs = window.findChildren(QTabWidget)[0]
            for index in range(tabs.count()):
                tabs.setCurrentIndex(index)
                QApplication.processEvents()
                assert cut_texts(window) == [], tabs.tabText(index)
    finally:
        app.setFont(original)


def cut_texts(window: QWidget) -> list[str]:
    cut = []
    for child in visible(window):
        if isinstance(child, QLabel) and child.text() and not child.wordWrap():
            room = child.contentsRect().width() + 1
        elif isinstance(child, QAbstractButton) and child.text():
            room = child.width()
        else:
            continue
        text = child.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
        if child.fontMetrics().horizontalAdvance(text) > room:
            cut.append(text)
    return cut
