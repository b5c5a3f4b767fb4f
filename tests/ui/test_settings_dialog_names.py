"""The settings dialog refuses what the model refuses, with its reason: a name that shows
nothing, a name another account has by the one key, an address with a query or a fragment; and
an account whose address was lost says so instead of showing the public address."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.core.accounts import DEFAULT_ID, Account
from desktop.core.settings import Settings
from desktop.ui.settings_dialog import SettingsDialog
from tests.helpers.views import form_settings

ACME = Account(id="e5f6a7b8", name="Acme")


def no_prompt(*_args: object) -> None:
    raise AssertionError("a test must not open a modal prompt")


def make(qtbot: QtBot, *listed: Account) -> SettingsDialog:
    settings = Settings(accounts=listed) if listed else Settings()
    widget = SettingsDialog(settings, asks_name=no_prompt, confirms=no_prompt)  # type: ignore[arg-type]
    qtbot.addWidget(widget)
    return widget


@pytest.mark.parametrize("name", ["ＡＣＭＥ", "a c m e", "Acme\u3164", "Ac\u2800me", "\u115facme"])
def test_a_name_another_account_has_by_its_key_is_refused(qtbot: QtBot, name: str) -> None:
    widget = make(qtbot, Account(id=DEFAULT_ID, name="Personal"), ACME)
    with qtbot.assertNotEmitted(widget.settings_changed):
        assert widget.add_account(name) is None
        assert not widget.rename_account(DEFAULT_ID, name)
    assert "same name" in widget.error_label.text()
    assert [a.name for a in form_settings(widget).accounts] == ["Personal", "Acme"]


@pytest.mark.parametrize("name", ["\u3164", "\uffa0\u1160", "\u2800", "\u115f \u3164"])
def test_a_name_that_shows_nothing_is_refused_as_empty(qtbot: QtBot, name: str) -> None:
    widget = make(qtbot)
    with qtbot.assertNotEmitted(widget.settings_changed):
        assert widget.add_account(name) is None
        assert not widget.rename_account(DEFAULT_ID, name)
    assert "visible character" in widget.error_label.text()


@pytest.mark.parametrize("address", ["https://neo.example.test/?team=1", "https://x.test/#a"])
def test_an_address_with_a_query_or_fragment_is_refused(qtbot: QtBot, address: str) -> None:
    widget = make(qtbot)
    widget.show()
    widget.base_url_edit.setFocus()
    with qtbot.assertNotEmitted(widget.settings_changed):
        qtbot.keyClicks(widget.base_url_edit, address)
        qtbot.keyClick(widget.base_url_edit, Qt.Key.Key_Return)
    assert "query" in widget.error_label.text()


def test_a_lost_address_is_not_shown_as_the_public_one(qtbot: QtBot) -> None:
    lost = Account(id=DEFAULT_ID, name="Work", address_lost=True)
    widget = make(qtbot, lost, ACME)
    assert widget.base_url_edit.text() == ""
    assert "Lost" in widget.base_url_edit.placeholderText()
    # A change elsewhere keeps it lost: an empty field is not "the public API" for it.
    with qtbot.waitSignal(widget.settings_changed) as blocker:
        widget.interval_combo.setCurrentIndex(widget.interval_combo.findData(15))
    assert blocker.args[0].accounts[0].address_lost
    widget.account_list.setCurrentRow(1)
    assert "Lost" not in widget.base_url_edit.placeholderText()
    widget.account_list.setCurrentRow(0)
    with qtbot.waitSignal(widget.settings_changed) as blocker:
        widget.base_url_edit.setText("https://neo.api.projectdiscovery.io")
        widget.base_url_edit.editingFinished.emit()
    found = blocker.args[0].accounts[0]
    assert (found.base_url, found.address_lost) == ("https://neo.api.projectdiscovery.io", False)
