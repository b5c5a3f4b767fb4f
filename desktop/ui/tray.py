"""The tray icon, its tooltip and menu. Renders the AccountState; user intents leave as signals.

Handles a tray host that is missing or late: it keeps checking and creates the icon once a host
appears (meanwhile the app shows its window).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QColor, QFont, QGuiApplication
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from desktop.core import fmt, presentation, sinks, text_fit, tray_text
from desktop.core.i18n import _
from desktop.core.looks import IconStyle
from desktop.core.rules.memory import SnoozeChoice
from desktop.system.appearance import portal_prefers_dark
from desktop.ui.background import run_in_background
from desktop.ui.gauge import IconCache, device_pixel_ratio, is_dark_theme, monochrome_tint
from desktop.ui.state import AccountState

log = logging.getLogger(__name__)
TRAY_RETRY_FAST_MS = 2_000
TRAY_RETRY_FAST_TRIES = 60  # two minutes of quick checks after start-up (login autostart)
TRAY_RETRY_SLOW_MS = 30_000
STATUS_LINES = 5  # credits, expiry, forecast, usage, freshness
MENU_ACCOUNTS = 5  # accounts with a block in the menu itself; the others go in "More accounts"
SNI_WATCHER = "org.kde.StatusNotifierWatcher"
EXPORT_CHECK_MS = 500  # Qt registers its item asynchronously: look again this often ...
EXPORT_CHECKS = 20  # ... this many times


@dataclass(frozen=True)
class TrayAccount:
    """An account as the tray shows it: its id (for intents), its name and its state."""

    id: str
    name: str
    state: AccountState


@dataclass
class _Block:
    """One account's part of the menu: its name (with several), status lines, "Open details";
    `submenu`: the account's own menu inside "More accounts" (accounts after the first five)."""

    account: TrayAccount
    title: QAction
    lines: list[QAction]
    details: QAction
    submenu: QMenu | None = None


def menu_exported(pid: int) -> bool | None:
    """Whether Qt shows process `pid`'s tray icon as a StatusNotifierItem, whose menu it exports
    over D-Bus (dbusmenu), rather than drawing the menu itself (XEmbed, macOS, Windows).

    True: an item the watcher lists belongs to `pid`; False: not Linux, or no watcher (Qt then
    has no D-Bus tray); None: a watcher, but no item of `pid` yet (Qt registers it after showing
    the icon): ask again. Blocking (a few D-Bus calls, each at most 2 s): not on the UI thread.
    Raises OSError or jeepney's errors when the bus cannot be asked."""
    if not sys.platform.startswith("linux"):
        return False
    from jeepney import DBusAddress, Properties
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection
    from jeepney.wrappers import DBusErrorResponse, unwrap_msg

    with open_dbus_connection(bus="SESSION") as connection:

        def ask(message: Any) -> Any:
            return unwrap_msg(connection.send_and_get_reply(message, timeout=2))[0]

        if not ask(message_bus.NameHasOwner(SNI_WATCHER)):
            return False
        watcher = DBusAddress("/StatusNotifierWatcher", SNI_WATCHER, SNI_WATCHER)
        _signature, items = ask(Properties(watcher).get("RegisteredStatusNotifierItems"))
        for item in items:  # ":1.42/StatusNotifierItem", or a bus name alone
            try:
                if ask(message_bus.GetConnectionUnixProcessID(item.split("/", 1)[0])) == pid:
                    return True
            except DBusErrorResponse:  # that item's connection has just gone
                continue
    return None


class TrayView(QObject):
    """The tray icon and its menu, rendered from the AccountState.

    With several accounts, the icon and tooltip show the chosen one (or the one that needs
    attention most) and the menu has a block per account.

    Signals (user intents, no arguments unless said):
        refresh_requested, token_requested, settings_requested, quit_requested, menu_opened;
        details_requested(str): the account whose details to open;
        icon_activated(str): the icon was clicked; the account it shows (the app raises its
        window, or hides it when it is the active window);
        snooze_requested(SnoozeChoice); pause_toggled(bool);
        availability_changed(bool): whether the icon is shown in a tray.
    """

    refresh_requested = Signal()
    details_requested = Signal(str)
    icon_activated = Signal(str)
    token_requested = Signal()
    settings_requested = Signal()
    snooze_requested = Signal(object)
    pause_toggled = Signal(bool)
    quit_requested = Signal()
    menu_opened = Signal()
    availability_changed = Signal(bool)  # whether the icon is shown in a tray
    # The appearance portal's colour-scheme preference, read off the UI thread: monochrome's
    # AUTO tone follows it where Qt's theme does not (None: not known, or not yet).
    _portal_dark: bool | None = None

    def __init__(
        self,
        state: AccountState,
        clock: Callable[[], datetime],
        parent: QObject | None = None,
        *,
        icon: QSystemTrayIcon | None = None,
        menu: QMenu | None = None,
        icons: IconCache | None = None,
    ) -> None:
        super().__init__(parent)
        self._accounts = [TrayAccount("", "", state)]
        # Qt exports the menu as dbusmenu (its StatusNotifierItem tray): labels are written
        # for Qt's conversion of them (`sinks.menu_label`); known once the icon exists.
        self._dbusmenu = False
        self._chosen: str | None = None  # the account the icon shows; None: most attention
        self._clock = clock
        self._icons = icons or IconCache()
        self._adoptable = icon  # shown by the launcher before the app was built
        self._shown_icon_key: tuple[object, ...] | None = None
        self._shown_tooltip = ""
        self.icon: QSystemTrayIcon | None = None
        self._notices: list[tuple[QAction, str]] = []  # start-up problems' menu lines

        self.menu = menu or QMenu()  # the launcher's, when it already showed the icon
        self.menu.setObjectName("trayMenu")
        self._blocks: list[_Block] = []
        self.refresh_action = QAction(self.menu)
        self.token_action = QAction(self.menu)
        self.settings_action = QAction(self.menu)
        self.snooze_menu = QMenu(self.menu)
        self.snooze_actions = {
            SnoozeChoice.HOUR: QAction(self.snooze_menu),
            SnoozeChoice.TOMORROW: QAction(self.snooze_menu),
            SnoozeChoice.RESUME: QAction(self.snooze_menu),
        }
        self.more_menu = QMenu(self.menu)  # accounts after the first MENU_ACCOUNTS
        for choice, action in self.snooze_actions.items():
            self.snooze_menu.addAction(action)
            action.triggered.connect(
                lambda _checked=False, choice=choice: self.snooze_requested.emit(choice)
            )
        self.pause_action = QAction(self.menu)
        self.pause_action.setCheckable(True)
        self.quit_action = QAction(self.menu)
        self._label_fixed_items()

        self._countdown = QTimer(self)
        self._countdown.setSingleShot(True)
        self._countdown.timeout.connect(self.render)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self._try_create_icon)
        self._retries = 0
        self._export_check = QTimer(self)  # until it is known whether Qt exports the menu
        self._export_check.setSingleShot(True)
        self._export_check.timeout.connect(self._check_export)
        self._export_checks = 0

        self.refresh_action.triggered.connect(self.refresh_requested)
        self.token_action.triggered.connect(self.token_requested)
        self.settings_action.triggered.connect(self.settings_requested)
        self.pause_action.toggled.connect(self.pause_toggled)
        self.quit_action.triggered.connect(self.quit_requested)
        self.menu.aboutToShow.connect(self._on_menu_about_to_show)
        state.changed.connect(self._on_state_changed)
        self._make_blocks()
        self._refresh_menu_labels()
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_theme_changed)
        application = QGuiApplication.instance()
        if application is not None:
            application.installEventFilter(self)

    # --- the icon's life --------------------------------------------------------------------
    def start(self) -> bool:
        """Create the tray icon if a tray host exists; otherwise keep checking. True if shown."""
        self._read_portal_scheme()
        return self._try_create_icon()

    def _read_portal_scheme(self) -> None:
        run_in_background(portal_prefers_dark, self._on_portal_scheme)

    def _on_portal_scheme(self, dark: bool | None, error: BaseException | None) -> None:
        if error is not None:
            log.debug("Cannot read the desktop's colour scheme from the portal: %r", error)
            return
        self.set_portal_scheme(dark)

    def set_portal_scheme(self, dark: bool | None) -> None:
        """The appearance portal's preference (True dark, False light, None none); repaints."""
        if dark != self._portal_dark:
            self._portal_dark = dark
            self._on_theme_changed()

    @Slot()
    def _try_create_icon(self) -> bool:
        if self.icon is not None:
            return True
        if not QSystemTrayIcon.isSystemTrayAvailable():
            self._retries += 1
            fast = self._retries <= TRAY_RETRY_FAST_TRIES
            self._retry.start(TRAY_RETRY_FAST_MS if fast else TRAY_RETRY_SLOW_MS)
            if self._retries == 1:
                log.warning("No system tray available yet; showing the window and retrying")
                self.availability_changed.emit(False)
            return False
        icon = self._adoptable or QSystemTrayIcon(self)
        self._adoptable = None
        icon.setParent(self)
        if icon.contextMenu() is not self.menu:
            icon.setContextMenu(self.menu)  # before filling it: some hosts keep the first menu
        self.build_menu()
        icon.activated.connect(self._on_activated)
        self.icon = icon
        self._shown_icon_key = None
        self._shown_tooltip = ""
        self.render()
        icon.show()
        self._export_checks = 0
        self._check_export()
        if self._retries:
            log.info("A system tray appeared; the icon is now shown")
        self.availability_changed.emit(True)
        return True

    @Slot()
    def _check_export(self) -> None:
        self._export_checks += 1
        run_in_background(partial(menu_exported, os.getpid()), self._on_export_checked)

    def _on_export_checked(self, exported: bool | None, error: BaseException | None) -> None:
        if error is not None:
            log.debug("Cannot tell whether the menu is exported: %r", error)
        elif exported is None and self._export_checks < EXPORT_CHECKS:
            self._export_check.start(EXPORT_CHECK_MS)
        elif exported and not self._dbusmenu:
            log.debug("The tray menu is exported as dbusmenu: labels written for it")
            self._dbusmenu = True
            self._label_fixed_items()
            self._refresh_menu_labels()

    # --- accounts ---------------------------------------------------------------------------
    def set_accounts(self, accounts: Sequence[TrayAccount], chosen: str | None = None) -> None:
        """The accounts to show, in the user's order, and the one the icon shows (None: the
        one that needs attention most)."""
        for old in self._accounts:
            if all(old.state is not new.state for new in accounts):
                old.state.changed.disconnect(self._on_state_changed)
        for new in accounts:
            if all(new.state is not old.state for old in self._accounts):
                new.state.changed.connect(self._on_state_changed)
        self._accounts = list(accounts)
        self._chosen = chosen
        self._make_blocks()
        self.build_menu()
        self.render()

    @property
    def several(self) -> bool:
        return len(self._accounts) > 1

    def _make_blocks(self) -> None:
        for block in self._blocks:
            for action in (block.title, *block.lines, block.details):
                action.deleteLater()
            if block.submenu is not None:
                block.submenu.deleteLater()
        self._blocks = []
        for index, account in enumerate(self._accounts):
            title = QAction(self.menu)
            title.setEnabled(False)
            bold = QFont(title.font())
            bold.setBold(True)
            title.setFont(bold)
            details = QAction(self.menu)
            details.triggered.connect(
                lambda _checked=False, account_id=account.id: self.details_requested.emit(
                    account_id
                )
            )
            lines = [QAction(self.menu) for _ in range(STATUS_LINES)]
            submenu = QMenu(self.more_menu) if index >= MENU_ACCOUNTS else None
            self._blocks.append(_Block(account, title, lines, details, submenu))

    @property
    def details_action(self) -> QAction:
        return self._blocks[0].details

    def shown_account(self) -> TrayAccount:
        """The account the icon and tooltip show."""
        for account in self._accounts:
            if account.id == self._chosen:
                return account
        now = self._clock()
        index = presentation.most_attention([a.state.view for a in self._accounts], now)
        return self._accounts[index]

    def build_menu(self) -> None:
        """Lay out the menu: the first accounts' status lines and details, the others' in "More
        accounts" (a submenu each), then actions, snooze, pause, quit: however many accounts,
        the menu stays short and Settings and Quit are always in reach."""
        for menu in (self.menu, self.more_menu):
            for action in menu.actions():  # not clear(): it deletes the actions it owns
                menu.removeAction(action)
                if action.isSeparator():
                    action.deleteLater()
        for action in self.notice_actions:
            self.menu.addAction(action)
        if self.notice_actions:
            self.menu.addSeparator()
        for block in self._blocks:
            target = block.submenu or self.menu
            if block.submenu is not None:
                self.more_menu.addMenu(block.submenu)
            elif self.several:
                self.menu.addAction(block.title)
            for action in block.lines:
                action.setEnabled(False)
                target.addAction(action)
            if self.several:
                target.addAction(block.details)
            if block.submenu is None:
                self.menu.addSeparator()
        if len(self._blocks) > MENU_ACCOUNTS:
            self.menu.addMenu(self.more_menu)
            self.menu.addSeparator()
        self.menu.addAction(self.refresh_action)
        if not self.several:
            self.menu.addAction(self.details_action)
        self.menu.addSeparator()
        for action in (self.token_action, self.settings_action):
            self.menu.addAction(action)
        self.menu.addMenu(self.snooze_menu)
        self.menu.addAction(self.pause_action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        self._refresh_menu_labels()

    def set_notices(self, sentences: Sequence[str]) -> None:
        """Start-up problems the user must know of (a refused folder, a damaged setting): each
        shown once, at the top of the menu, as lines that fit it; the log has them whole."""
        for action in self.notice_actions:
            action.deleteLater()
        lines = [line for sentence in sentences for line in text_fit.notice_lines(sentence)]
        self._notices = [(QAction(self.menu), line) for line in lines]
        for action in self.notice_actions:
            action.setEnabled(False)
        self._label_notices()
        self.build_menu()

    @property
    def notice_actions(self) -> list[QAction]:
        return [action for action, _line in self._notices]

    def _label_notices(self) -> None:
        for action, line in self._notices:
            action.setText(self._label("{line}", line=line))

    def hide(self) -> None:
        self._countdown.stop()
        self._retry.stop()
        self._export_check.stop()
        if self.icon is not None:
            self.icon.hide()

    def close(self) -> None:
        """Hide, then delete the menu (a window with no parent) and this view: their timers and
        connections keep both alive otherwise."""
        self.hide()
        self.menu.deleteLater()
        self.deleteLater()

    # --- rendering --------------------------------------------------------------------------
    @Slot()
    def render(self) -> None:
        """Update icon and tooltip if what they show changed; re-arm the countdown tick."""
        now = self._clock()
        shown = self.shown_account()
        view = shown.state.view
        derived = presentation.figures(view, now)
        if self.icon is not None:
            look = presentation.look_for(view, derived)
            dark, ratio = self.dark_desktop(), device_pixel_ratio()
            tint = self.tint(view)
            key = (look, dark, ratio, tint.rgba() if tint else None)
            if key != self._shown_icon_key:
                mask = tint is not None and sys.platform == "darwin"  # a template image
                self.icon.setIcon(self._icons.icon(look, dark, ratio, tint, mask))
                self._shown_icon_key = key
            tip = tray_text.tray_tooltip(
                [(account.name, account.state.view) for account in self._accounts],
                self._accounts.index(shown),
                now,
                sys.platform,
            )
            if tip != self._shown_tooltip:
                self.icon.setToolTip(tip)
                self._shown_tooltip = tip
        if self.menu.isVisible():
            self._refresh_menu_labels()
        expires_in = derived.expires_in if derived and not derived.expired else None
        self._countdown.start(round(fmt.countdown_tick_seconds(expires_in) * 1000))

    @Slot()
    def _on_state_changed(self) -> None:
        # New data: relabel the menu now, so a tray host that lays the menu out before
        # aboutToShow arrives (dbusmenu) never shows stale or clipped labels. Only the block of
        # the account that changed: with many accounts, each poll relabels one block, not all.
        changed = self.sender()
        self._refresh_menu_labels(changed if isinstance(changed, AccountState) else None)
        self.render()

    def _label(self, template: str, **fields: str) -> str:
        """A menu item's text: the one rule for menu text, for the menu Qt shows or exports."""
        return sinks.menu_label(template, dbusmenu=self._dbusmenu, **fields)

    def _label_fixed_items(self) -> None:
        """The labels that do not follow the state (written for Qt's menu or its dbusmenu)."""
        self.token_action.setText(self._label(_("Set &token…")))
        self.settings_action.setText(self._label(_("&Settings…")))
        self.snooze_menu.setTitle(self._label(_("S&nooze notifications")))
        snooze_labels = {
            SnoozeChoice.HOUR: _("For 1 &hour"),
            SnoozeChoice.TOMORROW: _("Until &tomorrow"),
            SnoozeChoice.RESUME: _("&Resume notifications"),
        }
        for choice, action in self.snooze_actions.items():
            action.setText(self._label(snooze_labels[choice]))
        self.more_menu.setTitle(self._label(_("&More accounts")))
        self.pause_action.setText(self._label(_("&Pause polling")))
        self.quit_action.setText(self._label(_("&Quit")))
        self._label_notices()

    def _refresh_menu_labels(self, only: AccountState | None = None) -> None:
        """Relabel every block (or only the block of the account whose state is `only`)."""
        now = self._clock()
        for block in self._blocks:
            if only is not None and block.account.state is not only:
                continue
            lines = tray_text.menu_lines(block.account.state.view, now, short=self.several)
            name = block.account.name
            block.title.setText(self._label("{name}", name=name))
            if block.submenu is not None:
                block.submenu.setTitle(self._label("{name}", name=name))
            for action, text in zip(block.lines, lines, strict=True):
                action.setText(self._label("{line}", line=text))
                action.setVisible(bool(text))  # the forecast line, when there is none to tell
            if self.several:
                block.details.setText(self._label(_("Open &details for {name}…"), name=name))
            else:
                block.details.setText(self._label(_("Open &details…")))
        self.refresh_action.setText(
            self._label(_("&Refresh all") if self.several else _("&Refresh now"))
        )
        self.pause_action.setChecked(self._accounts[0].state.view.paused)
        # Snoozing acts on every account: the first one's state says until when.
        first = self._accounts[0].state.view
        self.snooze_menu.setTitle(self._label(tray_text.snooze_title(first, now)))
        snoozed = first.snoozed_until is not None and first.snoozed_until > now
        self.snooze_actions[SnoozeChoice.RESUME].setEnabled(snoozed)

    @Slot()
    def _on_menu_about_to_show(self) -> None:
        self._refresh_menu_labels()
        self.menu_opened.emit()

    def dark_desktop(self) -> bool:
        """Whether the desktop prefers dark: Qt's scheme, else the portal's, else the palette."""
        return is_dark_theme(self._portal_dark)

    def tint(self, view: presentation.ViewState) -> QColor | None:
        """Monochrome's one colour: the forced tone, or AUTO's by the desktop's colour scheme (a
        tray host does not tell its panel's colour); None for the colour style."""
        if view.icon_style is not IconStyle.MONOCHROME:
            return None
        return monochrome_tint(view.icon_tone, self.dark_desktop())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ApplicationPaletteChange:
            self._on_theme_changed()  # without a known scheme, AUTO follows the palette
        return False

    @Slot()
    def _on_theme_changed(self) -> None:
        self._shown_icon_key = None
        self.render()

    @Slot(QSystemTrayIcon.ActivationReason)
    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        # A click toggles; a double click (X11 sends a click first) only ever shows, so it never
        # ends with the window hidden.
        if reason is QSystemTrayIcon.ActivationReason.Trigger:
            self.icon_activated.emit(self.shown_account().id)
        elif reason is QSystemTrayIcon.ActivationReason.DoubleClick:
            self.details_requested.emit(self.shown_account().id)
