"""What the app can represent, decided once: figures beyond these are refused at the model, so
nothing after it meets them. Import-free, so the command line can check dates cheaply."""

from __future__ import annotations

from datetime import UTC, datetime

MAX_MAGNITUDE = 10**15  # credits, counts, milliseconds: far above any real account
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
#: The longest the tray waits between polls after failures (`schedule`'s backoff cap); the
#: cache's rules read it to believe a retry time.
MAX_BACKOFF_SECONDS = 30 * 60.0
