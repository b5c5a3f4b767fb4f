"""When to poll next: the interval after success, exponential backoff with jitter after failure.

Pure: the random source is injected so tests can pin the jitter.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from desktop.core.limits import MAX_BACKOFF_SECONDS

if TYPE_CHECKING:  # a type only: the models are not needed to schedule
    from desktop.core.snapshot import PollError

FIRST_BACKOFF_SECONDS = 30.0
JITTER = 0.2  # +-20 %, so many trays that lost the network together do not return together
REFRESH_COOLDOWN_SECONDS = 10.0


@dataclass
class PollSchedule:
    """Tracks consecutive failures; tells the poller how long to wait, or not to poll at all."""

    interval_seconds: float | None  # None: manual polling only
    random_unit: Callable[[], float] = field(default=random.random)
    failures: int = 0

    def after_success(self) -> float | None:
        self.failures = 0
        return self.interval_seconds

    def after_failure(self, error: PollError) -> float | None:
        """Seconds until the next try; None where only the user can fix it, or polling is manual."""
        if error.needs_user_action or self.interval_seconds is None:
            return None
        self.failures += 1
        backoff = min(MAX_BACKOFF_SECONDS, FIRST_BACKOFF_SECONDS * 2.0 ** (self.failures - 1))
        jittered = backoff * (1 - JITTER + 2 * JITTER * self.random_unit())
        delay = min(MAX_BACKOFF_SECONDS, jittered)
        if error.retry_after is not None:
            # The server's word wins when it asks for longer; never hammer it sooner.
            delay = max(delay, error.retry_after)
        return delay

    def reset(self) -> None:
        self.failures = 0
