"""The tray's menu: a block per account (its name, status lines and "Open details"), the actions,
snooze, pause and quit, labelled for the menu Qt draws or the one it exports as dbusmenu.

Renders the accounts' states through `tray_text`; user intents leave as signals. `TrayView`
adds the icon.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction, QFont, QIcon, Qt
from PySide6.QtWidgets import QApplication, QMenu, QStyle

from desktop.core import hooks, sinks, text_fit, tray_text
from desktop.core.accounts import DEFAULT_WEB_URL
from desktop.core.hooks import HookOutcome
from desktop.core.i18n import _
from desktop.core.rules.memory import SnoozeChoice
from desktop.system import logs
from desktop.ui.state import AccountState

log = logging.getLogger(__name__)
STATUS_LINES = 6  # credits, expiry, forecast, usage, today's tasks, freshness
MENU_ACCOUNTS = 5  # accounts with a block in the menu itself; the others go in "More accounts"


@dataclass(frozen=True)
class TrayAccount:
    """An account as the tray shows it: its id (for intents), its name, its state, and its Neo
    web address ("Open Neo")."""

    id: str
    name: str
    state: AccountState
    web_url: str = DEFAULT_WEB_URL


@dataclass
class _Block:
    """One account's part of the menu: its name (with several), status lines, "Open details";
    `submenu`: the account's own menu inside "More accounts" (accounts after the first five);
    `web`: "Open Neo" (its web address)."""

    account: TrayAccount
    title: QAction
    lines: list[QAction]
    details: QAction
    submenu: QMenu | None = None
    web: QAction | None = None


class TrayMenu(QObject):
    """The tray's menu, rendered from the accounts' states (`TrayView` adds the icon).

    Signals (user intents, no arguments unless said):
        refresh_requested, token_requested, settings_requested, quit_requested, menu_opened;
        details_requested(str): the account whose details to open;
        web_requested(str): the Neo web address to open ("Open Neo", an account's `web_url`);
        snooze_requested(SnoozeChoice); pause_toggled(bool).
    """

    refresh_requested = Signal()
    details_requested = Signal(str)
    web_requested = Signal(str)
    token_requested = Signal()
    settings_requested = Signal()
    snooze_requested = Signal(object)
    pause_toggled = Signal(bool)
    quit_requested = Signal()
    menu_opened = Signal()

    def __init__(
        self,
        state: AccountState,
        clock: Callable[[], datetime],
        parent: QObject | None = None,
        *,
        menu: QMenu | None = None,
    ) -> None:
        super().__init__(parent)
        self._accounts = [TrayAccount("", "", state)]
        # Qt exports the menu as dbusmenu (its StatusNotifierItem tray): labels are written
        # for Qt's conversion of them (`sinks.menu_label`); known once the icon exists.
        self._dbusmenu = False
        self._clock = clock
        self._notices: list[tuple[QAction, str]] = []  # start-up problems' menu lines
        #: The event hook's last failure (`ui/hook_runner.py`), one line at the top until it
        #: succeeds or the settings change (at most one action, with its line).
        self._hook_failure: list[tuple[QAction, str]] = []

        self.menu = menu or QMenu()  # the launcher's, when it already showed the icon
        self.menu.setObjectName("trayMenu")
        self.menu.setToolTipsVisible(True)  # the hook failure's details; no other item has one
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

        self.refresh_action.triggered.connect(self.refresh_requested)
        self.token_action.triggered.connect(self.token_requested)
        self.settings_action.triggered.connect(self.settings_requested)
        self.pause_action.toggled.connect(self.pause_toggled)
        self.quit_action.triggered.connect(self.quit_requested)
        self.menu.aboutToShow.connect(self._on_menu_about_to_show)
        self._make_blocks()
        self._refresh_menu_labels()

    @Slot()
    def _use_dbusmenu(self) -> None:
        """Qt exports the menu as dbusmenu: every label is written again for it."""
        if not self._dbusmenu:
            log.debug("The tray menu is exported as dbusmenu: labels written for it")
            self._dbusmenu = True
            self._label_fixed_items()
            self._refresh_menu_labels()

    @property
    def several(self) -> bool:
        return len(self._accounts) > 1

    def _make_blocks(self) -> None:
        for block in self._blocks:
            for action in (block.title, *block.lines, block.details, block.web):
                if action is not None:
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
            web = QAction(self.menu)
            web.triggered.connect(
                lambda _checked=False, url=account.web_url: self.web_requested.emit(url)
            )
            submenu = QMenu(self.more_menu) if index >= MENU_ACCOUNTS else None
            self._blocks.append(_Block(account, title, lines, details, submenu, web))

    @property
    def details_action(self) -> QAction:
        return self._blocks[0].details

    @property
    def web_actions(self) -> list[QAction]:
        """Each account's "Open Neo", in the accounts' order."""
        return [block.web for block in self._blocks if block.web is not None]

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
        for action in self.hook_failure_actions:
            self.menu.addAction(action)
        if self.notice_actions or self.hook_failure_actions:
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
                if block.web is not None:
                    target.addAction(block.web)
            if block.submenu is None:
                self.menu.addSeparator()
        if len(self._blocks) > MENU_ACCOUNTS:
            self.menu.addMenu(self.more_menu)
            self.menu.addSeparator()
        self.menu.addAction(self.refresh_action)
        if not self.several:
            self.menu.addAction(self.details_action)
            self.menu.addActions(self.web_actions)
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

    @Slot(object)
    def set_hook_failure(self, outcome: HookOutcome | None) -> None:
        """The event hook's last failure (`HookRunner.failure_changed`): one short line at the
        top of the menu (`hooks.failure_line`) with a warning icon, its details as the tooltip
        (`hooks.failure_details`, secrets redacted); choosing it opens the settings, where the
        hook is. None removes it."""
        for action in self.hook_failure_actions:
            action.deleteLater()
        self._hook_failure = []
        if outcome is not None:
            action = QAction(self.menu)
            action.setIcon(warning_icon())
            details = logs.redactor.redact(hooks.failure_details(outcome))
            # Rich text with the details escaped: a tooltip that looks like markup is read as
            # markup, and the details quote the notification and the system's words.
            action.setToolTip(Qt.convertFromPlainText(details, Qt.WhiteSpaceMode.WhiteSpaceNormal))
            action.triggered.connect(self.settings_requested)
            self._hook_failure = [(action, hooks.failure_line(outcome))]
        self._label_notices()
        self.build_menu()

    @property
    def hook_failure_actions(self) -> list[QAction]:
        return [action for action, _line in self._hook_failure]

    @property
    def notice_actions(self) -> list[QAction]:
        return [action for action, _line in self._notices]

    def _label_notices(self) -> None:
        for action, line in [*self._notices, *self._hook_failure]:
            action.setText(self._label("{line}", line=line))

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
            if block.web is not None:
                web = _("Open Neo for {name}") if self.several else _("&Open Neo")
                block.web.setText(self._label(web, name=name))
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


def warning_icon() -> QIcon:
    """The desktop theme's warning icon, else the style's (every Qt style has one)."""
    fallback = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
    return QIcon.fromTheme("dialog-warning", fallback)
