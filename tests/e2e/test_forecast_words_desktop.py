"""The forecast's plain words on a real StatusNotifierItem host (issue 29): the tooltip read off
D-Bus says the run-out as a local day or a range of days, the notification counts the calendar
days to the tooltip's date, and credits left at the expiry are said with the expiry's day."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from desktop.core import local_time
from tests.e2e.conftest import StartTray
from tests.e2e.desktop_session import DesktopSession, notify_calls, wait_until

pytestmark = pytest.mark.desktop
FAST_FORECAST = {"NEO_TRAY_POLL_SECONDS": "1", "NEO_TRAY_FORECAST_SECONDS": "1", "LANGUAGE": "en"}
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
DAY = r"(?P<{0}>[A-Z][a-z]{{2}} \d{{1,2}})"
THIN = "\u2009"
# `runs out ~Dec 4`, `runs out Dec 3 - 5`, `runs out Nov 29 - Dec 3` (an en dash, thin spaces).
RUNS_OUT = re.compile(
    r" · runs out (?:~" + DAY.format("day") + r"|" + DAY.format("first")
    + f"{THIN}–{THIN}" + r"(?P<last>(?:[A-Z][a-z]{2} )?\d{1,2}))(?: ·|$)"
)  # fmt: skip
UNUSED = re.compile(r" · ~[\d,]+(?:–[\d,]+)? credits will expire unused on " + DAY.format("day"))
DAYS = re.compile(r"run out (?:today|in (?P<low>\d+)(?:–(?P<high>\d+))? days?)")


def new_item(session: DesktopSession, before: set[str], timeout: float = 30) -> str:
    found = wait_until(lambda: [s for s in session.registered_items() if s not in before], timeout)
    assert found, "the tray item never registered with the StatusNotifierWatcher"
    return str(found[0])


def local_day(text: str, today: date, month: str | None = None) -> date:
    """`Dec 4` (or `4` within `month`) as the first such local day from `today` on."""
    name, _, number = text.rpartition(" ")
    month_number = MONTHS.index(name or month or "") + 1
    day = date(today.year, month_number, int(number))
    return day if day >= today - timedelta(days=1) else day.replace(year=today.year + 1)


def test_a_steady_burn_says_its_day_and_the_notification_counts_to_it(
    sni_desktop: DesktopSession, start_tray: StartTray
) -> None:
    log = sni_desktop.monitor_notifications()
    before = set(sni_desktop.registered_items())
    tray = start_tray(sni_desktop, "--demo", "--scenario", "steady_burn", extra_env=FAST_FORECAST)
    service = new_item(sni_desktop, before)
    told = wait_until(lambda: RUNS_OUT.search(sni_desktop.item_tooltip(service)), 45)
    tooltip = sni_desktop.item_tooltip(service)
    assert told, f"tooltip was {tooltip!r}; log: {tray.output()}"
    assert "points" not in tooltip
    assert "before expiry" not in tooltip

    def bodies() -> list[str]:
        return [c.body for c in notify_calls(log) if c.summary == "Neo credits run out soon"]

    assert wait_until(bodies, 45), tray.output()
    now = datetime.now(UTC)
    today = local_time.local_date(now)
    counted = DAYS.search(bodies()[0])
    assert counted, bodies()[0]
    if told.group("day"):
        first = last = local_day(told.group("day"), today)
    else:
        first = local_day(told.group("first"), today)
        last = local_day(told.group("last"), today, told.group("first").split()[0])
    # The tray's date(s), counted in calendar days from the local today: the notification's.
    low = int(counted.group("low") or 0)
    high = int(counted.group("high") or low)
    assert (low, high) == ((first - today).days, (last - today).days), (tooltip, bodies())
    assert tray.stop() == 0


def test_a_slow_burn_says_the_credits_left_at_the_expiry(
    sni_desktop: DesktopSession, start_tray: StartTray
) -> None:
    before = set(sni_desktop.registered_items())
    started = datetime.now(UTC)
    tray = start_tray(sni_desktop, "--demo", "--scenario", "slow_burn", extra_env=FAST_FORECAST)
    service = new_item(sni_desktop, before)
    told = wait_until(lambda: UNUSED.search(sni_desktop.item_tooltip(service)), 45)
    assert told, f"tooltip was {sni_desktop.item_tooltip(service)!r}; log: {tray.output()}"
    # The demo's credits expire 6 days after each answer: that local day (or the next, should
    # a local midnight fall between the answer and this reading).
    expiry = local_day(told.group("day"), local_time.local_date(started))
    expected = local_time.local_date(started + timedelta(days=6))
    assert expiry in {expected, expected + timedelta(days=1)}, sni_desktop.item_tooltip(service)
    assert tray.stop() == 0
