"""The detail window: one page per account (`AccountPage`), an account switcher above them when
there are several, and the window's behaviour (one instance, closing hides, geometry kept).

It asks for ranges with `range_requested` (naming the account) and never calls the API itself;
each answer goes to the page of the account that asked (`on_range_answer`); so do the Tasks
tab's listings (`tasks_requested`, `on_tasks_answer`). Each page keeps its account's year of
history in that account's own file (`system/history_cache.py`), keyed by the account's address.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QCloseEvent, QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from desktop.core.i18n import _
from desktop.core.query import GroupBy
from desktop.core.ranges import RangePreset
from desktop.core.snapshot import PollError, Snapshot
from desktop.core.tasks import TaskListing
from desktop.system import history_cache
from desktop.ui.detail.breakdowns import BreakdownTabs
from desktop.ui.detail.header import CreditHeader
from desktop.ui.detail.page import AccountPage
from desktop.ui.detail.range_bar import RangeBar
from desktop.ui.state import AccountState

#: An account as the window lists it: its id, its name and its state.
WindowAccount = tuple[str, str, AccountState]


class DetailWindow(QWidget):
    """One instance: show, raise, activate; closing hides it; geometry remembered.

    Signals:
        range_requested(str, UsageQuery): the account and the range its page should show.
        retry_requested(str): "Refresh", "Retry" or F5, for the account shown.
        token_requested(): "Set token…" in a banner.
        tasks_requested(str, datetime, datetime): the account and the window (UTC) whose task
            ledger its Tasks tab should show.
        web_requested(str): "Open Neo" on that account's page.
    """

    range_requested = Signal(str, object)
    tasks_requested = Signal(str, object, object)
    retry_requested = Signal(str)
    token_requested = Signal()
    web_requested = Signal(str)

    def __init__(
        self,
        state: AccountState,
        clock: Callable[[], datetime],
        *,
        default_preset: RangePreset = RangePreset.LAST_30_DAYS,
        default_group_by: GroupBy = GroupBy.DAY,
        geometry_store: QSettings | None = None,
        account_id: str = "",  # the first account's id, so `set_accounts` keeps its page
        # An account's cache key (its address; None: unknown), asked at each use of its year's
        # file; None: the years are kept in memory only.
        cache_keys: Callable[[str], str | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._defaults = (default_preset, default_group_by)
        self._geometry_store = geometry_store
        self._cache_keys = cache_keys
        self._pages: dict[str, AccountPage] = {}
        self.setObjectName("detailWindow")
        self.setWindowTitle(_("Neo Usage"))
        # Wide enough for the History tab's year at its full cell size (53 weeks) and for the
        # tabs' names in longer languages without scroll arrows.
        self.resize(900, 620)

        self.account_combo = QComboBox()
        self.account_combo.setAccessibleName(_("Account"))
        self.account_label = QLabel(_("&Account:"))
        self.account_label.setBuddy(self.account_combo)
        switcher = QHBoxLayout()
        switcher.addWidget(self.account_label)
        switcher.addWidget(self.account_combo)
        switcher.addStretch(1)
        self.pages = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.addLayout(switcher)
        layout.addWidget(self.pages, 1)
        self.account_combo.currentIndexChanged.connect(self._on_account_chosen)
        QShortcut(QKeySequence.StandardKey.Refresh, self, self._retry_shown)
        QShortcut(QKeySequence("Ctrl+W"), self, self.close)
        self.set_accounts([(account_id, "", state)])

    # --- accounts -----------------------------------------------------------------------------
    def set_accounts(self, accounts: Sequence[WindowAccount]) -> None:
        """The accounts to offer, in order; a page is kept (with its range and tab) for as
        long as its account is."""
        shown = self.shown_account_id
        for account_id in [key for key in self._pages if key not in {a[0] for a in accounts}]:
            page = self._pages.pop(account_id)
            self.pages.removeWidget(page)
            page.deleteLater()
        self.account_combo.blockSignals(True)
        self.account_combo.clear()
        for account_id, name, state in accounts:
            if account_id not in self._pages:
                self._pages[account_id] = self._new_page(account_id, state)
            self.account_combo.addItem(name, account_id)
        self.account_combo.blockSignals(False)
        several = len(accounts) > 1
        self.account_combo.setVisible(several)
        self.account_label.setVisible(several)
        self.show_account(shown if shown in self._pages else accounts[0][0])

    def on_range_answer(self, account_id: str, answer: Snapshot | PollError) -> None:
        """An answer (naming its query) to a range `account_id`'s page asked for; an account
        without a page (removed since) drops it."""
        page = self._pages.get(account_id)
        if page is not None:
            page.on_range_answer(answer)

    def on_tasks_answer(self, account_id: str, listing: TaskListing) -> None:
        """A task listing for `account_id`'s Tasks tab (dropped when it has no page, or asked
        for another window since)."""
        page = self._pages.get(account_id)
        if page is not None:
            page.on_tasks_answer(listing)

    def _new_page(self, account_id: str, state: AccountState) -> AccountPage:
        preset, group_by = self._defaults
        store: history_cache.HistoryStore | None = None
        cache_keys = self._cache_keys
        try:
            path = history_cache.default_path(account_id)
        except ValueError:
            pass  # no account id (a window made alone): the year is kept in memory only
        else:
            if cache_keys is not None:
                store = history_cache.HistoryStore(path, lambda: cache_keys(account_id))
        page = AccountPage(
            state,
            self._clock,
            default_preset=preset,
            default_group_by=group_by,
            history_store=store,
        )
        page.range_requested.connect(lambda query: self.range_requested.emit(account_id, query))
        page.retry_requested.connect(lambda: self.retry_requested.emit(account_id))
        page.tasks_requested.connect(
            lambda start, end: self.tasks_requested.emit(account_id, start, end)
        )
        page.token_requested.connect(self.token_requested)
        page.web_requested.connect(lambda: self.web_requested.emit(account_id))
        self.pages.addWidget(page)
        return page

    @property
    def shown_account_id(self) -> str | None:
        data = self.account_combo.currentData()
        return data if isinstance(data, str) else None

    def show_account(self, account_id: str) -> None:
        """Switch to an account's page (the menu's "Open details for …" and the switcher)."""
        page = self._pages.get(account_id)
        if page is None:
            return
        self.account_combo.setCurrentIndex(self.account_combo.findData(account_id))
        self.pages.setCurrentWidget(page)
        if self.isVisible():
            page.opened()

    def _on_account_chosen(self, index: int) -> None:
        account_id = self.account_combo.itemData(index)
        if isinstance(account_id, str):
            self.show_account(account_id)

    def page(self, account_id: str | None = None) -> AccountPage:
        """An account's page; the shown one by default."""
        if account_id is None:
            widget = self.pages.currentWidget()
            assert isinstance(widget, AccountPage)
            return widget
        return self._pages[account_id]

    # The shown page's parts (what one account's window had).
    @property
    def header(self) -> CreditHeader:
        return self.page().header

    @property
    def range_bar(self) -> RangeBar:
        return self.page().range_bar

    @property
    def tabs(self) -> BreakdownTabs:
        return self.page().tabs

    def render_state(self) -> None:
        self.page().render_state()

    def request_balance(self) -> None:
        self.page().request_balance()

    def _retry_shown(self) -> None:
        account_id = self.shown_account_id
        if account_id is not None:
            self.retry_requested.emit(account_id)
            self.page().request_tasks(again=True)  # F5 is "Refresh": the Tasks tab too

    # --- window behaviour ---------------------------------------------------------------------
    def show_and_raise(self, account_id: str | None = None) -> None:
        if account_id is not None:
            self.show_account(account_id)
        if self.isMinimized():  # show() leaves a minimised window minimised
            self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.show()
        self.raise_()
        self.activateWindow()
        self.page().opened()

    def showEvent(self, event: QShowEvent) -> None:
        if self._geometry_store is not None:
            saved = self._geometry_store.value("detail/geometry")
            if isinstance(saved, QByteArray) and not saved.isEmpty():
                self.restoreGeometry(saved)
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        if self._geometry_store is not None:
            self._geometry_store.setValue("detail/geometry", self.saveGeometry())
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()
        self.hide()
