"""The settings dialog's token panel: the selected account's token, masked, with Test, Save and
Sign out, where the token is stored, and the owner-only file offered where no keyring works.

It knows no account: the dialog adds the selected account's id to what it asks for.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QGroupBox, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout

from desktop.core import fmt, sinks
from desktop.core.environment import TOKEN_ENV
from desktop.core.i18n import _, ngettext
from desktop.core.query import AuthScheme
from desktop.core.snapshot import PollError, Snapshot
from desktop.ui.settings_dialog.common import ERROR_STYLE, OK_STYLE
from desktop.ui.wrapping_label import WrappingLabel


class TokenPanel(QGroupBox):
    """One account's token: typed (never the stored one shown), tested, saved, signed out.

    Signals:
        test_requested(str | None): test this token (None: the stored one).
        save_requested(str): save this token to the keyring.
        file_save_requested(str): save it in the owner-only file (no keyring works).
        move_requested(): move the file's token into a keyring that now works.
        sign_out_requested(): remove the stored token.
    """

    test_requested = Signal(object)
    save_requested = Signal(str)
    file_save_requested = Signal(str)
    move_requested = Signal()
    sign_out_requested = Signal()

    def __init__(self, keyring_problem: str | None, environment_token: bool) -> None:
        super().__init__(_("Neo API token"))
        self._environment_token = environment_token
        #: Where the shown account's token is stored ("keyring", "file", "environment",
        #: "none", "unknown"); None: not looked up yet.
        self._source: str | None = None
        self._keyring_works: bool | None = None  # None: not known yet
        self._demo = False  # the demo's token is its sandbox's, in memory (`set_demo`)
        self.token_edit = QLineEdit()
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText(_("Paste a new token (the stored one is never shown)"))
        self.token_edit.setAccessibleName(_("Neo API token"))
        # Where this account's token is (or that none is), and for none what a token is.
        self.token_home_label = WrappingLabel()
        self.token_home_label.setAccessibleName(_("Where the token is stored"))
        self.token_intro = WrappingLabel(
            _(
                "A Neo API token lets this app read your Neo credits and usage. Create one in "
                "the Neo web app (Settings, API Key), copy it, paste it here and choose Save."
            )
        )
        self.token_intro.setObjectName("tokenIntro")
        self.token_intro.hide()
        self.show_token = QCheckBox(_("Show"))
        self.show_token.toggled.connect(
            lambda shown: self.token_edit.setEchoMode(
                QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
            )
        )
        self.test_button = QPushButton(_("&Test"))
        self.save_button = QPushButton(_("&Save to keyring"))
        self.sign_out_button = QPushButton(_("Sign &out"))
        self.test_button.clicked.connect(self._on_test)
        self.save_button.clicked.connect(self._on_save)
        self.sign_out_button.clicked.connect(self.sign_out_requested.emit)
        # Room for a two-line result kept: Test's answer does not move the buttons below.
        self.token_status = WrappingLabel(reserved_lines=2)
        self.token_status.setAccessibleName(_("Token status"))
        notes = []
        if keyring_problem:
            notes.append(
                keyring_problem
                + " "
                + _(
                    "A token saved here lasts for this session only; set {variable} to keep one."
                ).format(variable=TOKEN_ENV)
            )
        self.keyring_note = WrappingLabel(" ".join(notes))
        self.keyring_note.setVisible(bool(notes))
        # Desktops without a keyring (i3, sway, Hyprland): an opt-in file, offered only there.
        self.file_save_button = QPushButton(_("Save in a &file only you can read"))
        self.file_save_button.clicked.connect(self._on_save_to_file)
        self.file_save_button.hide()
        self.move_button = QPushButton(_("&Move it to the system keyring"))
        self.move_button.clicked.connect(self.move_requested.emit)
        self.move_button.hide()
        self.file_note = WrappingLabel()
        self.file_note.hide()
        self._lay_out()

    def _lay_out(self) -> None:
        row = QHBoxLayout()
        row.addWidget(self.token_edit, 1)
        row.addWidget(self.show_token)
        buttons = QHBoxLayout()
        for button in (self.test_button, self.save_button, self.sign_out_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        box = QVBoxLayout(self)
        box.addWidget(self.token_home_label)
        box.addWidget(self.token_intro)
        box.addLayout(row)
        box.addLayout(buttons)
        box.addWidget(self.token_status)
        box.addWidget(self.keyring_note)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_save_button)
        file_row.addWidget(self.move_button)
        file_row.addStretch(1)
        box.addLayout(file_row)
        box.addWidget(self.file_note)

    def show_account(self, account_name: str, several: bool) -> None:
        """The title names the account when there are `several`."""
        # A group box's title reads `&` as a mnemonic, as a menu does: one rule for both.
        self.setTitle(
            sinks.menu_label(_("Neo API token of {account}"), account=account_name)
            if several
            else _("Neo API token")
        )

    def start_over(self, source: str | None) -> None:
        """Another account's token: nothing typed or said for the previous one stays."""
        self.token_edit.clear()
        self.set_status("", None)
        self.show_source(source)

    def _on_test(self) -> None:
        token = self.token_edit.text().strip() or None
        self.set_status(_("Testing…"), None)
        self.test_button.setEnabled(False)
        self.test_requested.emit(token)

    def _typed(self) -> str | None:
        """The token typed, or None (then what to do is said)."""
        token = self.token_edit.text().strip()
        if not token:
            self.set_status(_("Paste a token first."), False)
            return None
        return token

    def _on_save(self) -> None:
        token = self._typed()
        if token is not None:
            self.save_requested.emit(token)

    def _on_save_to_file(self) -> None:
        token = self._typed()
        if token is not None:
            self.file_save_requested.emit(token)

    def show_test_result(
        self,
        result: Snapshot | PollError,
        address: str = "",
        scheme: AuthScheme | None = None,
        token_used: str = "",
    ) -> None:
        """The outcome of "Test", with the address and header it used, then `token_used` (a
        sentence saying which token it was, or "")."""
        self.test_button.setEnabled(True)
        used = f" ({address}, {scheme.header_label})" if address and scheme else ""
        if isinstance(result, Snapshot):
            available = result.summary.total_available_neo_credits
            text = _("It works{connection}.").format(connection=used)
            if available is not None:
                text += " " + ngettext(
                    "{credits} credit available.",
                    "{credits} credits available.",
                    fmt.plural_count(available),
                ).format(credits=fmt.credits(round(available)))
        else:
            text = f"{result.user_message}{used}"
        if token_used:
            text = f"{text} {token_used}"
        self.set_status(text, isinstance(result, Snapshot))

    def set_status(self, text: str, ok: bool | None) -> None:
        """A sentence under the buttons: green when `ok`, red when not, plain for None."""
        self.token_status.setText(text)
        self.token_status.setStyleSheet("" if ok is None else OK_STYLE if ok else ERROR_STYLE)

    def show_source(self, source: str | None, file_path: str = "") -> None:
        """Where the token is: "keyring", "file", "environment", "none", "unknown" (a keyring
        that could not be read may hold it), or None (not known yet)."""
        self._source = source
        texts = {
            None: _("Looking for a stored token…"),
            "keyring": _("The demo's token is stored (in memory, until the demo quits).")
            if self._demo
            else _("A token is stored in the system keyring."),
            "file": _("A token is stored in the file {path}.").format(path=file_path)
            if file_path
            else _("A token is stored in a file only you can read."),
            "environment": _("The token comes from {variable}.").format(variable=TOKEN_ENV),
            "none": _("No token is stored for this account."),
            "unknown": _("The system keyring could not be read: a token may be stored there."),
        }
        self.token_home_label.setText(texts.get(source, texts[None]))
        self.token_intro.setVisible(source == "none" and not self._environment_token)
        # Offer only what can do something: Sign out with a stored token, Save to keyring
        # unless no keyring works (an empty field is answered with what to do).
        self.sign_out_button.setEnabled(source in ("keyring", "file", "unknown"))
        self.save_button.setEnabled(self._keyring_works is not False)

    def set_demo(self, demo: bool) -> None:
        """The demo's dialog: its stored token is the demo's own, kept in memory."""
        self._demo = demo
        if self._source == "keyring":
            self.show_source(self._source)

    def show_homes(
        self, source: str, keyring_works: bool, file_path: str, keyring_problem: str = ""
    ) -> None:
        """Where the token is; the token file offered only where no keyring works, and the
        move once one does; `keyring_problem` says why none works ("" when not known)."""
        self._keyring_works = keyring_works
        self.show_source(source, file_path)
        self.file_save_button.setVisible(not keyring_works)
        self.move_button.setVisible(keyring_works and source == "file")
        notes = [keyring_problem] if keyring_problem else []
        if not keyring_works:
            notes.append(
                _(
                    "No system keyring works here. Saving in a file keeps the token as plain text "
                    "in {path}, readable only by your user account (like an SSH key)."
                ).format(path=file_path)
            )
        elif source == "file":
            notes.append(
                _("The token is in {path}; a system keyring now works.").format(path=file_path)
            )
        self.file_note.setText(" ".join(notes))
        self.file_note.setVisible(bool(notes))

    def saved(self, message: str, ok: bool) -> None:
        """The outcome of a save, a move or a sign-out; the typed token goes once it is kept."""
        if ok:
            self.token_edit.clear()
        self.set_status(message, ok)

    def focus(self) -> None:
        self.token_edit.setFocus(Qt.FocusReason.OtherFocusReason)
