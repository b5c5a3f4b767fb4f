"""The unusual-member notification's switch in the settings dialog (issue 28): generated from the
rules' table, on by default, it turns the setting off, it sits above the big task's (whose label
speaks of the limit right below it), and it speaks the user's language."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop.core.settings import Settings
from desktop.ui.settings_dialog.dialog import SettingsDialog
from tests.ui.test_languages import Speak, language
from tests.ui.test_settings_dialog import dialog, no_prompt

__all__ = ["dialog", "language"]  # the fixtures, used by name


def test_the_switch_is_generated_and_turns_the_setting_off(
    qtbot: QtBot, dialog: SettingsDialog
) -> None:
    box = dialog.switch_boxes["unusual_member"]
    assert box.isChecked()
    assert box.text() == "A team member uses far more than usual today"
    assert list(dialog.switch_boxes)[-2:] == ["unusual_member", "big_task"]
    with qtbot.waitSignal(dialog.settings_changed) as blocker:
        box.click()
    assert blocker.args[0].notifications.unusual_member is False
    assert blocker.args[0].notifications.big_task is True


def test_the_switch_shows_the_saved_setting(qtbot: QtBot) -> None:
    saved = Settings.model_validate({"notifications": {"unusual_member": False}})
    widget = SettingsDialog(saved, asks_name=no_prompt, confirms=no_prompt)  # type: ignore[arg-type]
    qtbot.addWidget(widget)
    assert not widget.switch_boxes["unusual_member"].isChecked()
    assert widget.switch_boxes["big_task"].isChecked()


def test_the_switch_speaks_german(qtbot: QtBot, language: Speak) -> None:
    language("de")
    widget = SettingsDialog(Settings(), asks_name=no_prompt, confirms=no_prompt)  # type: ignore[arg-type]
    qtbot.addWidget(widget)
    label = widget.switch_boxes["unusual_member"].text()
    assert label == "Ein Teammitglied verbraucht heute weit mehr als üblich"
