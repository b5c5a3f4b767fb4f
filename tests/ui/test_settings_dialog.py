"""The settings dialog through qtbot: inline validation, changes applied at once, token actions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.core.errors import ErrorKind
from desktop.core.models import summary_from_json
from desktop.core.query import AuthScheme
from desktop.core.settings import Settings
from desktop.core.snapshot import PollError, Snapshot
from desktop.ui.overrides import Overrides
from desktop.ui.settings_dialog import SettingsDialog
from desktop.ui.wrapping_label import WrappingLabel
from tests.helpers.views import form_settings

NOW = datetime(2026, 11, 25, tzinfo=UTC)


def no_prompt(*_args: object) -> None:
    raise AssertionError("a test must not open a modal prompt")


@pytest.fixture
def dialog(qtbot: QtBot) -> SettingsDialog:
    widget = SettingsDialog(Settings(), asks_name=no_prompt, confirms=no_prompt)  # type: ignore[arg-type]
    qtbot.addWidget(widget)
    return widget


def test_interval_change_applies_at_once(qtbot: QtBot, dialog: SettingsDialog) -> None:
    with qtbot.waitSignal(dialog.settings_changed) as blocker:
        dialog.interval_combo.setCurrentIndex(dialog.interval_combo.findData(15))
    assert blocker.args[0].poll_interval_minutes == 15


def test_auth_scheme_is_a_setting(qtbot: QtBot, dialog: SettingsDialog) -> None:
    with qtbot.waitSignal(dialog.settings_changed) as blocker:
        dialog.scheme_combo.setCurrentIndex(dialog.scheme_combo.findData(AuthScheme.X_API_KEY))
    assert blocker.args[0].accounts[0].auth_scheme is AuthScheme.X_API_KEY


def test_insecure_url_is_explained_and_not_applied(qtbot: QtBot, dialog: SettingsDialog) -> None:
    dialog.show()
    dialog.base_url_edit.setFocus()
    with qtbot.assertNotEmitted(dialog.settings_changed):
        qtbot.keyClicks(dialog.base_url_edit, "http://neo.example.test")
        qtbot.keyClick(dialog.base_url_edit, Qt.Key.Key_Return)
    assert "https://" in dialog.error_label.text()
    dialog.base_url_edit.clear()
    with qtbot.waitSignal(dialog.settings_changed) as blocker:
        qtbot.keyClicks(dialog.base_url_edit, "https://neo.example.test/")
        qtbot.keyClick(dialog.base_url_edit, Qt.Key.Key_Return)
    assert blocker.args[0].accounts[0].base_url == "https://neo.example.test"
    assert dialog.error_label.text() == ""


def test_thresholds_must_stay_ordered(qtbot: QtBot, dialog: SettingsDialog) -> None:
    with qtbot.assertNotEmitted(dialog.settings_changed):
        dialog.critical_spin.setValue(40)
    assert "critical" in dialog.error_label.text()
    with qtbot.waitSignal(dialog.settings_changed) as blocker:
        dialog.low_spin.setValue(50)
    assert blocker.args[0].low_threshold == 0.5
    assert blocker.args[0].critical_threshold == 0.4


def test_notification_switches(qtbot: QtBot, dialog: SettingsDialog) -> None:
    with qtbot.waitSignal(dialog.settings_changed) as blocker:
        dialog.switch_boxes["reset"].click()
    assert blocker.args[0].notifications.reset is False


def test_token_test_and_result(qtbot: QtBot, dialog: SettingsDialog) -> None:
    qtbot.keyClicks(dialog.token_edit, "  new-token-123  ")
    with qtbot.waitSignal(dialog.test_requested) as blocker:
        dialog.test_button.click()
    assert blocker.args == ["default", "new-token-123"]
    assert not dialog.test_button.isEnabled()
    ok = summary_from_json(
        {
            "by_model": {},
            "by_status": {},
            "total_neo_credits": 1,
            "total_tasks": 1,
            "total_available_neo_credits": 4067,
        }
    )
    dialog.show_test_result(Snapshot(ok, NOW))
    assert dialog.token_status.text() == "It works. 4,067 credits available."
    dialog.show_test_result(PollError(ErrorKind.AUTH_REJECTED, "Sign-in failed.", NOW))
    assert dialog.token_status.text() == "Sign-in failed."
    assert dialog.test_button.isEnabled()


def test_token_is_masked_and_save_needs_one(qtbot: QtBot, dialog: SettingsDialog) -> None:
    from PySide6.QtWidgets import QLineEdit

    assert dialog.token_edit.echoMode() is QLineEdit.EchoMode.Password
    with qtbot.assertNotEmitted(dialog.token_save_requested):
        dialog.save_button.click()
    assert "Paste a token" in dialog.token_status.text()
    qtbot.keyClicks(dialog.token_edit, "tok-456789")
    with qtbot.waitSignal(dialog.token_save_requested) as blocker:
        dialog.save_button.click()
    assert blocker.args == ["default", "tok-456789"]
    dialog.token_saved("Saved in the system keyring.", True)
    assert dialog.token_edit.text() == ""


def test_keyring_problem_and_env_token_are_explained(qtbot: QtBot) -> None:
    widget = SettingsDialog(
        Settings(),
        lambda: "The system keyring is not available.",
        overrides=Overrides(environment_token=True),
    )
    qtbot.addWidget(widget)
    assert "keyring is not available" in widget.keyring_note.text()
    assert widget.keyring_note.isVisibleTo(widget)
    assert "NEO_API_TOKEN is set" in widget.accounts_note.text()
    assert '"environment"' in widget.accounts_note.text()
    assert widget.accounts_note.isVisibleTo(widget)


def test_autostart_and_defaults(qtbot: QtBot, dialog: SettingsDialog) -> None:
    with qtbot.waitSignal(dialog.settings_changed) as blocker:
        dialog.autostart_box.click()
    assert blocker.args[0].start_at_login is True
    with qtbot.waitSignal(dialog.settings_changed) as blocker:
        dialog.group_combo.setCurrentIndex(2)
    assert blocker.args[0].default_group_by.value == "month"


def test_the_test_says_which_address_and_header_it_used(dialog: SettingsDialog) -> None:
    ok = summary_from_json(
        {"by_model": {}, "by_status": {}, "total_neo_credits": 1, "total_tasks": 1}
    )
    dialog.show_test_result(Snapshot(ok, NOW), "https://neo.example.test", AuthScheme.X_API_KEY)
    assert dialog.token_status.text() == "It works (https://neo.example.test, X-Api-Key)."
    failure = PollError(ErrorKind.AUTH_REJECTED, "Sign-in failed.", NOW)
    dialog.show_test_result(failure, "https://neo.example.test", AuthScheme.BEARER)
    assert "Authorization: Bearer" in dialog.token_status.text()


def test_what_the_environment_sets_is_shown_in_effect(qtbot: QtBot) -> None:
    stored = Settings.model_validate({"base_url": "https://stored.example.test"})
    overrides = Overrides("https://from-env.example.test", AuthScheme.X_API_KEY)
    widget = SettingsDialog(stored, overrides=overrides)
    qtbot.addWidget(widget)
    assert widget.base_url_edit.text() == "https://from-env.example.test"
    assert widget.base_url_edit.isReadOnly()
    assert not widget.scheme_combo.isEnabled()
    assert widget.scheme_combo.currentData() == AuthScheme.X_API_KEY
    assert "NEO_API_URL" in widget.override_note.text()
    assert "--auth-scheme" in widget.override_note.text()
    # The stored values stay what they were: the environment is not written into the settings.
    settings = form_settings(widget)
    assert settings.accounts[0].base_url == "https://stored.example.test"
    assert settings.accounts[0].auth_scheme is AuthScheme.BEARER


# --- accounts ---------------------------------------------------------------------------------


def two_accounts(
    qtbot: QtBot,
    names: list[str],
    answers: list[bool],
    asked: list[tuple[str, str]] | None = None,
) -> SettingsDialog:
    """A dialog whose prompts answer from `names` and `answers` (the user's typing, clicks);
    `asked` collects each name prompt's (text it starts from, reason shown)."""

    def asks(_parent: object, _title: str, current: str, problem: str) -> str | None:
        if asked is not None:
            asked.append((current, problem))
        return names.pop(0) if names else None

    def confirms(_parent: object, _question: str, _consequence: str) -> bool:
        return answers.pop(0)

    widget = SettingsDialog(Settings(), asks_name=asks, confirms=confirms)
    qtbot.addWidget(widget)
    return widget


def test_add_rename_reorder_and_remove_accounts(qtbot: QtBot) -> None:
    widget = two_accounts(qtbot, ["Acme", "Personal", "Globex", "personal"], [False, True])
    assert not widget.remove_account_button.isEnabled()  # never the last account
    assert not widget.tray_icon_form.tray_account_combo.isEnabled()
    with qtbot.waitSignal(widget.settings_changed) as blocker:
        widget.add_account_button.click()
    settings = blocker.args[0]
    assert [a.name for a in settings.accounts] == ["Default", "Acme"]
    acme = settings.accounts[1]
    assert widget.selected_id == acme.id  # the new account is selected, its token field ready
    assert "Paste the token of Acme" in widget.token_status.text()
    assert widget.token_group.title() == "Neo API token of Acme"
    assert widget.tray_icon_form.tray_account_combo.isEnabled()
    # A rename changes the name only: the id (and with it the keyring entry) stays.
    widget.account_list.setCurrentRow(0)
    with qtbot.waitSignal(widget.settings_changed) as blocker:
        widget.rename_account_button.click()
    assert [(a.id, a.name) for a in blocker.args[0].accounts] == [
        ("default", "Personal"),
        (acme.id, "Acme"),
    ]
    widget.account_list.setCurrentRow(1)
    with qtbot.waitSignal(widget.settings_changed):
        widget.rename_account_button.click()  # "Globex"
    assert [a.name for a in form_settings(widget).accounts] == ["Personal", "Globex"]
    with qtbot.waitSignal(widget.settings_changed) as blocker:
        widget.up_button.click()
    assert [a.name for a in blocker.args[0].accounts] == ["Globex", "Personal"]
    # Removing asks first: "Cancel" keeps it, "Yes" removes it and says so.
    with qtbot.assertNotEmitted(widget.account_removed):
        widget.remove_account_button.click()
    with qtbot.waitSignal(widget.account_removed) as removed:
        widget.remove_account_button.click()
    assert removed.args == [acme.id]
    assert [a.name for a in form_settings(widget).accounts] == ["Personal"]


def test_each_account_shows_its_own_connection(qtbot: QtBot) -> None:
    from desktop.core.accounts import Account

    acme = Account(id="e5f6a7b8", name="Acme", base_url="https://acme.example.test")
    widget = SettingsDialog(
        Settings(accounts=(*Settings().accounts, acme)),
        asks_name=no_prompt,
        confirms=no_prompt,  # type: ignore[arg-type]
    )
    qtbot.addWidget(widget)
    assert widget.base_url_edit.text() == ""
    with qtbot.waitSignal(widget.account_selected) as selected:
        widget.account_list.setCurrentRow(1)
    assert selected.args == [acme.id]
    assert widget.base_url_edit.text() == "https://acme.example.test"
    with qtbot.waitSignal(widget.settings_changed) as blocker:
        widget.scheme_combo.setCurrentIndex(widget.scheme_combo.findData(AuthScheme.X_API_KEY))
    first, second = blocker.args[0].accounts
    assert first.auth_scheme is AuthScheme.BEARER  # the other account is untouched
    assert second.auth_scheme is AuthScheme.X_API_KEY
    qtbot.keyClicks(widget.token_edit, "acme-token-123")
    with qtbot.waitSignal(widget.test_requested) as tested:
        widget.test_button.click()
    assert tested.args == [acme.id, "acme-token-123"]
    with qtbot.waitSignal(widget.settings_changed) as blocker:
        widget.tray_account_combo.setCurrentIndex(widget.tray_account_combo.findData(acme.id))
    assert blocker.args[0].tray_account == acme.id


def test_an_account_named_with_an_ampersand_titles_its_groups_as_typed(qtbot: QtBot) -> None:
    widget = two_accounts(qtbot, ["R&D"], [])
    widget.add_account_button.click()
    # A group box reads `&` as a mnemonic: escaped once, the title shows "R&D", not "RD".
    assert widget.token_group.title() == "Neo API token of R&&D"
    assert widget.connection_group.title() == "Connection of R&&D"


def test_a_refused_name_is_asked_again_as_typed_with_the_reason(qtbot: QtBot) -> None:
    asked: list[tuple[str, str]] = []
    widget = two_accounts(qtbot, ["Acme", "ACME", "Globex"], [], asked)
    widget.add_account_button.click()
    widget.account_list.setCurrentRow(0)
    asked.clear()
    with qtbot.waitSignal(widget.settings_changed) as blocker:
        widget.rename_account_button.click()
    # "ACME" is Acme's name by the one key: asked again as typed, with why, not lost.
    assert asked[0] == ("Default", "")
    assert asked[1][0] == "ACME"
    assert "same name" in asked[1][1]
    assert [a.name for a in blocker.args[0].accounts] == ["Globex", "Acme"]
    assert widget.error_label.text() == ""


def test_cancelling_a_refused_name_leaves_no_stale_reason(qtbot: QtBot) -> None:
    asked: list[tuple[str, str]] = []
    widget = two_accounts(qtbot, ["Acme", "acme"], [], asked)
    widget.add_account_button.click()
    with qtbot.assertNotEmitted(widget.settings_changed):
        widget.add_account_button.click()  # "acme", refused, then cancelled
    assert asked[-1][0] == "acme"
    assert "same name" in asked[-1][1]
    assert widget.error_label.text() == ""


def test_the_controller_tells_the_dialog_through_its_methods(dialog: SettingsDialog) -> None:
    dialog.show_error("Could not change start at login: read-only.")
    assert dialog.error_label.text() == "Could not change start at login: read-only."
    dialog.show_error("")
    assert dialog.error_label.text() == ""
    dialog.show_token_homes("none", False, "/tmp/token", "The keyring is locked.")
    assert dialog.file_note.text().startswith("The keyring is locked. No system keyring works")
    assert "/tmp/token" in dialog.file_note.text()
    failed = PollError(ErrorKind.AUTH_REJECTED, "Sign-in failed.", NOW)
    dialog.show_test_result(failed, token_used="Tested with the stored token.")
    assert dialog.token_status.text() == "Sign-in failed. Tested with the stored token."
    dialog.show_demo_note("This is the demo.")
    note = dialog.findChild(WrappingLabel, "demoNote")
    assert note is not None
    assert note.text() == "This is the demo."
