from __future__ import annotations

from datetime import UTC, datetime

import pytest

from desktop.core.errors import ErrorKind
from desktop.core.limits import MAX_BACKOFF_SECONDS
from desktop.core.schedule import FIRST_BACKOFF_SECONDS, PollSchedule
from desktop.core.snapshot import PollError

AT = datetime(2026, 11, 25, tzinfo=UTC)


def error(kind: ErrorKind, retry_after: float | None = None) -> PollError:
    return PollError(kind, "x", AT, retry_after)


def test_success_waits_the_interval() -> None:
    assert PollSchedule(300).after_success() == 300
    assert PollSchedule(None).after_success() is None


def test_backoff_doubles_up_to_thirty_minutes_without_jitter() -> None:
    schedule = PollSchedule(300, random_unit=lambda: 0.5)  # 0.5: jitter factor exactly 1
    delays = [schedule.after_failure(error(ErrorKind.OFFLINE)) for _ in range(10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1800, 1800, 1800, 1800]
    assert schedule.after_success() == 300
    assert schedule.after_failure(error(ErrorKind.OFFLINE)) == FIRST_BACKOFF_SECONDS


@pytest.mark.parametrize("unit", [0.0, 0.25, 0.999])
def test_jitter_stays_within_twenty_percent_and_the_cap(unit: float) -> None:
    schedule = PollSchedule(300, random_unit=lambda: unit)
    for failures in range(1, 12):
        delay = schedule.after_failure(error(ErrorKind.OFFLINE))
        assert delay is not None
        base = min(MAX_BACKOFF_SECONDS, FIRST_BACKOFF_SECONDS * 2 ** (failures - 1))
        assert 0.8 * base <= delay <= min(1.2 * base, MAX_BACKOFF_SECONDS)


def test_retry_after_is_obeyed_when_longer() -> None:
    schedule = PollSchedule(300, random_unit=lambda: 0.5)
    assert schedule.after_failure(error(ErrorKind.RATE_LIMITED, retry_after=600)) == 600
    assert schedule.after_failure(error(ErrorKind.RATE_LIMITED, retry_after=5)) == 60


@pytest.mark.parametrize(
    "kind",
    [ErrorKind.AUTH_REJECTED, ErrorKind.NO_PERMISSION, ErrorKind.NO_TOKEN, ErrorKind.SETTINGS],
)
def test_user_action_errors_stop_polling(kind: ErrorKind) -> None:
    assert PollSchedule(300).after_failure(error(kind)) is None


def test_manual_polling_never_retries_by_itself() -> None:
    assert PollSchedule(None).after_failure(error(ErrorKind.OFFLINE)) is None
