"""The settings dialog at the default font: every label shows all its text (long results, the
keyring note, first run), the dialog grows with them, and a result appearing does not move the
buttons under the mouse; each account says where its token is, and the token buttons are offered
only when they can do something."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel
from pytestqt.qtbot import QtBot

from desktop.core.accounts import Account
from desktop.core.settings import Settings
from desktop.ui.settings_dialog import SettingsDialog

ACME = Account(id="e5f6a7b8", name="Acme")
KEYRING_PROBLEM = "The system keyring is not available (no backend answered)."
LONG_RESULT = (
    "The system keyring is not available (no backend answered). Using it for this session "
    "only; save it in a file, or set NEO_API_TOKEN, to keep it."
)


def settle() -> None:
    for _ in range(5):  # layout requests are posted events: a few rounds lay everything out
        QApplication.processEvents()


def clipped(dialog: SettingsDialog) -> list[str]:
    """The visible labels whose text does not fit the room they were given."""
    found = []
    for label in dialog.findChildren(QLabel):
        if not label.isVisible() or not label.text():
            continue
        rect = label.contentsRect()
        needed = (
            label.heightForWidth(label.width()) if label.wordWrap() else label.sizeHint().height()
        )
        if label.height() < needed or (
            not label.wordWrap() and rect.width() < label.minimumSizeHint().width()
        ):
            found.append(f"{label.text()!r}: {label.size().toTuple()} < {needed}")
    return found


def first_run(qtbot: QtBot) -> SettingsDialog:
    dialog = SettingsDialog(Settings(), lambda: KEYRING_PROBLEM)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_long_results_and_notes_are_not_clipped_and_the_dialog_grows(
    qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = first_run(qtbot)
    settle()
    assert dialog.size() == dialog.minimumSize()  # first run: the dialog at its default size
    height = dialog.height()
    dialog.show_token_homes("none", False, "/home/someone/.local/share/neo-usage-tray/token")
    dialog.token_saved(LONG_RESULT, False)
    dialog.error_label.setText("Could not change start at login: " + LONG_RESULT)
    settle()
    assert clipped(dialog) == []
    assert dialog.height() > height  # it grew with its text instead of cutting it
    # docs/settings-accounts-first-run.png is this picture.
    assert dialog.grab().save(str(tmp_path / "settings-accounts-first-run.png"))


def test_a_result_does_not_move_the_buttons_below_it(qtbot: QtBot) -> None:
    dialog = first_run(qtbot)
    dialog.show_token_homes("none", False, "/home/someone/token")
    settle()
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    below = (dialog.file_save_button, buttons)
    before = [widget.mapTo(dialog, QPoint(0, 0)) for widget in below]
    dialog.set_token_status("Sign-in failed: the token was refused (401). Check it.", False)
    dialog.error_label.setText("The address must start with https://.")
    settle()
    assert [widget.mapTo(dialog, QPoint(0, 0)) for widget in below] == before


def test_each_account_says_where_its_token_is(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Settings(accounts=(*Settings().accounts, ACME)))
    qtbot.addWidget(dialog)
    assert "Looking" in dialog.token_home_label.text()
    assert not dialog.sign_out_button.isEnabled()  # not known yet: nothing to sign out of
    dialog.show_token_sources({"default": "keyring", ACME.id: "none"})
    assert [dialog.account_list.item(row).text() for row in range(2)] == [
        "Default",
        "Acme (no token)",
    ]
    assert dialog.token_home_label.text() == "A token is stored in the system keyring."
    assert dialog.sign_out_button.isEnabled()
    assert not dialog.token_intro.isVisibleTo(dialog)
    dialog.account_list.setCurrentRow(1)
    assert dialog.token_home_label.text() == "No token is stored for this account."
    assert not dialog.sign_out_button.isEnabled()  # nothing stored: nothing to remove
    assert dialog.token_intro.isVisibleTo(dialog)  # what a token is, and where to get one
    assert "Neo web app" in dialog.token_intro.text()
    dialog.show_token_homes("file", False, "/home/someone/token")
    assert dialog.token_home_label.text() == "A token is stored in the file /home/someone/token."
    assert dialog.sign_out_button.isEnabled()
    assert not dialog.save_button.isEnabled()  # no keyring works: nothing to save it to
    assert dialog.file_save_button.isVisibleTo(dialog)
    dialog.show_token_homes("unknown", False, "/home/someone/token")
    assert "may be stored" in dialog.token_home_label.text()
    assert dialog.sign_out_button.isEnabled()  # a locked keyring may hold one


def test_removing_an_account_leaves_no_word_of_it(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Settings(), confirms=lambda *_args: True, asks_name=lambda *_a: "Acme")
    qtbot.addWidget(dialog)
    dialog.add_account_button.click()
    assert "Acme" in dialog.token_status.text()  # "Paste the token of Acme, then Save."
    dialog.token_edit.setText("typed-but-not-saved")
    with qtbot.waitSignal(dialog.account_removed):
        dialog.remove_account_button.click()
    assert dialog.token_status.text() == ""
    assert dialog.token_edit.text() == ""
    assert "Acme" not in dialog.token_group.title()


def test_a_language_change_offers_to_restart(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.pages.setCurrentIndex(2)
    assert not dialog.restart_button.isVisible()
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("de"))
    assert dialog.restart_button.isVisible()
    assert "starts again" in dialog.language_note.text()
    with qtbot.waitSignal(dialog.restart_requested):
        dialog.restart_button.click()
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData(""))
    assert not dialog.restart_button.isVisible()
