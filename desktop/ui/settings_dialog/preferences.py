"""The settings dialog's preference forms: an account's connection, the notifications, the
tray icon and the general choices. Each says `changed` on every edit and reads its fields out
as plain values; the dialog merges them into the settings (`core.settings_form`)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from desktop.core import i18n, sinks
from desktop.core.accounts import DEFAULT_WEB_URL, Account
from desktop.core.environment import URL_ENV
from desktop.core.i18n import LANGUAGES, N_, _, ngettext
from desktop.core.looks import IconContent, IconStyle, IconTone
from desktop.core.query import DEFAULT_BASE_URL, AuthScheme, GroupBy
from desktop.core.ranges import GROUP_BY_LABELS, PRESET_LABELS, RangePreset
from desktop.core.rules.catalogue import SWITCHES
from desktop.core.settings import POLL_INTERVALS_MINUTES, Settings
from desktop.core.settings_form import BIG_TASK_PERCENT_DECIMALS, BIG_TASK_PERCENT_RANGE
from desktop.ui.overrides import Overrides
from desktop.ui.settings_dialog.common import choice, relay
from desktop.ui.wrapping_label import WrappingLabel


def interval_label(minutes: int) -> str:
    if minutes == 0:
        return _("Manual only")
    return ngettext("Every {count} min", "Every {count} min", minutes).format(count=minutes)


class ConnectionForm(QGroupBox):
    """The selected account's API address and header, and its Neo web address ("Open Neo");
    what the environment or a flag sets for this run is shown in effect, read-only, with a note.

    Signals:
        changed(): an address was edited (on Enter or leaving the field) or the header chosen.
    """

    changed = Signal()

    def __init__(self, account: Account, overrides: Overrides) -> None:
        super().__init__(_("Connection"))
        self._overrides = overrides
        form = QFormLayout(self)
        self.base_url_edit = QLineEdit(account.base_url or "")
        self.base_url_edit.setPlaceholderText(DEFAULT_BASE_URL)
        self.base_url_edit.setAccessibleName(_("API base URL"))
        self.base_url_edit.editingFinished.connect(relay(self.changed))
        self.scheme_combo = choice(
            _("Authentication header"),
            {scheme: scheme.header_text("<token>") for scheme in AuthScheme},
            account.auth_scheme,
            relay(self.changed),
        )
        self.web_url_edit = QLineEdit(account.web_url)
        self.web_url_edit.setPlaceholderText(DEFAULT_WEB_URL)
        self.web_url_edit.setAccessibleName(_("Neo web address"))
        self.web_url_edit.editingFinished.connect(relay(self.changed))
        form.addRow(_("API a&ddress:"), self.base_url_edit)
        form.addRow(_("&Header:"), self.scheme_combo)
        form.addRow(_("Neo w&eb address:"), self.web_url_edit)
        # What is in effect, not what is stored, where the environment or a flag overrides it.
        notes = []
        if overrides.base_url:
            self.base_url_edit.setText(overrides.base_url)
            self.base_url_edit.setReadOnly(True)
            notes.append(
                _("The address is set by {variable}; unset it to use this setting.").format(
                    variable=URL_ENV
                )
            )
        if overrides.auth_scheme is not None:
            self.scheme_combo.setCurrentIndex(self.scheme_combo.findData(overrides.auth_scheme))
            self.scheme_combo.setEnabled(False)
            notes.append(_("The header is set by --auth-scheme for this run."))
        self.override_note = WrappingLabel(" ".join(notes))
        self.override_note.setVisible(bool(notes))
        form.addRow(self.override_note)

    def show_account(self, account: Account, several: bool) -> None:
        """Show `account`'s connection; its name in the title when there are `several`."""
        # A group box's title reads `&` as a mnemonic, as a menu does: one rule for both.
        self.setTitle(
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
        self.web_url_edit.setText(account.web_url)

    def web_url(self) -> str:
        """The Neo web address as typed ("" for the default)."""
        return self.web_url_edit.text()

    def base_url(self) -> str | None:
        """The address as typed; None where the environment sets it for this run."""
        return None if self._overrides.base_url else self.base_url_edit.text()

    def auth_scheme(self) -> AuthScheme | None:
        """The header chosen; None where --auth-scheme sets it for this run."""
        if self._overrides.auth_scheme is not None:
            return None
        return AuthScheme(self.scheme_combo.currentData())


#: The big-task limit's units, as the settings store them, and what the unit box says.
BIG_TASK_UNITS = (("share", N_("of the issued credits")), ("credits", N_("credits")))
#: The largest number of credits the big-task limit's box takes.
BIG_TASK_MAX_CREDITS = 1_000_000.0


class NotificationsForm(QGroupBox):
    """The two thresholds (whole percents), a switch per kind of notification, and the limit a
    single task of today may use before the big-task notification (a share of the issued
    credits or a number of credits).

    Signals:
        changed(): a threshold, a switch or the big-task limit changed.
    """

    changed = Signal()

    def __init__(self, settings: Settings) -> None:
        super().__init__(_("Notifications"))
        form = QFormLayout(self)
        self.low_spin = self._percent_spin(settings.low_threshold, _("Low credit threshold"))
        self.critical_spin = self._percent_spin(
            settings.critical_threshold, _("Critical credit threshold")
        )
        form.addRow(_("&Low below:"), self.low_spin)
        form.addRow(_("&Critical below:"), self.critical_spin)
        self.switch_boxes: dict[str, QCheckBox] = {}
        for switch in SWITCHES:  # the notification rules' table: a row's switch, first use first
            box = QCheckBox(_(switch.label))
            box.setChecked(bool(getattr(settings.notifications, switch.name)))
            box.toggled.connect(relay(self.changed))
            self.switch_boxes[switch.name] = box
            form.addRow(box)
        # The value each unit shows, so switching units back and forth loses no typing.
        self._big_task_values: dict[str, float] = {
            "share": round(settings.big_task_share * 100, BIG_TASK_PERCENT_DECIMALS),
            "credits": settings.big_task_credits,
        }
        self.big_task_spin = QDoubleSpinBox()
        # A value typed outside the range becomes its nearest end (0 becomes 0.1 %), never
        # silently the value it had before (Qt's default).
        self.big_task_spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
        self.big_task_spin.setAccessibleName(_("Big task limit"))
        self.big_task_unit_combo = QComboBox()
        self.big_task_unit_combo.setAccessibleName(_("Big task limit unit"))
        for unit, unit_label in BIG_TASK_UNITS:
            self.big_task_unit_combo.addItem(_(unit_label), unit)
        self.big_task_unit_combo.setCurrentIndex(
            self.big_task_unit_combo.findData(settings.big_task_unit)
        )
        # The box as wide as either unit needs (credits to 1,000,000.0 are wider than
        # `100.0 %`), so switching units neither widens the dialog nor rewraps its notes.
        widths = []
        for unit, _label in BIG_TASK_UNITS:
            self._big_task_unit = unit
            self._show_big_task_unit()
            widths.append(self.big_task_spin.sizeHint().width())
        self.big_task_spin.setMinimumWidth(max(widths))
        self._big_task_unit = settings.big_task_unit
        self._show_big_task_unit()
        self.big_task_spin.valueChanged.connect(relay(self.changed))
        self.big_task_unit_combo.currentIndexChanged.connect(self._on_big_task_unit)
        row = QHBoxLayout()
        row.addWidget(self.big_task_spin)
        row.addWidget(self.big_task_unit_combo)
        row.addStretch(1)
        form.addRow(_("A &task used over:"), row)
        row_label = form.labelForField(row)
        if isinstance(row_label, QLabel):  # its access key focuses the number
            row_label.setBuddy(self.big_task_spin)
        # Member mode (issue 28) has no switches of its own: the credits' three warn of the cap.
        self.cap_note = WrappingLabel(
            _(
                "For a team member with a spending cap, the low, critical and used-up switches "
                "warn about the cap left."
            )
        )
        self.cap_note.setObjectName("capNote")
        form.addRow(self.cap_note)

    def _show_big_task_unit(self) -> None:
        """The spin box for the chosen unit: percents 0.1 to 100 (to a tenth), or credits (one
        decimal)."""
        spin, unit = self.big_task_spin, self._big_task_unit
        spin.blockSignals(True)
        if unit == "credits":
            spin.setDecimals(1)
            spin.setRange(0.1, BIG_TASK_MAX_CREDITS)
            spin.setSuffix("")
        else:
            spin.setDecimals(BIG_TASK_PERCENT_DECIMALS)
            spin.setRange(*BIG_TASK_PERCENT_RANGE)
            spin.setSuffix(" %")
        spin.setValue(self._big_task_values[unit])
        spin.blockSignals(False)

    def _on_big_task_unit(self) -> None:
        self._big_task_values[self._big_task_unit] = self.big_task_spin.value()
        self._big_task_unit = str(self.big_task_unit_combo.currentData())
        self._show_big_task_unit()
        self.changed.emit()

    def big_task(self) -> tuple[str, float, float]:
        """The big-task limit: its unit, the share in percent and the credits."""
        self._big_task_values[self._big_task_unit] = self.big_task_spin.value()
        values = self._big_task_values
        return self._big_task_unit, values["share"], values["credits"]

    def _percent_spin(self, fraction: float, name: str) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(0.0, 100.0)
        spin.setDecimals(0)
        spin.setSuffix(" %")
        spin.setValue(fraction * 100)
        spin.setAccessibleName(name)
        spin.valueChanged.connect(relay(self.changed))
        return spin

    def switches(self) -> dict[str, bool]:
        """A switch's key -> on."""
        return {key: box.isChecked() for key, box in self.switch_boxes.items()}


class TrayIconForm(QGroupBox):
    """Which account the tray icon shows, what it shows and in which colours.

    Signals:
        changed(): a choice changed.
    """

    changed = Signal()

    def __init__(self, settings: Settings) -> None:
        super().__init__(_("Tray icon"))
        form = QFormLayout(self)
        self.icon_content_combo = choice(
            _("Tray icon shows"),
            {
                IconContent.RING: _("The ring"),
                IconContent.RING_PERCENT: _("The ring with the share left"),
                IconContent.NUMBER: _("The credits left (87, 4.1k)"),
            },
            settings.icon_content,
            relay(self.changed),
        )
        self.icon_style_combo = choice(
            _("Tray icon style"),
            {IconStyle.COLOUR: _("Colour"), IconStyle.MONOCHROME: _("Monochrome")},
            settings.icon_style,
            relay(self.changed),
        )
        self.icon_tone_combo = choice(
            _("Monochrome colour"),
            {
                IconTone.AUTO: _("The desktop's text colour"),
                IconTone.LIGHT: _("Light (for dark panels)"),
                IconTone.DARK: _("Dark (for light panels)"),
            },
            settings.icon_tone,
            relay(self.changed),
        )
        self.icon_tone_combo.setEnabled(settings.icon_style is IconStyle.MONOCHROME)
        self.icon_style_combo.currentIndexChanged.connect(
            lambda: self.icon_tone_combo.setEnabled(
                self.icon_style_combo.currentData() == IconStyle.MONOCHROME
            )
        )
        self.tray_account_combo = QComboBox()
        self.tray_account_combo.setAccessibleName(_("Account the tray icon shows"))
        self.tray_account_combo.currentIndexChanged.connect(relay(self.changed))
        form.addRow(_("A&ccount:"), self.tray_account_combo)
        form.addRow(_("Sho&ws:"), self.icon_content_combo)
        form.addRow(_("St&yle:"), self.icon_style_combo)
        form.addRow(_("&Monochrome:"), self.icon_tone_combo)

    def show_accounts(self, settings: Settings) -> None:
        """Offer `settings`' accounts (a choice only with several), showing its tray account."""
        combo = self.tray_account_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(_("The one that needs attention most"), None)
        for account in settings.accounts:
            combo.addItem(account.name, account.id)
        combo.setCurrentIndex(max(0, combo.findData(settings.tray_account)))
        combo.setEnabled(len(settings.accounts) > 1)
        combo.blockSignals(False)


class GeneralForm(QGroupBox):
    """Polling, start at login, the detail window's defaults and the language, with the offer
    to restart once a new language is chosen.

    Signals:
        changed(): a choice changed.
        restart_requested(): the user chose to restart now.
    """

    changed = Signal()
    restart_requested = Signal()

    def __init__(self, settings: Settings) -> None:
        super().__init__(_("General"))
        form = QFormLayout(self)
        self.interval_combo = choice(
            _("Poll interval"),
            {minutes: interval_label(minutes) for minutes in POLL_INTERVALS_MINUTES},
            settings.poll_interval_minutes,
            relay(self.changed),
        )
        form.addRow(_("Re&fresh:"), self.interval_combo)
        self.autostart_box = QCheckBox(_("Start Neo Usage Tray when I log in"))
        self.autostart_box.setChecked(settings.start_at_login)
        self.autostart_box.toggled.connect(relay(self.changed))
        self.range_combo = choice(
            _("Default range in details"),
            {p: _(label) for p, label in PRESET_LABELS.items() if p is not RangePreset.CUSTOM},
            RangePreset(settings.default_range),
            relay(self.changed),
        )
        self.group_combo = choice(
            _("Default grouping in details"),
            {group_by: _(GROUP_BY_LABELS[group_by]) for group_by in GroupBy},
            settings.default_group_by,
            relay(self.changed),
        )
        form.addRow(self.autostart_box)
        form.addRow(_("Details &range:"), self.range_combo)
        form.addRow(_("&Group by:"), self.group_combo)
        system = LANGUAGES[i18n.resolve().code]
        choices: dict[object, str] = dict(LANGUAGES.items())
        self.language_combo = choice(
            _("Language"),
            {"": _("System ({language})").format(language=system)} | choices,
            settings.language,
            relay(self.changed),
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

    def _offer_restart(self, offered: bool) -> None:
        """A new language applies at the next start: say so, and offer that start now."""
        for widget in (self.language_restart, self.language_note, self.restart_button):
            widget.setVisible(offered)
