"""The task ledger: the rows of `GET /api/v1/usage/tasks` read tolerantly, one window's listing
sorted, and the paging that fetches it (a pure state machine, and the blocking loop `--once` runs).

Every string of a row is hostile text kept as received, within the lengths below: escape it where
it lands (`core/sinks.py`, Qt.PlainText). `tool_call_history` and the `*_breakdown` maps are
never kept.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, NamedTuple

from desktop.core import local_time, validators
from desktop.core.errors import NeoError, NoPermission, ResponseTooLarge, UnexpectedResponse
from desktop.core.i18n import _
from desktop.core.instants import utc_text

log = logging.getLogger(__name__)

#: Rows asked per page (the API's largest), and the smaller sizes a page refused for its size
#: is asked again with, at the same offset.
PAGE_LIMIT = 200
SMALLER_LIMITS = (50, 10)
#: Rows fetched per window at most; past it the listing is `truncated`.
MAX_ROWS = 5_000
#: What `--once` gives a whole listing, and each page of it, in seconds.
LISTING_SECONDS = 45.0
PAGE_SECONDS = 15.0
#: Pages per listing at most: what 5,000 rows need even at the smallest page size (10 rows), so
#: a server serving a row or two a page while promising more cannot draw thousands of requests.
MAX_PAGES = MAX_ROWS // SMALLER_LIMITS[-1]
#: What the app can represent of a row's text, in characters (the model's bounds: a page of
#: 8 MiB holding a few megabyte-long titles must not keep them). A longer `task_id` drops its row
#: (it names the task: a cut one would name another); longer text is cut, marked with "…".
MAX_TASK_ID_CHARS = 256
MAX_TITLE_CHARS = 500
MAX_FIELD_CHARS = 200  # model, status
MAX_EMAIL_CHARS = 254  # the longest address SMTP carries
#: Statuses whose credits the detail window calls out as spent on tasks that did not finish.
FAILED_STATUSES = frozenset({"failed", "error", "aborted"})


class TaskRow(NamedTuple):
    """One task (a row of the task ledger); a field the row lacks, or holds an odd value in, is
    None. `created_at` is UTC; `neo_credits` in credits; `total_execution_ms` in milliseconds."""

    task_id: str
    created_at: datetime
    model: str | None = None
    status: str | None = None
    neo_credits: float | None = None
    task_title: str | None = None
    total_execution_ms: int | None = None
    tool_calls: int | None = None
    email: str | None = None  # only in a team admin's answer
    is_byok: bool | None = None


class TasksPage(NamedTuple):
    """One page of the ledger: its usable rows (in the server's order), whether more follow, the
    API's `total` for the filters (None when absent or odd), how many rows were dropped, and how
    many were not read at all (past `MAX_ROWS` in this one page: a server ignoring `limit`)."""

    rows: tuple[TaskRow, ...]
    has_more: bool
    total: int | None
    dropped: int = 0
    unread: int = 0


def _text(value: object, limit: int) -> str | None:
    """Text within `limit` characters (`cut`), else None when it is not text."""
    return validators.cut(value, limit) if isinstance(value, str) else None


def _count(value: object) -> int | None:
    """A non-negative whole number in range (an integral float too), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not validators.is_json_number(value) or value < 0:
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    return value


def _credits(value: object) -> float | None:
    """Credits: a real JSON number in range, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if validators.is_json_number(value) else None


def row_from_json(row: object) -> TaskRow | None:
    """A row as the app keeps it; None when it has no usable `task_id` (text of 1 to
    `MAX_TASK_ID_CHARS` characters) or `created_at` (odd optional values become None; the title,
    model, status and email are cut to `MAX_TITLE_CHARS`, `MAX_FIELD_CHARS`, `MAX_EMAIL_CHARS`)."""
    if type(row) is not dict:
        return None
    task_id = row.get("task_id")
    if not isinstance(task_id, str) or not 0 < len(task_id) <= MAX_TASK_ID_CHARS:
        return None
    try:
        created_at = validators.instant_utc(row.get("created_at"))
    except (ValueError, TypeError, OverflowError):
        return None
    if created_at is None:
        return None
    byok = row.get("is_byok")
    return TaskRow(
        task_id=task_id,
        created_at=created_at,
        model=_text(row.get("model"), MAX_FIELD_CHARS),
        status=_text(row.get("status"), MAX_FIELD_CHARS),
        neo_credits=_credits(row.get("neo_credits")),
        task_title=_text(row.get("task_title"), MAX_TITLE_CHARS),
        total_execution_ms=_count(row.get("total_execution_ms")),
        tool_calls=_count(row.get("tool_calls")),
        email=_text(row.get("email"), MAX_EMAIL_CHARS),
        is_byok=byok if isinstance(byok, bool) else None,
    )


def page_from_json(data: object) -> TasksPage:
    """A decoded page `{"data": [row, ...], "has_more": bool, "total": int}` read tolerantly:
    rows without a usable `task_id` or `created_at` are dropped and counted, odd optional values
    become None, a missing `has_more` is false; at most `MAX_ROWS` rows are read (the rest are
    counted as `unread`: no listing keeps more). Raises ValueError when `data` is not that shape
    (not an object, `data` not a list, `has_more` not a boolean)."""
    if not isinstance(data, dict):
        raise ValueError(f"expected an object, got {type(data).__name__}")
    items = data.get("data")
    if not isinstance(items, list):
        raise ValueError(f"expected 'data' to be a list, got {type(items).__name__}")
    has_more = data.get("has_more", False)
    if not isinstance(has_more, bool):
        raise ValueError(f"expected 'has_more' to be a boolean, got {type(has_more).__name__}")
    read = items[:MAX_ROWS]
    rows = tuple(row for row in map(row_from_json, read) if row is not None)
    dropped = len(read) - len(rows)
    if dropped:
        log.warning(
            "Ignoring %d task row(s) without a usable task_id (missing, or over %d characters) "
            "or created_at",
            dropped,
            MAX_TASK_ID_CHARS,
        )
    unread = len(items) - len(read)
    if unread:
        log.warning("Ignoring %d task row(s) past %d in one page", unread, MAX_ROWS)
    return TasksPage(rows, has_more, _count(data.get("total")), dropped, unread)


def parse_page(body: bytes | str) -> TasksPage:
    """A page from a 200's body; raises UnexpectedResponse when it is not JSON or not a page."""
    try:
        text = body.decode("utf-8-sig") if isinstance(body, bytes) else body
        # Huge integers become infinity, which the row checks then refuse like NaN.
        data = json.loads(text, parse_int=validators.bounded_int)
    except (ValueError, RecursionError) as exc:
        raise UnexpectedResponse(
            _("The Neo API sent a response that is not valid JSON (it may have been cut off)."),
            f"tasks page: {exc}"[:300],
        ) from None
    try:
        return page_from_json(data)
    except ValueError as exc:
        raise UnexpectedResponse(
            _("The Neo API sent a task list this app does not understand."),
            f"tasks page: {exc}"[:300],
        ) from None


def sort_key(row: TaskRow) -> tuple[float, float, str]:
    """The ledger's order: credits descending (a missing figure as 0), then newest first, then
    `task_id` ascending."""
    return (-(row.neo_credits or 0.0), -row.created_at.timestamp(), row.task_id)


def credit_sum(rows: Iterable[TaskRow]) -> float:
    """The credits of `rows` (missing figures as 0), without binary noise (0.1 + 0.2 is 0.3)."""
    return round(math.fsum(row.neo_credits or 0.0 for row in rows), 9)


def failed_tasks(rows: Iterable[TaskRow]) -> tuple[int, float]:
    """How many of `rows` failed, errored or were aborted, and the credits they used."""
    failed = [row for row in rows if (row.status or "").lower() in FAILED_STATUSES]
    return len(failed), credit_sum(failed)


def today_window(now: datetime) -> tuple[datetime, datetime]:
    """The user's local day so far: (local midnight, `now`), both in UTC."""
    midnight = local_time.local_midnight(local_time.local_date(now))
    return midnight.astimezone(UTC), now.astimezone(UTC)


class TasksStatus(StrEnum):
    """How a listing ended: fetched (wholly or truncated), refused (403), or failed otherwise."""

    OK = "ok"
    FORBIDDEN = "forbidden"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class TaskListing:
    """One window's task ledger: its rows sorted by `sort_key`, the API's `total` for the window,
    and whether more rows existed than were fetched. Not OK: no rows, `total` None. (A frozen
    dataclass, not a named tuple: a tuple's own `count` would shadow the row count.)"""

    status: TasksStatus
    start: datetime
    end: datetime
    rows: tuple[TaskRow, ...] = ()
    total: int | None = None
    truncated: bool = False

    @property
    def count(self) -> int:
        """Rows received."""
        return len(self.rows)

    @property
    def neo_credits(self) -> float:
        """Credits of the rows received (a missing figure counts 0)."""
        return credit_sum(self.rows)

    def to_json(self) -> dict[str, Any]:
        """The `tasks` object of `--once --json` (see the README's contract): figures are null
        and `items` empty unless the status is ok."""
        ok = self.status is TasksStatus.OK
        return {
            "status": self.status.value,
            "from": utc_text(self.start),
            "to": utc_text(self.end),
            "count": self.count if ok else None,
            "total": self.total if ok else None,
            "truncated": self.truncated if ok else None,
            "neo_credits": self.neo_credits if ok else None,
            "items": [item_json(row) for row in self.rows] if ok else [],
        }


def item_json(row: TaskRow) -> dict[str, Any]:
    """One row of `items`, every field named (null when the row lacks it)."""
    return {
        "task_id": row.task_id,
        "task_title": row.task_title,
        "created_at": utc_text(row.created_at),
        "model": row.model,
        "status": row.status,
        "neo_credits": row.neo_credits,
        "total_execution_ms": row.total_execution_ms,
        "tool_calls": row.tool_calls,
        "email": row.email,
        "is_byok": row.is_byok,
    }


class Paging:
    """The pages of one window's listing, as a state machine without I/O: ask `next_request()`
    for (limit, offset) (None: done), then report the answer with `on_page`, `on_too_large` or
    `on_deadline`; `listing(status)` is the result. Offsets count the server's rows (dropped
    ones too); a task met twice (rows shifting between pages) is kept once.

    A listing ends truncated when: it holds `max_rows` tasks and a page brings more (a page
    larger than its `limit` included); a page promising more brings no task not seen before (a
    server ignoring `offset`, or serving none); the offsets reach `max_rows`; or `MAX_PAGES`
    pages arrived. `total` is the last one a page gave (a page without it does not erase it)."""

    def __init__(self, start: datetime, end: datetime, *, max_rows: int = MAX_ROWS) -> None:
        self.start = start
        self.end = end
        self.max_rows = max_rows
        self.limit = PAGE_LIMIT
        self.offset = 0
        self.pages = 0
        self.total: int | None = None
        self.truncated = False
        self.done = False
        self._rows: dict[str, TaskRow] = {}

    def next_request(self) -> tuple[int, int] | None:
        """The next page to ask for, as (limit, offset), never past `max_rows`; None when done."""
        if self.done:
            return None
        return min(self.limit, self.max_rows - self.offset), self.offset

    def on_page(self, page: TasksPage) -> None:
        self.pages += 1
        if page.total is not None:
            self.total = page.total
        kept = self._rows
        before = len(kept)
        overflow = page.unread > 0
        for row in page.rows:
            if row.task_id in kept:
                continue
            if len(kept) >= self.max_rows:
                overflow = True  # a task the cap leaves out
                break
            kept[row.task_id] = row
        self.offset += len(page.rows) + page.dropped + page.unread
        if overflow:
            self.done = True
            self.truncated = True
        elif not page.has_more:
            self.done = True
        elif len(kept) == before or self.offset >= self.max_rows or self.pages >= MAX_PAGES:
            # More promised but nothing new given (no progress), or a cap reached.
            self.done = True
            self.truncated = True

    def on_too_large(self) -> None:
        """The page at this offset was refused for its size: retry it smaller (50, then 10, kept
        for the rest of the listing); past 10, stop here, truncated."""
        smaller = [limit for limit in SMALLER_LIMITS if limit < self.limit]
        if smaller:
            self.limit = smaller[0]
        else:
            self.done = True
            self.truncated = True

    def on_deadline(self) -> None:
        """The listing's time is up: what arrived is the listing, truncated."""
        self.done = True
        self.truncated = True

    def listing(self, status: TasksStatus = TasksStatus.OK) -> TaskListing:
        if status is not TasksStatus.OK:
            return TaskListing(status, self.start, self.end)
        rows = tuple(sorted(self._rows.values(), key=sort_key))
        return TaskListing(status, self.start, self.end, rows, self.total, self.truncated)


#: Fetches one page: (limit, offset, seconds it may take) -> the page; raises NeoError.
FetchPage = Callable[[int, int, float], TasksPage]


def collect(
    fetch_page: FetchPage,
    start: datetime,
    end: datetime,
    *,
    clock: Callable[[], float],
    deadline_seconds: float = LISTING_SECONDS,
    page_seconds: float = PAGE_SECONDS,
) -> TaskListing:
    """Fetch one window's listing page after page within `deadline_seconds` (each page within
    `page_seconds` and the time left), `clock` giving monotonic seconds. Never raises a
    NeoError: 403 is FORBIDDEN, any other failure UNAVAILABLE; a deadline (the listing's, or a
    page's own) or a page too large even at 10 rows after at least one page is OK and
    truncated, before any UNAVAILABLE."""
    paging = Paging(start, end)
    deadline = clock() + deadline_seconds
    while (request := paging.next_request()) is not None:
        left = deadline - clock()
        if left <= 0:
            paging.on_deadline()
            break
        limit, offset = request
        asked, budget = clock(), min(page_seconds, left)
        try:
            page = fetch_page(limit, offset, budget)
        except ResponseTooLarge as exc:
            log.info("Task page at offset %d too large with limit %d: %s", offset, limit, exc)
            paging.on_too_large()
            continue
        except NoPermission as exc:
            log.warning("Tasks refused: %s", exc.detail)
            return paging.listing(TasksStatus.FORBIDDEN)
        except NeoError as exc:
            cut = clock() >= deadline or clock() - asked >= budget
            if cut and paging.pages:
                paging.on_deadline()  # the page was cut by its own or the listing's deadline
                break
            log.warning("Tasks unavailable: %s", exc.detail)
            return paging.listing(TasksStatus.UNAVAILABLE)
        paging.on_page(page)
    if paging.pages == 0:
        log.warning(
            "Tasks unavailable: no page arrived (time up, or too large even at %d rows)",
            SMALLER_LIMITS[-1],
        )
        return paging.listing(TasksStatus.UNAVAILABLE)
    return paging.listing(TasksStatus.OK)
