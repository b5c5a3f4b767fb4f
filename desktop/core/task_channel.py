"""The poll queue's task channel: today's task ledger (after a good main poll, at most once per
poll interval and never more often than every 5 minutes) and the windows the detail window asks
for, each listing fetched page by page (`core/tasks.Paging`), one page per request.

Pure, like `poll_queue`, which owns it: it says which page goes next and what an answer ends. A
failure here is never the account's: it ends that listing only (FORBIDDEN for a 403, else
UNAVAILABLE).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from desktop.core.tasks import Paging, TaskListing, TasksPage, TasksStatus, today_window

#: Today's tasks are fetched at most this often (seconds), however short the poll interval.
TASKS_MIN_SECONDS = 300.0
#: Windows kept waiting at most (older ones nobody waits for any more are dropped).
MAX_PENDING_WINDOWS = 4


@dataclass(frozen=True)
class TaskPageQuery:
    """One page of a listing to fetch: the window (aware instants) and `limit` rows from
    `offset`, for `NeoClient.fetch_tasks_page`."""

    start: datetime
    end: datetime
    limit: int
    offset: int


class PageTrouble(Enum):
    """Why a page did not arrive."""

    TOO_LARGE = "too_large"  # the body was over the cap: ask again with fewer rows
    FORBIDDEN = "forbidden"  # 403: a team member or viewer
    UNAVAILABLE = "unavailable"  # anything else (401, offline, 5xx, 429, a bad answer)


@dataclass(frozen=True)
class PageFailure:
    """A page that did not arrive: why, when, and the server's Retry-After (seconds) if any."""

    trouble: PageTrouble
    at: datetime
    retry_after: float | None = None


@dataclass(frozen=True)
class Listing:
    """A listing this channel ended: `today` (the tray's own) or a window asked for."""

    listing: TaskListing
    today: bool


@dataclass
class _Fetching:
    paging: Paging
    today: bool


class TaskChannel:
    """Today's listing and the asked windows of one account, one page at a time: the window
    asked first goes first, today's after every window; a listing under way ends before
    another starts."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime],
        monotonic: Callable[[], float],
        interval: Callable[[], float | None],
        today_enabled: bool,
    ) -> None:
        self._clock = clock
        self._monotonic = monotonic
        self._interval = interval  # the poll interval now (None: manual)
        self._today_enabled = today_enabled
        self._today_due_at: float | None = None  # None: at the next good main poll
        self._today_pending = False
        self._windows: list[tuple[datetime, datetime]] = []
        self._fetching: _Fetching | None = None

    @property
    def today_seconds(self) -> float:
        """How often today's listing may be fetched: the poll interval, at least 5 minutes."""
        return max(self._interval() or 0.0, TASKS_MIN_SECONDS)

    def after_good_poll(self) -> None:
        """A main poll succeeded: today's listing is due when its time has come."""
        if not self._today_enabled:
            return
        now = self._monotonic()
        if self._today_due_at is None or now >= self._today_due_at:
            self._today_pending = True
            self._today_due_at = now + self.today_seconds

    def ask_window(self, start: datetime, end: datetime) -> None:
        window = (start, end)
        fetching = self._fetching
        if window in self._windows or (
            fetching is not None
            and not fetching.today
            and (fetching.paging.start, fetching.paging.end) == window
        ):
            return  # the answer on its way serves
        self._windows.append(window)
        del self._windows[:-MAX_PENDING_WINDOWS]

    def next_page(self) -> TaskPageQuery | None:
        """The page to send now; None when no listing is due."""
        if self._fetching is None:
            if self._windows:
                start, end = self._windows.pop(0)
                self._fetching = _Fetching(Paging(start, end), today=False)
            elif self._today_pending:
                self._today_pending = False
                self._fetching = _Fetching(Paging(*today_window(self._clock())), today=True)
            else:
                return None
        paging = self._fetching.paging
        request = paging.next_request()
        if request is None:  # cannot happen: a done listing is ended when its last page lands
            self._fetching = None
            return self.next_page()
        limit, offset = request
        return TaskPageQuery(paging.start, paging.end, limit, offset)

    def on_answer(self, answer: TasksPage | PageFailure) -> Listing | None:
        """A page's answer; the listing when it is done (the whole, or how it failed)."""
        fetching = self._fetching
        if fetching is None:
            return None
        paging = fetching.paging
        status = TasksStatus.OK
        if isinstance(answer, TasksPage):
            paging.on_page(answer)
        elif answer.trouble is PageTrouble.TOO_LARGE:
            paging.on_too_large()
            if paging.done and paging.pages == 0:
                status = TasksStatus.UNAVAILABLE  # too large even at 10 rows
        else:
            status = (
                TasksStatus.FORBIDDEN
                if answer.trouble is PageTrouble.FORBIDDEN
                else TasksStatus.UNAVAILABLE
            )
        if status is TasksStatus.OK and not paging.done:
            return None
        self._fetching = None
        return Listing(paging.listing(status), fetching.today)

    def backing_off(self) -> None:
        """The main poll failed: today's listing waits for a good one (a window goes on: the
        user asked for it)."""
        self._today_pending = False
        if self._fetching is not None and self._fetching.today:
            self._fetching = None

    def abandon(self) -> tuple[TaskListing, ...]:
        """The account is blocked (401/403/no token): nothing more goes; the windows asked for
        are answered UNAVAILABLE (their pages would fail too), today's is dropped."""
        fetching, self._fetching = self._fetching, None
        windows, self._windows = self._windows, []
        self._today_pending = False
        if fetching is not None and not fetching.today:
            windows.insert(0, (fetching.paging.start, fetching.paging.end))
        return tuple(TaskListing(TasksStatus.UNAVAILABLE, start, end) for start, end in windows)

    @staticmethod
    def abandon_window(start: datetime, end: datetime) -> TaskListing:
        """A window asked for while the account is blocked: answered at once, unavailable."""
        return TaskListing(TasksStatus.UNAVAILABLE, start, end)
