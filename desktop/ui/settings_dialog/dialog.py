"""The settings dialog: the accounts editor, the selected account's token panel and connection,
and the preference forms, on three pages, and the event hook on a fourth; edits are merged
into the settings by
`core.settings_form`, valid ones applied at once (`settings_changed`), invalid ones explained
under the pages and not sent.

Keyring work runs in the controller, in the background: the dialog never blocks on an unlock
prompt, and is told what it found through its methods.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLayout,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core import accounts, hooks, settings_form
from desktop.core.accounts import Account
from desktop.core.i18n import _
from desktop.core.query import AuthScheme
from desktop.core.settings import Settings
from desktop.core.settings_form import Refused, SettingsForm
from desktop.core.snapshot import PollError, Snapshot
from desktop.ui.overrides import Overrides
from desktop.ui.settings_dialog.accounts_editor import AccountsEditor
from desktop.ui.settings_dialog.common import ERROR_STYLE, AskName, Confirm, ask_name
from desktop.ui.settings_dialog.common import confirm as confirm_box
from desktop.ui.settings_dialog.hook_form import HookForm
from desktop.ui.settings_dialog.preferences import (
    ConnectionForm,
    GeneralForm,
    NotificationsForm,
    TrayIconForm,
)
from desktop.ui.settings_dialog.token_panel import TokenPanel
from desktop.ui.wrapping_label import WrappingLabel


class SettingsDialog(QDialog):
    """The settings, applied as they are changed; the token masked, with Test, Save, Sign out.
    The token and connection fields are those of the account selected in the list; every token
    signal names that account's id first.

    Signals:
        settings_changed(Settings): a valid set of settings.
        token_save_requested(str, str): save this token to the keyring.
        sign_out_requested(str): remove the stored token.
        test_requested(str, str | None): test this token (None: the stored one).
        token_file_save_requested(str, str): save it in the owner-only file (no keyring works).
        token_move_requested(str): move the file's token into a keyring that now works.
        account_selected(str): another account's fields are shown (its token homes to check).
        account_removed(str): the user confirmed removing an account (its token goes too).
        restart_requested(): the user chose to restart now (a new language applies then).
        hook_test_requested(tuple[str, ...], str): run this event hook command once with a
            test event for this account name (`show_hook_outcome` tells how it went).
    """

    settings_changed = Signal(object)
    token_save_requested = Signal(str, str)
    token_file_save_requested = Signal(str, str)
    token_move_requested = Signal(str)
    sign_out_requested = Signal(str)
    test_requested = Signal(str, object)
    account_selected = Signal(str)
    account_removed = Signal(str)
    restart_requested = Signal()
    hook_test_requested = Signal(object, str)

    def __init__(
        self,
        settings: Settings,
        keyring_problem: Callable[[], str | None] = lambda: None,
        parent: QWidget | None = None,
        *,
        overrides: Overrides | None = None,
        asks_name: AskName = ask_name,
        confirms: Confirm = confirm_box,
    ) -> None:
        super().__init__(parent)
        self._overrides = overrides or Overrides()
        self._ask_name = asks_name
        self._confirm = confirms
        self.setWindowTitle(_("Settings"))  # Qt adds the app's name: "Settings — Neo Usage"
        self.setObjectName("settingsDialog")
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 80)
        self._settings = settings
        self.selected_id = settings.accounts[0].id
        self._shown_id = self.selected_id  # whose token status and field the dialog shows
        #: Where each account's token is stored ("keyring", "file", "none"), once looked up.
        self._token_sources: dict[str, str] = {}
        self._demo = False  # the demo's dialog (`show_demo_note`)
        self._loading = True
        environment_token = self._overrides.environment_token
        self.accounts_editor = AccountsEditor(environment_token)
        self.token_panel = TokenPanel(keyring_problem(), environment_token)
        self.connection_form = ConnectionForm(settings.accounts[0], self._overrides)
        self.notifications_form = NotificationsForm(settings)
        self.hook_form = HookForm(settings.hook_command)
        self.tray_icon_form = TrayIconForm(settings)
        self.general_form = GeneralForm(settings)
        self._connect_parts()
        layout = QVBoxLayout(self)
        # Never narrower than its longest line (an option's text cannot wrap), in any language.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        # Pages keep the dialog short enough for a small laptop screen.
        self.pages = QTabWidget()
        self.pages.setAccessibleName(_("Settings pages"))
        self.pages.addTab(
            self._page(self.accounts_editor, self.token_panel, self.connection_form),
            _("Accounts"),
        )
        self.pages.addTab(self._page(self.notifications_form), _("Notifications"))
        self.pages.addTab(self._page(self.tray_icon_form, self.general_form), _("Tray and window"))
        self.pages.addTab(self._page(self.hook_form), _("Integrations"))
        layout.addWidget(self.pages)
        # Room for a two-line reason kept: a refusal does not move the Close button.
        self.error_label = WrappingLabel(reserved_lines=2)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setAccessibleName(_("Settings problem"))
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self._fill_account_list()
        self._show_token_source()
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)  # Enter in a field applies it, never adds or removes
        self._loading = False
        self._name_widgets()

    def _connect_parts(self) -> None:
        editor, token = self.accounts_editor, self.token_panel
        editor.row_chosen.connect(self._on_account_row)
        editor.add_requested.connect(self._on_add_account)
        editor.rename_requested.connect(self._on_rename_account)
        editor.remove_requested.connect(self._on_remove_account)
        editor.move_requested.connect(lambda step: self.move_account(self.selected_id, step))
        token.test_requested.connect(
            lambda typed: self.test_requested.emit(self.selected_id, typed)
        )
        token.save_requested.connect(lambda t: self.token_save_requested.emit(self.selected_id, t))
        token.file_save_requested.connect(
            lambda t: self.token_file_save_requested.emit(self.selected_id, t)
        )
        token.move_requested.connect(lambda: self.token_move_requested.emit(self.selected_id))
        token.sign_out_requested.connect(lambda: self.sign_out_requested.emit(self.selected_id))
        for form in (
            self.connection_form,
            self.notifications_form,
            self.hook_form,
            self.tray_icon_form,
            self.general_form,
        ):
            form.changed.connect(self._emit_if_valid)
        self.hook_form.test_requested.connect(self._on_hook_test)
        self.general_form.restart_requested.connect(self.restart_requested.emit)

    def _name_widgets(self) -> None:
        """The parts' widgets a user drives, by the names the app's tests and screenshots use."""
        editor, token = self.accounts_editor, self.token_panel
        self.account_list = editor.account_list
        self.add_account_button = editor.add_account_button
        self.rename_account_button = editor.rename_account_button
        self.remove_account_button = editor.remove_account_button
        self.up_button, self.down_button = editor.up_button, editor.down_button
        self.accounts_note = editor.accounts_note
        self.token_group = token
        self.token_edit, self.token_status = token.token_edit, token.token_status
        self.test_button, self.save_button = token.test_button, token.save_button
        self.sign_out_button = token.sign_out_button
        self.file_save_button, self.move_button = token.file_save_button, token.move_button
        self.token_home_label, self.token_intro = token.token_home_label, token.token_intro
        self.keyring_note, self.file_note = token.keyring_note, token.file_note
        self.connection_group = self.connection_form
        self.base_url_edit = self.connection_form.base_url_edit
        self.scheme_combo = self.connection_form.scheme_combo
        self.override_note = self.connection_form.override_note
        self.low_spin = self.notifications_form.low_spin
        self.critical_spin = self.notifications_form.critical_spin
        self.switch_boxes = self.notifications_form.switch_boxes
        self.tray_account_combo = self.tray_icon_form.tray_account_combo
        general = self.general_form
        self.interval_combo, self.autostart_box = general.interval_combo, general.autostart_box
        self.range_combo, self.group_combo = general.range_combo, general.group_combo
        self.language_combo, self.language_note = general.language_combo, general.language_note
        self.restart_button = general.restart_button

    @staticmethod
    def _page(*groups: QGroupBox) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        for group in groups:
            box.addWidget(group)
        box.addStretch(1)
        return page

    # --- what the controller tells it ---------------------------------------------------------
    def show_error(self, text: str) -> None:
        """One sentence under the pages saying what went wrong ("" clears it)."""
        self.error_label.setText(text)

    def show_demo_note(self, text: str) -> None:
        """A note above the pages saying this is the demo; from now on a stored token reads
        as the demo's own (its sandbox's memory store, never the user's keyring or file)."""
        self._demo = True
        self.token_panel.set_demo(True)
        for row, account in enumerate(self._settings.accounts):
            self.accounts_editor.set_line(row, self._list_text(account))
        note = WrappingLabel(text)
        note.setObjectName("demoNote")
        layout = self.layout()
        if isinstance(layout, QVBoxLayout):
            layout.insertWidget(0, note)

    def show_test_result(
        self,
        result: Snapshot | PollError,
        address: str = "",
        scheme: AuthScheme | None = None,
        token_used: str = "",
    ) -> None:
        """The outcome of "Test", with the address and header it used, and which token."""
        self.token_panel.show_test_result(result, address, scheme, token_used)

    def show_hook_outcome(self, outcome: hooks.HookOutcome) -> None:
        """How the event hook's Test went (`HookRunner.test_finished`)."""
        self.hook_form.show_result(hooks.outcome_text(outcome))

    def _on_hook_test(self, line: str) -> None:
        try:
            command = hooks.parse_command(line)
        except ValueError as exc:
            self.hook_form.show_result(str(exc))
            return
        if not command:
            self.hook_form.show_result(_("Type the event hook's command first."))
            return
        self.hook_form.show_testing()
        self.hook_test_requested.emit(command, self.selected_account.name)

    def set_token_status(self, text: str, ok: bool | None) -> None:
        self.token_panel.set_status(text, ok)

    def token_saved(self, message: str, ok: bool) -> None:
        self.token_panel.saved(message, ok)

    def show_token_sources(self, sources: Mapping[str, str]) -> None:
        """Where each account's token is: "keyring", "file", "environment", "none", or
        "unknown" (a keyring that could not be read may hold it)."""
        self._token_sources.update(sources)
        for row, account in enumerate(self._settings.accounts):
            self.accounts_editor.set_line(row, self._list_text(account))
        self._show_token_source()

    def show_token_homes(
        self, source: str, keyring_works: bool, file_path: str, keyring_problem: str = ""
    ) -> None:
        """Where the selected account's token is; the token file offered only where no keyring
        works, and the move once one does; `keyring_problem` says why none works."""
        self._token_sources[self.selected_id] = source
        row = self.account_list.currentRow()
        self.accounts_editor.set_line(row, self._list_text(self.selected_account))
        self.token_panel.show_homes(source, keyring_works, file_path, keyring_problem)

    def focus_token(self) -> None:
        self.pages.setCurrentIndex(0)
        self.token_panel.focus()

    # --- accounts -----------------------------------------------------------------------------
    @property
    def selected_account(self) -> Account:
        account = self._settings.account(self.selected_id)
        return account if account is not None else self._settings.accounts[0]

    def _list_text(self, account: Account) -> str:
        """An account's line in the list: its name, and whether a token is stored for it (in
        the demo, the demo's: its figures come from it, not from any token of the user's)."""
        source = self._token_sources.get(account.id)
        if source == "none":
            return _("{account} (no token)").format(account=account.name)
        if self._demo and source in ("keyring", "file"):
            return _("{account} (demo token)").format(account=account.name)
        return account.name

    def _show_token_source(self) -> None:
        self.token_panel.show_source(self._token_sources.get(self.selected_id))

    def _fill_account_list(self) -> None:
        loading, self._loading = self._loading, True
        ids = [account.id for account in self._settings.accounts]
        if self.selected_id not in ids:
            self.selected_id = ids[0]
        if self.selected_id != self._shown_id:
            # Another account's fields: nothing typed or said for the previous one stays.
            self._shown_id = self.selected_id
            self.token_panel.start_over(self._token_sources.get(self.selected_id))
        lines = [self._list_text(account) for account in self._settings.accounts]
        self.accounts_editor.show_accounts(lines, ids.index(self.selected_id))
        several = len(ids) > 1
        self.token_panel.show_account(self.selected_account.name, several)
        self.connection_form.show_account(self.selected_account, several)
        self.tray_icon_form.show_accounts(self._settings)
        self._loading = loading

    def _on_account_row(self, row: int) -> None:
        if 0 <= row < len(self._settings.accounts):
            self.select_account(self._settings.accounts[row].id)

    def select_account(self, account_id: str) -> None:
        """Show an account's token and connection fields."""
        if account_id == self.selected_id or self._settings.account(account_id) is None:
            return
        self.selected_id = account_id
        self._fill_account_list()
        self.account_selected.emit(account_id)

    def _take(self, result: Settings | Refused, selected: str | None = None) -> bool:
        """Apply an account change; False, with the reason shown, if refused."""
        if isinstance(result, Refused):
            self.show_error(result.reason)
            return False
        self.show_error("")
        self._settings = result
        if selected is not None:
            self.selected_id = selected
        self._fill_account_list()
        self.settings_changed.emit(result)
        return True

    def _ask_until_taken(self, title: str, start: str, take: Callable[[str], object]) -> None:
        """Ask for a name until `take` accepts it (truthy) or the user cancels; a refused name
        is asked again as typed, with the reason."""
        name, problem = self._ask_name(self, title, start, ""), ""
        while name is not None and not take(name):
            problem = self.error_label.text()
            name = self._ask_name(self, title, name, problem)
        if name is None and problem:
            self.show_error("")  # cancelled: the refusal no longer applies

    def _on_add_account(self) -> None:
        taken = [account.name for account in self._settings.accounts]
        start = accounts.unique_name(_("Account"), taken)
        self._ask_until_taken(_("Add a Neo account"), start, self.add_account)

    def add_account(self, name: str) -> Account | None:
        """A new account, selected, with the token field focused; None if the name is refused."""
        account = settings_form.new_account(self._settings, name)
        if isinstance(account, Refused):
            self.show_error(account.reason)
            return None
        added = settings_form.with_accounts(self._settings, [*self._settings.accounts, account])
        if not self._take(added, account.id):
            return None
        self.token_panel.token_edit.clear()
        self.set_token_status(
            _("Paste the token of {account}, then Save.").format(account=account.name), None
        )
        self.account_selected.emit(account.id)
        self.focus_token()
        return account

    def _on_rename_account(self) -> None:
        current = self.selected_account
        self._ask_until_taken(
            _("Rename {account}").format(account=current.name),
            current.name,
            lambda name: self.rename_account(current.id, name),
        )

    def rename_account(self, account_id: str, name: str) -> bool:
        return self._take(settings_form.renamed(self._settings, account_id, name))

    def _on_remove_account(self) -> None:
        account = self.selected_account
        if self._confirm(
            self,
            _("Remove the account {account}?").format(account=account.name),
            _(
                "Its token is deleted from the system keyring (or its file), and its figures and "
                "notifications leave the tray."
            ),
        ):
            self.remove_account(account.id)

    def remove_account(self, account_id: str) -> bool:
        """Drop an account (never the last one); its token is removed by `account_removed`."""
        result = settings_form.removed(self._settings, account_id)
        if result is None or not self._take(result):
            return False
        self.account_removed.emit(account_id)
        self.account_selected.emit(self.selected_id)
        return True

    def move_account(self, account_id: str, step: int) -> None:
        result = settings_form.moved(self._settings, account_id, step)
        if result is not None:
            self._take(result)

    # --- preferences --------------------------------------------------------------------------
    def form(self) -> SettingsForm:
        """What the fields show, as plain values."""
        general, icon = self.general_form, self.tray_icon_form
        big_task = self.notifications_form.big_task()
        return SettingsForm(
            account_id=self.selected_account.id,
            base_url=self.connection_form.base_url(),
            auth_scheme=self.connection_form.auth_scheme(),
            tray_account=icon.tray_account_combo.currentData(),
            poll_interval_minutes=general.interval_combo.currentData(),
            low_percent=self.notifications_form.low_spin.value(),
            critical_percent=self.notifications_form.critical_spin.value(),
            notifications=self.notifications_form.switches(),
            big_task_unit=big_task[0],
            big_task_percent=big_task[1],
            big_task_credits=big_task[2],
            default_range=general.range_combo.currentData(),
            default_group_by=general.group_combo.currentData(),
            start_at_login=general.autostart_box.isChecked(),
            icon_content=icon.icon_content_combo.currentData(),
            icon_style=icon.icon_style_combo.currentData(),
            icon_tone=icon.icon_tone_combo.currentData(),
            language=general.language_combo.currentData(),
            web_url=self.connection_form.web_url(),
            hook_line=self.hook_form.command_line(),
        )

    def _emit_if_valid(self) -> None:
        if self._loading:
            return
        result = settings_form.merged(self._settings, self.form())
        if isinstance(result, Refused):
            self.show_error(result.reason)
            return
        self.show_error("")
        self.hook_form.show_saved(result.hook_command)
        if result != self._settings:
            self._settings = result
            self.settings_changed.emit(result)
