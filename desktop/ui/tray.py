"""The tray icon and its tooltip, rendered from the accounts' states; the menu is `TrayMenu`'s.

Handles a tray host that is missing or late: it keeps checking and creates the icon once a host
appears (meanwhile the app shows its window).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from desktop.core import fmt, presentation, tray_text
from desktop.core.looks import IconStyle
from desktop.system.appearance import portal_prefers_dark
from desktop.ui.background import run_in_background
from desktop.ui.gauge import IconCache, is_dark_theme
from desktop.ui.icon_boot import device_pixel_ratio
from desktop.ui.icon_palette import monochrome_tint
from desktop.ui.menu_export import ExportCheck
from desktop.ui.state import AccountState
from desktop.ui.tray_menu import TrayAccount, TrayMenu

log = logging.getLogger(__name__)
TRAY_RETRY_FAST_MS = 2_000
TRAY_RETRY_FAST_TRIES = 60  # two minutes of quick checks after start-up (login autostart)
TRAY_RETRY_SLOW_MS = 30_000


class TrayView(TrayMenu):
    """The tray icon, rendered from the AccountState, with its menu (`TrayMenu`).

    With several accounts, the icon and tooltip show the chosen one (or the one that needs
    attention most) and the menu has a block per account.

    Signals, besides the menu's (`TrayMenu`):
        icon_activated(str): the icon was clicked; the account it shows (the app raises its
        window, or hides it when it is the active window);
        availability_changed(bool): whether the icon is shown in a tray.
    """

    icon_activated = Signal(str)
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
        super().__init__(state, clock, parent, menu=menu)
        self._chosen: str | None = None  # the account the icon shows; None: most attention
        self._icons = icons or IconCache()
        self._adoptable = icon  # shown by the launcher before the app was built
        self._shown_icon_key: tuple[object, ...] | None = None
        self._shown_tooltip = ""
        self.icon: QSystemTrayIcon | None = None

        self._countdown = QTimer(self)
        self._countdown.setSingleShot(True)
        self._countdown.timeout.connect(self.render)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self._try_create_icon)
        self._retries = 0
        self._export_check = ExportCheck(self)  # until it is known whether Qt exports the menu
        self._export_check.exported.connect(self._use_dbusmenu)
        state.changed.connect(self._on_state_changed)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_theme_changed)
        # A palette change reaches every widget, the menu too (alive as long as the tray): a
        # filter on the application would run Python for every event of every object, and
        # make PySide wrap them all (~200 Qt classes, 1.5 MB, at the first D-Bus call).
        self.menu.installEventFilter(self)

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
        self._export_check.start()
        if self._retries:
            log.info("A system tray appeared; the icon is now shown")
        self.availability_changed.emit(True)
        return True

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

    def shown_account(self) -> TrayAccount:
        """The account the icon and tooltip show."""
        for account in self._accounts:
            if account.id == self._chosen:
                return account
        now = self._clock()
        index = presentation.most_attention([a.state.view for a in self._accounts], now)
        return self._accounts[index]

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
