"""The settings dialog's event hook: the command run for each notification (typed as a command
line, shell-like quoting, never run by a shell) and its Test button, with the outcome."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton

from desktop.core import hooks
from desktop.core.i18n import _
from desktop.ui.settings_dialog.common import relay
from desktop.ui.wrapping_label import WrappingLabel


class HookForm(QGroupBox):
    """The event hook's command line and Test.

    Signals:
        changed(): the command line was edited (on Enter or leaving the field).
        test_requested(str): run this command line once with a test event (not yet saved).
    """

    changed = Signal()
    test_requested = Signal(str)

    def __init__(self, command: Sequence[str]) -> None:
        super().__init__(_("Event hook"))
        form = QFormLayout(self)
        self.intro = WrappingLabel(
            _(
                "Run for each notification whose switch is on, also while snoozed, without a "
                "shell; the event is in NEO_* variables, never the token."
            )
        )
        form.addRow(self.intro)
        self.command_edit = QLineEdit(hooks.command_line(command))
        self.command_edit.setAccessibleName(_("Event hook command"))
        self.command_edit.setPlaceholderText(_("/path/to/program --option 'an argument'"))
        self.command_edit.editingFinished.connect(relay(self.changed))
        self.test_button = QPushButton(_("Test &hook"))
        self.test_button.clicked.connect(lambda: self.test_requested.emit(self.command_line()))
        row = QHBoxLayout()
        row.addWidget(self.command_edit, 1)
        row.addWidget(self.test_button)
        form.addRow(_("&Event hook:"), row)
        label = form.labelForField(row)
        if isinstance(label, QLabel):
            label.setBuddy(self.command_edit)  # its access key focuses the field
        # No shell reads the line: the one thing of `~` it keeps is a program in the home
        # folder (`hooks.parse_command`), said here since the saved line shows the full path.
        self.home_hint = WrappingLabel(
            _(
                "A program written ~/… is in your home folder: it is saved with the full path. "
                "Elsewhere ~, $VARIABLES, pipes and semicolons mean nothing without sh -c '…'."
            )
        )
        self.home_hint.setObjectName("hookHint")
        form.addRow(self.home_hint)
        self.result_label = WrappingLabel()
        self.result_label.setAccessibleName(_("Event hook test result"))
        form.addRow(self.result_label)

    def command_line(self) -> str:
        return self.command_edit.text()

    def show_saved(self, command: Sequence[str]) -> None:
        """The settings took the line: a program typed `~/…` is shown as saved (its full path),
        as the hint says; any other line stays as typed."""
        if self.command_line().lstrip().startswith("~/") and command:
            self.command_edit.setText(hooks.command_line(command))

    def show_testing(self) -> None:
        self.test_button.setEnabled(False)
        self.result_label.setText(_("Running the event hook…"))

    def show_result(self, text: str) -> None:
        """The Test's outcome in a sentence (plain text)."""
        self.test_button.setEnabled(True)
        self.result_label.setText(text)
