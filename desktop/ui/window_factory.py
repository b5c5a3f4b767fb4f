"""The detail window's factory: built (with its charts' imports) the first time it opens, given
the accounts' pages, its remembered geometry and its title; shown, raised or hidden on request."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Signal, Slot

from desktop.core.i18n import _
from desktop.core.settings import Settings
from desktop.core.snapshot import PollError, Snapshot
from desktop.core.tasks import TaskListing
from desktop.system import settings_store
from desktop.ui.sessions import AccountSessions

if TYPE_CHECKING:
    from desktop.ui.detail.window import DetailWindow

log = logging.getLogger(__name__)


class WindowFactory(QObject):
    """Holds the one detail window, once built, and relays what it asks for.

    Signals:
        range_requested(str, UsageQuery): an account's page wants that range.
        retry_requested(str): "Refresh", "Retry" or F5 for that account.
        token_requested(str | None): "Set token…" in the banner of that account's page.
        tasks_requested(str, datetime, datetime): an account's Tasks tab wants that window.
        web_requested(str): "Open Neo" on an account's page: its web address.
    """

    range_requested = Signal(str, object)
    tasks_requested = Signal(str, object, object)
    retry_requested = Signal(str)
    token_requested = Signal(object)
    web_requested = Signal(str)

    def __init__(
        self,
        sessions: AccountSessions,
        clock: Callable[[], datetime],
        settings: Callable[[], Settings],
        *,
        demo: bool,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._sessions = sessions
        self._clock = clock
        self._settings = settings
        self._demo = demo
        self.built: DetailWindow | None = None

    def detail(self) -> DetailWindow:
        """The detail window, built the first time it is asked for."""
        if self.built is None:
            self.built = self._build()
        return self.built

    def _build(self) -> DetailWindow:
        from desktop.core.ranges import RangePreset
        from desktop.ui.detail.window import DetailWindow

        store: QSettings | None = None
        try:  # owner-only, like every file the app writes; QSaveFile keeps the mode
            # Not the demo's: Qt writes it when the window goes, after its sandbox has.
            if not self._demo:
                ini = settings_store.window_state_file()  # checked: QSettings reads it whole
                store = QSettings(str(ini), QSettings.Format.IniFormat)
        except OSError as exc:
            log.warning("The window's size and place will not be remembered: %s", exc)
        settings = self._settings()
        first = self._sessions[0]
        window = DetailWindow(
            first.state,
            self._clock,
            default_preset=RangePreset(settings.default_range),
            default_group_by=settings.default_group_by,
            geometry_store=store,
            account_id=first.id,
            cache_keys=self._cache_key,
        )
        window.setWindowTitle(_("Neo Usage (demo)") if self._demo else _("Neo Usage"))
        window.set_accounts([(s.id, s.account.name, s.state) for s in self._sessions])
        window.range_requested.connect(self.range_requested)
        window.tasks_requested.connect(self.tasks_requested)
        window.retry_requested.connect(self.retry_requested)
        window.token_requested.connect(lambda: self.token_requested.emit(window.shown_account_id))
        window.web_requested.connect(self._open_web)
        return window

    def _cache_key(self, account_id: str) -> str | None:
        """The account's cache key as its session has it now (it follows a new address): the
        key of its year's file on the History tab; None once the account is gone."""
        session = self._sessions.get(account_id)
        return session.cache_key if session is not None else None

    def _open_web(self, account_id: str) -> None:
        """A page's "Open Neo": its account's web address (`Account.web_url`)."""
        session = self._sessions.get(account_id)
        if session is not None:
            self.web_requested.emit(session.account.web_url)

    def show_accounts(self) -> None:
        """The sessions changed: the window's pages follow (if it was built)."""
        if self.built is not None:
            self.built.set_accounts([(s.id, s.account.name, s.state) for s in self._sessions])

    @Slot()
    @Slot(str)
    def show(self, account_id: str | None = None) -> None:
        self.detail().show_and_raise(account_id or None)

    @Slot(str)
    def toggle(self, account_id: str) -> None:
        """A click on the tray icon: the window shown, restored and raised; hidden only when it
        is already the active window (KStatusNotifierItem's rule), so a click never hides a
        window the user is not looking at."""
        window = self.built
        if (
            window is not None
            and window.isVisible()
            and not window.isMinimized()
            and window.isActiveWindow()
        ):
            window.hide()
        else:
            self.show(account_id)

    def on_range_answer(self, account_id: str, answer: Snapshot | PollError) -> None:
        if self.built is not None:
            self.built.on_range_answer(account_id, answer)

    def on_tasks_answer(self, account_id: str, listing: TaskListing) -> None:
        if self.built is not None:
            self.built.on_tasks_answer(account_id, listing)

    def close(self) -> None:
        """Hidden, and deleted when the loop ends (or when a test ends)."""
        if self.built is not None:
            self.built.hide()
            self.built.deleteLater()
