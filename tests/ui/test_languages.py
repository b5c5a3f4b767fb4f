"""The whole app in another language: a pseudo-locale finds every shown string that does not go
through the catalog and every label too narrow for a longer language; German and French are
checked for cut texts and mnemonic clashes page by page; Qt's own words come from its catalog."""

from __future__ import annotations

import gettext
import math
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QTabBar,
    QTableView,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop.core import i18n, tray_text
from desktop.core.accounts import Account
from desktop.core.i18n import Language
from desktop.core.models import summary_from_json
from desktop.core.settings import Settings
from desktop.core.snapshot import Snapshot
from desktop.fakeapi.world import UsageWorld
from desktop.launcher import install_language
from desktop.ui.detail.window import DetailWindow
from desktop.ui.settings_dialog import SettingsDialog
from desktop.ui.state import AccountState
from desktop.ui.tray import TrayView
from desktop.ui.tray_menu import TrayAccount
from tests.helpers.views import closed_after_test
from tests.i18n.test_catalogs import speaking
from tests.ui.test_accessibility import cut_texts, mnemonic_clashes, visible

Speak = Callable[..., None]
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ACCOUNTS = (Account(id="default", name="Personal"), Account(id="e5f6a7b8", name="Acme"))
ACCENTED = str.maketrans("AaCcDEeGgHIiJKLNnOoRSsTUuWwYyZz", "ÅåÇçÐÉéĜĝĤÎîĴĶĻÑñÖöŔŜšŢÛûŴŵÝýŽž")
PLACEHOLDER = re.compile(r"(\{\w*\}|&.)")
#: What the app shows but never translates: the user's data (account names, the address), the
#: languages' own names, HTTP header names, and values of the figures.
NOT_SENTENCES = re.compile(
    rf"^(Personal|Acme|{'|'.join(i18n.LANGUAGES.values())}|Authorization: Bearer <token>|"
    r"X-Api-Key: <token>|https?://\S+|[\d\W]*)$"
)


def pseudo(text: str) -> str:
    """What translators' tools make of a sentence: accented, 40 % longer, in brackets, its
    placeholders and mnemonics kept."""
    parts = PLACEHOLDER.split(text)
    body = "".join(
        part if PLACEHOLDER.fullmatch(part) else part.translate(ACCENTED) for part in parts
    )
    return f"⟦{body}{'~' * math.ceil(len(text) * 0.4)}⟧"


class PseudoTranslations(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return pseudo(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return pseudo(msgid1 if n == 1 else msgid2)


@pytest.fixture
def language(qapp: QApplication) -> Iterator[Speak]:
    """Switch the app's language (and Qt's) for the test; English again afterwards."""
    installed = []

    def use(code: str, translation: gettext.NullTranslations | None = None) -> None:
        i18n.use(speaking(code), translation)
        translator = install_language(qapp)
        if translator is not None:
            installed.append(translator)

    yield use
    for translator in installed:
        qapp.removeTranslator(translator)
    i18n.use(Language())
    QLocale.setDefault(QLocale.c())


def build_windows(qtbot: QtBot) -> tuple[TrayView, DetailWindow, SettingsDialog]:
    state = AccountState()
    summary = summary_from_json(UsageWorld(NOW).summary(NOW))
    state.on_snapshot(Snapshot(summary, NOW - timedelta(minutes=3)))
    state.on_forecast_window(Snapshot(summary, NOW))
    other = AccountState()
    tray = closed_after_test(qtbot, TrayView(state, lambda: NOW))
    tray.set_accounts(
        [TrayAccount("default", "Personal", state), TrayAccount("e5f6a7b8", "Acme", other)]
    )
    tray.build_menu()
    tray.menu.aboutToShow.emit()
    window = DetailWindow(state, lambda: NOW)
    window.set_accounts([("default", "Personal", state), ("e5f6a7b8", "Acme", other)])
    settings = SettingsDialog(Settings(accounts=ACCOUNTS))
    for widget in (window, settings):
        qtbot.addWidget(widget)
        widget.show()
    return tray, window, settings


def pages(window: QWidget) -> Iterator[str]:
    """Show each page of the window's visible tab widget in turn (another account's page has
    its own, hidden); yields the page's name."""
    tabs = next(tab for tab in window.findChildren(QTabWidget) if tab.isVisibleTo(window))
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        QApplication.processEvents()
        yield tabs.tabText(index)


def menu_texts(menu: QMenu) -> list[str]:
    texts = [menu.title()] if menu.title() else []
    for action in menu.actions():
        if action.menu() is not None:
            texts += menu_texts(action.menu())  # type: ignore[arg-type]
        elif action.isVisible() and not action.isSeparator():
            texts.append(action.text())
    return texts


def shown_texts(window: QWidget) -> list[str]:
    """Every string the page shows or says: texts, titles, tabs, choices, placeholders, table
    headers and the names a screen reader reads."""
    texts = [window.windowTitle()]
    for child in visible(window):
        if isinstance(child.parent(), QDialogButtonBox):
            continue  # Qt's standard buttons: Qt's catalog (tested below)
        texts.append(child.accessibleName())
        if isinstance(child, QLabel | QAbstractButton):
            texts.append(child.text())
        if isinstance(child, QGroupBox):
            texts.append(child.title())
        if isinstance(child, QTabBar):
            texts += [child.tabText(index) for index in range(child.count())]
        if isinstance(child, QComboBox):
            texts += [child.itemText(index) for index in range(child.count())]
        if isinstance(child, QLineEdit):
            texts.append(child.placeholderText())
        if isinstance(child, QTableView) and child.model() is not None:
            model = child.model()
            texts += [
                str(model.headerData(column, Qt.Orientation.Horizontal))
                for column in range(model.columnCount())
            ]
    return texts


def untranslated(texts: list[str]) -> list[str]:
    """Texts with words that did not come from the catalog. A translated sentence is in the
    pseudo-locale's brackets (its values, like an account's name, may sit inside); whatever is
    left outside every bracket, a piece glued on in the code, must be the user's data or a
    figure."""
    found = set()
    for text in texts:
        outside = text.replace("&", "")
        while re.search(r"⟦[^⟦⟧]*⟧", outside):
            outside = re.sub(r"⟦[^⟦⟧]*⟧", " ", outside)
        outside = re.sub(r"⟦.*", " ", outside)  # a menu line clipped inside a sentence
        if NOT_SENTENCES.match(outside.strip()):
            continue
        pieces = [piece.strip() for piece in re.split(r"[·:—()]", outside) if piece.strip()]
        if any(
            re.search(r"[A-Za-z]{2,}", piece) and not NOT_SENTENCES.match(piece) for piece in pieces
        ):
            found.add(text)
    return sorted(found)


def test_the_pseudo_locale_reaches_every_string_and_every_label_fits(
    qtbot: QtBot, language: Speak
) -> None:
    language("en", PseudoTranslations())
    tray, window, settings = build_windows(qtbot)
    assert untranslated(menu_texts(tray.menu)) == []
    assert tray_text.tooltip(tray.shown_account().state.view, NOW).startswith("⟦")
    for dialog in (window, settings):
        for page in pages(dialog):
            assert untranslated(shown_texts(dialog)) == [], page
            assert cut_texts(dialog) == [], page
    tray.hide()


@pytest.mark.parametrize("code", ["de", "es", "fr"])
def test_each_language_fits_and_its_mnemonics_differ(
    qtbot: QtBot, language: Speak, code: str
) -> None:
    language(code)
    tray, window, settings = build_windows(qtbot)
    menu = menu_texts(tray.menu)
    assert any(text in menu for text in ("&Einstellungen…", "&Configuración…", "&Paramètres…"))
    for dialog in (window, settings):
        for page in pages(dialog):
            assert cut_texts(dialog) == [], page
            assert mnemonic_clashes(dialog) == {}, page
    tray.hide()


def test_qt_standard_buttons_speak_the_language(qtbot: QtBot, language: Speak) -> None:
    language("de")
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    qtbot.addWidget(box)
    assert [button.text() for button in box.buttons()] == ["Schließen"]
    assert QLocale().toString(1234.5, "f", 1) == "1.234,5"  # the tables' figures


def test_the_settings_offer_the_languages_by_their_own_names(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Settings(language="fr"))
    qtbot.addWidget(dialog)
    combo = dialog.language_combo
    items = [combo.itemText(index) for index in range(combo.count())]
    assert items[1:] == ["English", "Deutsch", "Español", "Français"]
    assert items[0].startswith("System (")
    assert combo.currentData() == "fr"
    assert dialog.language_note.isHidden()
    with qtbot.waitSignal(dialog.settings_changed) as changed:
        combo.setCurrentIndex(combo.findData("de"))
    assert changed.args[0].language == "de"
    assert not dialog.language_note.isHidden()  # it applies at the next start
