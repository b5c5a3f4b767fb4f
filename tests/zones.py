"""Tests in another time zone: the process's zone set through TZ (as the C library reads it, for
every date's own rules), restored afterwards."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from desktop.core import local_time


def set_zone(name: str | None) -> None:
    """Make `name` (a TZ value; None: the system's) the process's zone at once."""
    if name is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = name
    time.tzset()
    local_time.forget_reports()


@contextmanager
def local_zone(name: str) -> Iterator[None]:
    """The process runs in zone `name` (`Europe/Berlin`, `UTC+24`) inside the block."""
    before = os.environ.get("TZ")
    set_zone(name)
    try:
        yield
    finally:
        set_zone(before)
