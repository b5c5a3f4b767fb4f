"""Follows the system's time zone while the tray runs: the C library reads the zone once, so
without `time.tzset()` a changed zone (TZ, or /etc/localtime after `timedatectl set-timezone`)
is never seen by Python's local-time conversions."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from desktop.core import local_time

log = logging.getLogger(__name__)
CHECK_MS = 60_000  # as often as the tray's countdown ticks: a minute
SYSTEM_ZONE = Path("/etc/localtime")

ZoneKey = tuple[object, ...]


def zone_key(environ: Mapping[str, str] = os.environ, system_zone: Path = SYSTEM_ZONE) -> ZoneKey:
    """What names the zone now: TZ, and which file /etc/localtime is (its link target, inode
    and change time), so a replaced or relinked file counts as a change. One stat and one
    readlink: cheap enough for every minute."""
    try:
        target = os.readlink(system_zone)
    except OSError:
        target = None  # not a link (a copy) or absent
    try:
        stat = system_zone.stat()
        identity: tuple[int, int, int, int] | None = (
            stat.st_dev,
            stat.st_ino,
            stat.st_mtime_ns,
            stat.st_ctime_ns,
        )
    except OSError:
        identity = None
    return (environ.get("TZ"), target, identity)


class TimeZoneWatch(QObject):
    """Checks the zone every minute (and on `check()`); on a change it makes the process use the
    new zone and says so.

    Signals:
        changed(): local times must be rendered again (the zone is in use by then).
    """

    changed = Signal()

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        key: Callable[[], ZoneKey] = zone_key,
    ) -> None:
        super().__init__(parent)
        self._key_of = key
        self._key = key()
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_MS)
        self._timer.timeout.connect(self.check)
        if hasattr(time, "tzset"):  # Windows: Python asks the system each time
            self._timer.start()

    @Slot()
    def check(self) -> bool:
        """Take up a changed zone; True when it changed."""
        key = self._key_of()
        if key == self._key:
            return False
        self._key = key
        if hasattr(time, "tzset"):
            time.tzset()
        local_time.forget_reports()
        log.info("The time zone changed (%s): local times follow it", local_time.zone_name())
        self.changed.emit()
        return True
