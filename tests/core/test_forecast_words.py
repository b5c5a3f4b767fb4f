"""The forecast in plain words (issue 29): each row of the issue's table in English and German,
the range of days in the locale's date-interval format (across months and years), the pace in
credits (German must not invert it), and notifications counting the tray's calendar days."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from desktop.core import balance_text, local_time
from desktop.core.derive import Derived
from desktop.core.forecast import Forecast, ForecastStatus
from desktop.core.i18n import Language, use
from desktop.core.levels import CreditLevel
from desktop.core.rules.catalogue import Rule
from desktop.core.rules.messages import forecast_notification
from tests.zones import local_zone

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
FEB_5 = datetime(2027, 2, 5, 12, 0, tzinfo=UTC)
THIN = "\u2009"


@pytest.fixture(autouse=True)
def in_utc() -> Iterator[None]:
    with local_zone("UTC"):
        yield
    use(Language())


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def ahead(
    earliest: datetime | None,
    latest: datetime | None,
    *,
    expires: datetime | None = FEB_5,
    unused: tuple[float, float] | None = None,
    point: datetime | None = None,
) -> Forecast:
    """A sound forecast whose run-out lies between `earliest` and `latest`."""
    runs_out = point or earliest
    before = None if expires is None or runs_out is None else runs_out < expires
    middle = (unused[0] + unused[1]) / 2 if unused else (0.0 if before else None)
    return Forecast(
        ForecastStatus.OK,
        40.0,
        runs_out,
        before,
        middle,
        None,
        expires_at=expires,
        credits_per_day_range=(30.0, 50.0),
        runs_out_range=(earliest, latest),
        unused_at_expiry_range=unused if expires is not None else None,
        method="prediction-10-90",
    )


ROWS: list[tuple[str, Forecast, str, str]] = [
    (
        "one local day",
        ahead(at("2026-12-12T08:00"), at("2026-12-12T20:00")),
        "runs out ~Dec 12",
        "reicht bis ~12. Dez.",
    ),
    (
        "spans days",
        ahead(at("2026-12-10T08:00"), at("2026-12-14T20:00")),
        f"runs out Dec 10{THIN}–{THIN}14",
        "reicht bis 10.–14. Dez.",
    ),
    (
        "across months",
        ahead(at("2026-11-29T20:00"), at("2026-12-03T09:00")),
        f"runs out Nov 29{THIN}–{THIN}Dec 3",
        f"reicht bis 29. Nov.{THIN}–{THIN}3. Dez.",
    ),
    (
        "across a new year",
        ahead(at("2026-12-30T08:00"), at("2027-01-02T08:00")),
        f"runs out Dec 30{THIN}–{THIN}Jan 2",
        f"reicht bis 30. Dez.{THIN}–{THIN}2. Jan.",
    ),
    (
        "straddles the expiry",
        ahead(at("2027-01-20T08:00"), at("2027-03-01T08:00")),
        "may run out before they expire (Feb 5)",
        "reicht vielleicht nicht bis zum Ablauf (5. Feb.)",
    ),
    (
        "straddles it, the latest past any date",
        ahead(at("2027-01-20T08:00"), None),
        "may run out before they expire (Feb 5)",
        "reicht vielleicht nicht bis zum Ablauf (5. Feb.)",
    ),
    (
        "credits left at the expiry",
        ahead(at("2027-03-01T08:00"), at("2027-05-01T08:00"), unused=(612.4, 887.0)),
        "~610–890 credits will expire unused on Feb 5",
        "~610–890 Credits verfallen am 5. Feb. ungenutzt",
    ),
    (
        "both figures round alike",
        ahead(at("2027-03-01T08:00"), None, unused=(1_234.0, 1_249.0)),
        "~1,200 credits will expire unused on Feb 5",
        "~1.200 Credits verfallen am 5. Feb. ungenutzt",
    ),
    (
        "no expiry, the latest past any date",
        ahead(at("2026-12-10T08:00"), None, expires=None),
        "runs out Dec 10 or later",
        "reicht bis 10. Dez. oder länger",
    ),
    (
        "an older cache without a range",
        ahead(at("2026-12-12T08:00"), at("2026-12-12T08:00"))._replace(runs_out_range=None),
        "runs out ~Dec 12",
        "reicht bis ~12. Dez.",
    ),
]


@pytest.mark.parametrize(("case", "forecast", "english", "german"), ROWS, ids=[r[0] for r in ROWS])
def test_the_issues_table(case: str, forecast: Forecast, english: str, german: str) -> None:
    assert balance_text.forecast_line(forecast) == english
    use(Language("de", "de"))
    assert balance_text.forecast_line(forecast) == german


def test_the_tray_speaks_of_local_days() -> None:
    """00:30 to 23:00 on Dec 12 in Berlin is one day, though two in UTC."""
    forecast = ahead(at("2026-12-11T23:30"), at("2026-12-12T22:00"))
    assert balance_text.forecast_line(forecast) == f"runs out Dec 11{THIN}–{THIN}12"
    with local_zone("Europe/Berlin"):
        assert balance_text.forecast_line(forecast) == "runs out ~Dec 12"


def test_nothing_unused_worth_saying_and_unsound_forecasts_say_nothing() -> None:
    assert balance_text.forecast_line(ahead(at("2027-03-01"), None, unused=(0.0, 0.4))) is None
    assert balance_text.forecast_line(Forecast(ForecastStatus.INSUFFICIENT_DATA, 3.0)) is None
    assert balance_text.forecast_line(None) is None


def derived(available: float, issued: float = 5_000) -> Derived:
    return Derived(
        available, issued, issued - available, available / issued, available / issued, False,
        CreditLevel.OK, FEB_5, FEB_5 - NOW, False, None, None,
    )  # fmt: skip


PACES: list[tuple[str, Forecast, Derived, str | None, str | None]] = [
    (
        "behind: used faster than evenly",
        ahead(at("2026-12-20"), at("2026-12-24"))._replace(pace_fraction=0.52),
        derived(1_500),  # 30 % left where an even pace leaves 52 %: 2,600 - 1,500
        "at an even pace you would have about 1,100 more left",
        "bei gleichmäßigem Verbrauch hätten Sie noch etwa 1.100 mehr übrig",
    ),
    (
        "ahead: credits will be lost, at the forecast's pace",
        ahead(at("2027-03-01"), None, unused=(900.0, 1_500.0))._replace(
            pace_fraction=0.3, unused_at_expiry=1_234.0
        ),
        derived(2_500),
        "at this pace about 1,200 will expire unused",
        "bei diesem Tempo verfallen etwa 1.200 ungenutzt",
    ),
    (
        "ahead, no sound forecast: at the pace since the reset",
        Forecast(ForecastStatus.INSUFFICIENT_DATA, 3.0, pace_fraction=0.5, expires_at=FEB_5),
        derived(3_000),  # (3,000 - 5,000 * 0.5) / (1 - 0.5)
        "at this pace about 1,000 will expire unused",
        "bei diesem Tempo verfallen etwa 1.000 ungenutzt",
    ),
    (
        "ahead of even use, yet the recent pace runs out first: nothing to claim",
        ahead(at("2026-12-20"), at("2026-12-24"))._replace(pace_fraction=0.3),
        derived(2_500),
        None,
        None,
    ),
    (
        "even",
        ahead(at("2026-12-20"), at("2026-12-24"))._replace(pace_fraction=0.5),
        derived(2_510),
        "on an even pace",
        "im gleichmäßigen Tempo",
    ),
]


@pytest.mark.parametrize(
    ("case", "forecast", "figures", "english", "german"), PACES, ids=[p[0] for p in PACES]
)
def test_the_pace_in_credits(
    case: str, forecast: Forecast, figures: Derived, english: str | None, german: str | None
) -> None:
    assert balance_text.pace_text(forecast, figures) == english
    details = balance_text.forecast_details(forecast, figures)
    assert "point" not in details
    use(Language("de", "de"))
    assert balance_text.pace_text(forecast, figures) == german
    assert "Punkt" not in balance_text.forecast_details(forecast, figures)


@pytest.mark.parametrize(
    ("zone", "now", "earliest", "latest", "tray", "days"),
    [
        # The issue's: the hours said 6 days (5.7 rounded up) while the tray said ~Dec 4.
        ("UTC", "2026-11-29T06:00", "2026-12-04T23:00", None, "runs out ~Dec 4", "in 5 days"),
        ("UTC", "2026-11-29T23:00", "2026-12-04T01:00", None, "runs out ~Dec 4", "in 5 days"),
        ("UTC", "2026-11-29T06:00", "2026-11-29T23:00", None, "runs out ~Nov 29", "today"),
        ("UTC", "2026-11-29T23:50", "2026-11-30T00:10", None, "runs out ~Nov 30", "in 1 day"),
        # A range of days where the tray shows a range of dates.
        (
            "UTC",
            "2026-11-29T06:00",
            "2026-12-03T01:00",
            "2026-12-05T23:00",
            f"runs out Dec 3{THIN}–{THIN}5",
            "in 4–6 days",
        ),
        # Local days: 23:30 UTC is tomorrow in Berlin, across the end of summer time too.
        (
            "Europe/Berlin",
            "2026-11-29T12:00",
            "2026-11-30T23:30",
            None,
            "runs out ~Dec 1",
            "in 2 days",
        ),
        (
            "Europe/Berlin",
            "2027-10-30T21:30",
            "2027-11-01T12:00",
            None,
            "runs out ~Nov 1",
            "in 2 days",
        ),
    ],
)
def test_the_notification_counts_the_days_to_the_trays_date(
    zone: str, now: str, earliest: str, latest: str | None, tray: str, days: str
) -> None:
    first = at(earliest)
    forecast = ahead(first, at(latest) if latest else first, expires=first + timedelta(days=60))
    with local_zone(zone):
        assert balance_text.forecast_line(forecast) == tray
        note = forecast_notification(Rule.RUNS_OUT_SOON, forecast, at(now))
        assert note.body == f"At this pace your credits run out {days}, before they expire."
        wanted = local_time.calendar_days(at(now), first)
        assert str(wanted) in note.body or (wanted == 0 and "today" in note.body)


def test_the_unused_notification_says_the_trays_figures() -> None:
    forecast = ahead(at("2027-03-01T08:00"), None, unused=(612.4, 887.0))
    note = forecast_notification(Rule.EXPIRES_UNUSED, forecast, NOW)
    assert note.body == "About 610–890 credits will expire unused on Feb 5."
    use(Language("de", "de"))
    note = forecast_notification(Rule.EXPIRES_UNUSED, forecast, NOW)
    assert note.body == "Etwa 610–890 Credits verfallen am 5. Feb. ungenutzt."
    assert balance_text.forecast_line(forecast) == "~610–890 Credits verfallen am 5. Feb. ungenutzt"
