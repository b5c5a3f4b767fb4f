"""The settings dialog: the accounts (add, rename, remove, reorder), each one's token (test, save,
sign out) and connection, polling, the tray icon, alerts, start at login.

Valid changes apply at once (`settings_changed`); invalid ones are explained inline and not sent.
Keyring work runs in the background: the dialog never blocks on an unlock prompt.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pydantic import ValidationError
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLayout,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core import accounts, fmt, i18n, sinks
from desktop.core.accounts import Account
from desktop.core.environment import TOKEN_ENV, URL_ENV
from desktop.core.i18n import LANGUAGES, N_, _, ngettext
from desktop.core.looks import IconContent, IconStyle, IconTone
from desktop.core.query import DEFAULT_BASE_URL, AuthScheme, GroupBy
from desktop.core.ranges import GROUP_BY_LABELS, PRESET_LABELS, RangePreset
from desktop.core.settings import POLL_INTERVALS_MINUTES, NotificationSwitches, Settings
from desktop.core.snapshot import PollError, Snapshot
from desktop.ui.wrapping_label import WrappingLabel

SWITCH_LABELS = {
    "low_credit": N_("Credits running low"),
    "critical_credit": N_("Credits almost gone"),
    "empty": N_("Credits used up"),
    "expiry_near": N_("Credits expire soon (7 days, 1 day)"),
    "expired": N_("Credits expired"),
    "reset": N_("Credits reset or topped up"),
    "sign_in_failed": N_("Sign-in failed or no permission"),
    "forecast": N_("Forecast: running out soon, or credits that will go unused"),
}
ERROR_STYLE = "color: #d32f2f;"
OK_STYLE = "color: #2e7d32;"


def interval_label(minutes: int) -> str:
    if minutes == 0:
        return _("Manual only")
    return ngettext("Every {count} min", "Every {count} min", minutes).format(count=minutes)


@dataclass(frozen=True)
class Overrides:
    """What the environment or the command line set over the stored settings."""

    base_url: str | None = None  # NEO_API_URL's value
    auth_scheme: AuthScheme | None = None  # --auth-scheme
    environment_token: bool = False  # NEO_API_TOKEN: this run uses that account, not these


#: Asks for an account name: (window title, the name to start from, why the last one was
#: refused or "") -> the name, or None.
AskName = Callable[[QWidget, str, str, str], str | None]
#: Asks to confirm: (question, what it does) -> yes.
Confirm = Callable[[QWidget, str, str], bool]


def ask_name(parent: QWidget, title: str, current: str, problem: str = "") -> str | None:
    label = _("Account &name:")
    name, ok = QInputDialog.getText(
        parent,
        title,
        f"{problem}\n\n{label}" if problem else label,
        QLineEdit.EchoMode.Normal,
        current,
    )
    return name if ok else None


def confirm(parent: QWidget, question: str, consequence: str) -> bool:
    # The app's own name as the title: Qt adds it to any other title, never to itself.
    title = QApplication.applicationDisplayName()
    box = QMessageBox(QMessageBox.Icon.Question, title, question, parent=parent)
    box.setInformativeText(consequence)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box.exec() == QMessageBox.StandardButton.Yes


def header_name(scheme: AuthScheme) -> str:
    return "X-Api-Key" if scheme is AuthScheme.X_API_KEY else "Authorization: Bearer"


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

    def __init__(
        self,
        settings: Settings,
        keyring_problem: Callable[[], str | None] = lambda: None,
        parent: QWidget | None = None,
        *,
        overrides: Overrides | None = None,
        asks_name: AskName = ask_name,
        confirms: Confirm = confirm,
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
        self._keyring_works: bool | None = None  # None: not known yet
        self._loading = True
        layout = QVBoxLayout(self)
        # Never narrower than its longest line (an option's text cannot wrap), in any language.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        # Pages keep the dialog short enough for a small laptop screen.
        self.pages = QTabWidget()
        self.pages.setAccessibleName(_("Settings pages"))
        self.pages.addTab(
            self._page(
                self._accounts_group(),
                self._token_group(keyring_problem()),
                self._connection_group(settings.accounts[0]),
            ),
            _("Accounts"),
        )
        self.pages.addTab(self._page(self._alerts_group(settings)), _("Notifications"))
        self.pages.addTab(
            self._page(self._icon_group(settings), self._general_group(settings)),
            _("Tray and window"),
        )
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

    @staticmethod
    def _page(*groups: QGroupBox) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        for group in groups:
            box.addWidget(group)
        box.addStretch(1)
        return page

    # --- accounts -----------------------------------------------------------------------------
    def _accounts_group(self) -> QGroupBox:
        group = QGroupBox(_("Accounts"))
        self.account_list = QListWidget()
        self.account_list.setObjectName("accountList")
        self.account_list.setAccessibleName(_("Accounts"))
        lines = 4
        self.account_list.setMaximumHeight(self.fontMetrics().height() * (lines + 1) + 8)
        self.account_list.currentRowChanged.connect(self._on_account_row)
        self.add_account_button = QPushButton(_("&Add…"))
        self.rename_account_button = QPushButton(_("Re&name…"))
        self.remove_account_button = QPushButton(_("Remo&ve…"))
        self.up_button = QPushButton(_("Move &up"))
        self.down_button = QPushButton(_("Move do&wn"))
        self.add_account_button.clicked.connect(self._on_add_account)
        self.rename_account_button.clicked.connect(self._on_rename_account)
        self.remove_account_button.clicked.connect(self._on_remove_account)
        self.up_button.clicked.connect(lambda: self.move_account(self.selected_id, -1))
        self.down_button.clicked.connect(lambda: self.move_account(self.selected_id, 1))
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
        box = QVBoxLayout(group)
        box.addLayout(row)
        note = ""
        if self._overrides.environment_token:
            note = _(
                "{variable} is set: this run uses that token as one account named "
                '"environment". The accounts here are used when it is unset.'
            ).format(variable=TOKEN_ENV)
        self.accounts_note = WrappingLabel(note)
        self.accounts_note.setVisible(bool(note))
        box.addWidget(self.accounts_note)
        return group

    def account_combo_enabled(self) -> bool:
        """Whether the tray's account choice is offered (only with several accounts)."""
        return self.tray_account_combo.isEnabled()

    @property
    def selected_account(self) -> Account:
        account = self._settings.account(self.selected_id)
        return account if account is not None else self._settings.accounts[0]

    def _fill_account_list(self) -> None:
        loading, self._loading = self._loading, True
        self.account_list.blockSignals(True)
        self.account_list.clear()
        for account in self._settings.accounts:
            self.account_list.addItem(self._list_text(account))
        ids = [account.id for account in self._settings.accounts]
        if self.selected_id not in ids:
            self.selected_id = ids[0]
        if self.selected_id != self._shown_id:
            # Another account's fields: nothing typed or said for the previous one stays.
            self._shown_id = self.selected_id
            self.token_edit.clear()
            self.set_token_status("", None)
            self._show_token_source()
        row = ids.index(self.selected_id)
        self.account_list.setCurrentRow(row)
        self.account_list.blockSignals(False)
        self.remove_account_button.setEnabled(len(ids) > 1)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(row < len(ids) - 1)
        self._show_account_fields(self.selected_account)
        self._fill_tray_account_combo()
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

    def _show_account_fields(self, account: Account) -> None:
        several = len(self._settings.accounts) > 1
        # A group box's title reads `&` as a mnemonic, as a menu does: one rule for both.
        self.token_group.setTitle(
            sinks.menu_label(_("Neo API token of {account}"), account=account.name)
            if several
            else _("Neo API token")
        )
        self.connection_group.setTitle(
            sinks.menu_label(_("Connection of {account}"), account=account.name)
            if several
            else _("Connection")
        )
        if not self._overrides.base_url:
            self.base_url_edit.setText(account.base_url or "")
            # A lost address is not the public one: say so where the public one would show.
            self.base_url_edit.setPlaceholderText(
                _("Lost with a damaged settings file: type the API address")
                if account.address_lost
                else DEFAULT_BASE_URL
            )
        if self._overrides.auth_scheme is None:
            self.scheme_combo.setCurrentIndex(self.scheme_combo.findData(account.auth_scheme))

    def _fill_tray_account_combo(self) -> None:
        combo = self.tray_account_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(_("The one that needs attention most"), None)
        for account in self._settings.accounts:
            combo.addItem(account.name, account.id)
        combo.setCurrentIndex(max(0, combo.findData(self._settings.tray_account)))
        combo.setEnabled(len(self._settings.accounts) > 1)
        combo.blockSignals(False)

    def _change_accounts(self, changed: list[Account], selected: str | None = None) -> bool:
        """Apply a new account list (validated); False, with the reason shown, if refused."""
        try:
            settings = Settings.model_validate(
                {**self._settings.model_dump(), "accounts": [a.model_dump() for a in changed]}
            )
        except ValidationError as exc:
            self._show_invalid(exc)
            return False
        self.error_label.setText("")
        self._settings = settings
        if selected is not None:
            self.selected_id = selected
        self._fill_account_list()
        self.settings_changed.emit(settings)
        return True

    def _ask_until_taken(self, title: str, start: str, take: Callable[[str], object]) -> None:
        """Ask for a name until `take` accepts it (truthy) or the user cancels; a refused name
        is asked again as typed, with the reason."""
        name, problem = self._ask_name(self, title, start, ""), ""
        while name is not None and not take(name):
            problem = self.error_label.text()
            name = self._ask_name(self, title, name, problem)
        if name is None and problem:
            self.error_label.setText("")  # cancelled: the refusal no longer applies

    def _on_add_account(self) -> None:
        taken = [account.name for account in self._settings.accounts]
        start = accounts.unique_name(_("Account"), taken)
        self._ask_until_taken(_("Add a Neo account"), start, self.add_account)

    def add_account(self, name: str) -> Account | None:
        """A new account, selected, with the token field focused; None if the name is refused."""
        try:
            account = Account(id=accounts.new_id(a.id for a in self._settings.accounts), name=name)
        except ValidationError as exc:
            self._show_invalid(exc)
            return None
        if not self._change_accounts([*self._settings.accounts, account], account.id):
            return None
        self.token_edit.clear()
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
        try:
            renamed = [
                Account.model_validate({**a.model_dump(), "name": name})
                if a.id == account_id
                else a
                for a in self._settings.accounts
            ]
        except ValidationError as exc:
            self._show_invalid(exc)
            return False
        return self._change_accounts(renamed)

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
        rest = [a for a in self._settings.accounts if a.id != account_id]
        if len(rest) == len(self._settings.accounts) or not self._change_accounts(rest):
            return False
        self.account_removed.emit(account_id)
        self.account_selected.emit(self.selected_id)
        return True

    def move_account(self, account_id: str, step: int) -> None:
        order = list(self._settings.accounts)
        index = next(i for i, a in enumerate(order) if a.id == account_id)
        target = index + step
        if 0 <= target < len(order):
            order[index], order[target] = order[target], order[index]
            self._change_accounts(order)

    def _make_token_source_notes(self) -> None:
        """Where this account's token is (or that none is), and for none what a token is."""
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

    # --- groups -------------------------------------------------------------------------------
    def _token_group(self, keyring_problem: str | None) -> QGroupBox:
        group = QGroupBox(_("Neo API token"))
        self.token_group = group
        self.token_edit = QLineEdit()
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText(_("Paste a new token (the stored one is never shown)"))
        self.token_edit.setAccessibleName(_("Neo API token"))
        self._make_token_source_notes()
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
        self.save_button.clicked.connect(self._on_save_token)
        self.sign_out_button.clicked.connect(lambda: self.sign_out_requested.emit(self.selected_id))
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
        self.file_save_button.clicked.connect(self._on_save_token_file)
        self.file_save_button.hide()
        self.move_button = QPushButton(_("&Move it to the system keyring"))
        self.move_button.clicked.connect(lambda: self.token_move_requested.emit(self.selected_id))
        self.move_button.hide()
        self.file_note = WrappingLabel()
        self.file_note.hide()
        row = QHBoxLayout()
        row.addWidget(self.token_edit, 1)
        row.addWidget(self.show_token)
        buttons = QHBoxLayout()
        for button in (self.test_button, self.save_button, self.sign_out_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        box = QVBoxLayout(group)
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
        return group

    def _connection_group(self, account: Account) -> QGroupBox:
        group = QGroupBox(_("Connection"))
        self.connection_group = group
        form = QFormLayout(group)
        self.base_url_edit = QLineEdit(account.base_url or "")
        self.base_url_edit.setPlaceholderText(DEFAULT_BASE_URL)
        self.base_url_edit.setAccessibleName(_("API base URL"))
        self.base_url_edit.editingFinished.connect(self._emit_if_valid)
        self.scheme_combo = self._choice(
            _("Authentication header"),
            {
                AuthScheme.BEARER: "Authorization: Bearer <token>",
                AuthScheme.X_API_KEY: "X-Api-Key: <token>",
            },
            account.auth_scheme,
        )
        form.addRow(_("API a&ddress:"), self.base_url_edit)
        form.addRow(_("&Header:"), self.scheme_combo)
        # What is in effect, not what is stored, where the environment or a flag overrides it.
        notes = []
        if self._overrides.base_url:
            self.base_url_edit.setText(self._overrides.base_url)
            self.base_url_edit.setReadOnly(True)
            notes.append(
                _("The address is set by {variable}; unset it to use this setting.").format(
                    variable=URL_ENV
                )
            )
        if self._overrides.auth_scheme is not None:
            self.scheme_combo.setCurrentIndex(
                self.scheme_combo.findData(self._overrides.auth_scheme)
            )
            self.scheme_combo.setEnabled(False)
            notes.append(_("The header is set by --auth-scheme for this run."))
        self.override_note = WrappingLabel(" ".join(notes))
        self.override_note.setVisible(bool(notes))
        form.addRow(self.override_note)
        return group

    def _icon_group(self, settings: Settings) -> QGroupBox:
        group = QGroupBox(_("Tray icon"))
        form = QFormLayout(group)
        self.icon_content_combo = self._choice(
            _("Tray icon shows"),
            {
                IconContent.RING: _("The ring"),
                IconContent.RING_PERCENT: _("The ring with the share left"),
                IconContent.NUMBER: _("The credits left (87, 4.1k)"),
            },
            settings.icon_content,
        )
        self.icon_style_combo = self._choice(
            _("Tray icon style"),
            {IconStyle.COLOUR: _("Colour"), IconStyle.MONOCHROME: _("Monochrome")},
            settings.icon_style,
        )
        self.icon_tone_combo = self._choice(
            _("Monochrome colour"),
            {
                IconTone.AUTO: _("The desktop's text colour"),
                IconTone.LIGHT: _("Light (for dark panels)"),
                IconTone.DARK: _("Dark (for light panels)"),
            },
            settings.icon_tone,
        )
        self.icon_tone_combo.setEnabled(settings.icon_style is IconStyle.MONOCHROME)
        self.icon_style_combo.currentIndexChanged.connect(
            lambda: self.icon_tone_combo.setEnabled(
                self.icon_style_combo.currentData() == IconStyle.MONOCHROME
            )
        )
        self.tray_account_combo = QComboBox()
        self.tray_account_combo.setAccessibleName(_("Account the tray icon shows"))
        self.tray_account_combo.currentIndexChanged.connect(self._emit_if_valid)
        form.addRow(_("A&ccount:"), self.tray_account_combo)
        form.addRow(_("Sho&ws:"), self.icon_content_combo)
        form.addRow(_("St&yle:"), self.icon_style_combo)
        form.addRow(_("&Monochrome:"), self.icon_tone_combo)
        return group

    def _choice(self, name: str, items: Mapping[object, str], current: object) -> QComboBox:
        """A combo box of `items` (value: label) showing `current`; a change applies at once."""
        combo = QComboBox()
        combo.setAccessibleName(name)
        for value, label in items.items():
            combo.addItem(label, value)
        combo.setCurrentIndex(combo.findData(current))
        combo.currentIndexChanged.connect(self._emit_if_valid)
        return combo

    def _alerts_group(self, settings: Settings) -> QGroupBox:
        group = QGroupBox(_("Notifications"))
        form = QFormLayout(group)
        self.low_spin = self._percent_spin(settings.low_threshold, _("Low credit threshold"))
        self.critical_spin = self._percent_spin(
            settings.critical_threshold, _("Critical credit threshold")
        )
        form.addRow(_("&Low below:"), self.low_spin)
        form.addRow(_("&Critical below:"), self.critical_spin)
        self.switch_boxes: dict[str, QCheckBox] = {}
        for key, label in SWITCH_LABELS.items():
            box = QCheckBox(_(label))
            box.setChecked(bool(getattr(settings.notifications, key)))
            box.toggled.connect(self._emit_if_valid)
            self.switch_boxes[key] = box
            form.addRow(box)
        return group

    def _percent_spin(self, fraction: float, name: str) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(0.0, 100.0)
        spin.setDecimals(0)
        spin.setSuffix(" %")
        spin.setValue(fraction * 100)
        spin.setAccessibleName(name)
        spin.valueChanged.connect(self._emit_if_valid)
        return spin

    def _general_group(self, settings: Settings) -> QGroupBox:
        group = QGroupBox(_("General"))
        form = QFormLayout(group)
        self.interval_combo = self._choice(
            _("Poll interval"),
            {minutes: interval_label(minutes) for minutes in POLL_INTERVALS_MINUTES},
            settings.poll_interval_minutes,
        )
        form.addRow(_("Re&fresh:"), self.interval_combo)
        self.autostart_box = QCheckBox(_("Start Neo Usage Tray when I log in"))
        self.autostart_box.setChecked(settings.start_at_login)
        self.autostart_box.toggled.connect(self._emit_if_valid)
        self.range_combo = self._choice(
            _("Default range in details"),
            {p: _(label) for p, label in PRESET_LABELS.items() if p is not RangePreset.CUSTOM},
            RangePreset(settings.default_range),
        )
        self.group_combo = self._choice(
            _("Default grouping in details"),
            {group_by: _(GROUP_BY_LABELS[group_by]) for group_by in GroupBy},
            settings.default_group_by,
        )
        form.addRow(self.autostart_box)
        form.addRow(_("Details &range:"), self.range_combo)
        form.addRow(_("&Group by:"), self.group_combo)
        system = LANGUAGES[i18n.resolve().code]
        choices: dict[object, str] = dict(LANGUAGES.items())
        self.language_combo = self._choice(
            _("Language"),
            {"": _("System ({language})").format(language=system)} | choices,
            settings.language,
        )
        form.addRow(_("&Language:"), self.language_combo)
        self.language_note = WrappingLabel(_("A new language applies when the app starts again."))
        self.restart_button = QPushButton(_("Restart &now"))
        self.restart_button.clicked.connect(self.restart_requested.emit)
        restart_row = QHBoxLayout()
        restart_row.addWidget(self.language_note, 1)
        restart_row.addWidget(self.restart_button, 0, Qt.AlignmentFlag.AlignTop)
        self.language_restart = QWidget()
        self.language_restart.setLayout(restart_row)
        restart_row.setContentsMargins(0, 0, 0, 0)
        self._offer_restart(False)
        self.language_combo.currentIndexChanged.connect(
            lambda: self._offer_restart(self.language_combo.currentData() != settings.language)
        )
        form.addRow(self.language_restart)
        return group

    def _offer_restart(self, offered: bool) -> None:
        """A new language applies at the next start: say so, and offer that start now."""
        for widget in (self.language_restart, self.language_note, self.restart_button):
            widget.setVisible(offered)

    # --- behaviour ----------------------------------------------------------------------------
    def form_settings(self) -> Settings:
        """The settings the form shows; raises ValidationError with the reason."""
        switches = NotificationSwitches(
            **{key: box.isChecked() for key, box in self.switch_boxes.items()}
        )
        selected = self.selected_account
        edited = Account.model_validate(
            {
                **selected.model_dump(),
                "base_url": (
                    selected.base_url
                    if self._overrides.base_url
                    else self.base_url_edit.text().strip() or None
                ),
                "auth_scheme": (
                    selected.auth_scheme
                    if self._overrides.auth_scheme is not None
                    else self.scheme_combo.currentData()
                ),
            }
        )
        return Settings.model_validate(
            {
                **self._settings.model_dump(),
                "accounts": [
                    (edited if a.id == selected.id else a).model_dump()
                    for a in self._settings.accounts
                ],
                "tray_account": self.tray_account_combo.currentData(),
                "poll_interval_minutes": self.interval_combo.currentData(),
                "low_threshold": round(self.low_spin.value()) / 100,
                "critical_threshold": round(self.critical_spin.value()) / 100,
                "notifications": switches,
                "default_range": self.range_combo.currentData(),
                "default_group_by": self.group_combo.currentData(),
                "start_at_login": self.autostart_box.isChecked(),
                "icon_content": self.icon_content_combo.currentData(),
                "icon_style": self.icon_style_combo.currentData(),
                "icon_tone": self.icon_tone_combo.currentData(),
                "language": self.language_combo.currentData(),
            }
        )

    def _show_invalid(self, error: ValidationError) -> None:
        """The first reason a change was refused, as the one sentence under the form."""
        self.error_label.setText(str(error.errors()[0]["msg"]).removeprefix("Value error, "))

    def _emit_if_valid(self) -> None:
        if self._loading:
            return
        try:
            settings = self.form_settings()
        except ValidationError as exc:
            self._show_invalid(exc)
            return
        self.error_label.setText("")
        if settings != self._settings:
            self._settings = settings
            self.settings_changed.emit(settings)

    def _on_test(self) -> None:
        token = self.token_edit.text().strip() or None
        self.set_token_status(_("Testing…"), None)
        self.test_button.setEnabled(False)
        self.test_requested.emit(self.selected_id, token)

    def _on_save_token(self) -> None:
        token = self.token_edit.text().strip()
        if not token:
            self.set_token_status(_("Paste a token first."), False)
            return
        self.token_save_requested.emit(self.selected_id, token)

    def show_test_result(
        self, result: Snapshot | PollError, address: str = "", scheme: AuthScheme | None = None
    ) -> None:
        """The outcome of "Test", with the address and header it used."""
        self.test_button.setEnabled(True)
        used = f" ({address}, {header_name(scheme)})" if address and scheme else ""
        if isinstance(result, Snapshot):
            available = result.summary.total_available_neo_credits
            text = _("It works{connection}.").format(connection=used)
            if available is not None:
                text += " " + ngettext(
                    "{credits} credit available.",
                    "{credits} credits available.",
                    fmt.plural_count(available),
                ).format(credits=fmt.credits(round(available)))
            self.set_token_status(text, True)
        else:
            self.set_token_status(f"{result.user_message}{used}", False)

    def set_token_status(self, text: str, ok: bool | None) -> None:
        self.token_status.setText(text)
        self.token_status.setStyleSheet("" if ok is None else OK_STYLE if ok else ERROR_STYLE)

    def _list_text(self, account: Account) -> str:
        """An account's line in the list: its name, and whether a token is stored for it."""
        if self._token_sources.get(account.id) == "none":
            return _("{account} (no token)").format(account=account.name)
        return account.name

    def show_token_sources(self, sources: Mapping[str, str]) -> None:
        """Where each account's token is: "keyring", "file", "environment", "none", or
        "unknown" (a keyring that could not be read may hold it)."""
        self._token_sources.update(sources)
        for row, account in enumerate(self._settings.accounts):
            item = self.account_list.item(row)
            if item is not None:
                item.setText(self._list_text(account))
        self._show_token_source()

    def _show_token_source(self, file_path: str = "") -> None:
        source = self._token_sources.get(self.selected_id)
        texts = {
            None: _("Looking for a stored token…"),
            "keyring": _("A token is stored in the system keyring."),
            "file": _("A token is stored in the file {path}.").format(path=file_path)
            if file_path
            else _("A token is stored in a file only you can read."),
            "environment": _("The token comes from {variable}.").format(variable=TOKEN_ENV),
            "none": _("No token is stored for this account."),
            "unknown": _("The system keyring could not be read: a token may be stored there."),
        }
        self.token_home_label.setText(texts.get(source, texts[None]))
        self.token_intro.setVisible(source == "none" and not self._overrides.environment_token)
        self._enable_token_buttons()

    def _enable_token_buttons(self) -> None:
        """Offer only what can do something: Sign out with a stored token, Save to keyring
        unless no keyring works (an empty field is answered with what to do)."""
        stored = self._token_sources.get(self.selected_id) in ("keyring", "file", "unknown")
        self.sign_out_button.setEnabled(stored)
        self.save_button.setEnabled(self._keyring_works is not False)

    def show_token_homes(self, source: str, keyring_works: bool, file_path: str) -> None:
        """Where the selected account's token is; the token file offered only where no keyring
        works, and the move once one does."""
        self._keyring_works = keyring_works
        self._token_sources[self.selected_id] = source
        item = self.account_list.item(self.account_list.currentRow())
        if item is not None:
            item.setText(self._list_text(self.selected_account))
        self._show_token_source(file_path)
        self.file_save_button.setVisible(not keyring_works)
        self.move_button.setVisible(keyring_works and source == "file")
        notes = []
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

    def _on_save_token_file(self) -> None:
        token = self.token_edit.text().strip()
        if not token:
            self.set_token_status(_("Paste a token first."), False)
            return
        self.token_file_save_requested.emit(self.selected_id, token)

    def token_saved(self, message: str, ok: bool) -> None:
        if ok:
            self.token_edit.clear()
        self.set_token_status(message, ok)

    def focus_token(self) -> None:
        self.pages.setCurrentIndex(0)
        self.token_edit.setFocus(Qt.FocusReason.OtherFocusReason)
