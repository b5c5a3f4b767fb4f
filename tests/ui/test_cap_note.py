"""The settings' notifications say what a team member's cap warnings come under (issue 28's
tester looked for a cap switch): one line under the switches, in the dialog's language."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop.ui.settings_dialog.dialog import SettingsDialog
from tests.ui.test_settings_dialog import dialog

__all__ = ["dialog"]  # the fixture, used by name


def test_a_line_under_the_switches_says_they_warn_of_a_member_s_cap(
    qtbot: QtBot, dialog: SettingsDialog
) -> None:
    form = dialog.notifications_form
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.pages.setCurrentIndex(1)  # the Notifications page
    note = form.cap_note
    assert "spending cap" in note.text()
    assert "low, critical and used-up" in note.text()
    assert note.wordWrap()  # one short line, wrapped in a narrow dialog, never cut
    # Below every switch it speaks of.
    for name in ("low_credit", "critical_credit", "empty"):
        box = dialog.switch_boxes[name]
        assert (
            note.mapTo(form, note.rect().topLeft()).y() > box.mapTo(form, box.rect().topLeft()).y()
        )
