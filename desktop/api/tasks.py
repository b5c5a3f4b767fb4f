"""One window's task ledger fetched with a client, page after page (the blocking loop `--once`
runs; the tray sends each page through its queue with `core/tasks.Paging` instead)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from desktop.api.client import NeoClient
from desktop.core.tasks import LISTING_SECONDS, PAGE_SECONDS, TaskListing, TasksPage, collect


def fetch_task_listing(
    client: NeoClient,
    start: datetime,
    end: datetime,
    *,
    deadline_seconds: float = LISTING_SECONDS,
    page_seconds: float = PAGE_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> TaskListing:
    """The tasks created from `start` to `end` (aware), at most 5,000, within `deadline_seconds`
    (each page within `page_seconds`); never raises a NeoError: the listing's status says how it
    ended (see `core/tasks.collect`)."""

    def fetch_page(limit: int, offset: int, seconds: float) -> TasksPage:
        return client.fetch_tasks_page(start, end, limit, offset, deadline_seconds=seconds)

    return collect(
        fetch_page,
        start,
        end,
        clock=clock,
        deadline_seconds=deadline_seconds,
        page_seconds=page_seconds,
    )
