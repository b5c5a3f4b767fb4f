"""Any TZ value, every date by its own zone rules, and a zone changed while the tray runs.

`TZ=UTC+24` is a valid POSIX zone whose offset Python's datetime cannot hold: `--once` exited 5
(and with `--from` printed a traceback and exited 1). Local times now fall back to UTC there,
said once in the log.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pytestqt.qtbot import QtBot

from desktop.arguments import parse_time_argument
from desktop.core import i18n, local_time
from desktop.core.environment import URL_ENV
from desktop.core.models import parse_summary
from desktop.core.rules.memory import NotifyMemory, snooze_until_tomorrow
from desktop.core.settings import Settings
from desktop.core.snapshot import Snapshot
from desktop.fakeapi import FakeNeoApi
from desktop.system import paths
from desktop.system.settings_store import LoadedSettings
from desktop.ui.notifier import Notifier
from desktop.ui.time_zone_watch import TimeZoneWatch, zone_key
from tests.helpers.processes import api_env, run_app
from tests.helpers.views import status_actions
from tests.zones import local_zone, set_zone

if TYPE_CHECKING:
    from desktop.app import TrayApp

UNREPRESENTABLE = "UTC+24"  # 24 h west of UTC: valid for the C library, not for datetime


@pytest.fixture
def unrepresentable() -> Iterator[None]:
    with local_zone(UNREPRESENTABLE):
        yield


def test_the_example_zone_really_is_unrepresentable(unrepresentable: None) -> None:
    # (The premise of this file: if Python ever holds such offsets, the fallback is moot.)
    with pytest.raises(ValueError, match="24"):
        datetime.now().astimezone()


# --- --once, as a process ---------------------------------------------------------------------


@pytest.mark.parametrize("output", [[], ["--json"], ["--format", "waybar"], ["--format", "text"]])
def test_once_under_an_unrepresentable_zone_prints_in_utc(
    fake_api: FakeNeoApi, output: list[str]
) -> None:
    env = api_env(fake_api) | {"TZ": UNREPRESENTABLE}
    result = run_app("--once", *output, env=env)
    assert result.returncode == 0, result.stderr  # was 5: "unexpected error (ValueError)"
    assert result.stderr == ""
    if output == ["--format", "waybar"]:  # (a failure is exit 0 there too, with class error)
        assert json.loads(result.stdout)["class"] != "error"
    if not output:
        report = json.loads(run_app("--once", "--json", env=env).stdout)
        expires = datetime.fromisoformat(report["derived"]["expires_at"]).astimezone(UTC)
        assert f"({expires:%Y-%m-%d %H:%M})" in result.stdout  # the local time is UTC's


def test_from_under_an_unrepresentable_zone_is_utc_and_logged(fake_api: FakeNeoApi) -> None:
    env = api_env(fake_api) | {"TZ": UNREPRESENTABLE}
    result = run_app(
        "--once", "--json", "--from", "2026-11-01", "--to", "2026-11-15T12:00", env=env
    )
    assert result.returncode == 0, result.stderr  # was 1, with a traceback
    assert result.stderr == ""  # said in the log, not on the line scripts read
    assert fake_api.requests[0]["query"]["from"] == "2026-11-01T00:00:00Z"
    assert fake_api.requests[0]["query"]["to"] == "2026-11-15T12:00:00Z"
    log_text = (paths.log_dir() / "neo-tray.log").read_text(encoding="utf-8")
    assert log_text.count("The time zone TZ=UTC+24 has an offset of 24 hours or more") == 1


# --- conversions, in process --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "text", "expected"),
    [
        # a date is local midnight by the rules of that date, not of today
        ("Europe/Berlin", "2026-07-01", "2026-06-30T22:00:00+00:00"),
        ("Europe/Berlin", "2026-12-01", "2026-11-30T23:00:00+00:00"),
        ("America/Los_Angeles", "2026-07-01", "2026-07-01T07:00:00+00:00"),
        ("America/Los_Angeles", "2026-12-01T00:00", "2026-12-01T08:00:00+00:00"),
        # a time repeated by the change back is its first occurrence; one skipped, after the gap
        ("Europe/Berlin", "2026-10-25T02:30", "2026-10-25T00:30:00+00:00"),
        ("Europe/Berlin", "2026-03-29T02:30", "2026-03-29T01:30:00+00:00"),
        # a day whose midnight is skipped (Chile springs forward at 24:00) begins after the gap
        ("America/Santiago", "2026-09-06", "2026-09-06T04:00:00+00:00"),
        (UNREPRESENTABLE, "2026-11-01", "2026-11-01T00:00:00+00:00"),
        (UNREPRESENTABLE, "2026-11-01T00:00+05:00", "2026-10-31T19:00:00+00:00"),
    ],
)
def test_from_is_read_by_the_zone_rules_of_its_own_date(
    zone: str, text: str, expected: str
) -> None:
    with local_zone(zone):
        assert parse_time_argument(text, "--from").isoformat() == expected


@pytest.mark.parametrize(
    ("zone", "day", "first_instant"),
    [
        ("Europe/Berlin", date(2026, 3, 29), datetime(2026, 3, 28, 23, tzinfo=UTC)),
        ("Europe/Berlin", date(2026, 3, 30), datetime(2026, 3, 29, 22, tzinfo=UTC)),
        ("America/Santiago", date(2026, 9, 6), datetime(2026, 9, 6, 4, tzinfo=UTC)),
        # (the change back repeats the last hour of Apr 4, so Apr 5 begins once, at -04)
        ("America/Santiago", date(2026, 4, 5), datetime(2026, 4, 5, 4, tzinfo=UTC)),
        (UNREPRESENTABLE, date(2026, 11, 1), datetime(2026, 11, 1, tzinfo=UTC)),
    ],
)
def test_a_local_day_begins_at_its_first_instant(
    zone: str, day: date, first_instant: datetime
) -> None:
    with local_zone(zone):
        start = local_time.local_midnight(day)
        assert start == first_instant
        assert local_time.local_date(start) == day
        assert local_time.local_date(start - timedelta(microseconds=1)) == day - timedelta(days=1)
        assert local_time.end_of_day(day) == local_time.local_midnight(
            day + timedelta(days=1)
        ) - timedelta(microseconds=1)


def test_formatting_survives_an_unrepresentable_zone_and_says_so_once(
    unrepresentable: None, caplog: pytest.LogCaptureFixture
) -> None:
    instant = datetime(2027, 2, 7, 3, 0, tzinfo=UTC)
    with caplog.at_level(logging.WARNING, logger="desktop.core.local_time"):
        assert i18n.date_time(instant) == "2027-02-07 03:00"
        assert i18n.day(instant) == "2027-02-07"
        assert i18n.month_day(instant) == "Feb 7"
        assert local_time.to_local(instant) == instant
    notes = [r.getMessage() for r in caplog.records if r.name == "desktop.core.local_time"]
    assert len(notes) == 1
    assert "TZ=UTC+24" in notes[0]
    assert "UTC" in notes[0]


@pytest.mark.parametrize(
    ("zone", "now", "until"),
    [
        # the night the clocks go back: tomorrow 09:00 is an hour later in UTC than today's is
        ("Europe/Berlin", datetime(2026, 10, 24, 20, tzinfo=UTC), "2026-10-25T08:00:00+00:00"),
        ("Europe/Berlin", datetime(2026, 3, 28, 20, tzinfo=UTC), "2026-03-29T07:00:00+00:00"),
        (UNREPRESENTABLE, datetime(2026, 11, 1, 20, tzinfo=UTC), "2026-11-02T09:00:00+00:00"),
    ],
)
def test_snooze_until_tomorrow_is_nine_by_tomorrows_rules(
    zone: str, now: datetime, until: str
) -> None:
    with local_zone(zone):
        memory = snooze_until_tomorrow(NotifyMemory(), now)
    assert memory.snoozed_until is not None
    assert datetime.fromisoformat(memory.snoozed_until).astimezone(UTC).isoformat() == until


# --- a zone changed while the tray runs -----------------------------------------------------------

NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
EXPIRY = datetime(2027, 2, 7, 3, 0, tzinfo=UTC)  # Feb 7 04:00 in Berlin, Feb 6 19:00 in LA


def snapshot() -> Snapshot:
    body = {
        "by_model": {},
        "by_status": {},
        "total_neo_credits": 0,
        "total_tasks": 0,
        "total_available_neo_credits": 1500,
        "total_issued_neo_credits": 2000,
        "neo_credits_expires_at": EXPIRY.isoformat(),
    }
    return Snapshot(parse_summary(json.dumps(body)), NOON - timedelta(minutes=1))


def expiry_line(app: TrayApp) -> str:
    app.tray.menu.aboutToShow.emit()  # the menu's labels are made as it opens
    return status_actions(app.tray)[1].text()


def test_a_running_tray_follows_a_changed_zone(
    qtbot: QtBot, fake_api: FakeNeoApi, make_notifier: Callable[[], Notifier]
) -> None:
    from desktop.app import TrayApp

    with local_zone("Europe/Berlin"):
        app = TrayApp(
            LoadedSettings(Settings()),
            environ={URL_ENV: fake_api.url},
            clock=lambda: NOON,
            notifier=make_notifier(),
        )
        try:
            app.tray.build_menu()
            app.sessions[0].state.on_snapshot(snapshot())
            assert expiry_line(app).endswith("(2027-02-07 04:00)")
            # The zone changes under the running process (as TZ here; /etc/localtime below):
            # the C library keeps the zone it read until it is told to read it again.
            os.environ["TZ"] = "America/Los_Angeles"
            assert app.time_zone.check() is True  # the minute's check
            assert expiry_line(app).endswith("(2027-02-06 19:00)")
            assert app.time_zone.check() is False  # nothing more to take up
        finally:
            app.shutdown()


def test_the_watch_sees_a_relinked_system_zone(tmp_path: Path, qtbot: QtBot) -> None:
    zoneinfo = Path("/usr/share/zoneinfo")
    link = tmp_path / "localtime"
    link.symlink_to(zoneinfo / "Europe" / "Berlin")
    key: Callable[[], tuple[object, ...]] = lambda: zone_key({}, link)  # noqa: E731
    watch = TimeZoneWatch(key=key)
    seen: list[bool] = []
    watch.changed.connect(lambda: seen.append(True))
    assert watch.check() is False
    link.unlink()
    link.symlink_to(zoneinfo / "America" / "Los_Angeles")  # what `timedatectl` does
    assert watch.check() is True
    assert seen == [True]
    link.unlink()
    link.write_bytes((zoneinfo / "Asia" / "Tokyo").read_bytes())  # a copy instead of a link
    assert watch.check() is True
    assert zone_key({"TZ": "Europe/Paris"}, link) != zone_key({}, link)


def test_local_time_follows_tzset_only(qtbot: QtBot) -> None:
    # Why the watch exists: without tzset the process keeps the zone it read first.
    instant = datetime(2026, 7, 1, 12, tzinfo=UTC)
    with local_zone("Europe/Berlin"):
        assert local_time.to_local(instant).hour == 14
        os.environ["TZ"] = "Asia/Tokyo"
        assert local_time.to_local(instant).hour == 14
        set_zone("Asia/Tokyo")
        assert local_time.to_local(instant).hour == 21
