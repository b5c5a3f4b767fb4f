"""The settings dialog's accounts editor: the list of accounts with Add, Rename, Remove and
Move up/down. It shows the lines it is given and says what the user asked for; the dialog
decides (`core.settings_form`) and asks for names and confirmations."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QListWidget, QPushButton, QVBoxLayout

from desktop.core.environment import TOKEN_ENV
from desktop.core.i18n import _
from desktop.ui.wrapping_label import WrappingLabel


class AccountsEditor(QGroupBox):
    """The accounts, one line each, and the buttons that change them.

    Signals:
        row_chosen(int): the user chose the account on this row.
        add_requested(), rename_requested(), remove_requested(): for the chosen account.
        move_requested(int): move the chosen account this many places (-1 up, 1 down).
    """

    row_chosen = Signal(int)
    add_requested = Signal()
    rename_requested = Signal()
    remove_requested = Signal()
    move_requested = Signal(int)

    def __init__(self, environment_token: bool) -> None:
        super().__init__(_("Accounts"))
        self.account_list = QListWidget()
        self.account_list.setObjectName("accountList")
        self.account_list.setAccessibleName(_("Accounts"))
        lines = 4
        self.account_list.setMaximumHeight(self.fontMetrics().height() * (lines + 1) + 8)
        self.account_list.currentRowChanged.connect(self.row_chosen.emit)
        self.add_account_button = QPushButton(_("&Add…"))
        self.rename_account_button = QPushButton(_("Re&name…"))
        self.remove_account_button = QPushButton(_("Remo&ve…"))
        self.up_button = QPushButton(_("Move &up"))
        self.down_button = QPushButton(_("Move do&wn"))
        self.add_account_button.clicked.connect(self.add_requested.emit)
        self.rename_account_button.clicked.connect(self.rename_requested.emit)
        self.remove_account_button.clicked.connect(self.remove_requested.emit)
        self.up_button.clicked.connect(lambda: self.move_requested.emit(-1))
        self.down_button.clicked.connect(lambda: self.move_requested.emit(1))
        buttons = QVBoxLayout()
        for button in (
            self.add_account_button,
            self.rename_account_button,
            self.remove_account_button,
            self.up_button,
            self.down_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.account_list, 1)
        row.addLayout(buttons)
        box = QVBoxLayout(self)
        box.addLayout(row)
        note = ""
        if environment_token:
            note = _(
                "{variable} is set: this run uses that token as one account named "
                '"environment". The accounts here are used when it is unset.'
            ).format(variable=TOKEN_ENV)
        self.accounts_note = WrappingLabel(note)
        self.accounts_note.setVisible(bool(note))
        box.addWidget(self.accounts_note)

    def show_accounts(self, lines: Sequence[str], row: int) -> None:
        """One line per account, `row` chosen (no `row_chosen` for it); the last account can
        not be removed, nor the first moved up or the last down."""
        self.account_list.blockSignals(True)
        self.account_list.clear()
        self.account_list.addItems(list(lines))
        self.account_list.setCurrentRow(row)
        self.account_list.blockSignals(False)
        self.remove_account_button.setEnabled(len(lines) > 1)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(row < len(lines) - 1)

    def set_line(self, row: int, text: str) -> None:
        item = self.account_list.item(row)
        if item is not None:
            item.setText(text)
