"""Issue 30 in the whole tray and its settings: "Open Neo" from the menu and the detail window
opens each account's web address (through Qt's own URL handler), the settings keep the web
address and the hook (round trip, older files, a bad address), and the settings' hook Test runs
the dialog's command with NEO_EVENT=test."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from desktop.app import TrayApp
from desktop.core import hooks
from desktop.core.accounts import DEFAULT_WEB_URL, Account
from desktop.core.settings import Settings
from desktop.system import settings_store
from desktop.ui.settings_dialog import SettingsDialog


class Browser(QObject):
    """Qt's URL handler for https: what `QDesktopServices.openUrl` was asked to open."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


@pytest.fixture
def browser() -> Iterator[Browser]:
    handler = Browser()
    # PySide 6.11 takes the slot's name as str at run time, though its stubs say bytes.
    QDesktopServices.setUrlHandler("https", handler, "open")  # type: ignore[arg-type]
    yield handler
    QDesktopServices.unsetUrlHandler("https")


def test_open_neo_in_the_menu_opens_the_accounts_web_address(
    qtbot: QtBot, tray_app: TrayApp, browser: Browser
) -> None:
    tray_app.tray.menu.aboutToShow.emit()
    assert [action.text() for action in tray_app.tray.web_actions] == ["&Open Neo"]
    tray_app.tray.web_actions[0].trigger()
    assert browser.opened == [DEFAULT_WEB_URL]
    # Changed in the settings: the menu opens the new address.
    settings = tray_app.settings_controller.settings
    own = settings.accounts[0].model_copy(update={"web_url": "https://neo.example.com/team"})
    tray_app.settings_controller.apply(settings.model_copy(update={"accounts": (own,)}))
    tray_app.tray.web_actions[0].trigger()
    assert browser.opened == [DEFAULT_WEB_URL, "https://neo.example.com/team"]


def test_open_neo_in_the_detail_window_opens_the_shown_accounts_address(
    qtbot: QtBot, tray_app: TrayApp, browser: Browser
) -> None:
    settings = tray_app.settings_controller.settings
    own = settings.accounts[0].model_copy(update={"web_url": "https://neo.example.org"})
    tray_app.settings_controller.apply(settings.model_copy(update={"accounts": (own,)}))
    tray_app.show_window()
    window = tray_app.windows.detail()
    page = window._pages[tray_app.sessions[0].id]
    button = page.header.web_button
    assert isinstance(button, QPushButton)
    assert button.text() == "Open &Neo"
    button.click()
    assert browser.opened == ["https://neo.example.org"]


def test_the_settings_keep_the_web_address_and_the_hook(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    account = Account(id="a1b2c3d4", name="Work", web_url="https://neo.example.com/app")
    saved = Settings(accounts=(account,), hook_command=("notify", "--to", "a b"))
    settings_store.save(saved, path)
    raw = json.loads(path.read_text())
    assert raw["hook_command"] == ["notify", "--to", "a b"]
    assert raw["accounts"][0]["web_url"] == "https://neo.example.com/app"
    assert settings_store.load(path).settings == saved


def test_older_and_damaged_files_read_fine(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    older = {"accounts": [{"id": "a1b2c3d4", "name": "Work", "base_url": None}]}
    path.write_text(json.dumps(older))
    loaded = settings_store.load(path).settings
    assert loaded.accounts[0].web_url == DEFAULT_WEB_URL
    assert loaded.hook_command == ()
    damaged = {
        "accounts": [{"id": "a1b2c3d4", "name": "Work", "web_url": "http://neo.example.com"}],
        "hook_command": "rm -rf ~",  # a string, not a list of arguments
    }
    path.write_text(json.dumps(damaged))
    loaded = settings_store.load(path).settings
    assert [(a.id, a.name, a.web_url) for a in loaded.accounts] == [
        ("a1b2c3d4", "Work", DEFAULT_WEB_URL)  # the account is kept, its address the default
    ]
    assert loaded.hook_command == ()


def test_the_dialog_edits_the_web_address_per_account(qtbot: QtBot) -> None:
    settings = Settings(accounts=(Account(id="a1", name="One"), Account(id="b2", name="Two")))
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    assert dialog.connection_form.web_url_edit.text() == DEFAULT_WEB_URL
    dialog.connection_form.web_url_edit.setText("http://neo.example.com")
    with qtbot.assertNotEmitted(dialog.settings_changed):
        dialog.connection_form.web_url_edit.editingFinished.emit()
    assert "https://" in dialog.error_label.text()
    dialog.connection_form.web_url_edit.setText("https://neo.example.com/")
    with qtbot.waitSignal(dialog.settings_changed) as blocker:
        dialog.connection_form.web_url_edit.editingFinished.emit()
    changed = blocker.args[0]
    assert [a.web_url for a in changed.accounts] == ["https://neo.example.com", DEFAULT_WEB_URL]
    dialog.select_account("b2")
    assert dialog.connection_form.web_url_edit.text() == DEFAULT_WEB_URL
    dialog.select_account("a1")
    assert dialog.connection_form.web_url_edit.text() == "https://neo.example.com"


def test_the_dialog_takes_the_hook_as_a_command_line(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Settings(hook_command=("notify", "a b")))
    qtbot.addWidget(dialog)
    edit = dialog.hook_form.command_edit
    assert edit.text() == "notify 'a b'"  # shown back with shlex.join
    edit.setText("curl -d \"$x\" 'https://chat.example.com/hook'")
    with qtbot.waitSignal(dialog.settings_changed) as blocker:
        edit.editingFinished.emit()
    assert blocker.args[0].hook_command == ("curl", "-d", "$x", "https://chat.example.com/hook")
    edit.setText("echo 'open")
    with qtbot.assertNotEmitted(dialog.settings_changed):
        edit.editingFinished.emit()
    assert "quote" in dialog.error_label.text()
    with qtbot.assertNotEmitted(dialog.hook_test_requested):
        dialog.hook_form.test_button.click()
    assert "quote" in dialog.hook_form.result_label.text()
    edit.clear()
    with qtbot.waitSignal(dialog.settings_changed) as blocker:
        edit.editingFinished.emit()
    assert blocker.args[0].hook_command == ()


def test_the_settings_test_runs_the_typed_command_with_a_test_event(
    qtbot: QtBot, tray_app: TrayApp, tmp_path: Path
) -> None:
    dump = tmp_path / "env.json"
    tray_app.open_settings()
    dialog = tray_app.settings_controller.dialog
    assert dialog is not None
    code = "import json, os, sys; json.dump(dict(os.environ), open(sys.argv[1], 'w'))"
    dialog.hook_form.command_edit.setText(
        hooks.command_line([sys.executable, "-c", code, str(dump)])
    )
    with qtbot.waitSignal(tray_app.hooks.test_finished, timeout=20_000):
        dialog.hook_form.test_button.click()
    env = json.loads(dump.read_text())
    assert env["NEO_EVENT"] == "test"
    assert env["NEO_ACCOUNT"] == tray_app.sessions[0].account.name
    assert "NEO_API_TOKEN" not in env
    assert dialog.hook_form.result_label.text() == "The event hook ran and succeeded."
    assert tray_app.tray.hook_failure_actions == []  # a Test never reaches the menu
    # Opened again (the same dialog): one Test, one answer.
    tray_app.open_settings()
    dialog.hook_form.command_edit.setText("sh -c 'exit 7'")
    answers: list[object] = []
    tray_app.hooks.test_finished.connect(answers.append)
    with qtbot.waitSignal(tray_app.hooks.test_finished, timeout=20_000):
        dialog.hook_form.test_button.click()
    assert len(answers) == 1
    assert "exit status 7" in dialog.hook_form.result_label.text()
