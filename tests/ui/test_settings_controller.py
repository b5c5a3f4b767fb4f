"""The settings controller: applying and saving settings, keyring writes in the background."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from pytestqt.qtbot import QtBot

from desktop.core.settings import Settings
from desktop.system import paths
from desktop.ui.fetch_worker import ClientConfig
from desktop.ui.prober import Prober
from desktop.ui.settings_controller import SettingsController
from tests.conftest import MemoryKeyring


class BrokenKeyring(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("the Secret Service is locked")


@pytest.fixture
def controller(qtbot: QtBot, memory_keyring: MemoryKeyring) -> Iterator[SettingsController]:
    # A keyring of its own: whichever backend an earlier test left active (the system's Secret
    # Service, with no bus here) made a background look take 30 s and outlive the test.
    poller = Prober()
    made = SettingsController(
        Settings(), poller, lambda settings, token: ClientConfig("https://neo.example.test")
    )
    yield made
    forget_dialog(qtbot, made)
    poller.stop()


def forget_dialog(qtbot: QtBot, controller: SettingsController) -> None:
    """Delete the dialog the controller made (it has no parent that would), once the keyring
    work it started has reported back to it."""
    from desktop.ui import background

    qtbot.waitUntil(lambda: not background._running, timeout=10_000)
    if controller.dialog is not None:
        controller.dialog.hide()
        controller.dialog.deleteLater()


def test_apply_saves_and_announces(qtbot: QtBot, controller: SettingsController) -> None:
    new = Settings(poll_interval_minutes=15)
    with qtbot.waitSignal(controller.settings_applied) as blocker:
        controller.apply(new)
    assert blocker.args == [new]
    saved = json.loads(Path(paths.config_dir() / "settings.json").read_text())
    assert saved["poll_interval_minutes"] == 15
    assert controller.settings == new


def test_saving_a_token_goes_to_the_keyring_off_the_ui_thread(
    qtbot: QtBot, controller: SettingsController, memory_keyring: MemoryKeyring
) -> None:
    controller.open()
    with qtbot.waitSignal(controller.token_changed, timeout=10_000) as blocker:
        controller.save_token("default", "  new-token-123456  ")
    assert blocker.args == ["default", None]  # read it back from the keyring
    assert memory_keyring.get_password("neo-usage-tray", "api-token") == "new-token-123456"
    with qtbot.waitSignal(controller.token_changed, timeout=10_000):
        controller.sign_out("default")
    assert memory_keyring.get_password("neo-usage-tray", "api-token") is None


def test_a_locked_keyring_keeps_the_token_for_the_session(
    qtbot: QtBot, controller: SettingsController
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    try:
        dialog = controller.open()
        with qtbot.waitSignal(controller.token_changed, timeout=10_000) as blocker:
            controller.save_token("default", "session-token-1234")
        assert blocker.args == ["default", "session-token-1234"]
        assert "this session only" in dialog.token_status.text()
    finally:
        keyring.set_keyring(previous)


def test_without_a_keyring_the_dialog_offers_the_file(
    qtbot: QtBot, controller: SettingsController
) -> None:
    from keyring.backends.fail import Keyring as FailKeyring

    from desktop.system import secrets

    previous = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    try:
        dialog = controller.open()
        qtbot.waitUntil(lambda: dialog.file_save_button.isVisibleTo(dialog), timeout=10_000)
        assert str(secrets.token_file()) in dialog.file_note.text()
        dialog.token_edit.setText("file-token-0123456789")
        with qtbot.waitSignal(controller.token_changed, timeout=10_000) as blocker:
            dialog.file_save_button.click()
        assert blocker.args == ["default", None]  # read back: environment, keyring, file
        assert secrets.token_file().stat().st_mode & 0o777 == 0o600
        assert secrets.load_token({}).source == "file"
    finally:
        keyring.set_keyring(previous)


def test_once_a_keyring_works_the_dialog_offers_the_move(
    qtbot: QtBot, controller: SettingsController, memory_keyring: MemoryKeyring
) -> None:
    from desktop.system import secrets

    secrets.save_token_to_file("file-token-0123456789")
    dialog = controller.open()
    qtbot.waitUntil(lambda: dialog.move_button.isVisibleTo(dialog), timeout=10_000)
    assert not dialog.file_save_button.isVisibleTo(dialog)
    with qtbot.waitSignal(controller.token_changed, timeout=10_000):
        dialog.move_button.click()
    assert memory_keyring.get_password("neo-usage-tray", "api-token") == "file-token-0123456789"
    assert not secrets.token_file().exists()


def test_each_account_has_its_own_keyring_entry_and_removing_it_deletes_it(
    qtbot: QtBot, controller: SettingsController, memory_keyring: MemoryKeyring
) -> None:
    from desktop.core.accounts import Account
    from desktop.system import cache, notify_store

    acme = Account(id="e5f6a7b8", name="Acme")
    controller.apply(Settings(accounts=(*Settings().accounts, acme)))
    memory_keyring.set_password("neo-usage-tray", "api-token", "default-token-0123456")
    dialog = controller.open()
    dialog.select_account(acme.id)
    dialog.token_edit.setText("acme-token-0123456789")
    with qtbot.waitSignal(controller.token_changed, timeout=10_000) as blocker:
        dialog.save_button.click()
    assert blocker.args == [acme.id, None]
    assert memory_keyring.get_password("neo-usage-tray", "api-token-e5f6a7b8") == (
        "acme-token-0123456789"
    )
    for path in (cache.default_path(acme.id), notify_store.default_path(acme.id)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")
    with qtbot.waitSignal(controller.settings_applied) as applied:
        assert dialog.remove_account(acme.id)
    assert [a.name for a in applied.args[0].accounts] == ["Default"]
    qtbot.waitUntil(
        lambda: memory_keyring.get_password("neo-usage-tray", "api-token-e5f6a7b8") is None,
        timeout=10_000,
    )
    assert not cache.default_path(acme.id).exists()
    assert not notify_store.default_path(acme.id).exists()
    # The other account's token is untouched.
    assert memory_keyring.get_password("neo-usage-tray", "api-token") == "default-token-0123456"


def test_removing_an_account_without_a_token_says_nothing_false(qtbot: QtBot) -> None:
    """No keyring backend and no token file: nothing was stored, so nothing failed to go."""
    from keyring.backends.fail import Keyring as FailKeyring

    from desktop.core.accounts import Account
    from desktop.ui import background

    previous = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    poller = Prober()
    acme = Account(id="e5f6a7b8", name="Acme")
    controller = SettingsController(
        Settings(accounts=(*Settings().accounts, acme)),
        poller,
        lambda settings, token: ClientConfig("https://neo.example.test"),
        confirms=lambda *_args: True,
    )
    try:
        dialog = controller.open(account_id=acme.id)
        qtbot.waitUntil(lambda: "No token" in dialog.token_home_label.text(), timeout=10_000)
        assert dialog.account_list.item(1).text() == "Acme (no token)"
        assert not dialog.sign_out_button.isEnabled()
        assert not dialog.save_button.isEnabled()  # no keyring: only the file is offered
        assert dialog.remove_account(acme.id)
        qtbot.waitUntil(lambda: not background._running, timeout=10_000)
        assert dialog.error_label.text() == ""
        assert "Acme" not in dialog.token_status.text()
    finally:
        keyring.set_keyring(previous)
        forget_dialog(qtbot, controller)
        poller.stop()


def test_the_token_group_follows_save_and_sign_out(
    qtbot: QtBot, controller: SettingsController, memory_keyring: MemoryKeyring
) -> None:
    dialog = controller.open()
    qtbot.waitUntil(lambda: "No token" in dialog.token_home_label.text(), timeout=10_000)
    assert dialog.token_intro.isVisibleTo(dialog)  # first run: what a token is, where to get it
    controller.save_token("default", "new-token-123456")
    qtbot.waitUntil(lambda: "system keyring" in dialog.token_home_label.text(), timeout=10_000)
    assert dialog.sign_out_button.isEnabled()
    assert not dialog.token_intro.isVisibleTo(dialog)
    controller.sign_out("default")
    qtbot.waitUntil(lambda: "No token" in dialog.token_home_label.text(), timeout=10_000)
    assert not dialog.sign_out_button.isEnabled()


def test_restart_now_runs_the_restart_hook(qtbot: QtBot, memory_keyring: MemoryKeyring) -> None:
    restarts: list[bool] = []
    poller = Prober()
    controller = SettingsController(
        Settings(),
        poller,
        lambda settings, token: ClientConfig("https://neo.example.test"),
        restarts=lambda: restarts.append(True),
    )
    try:
        dialog = controller.open()
        dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("fr"))
        dialog.restart_button.click()
        assert restarts == [True]
        assert controller.settings.language == "fr"  # saved before the restart reads it
    finally:
        forget_dialog(qtbot, controller)
        poller.stop()


def test_a_failed_start_at_login_is_said_in_the_users_language(
    qtbot: QtBot, controller: SettingsController, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.core import i18n
    from desktop.system import autostart

    def refuse() -> None:
        raise OSError("read-only file system")

    monkeypatch.setattr(autostart, "enable", refuse)
    i18n.use(i18n.resolve("de"))
    dialog = controller.open()
    with qtbot.waitSignal(controller.settings_applied):
        controller.apply(Settings(start_at_login=True))
    assert dialog.error_label.text() == (
        "Der Start bei der Anmeldung konnte nicht geändert werden: read-only file system"
    )
