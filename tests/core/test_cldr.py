"""The figures the app formats from its own CLDR table (core/cldr.py, core/cldr_data.py) are
byte for byte what it formatted with Babel, in every locale of its languages, and showing them
imports no Babel."""

from __future__ import annotations

import string
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import format_decimal, format_percent

from desktop.core import cldr, cldr_data, fmt, i18n, local_time
from desktop.core.i18n import Language
from tests.zones import local_zone

ROOT = Path(__file__).resolve().parents[2]
TABLE_LOCALES = sorted(cldr_data.LOCALES)
#: Tags that are not a table key: a lower-case territory, Babel's aliases, unknown territories,
#: and shapes only Babel resolves (script, variant).
OTHER_TAGS = [
    "de_de",
    "de_DD",
    "de_ZZ",
    "de_XY",
    "de_756",
    "en_UK",
    "en_840",
    "fr_FX",
    "es_999",
    "es_XY",
    "en_Latn_US",
    "de_Latn_CH",
    "de_DE_1901",
    "fr_CA_x",
]
ALL_TAGS = TABLE_LOCALES + OTHER_TAGS

NUMBERS: list[float | int] = [
    0, 1, 7, 10, 99, 999, 1000, 3932, 12345, 99999, 100000, 999999, 1234567, 10**9, 10**12,
    10**15, 999_999_999_999_999, 0.5, 1.5, 2.5, 3.5, 0.125, 0.135, 2.675, 1.005, 0.005, 0.015,
    0.045, 512.44, 512.45, 1234.5, 4066.5, 4067.5, 999.995, 999_999.5, 123_456_789_012.345,
    0.0001, 1e-7, 3e-5, 0.999, 99.995, 1e15 - 0.5, 0.1 + 0.2,
]  # fmt: skip
VALUES = NUMBERS + [-value for value in NUMBERS] + [-0.0, -0.4, -0.004]


@pytest.fixture
def speak() -> Iterator[None]:
    yield
    i18n.use(Language())


def babel_locale(tag: str) -> Locale:
    return cldr.babel_locale(tag)


# What the app did with Babel before the table: the reference, byte for byte.


def babel_decimal(value: float, digits: int, where: Locale) -> str:
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(value, format=pattern, locale=where, decimal_quantization=True))


def babel_date_time(local: datetime, where: Locale) -> str:
    pattern = str(where.datetime_formats["medium"]).replace("'", "")
    return pattern.format(
        format_time(local.time(), "short", locale=where),
        format_date(local.date(), "medium", locale=where),
    )


def test_the_table_is_what_the_installed_babel_gives() -> None:
    """After a Babel upgrade this fails until `packaging/cldr_table.py write` is run."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "cldr_table.py"), "check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_the_table_holds_every_babel_locale_of_the_apps_languages() -> None:
    from babel import localedata

    wanted = {i for i in localedata.locale_identifiers() if i.split("_")[0] in i18n.LANGUAGES}
    assert set(cldr_data.LOCALES) == wanted
    assert set(cldr_data.COMMON) == set(i18n.LANGUAGES)


def test_the_formatter_knows_babels_pattern_letters() -> None:
    from babel.dates import PATTERN_CHARS

    assert frozenset(PATTERN_CHARS) == cldr.PATTERN_LETTERS


@pytest.mark.parametrize("tag", ALL_TAGS)
def test_numbers_are_babels(tag: str) -> None:
    where = babel_locale(tag)
    conventions = cldr.conventions(tag)
    for digits in (0, 1, 2):
        pattern = cldr.decimal_pattern(digits)
        for value in VALUES:
            wanted = babel_decimal(value, digits, where)
            assert cldr.format_number(value, pattern, conventions) == wanted, (value, digits)
    assert conventions.decimal == str(where.number_symbols["latn"]["decimal"])


@pytest.mark.parametrize("tag", ALL_TAGS)
def test_percents_are_babels(tag: str) -> None:
    where = babel_locale(tag)
    conventions = cldr.conventions(tag)
    steps = [step / 200 for step in range(201)]
    for fraction in [*steps, 1.02, 1.005, 12.345, 10_000.0, -0.05, -0.005, -1.5, 0.0049, 0.785]:
        wanted = format_percent(fraction, locale=where)
        assert cldr.format_number(fraction, conventions.percent, conventions) == wanted, fraction


def days_of_a_year() -> list[date]:
    return [
        date(2027, month, day)
        for month in range(1, 13)
        for day in (1, 9, 10, 31)
        if day <= ((date(2027 + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day)
    ] + [date(1970, 1, 1), date(2199, 12, 31), date(2028, 2, 29), date(2009, 9, 9)]


TIMES = [time(0, 0), time(9, 5), time(12, 0), time(23, 59), time(0, 59), time(11, 59), time(13, 1)]


@pytest.mark.parametrize("tag", ALL_TAGS)
def test_dates_and_times_are_babels(tag: str) -> None:
    where = babel_locale(tag)
    conventions = cldr.conventions(tag)
    for day in days_of_a_year():
        local = datetime.combine(day, time(12, 0))
        assert cldr.format_date_time(conventions.month_day, local, conventions) == (
            format_skeleton("MMMd", local, locale=where)
        )
        assert cldr.format_date_time(conventions.date, day, conventions) == (
            format_date(day, "medium", locale=where)
        )
    for moment in TIMES:
        assert cldr.format_date_time(conventions.time, moment, conventions) == (
            format_time(moment, "short", locale=where)
        )


def spans_under_a_year() -> list[tuple[date, date]]:
    """Day ranges as the forecast gives them: within a month, across months and a new year,
    up to a day short of a year, and one day."""
    starts = [date(2026, 11, 29), date(2026, 12, 10), date(2026, 12, 30), date(2027, 2, 27)]
    lengths = [0, 1, 4, 31, 45, 200, 364]
    spans = [(start, start + timedelta(days=length)) for start in starts for length in lengths]
    return [
        (start, end)
        for start, end in spans
        if (end.month, end.day) != (start.month, start.day) or start == end
    ]


@pytest.mark.parametrize("tag", ALL_TAGS)
def test_day_ranges_are_babels_month_day_intervals(tag: str) -> None:
    from babel.dates import format_interval

    where = babel_locale(tag)
    conventions = cldr.conventions(tag)
    for start, end in spans_under_a_year():
        assert cldr.format_month_day_range(start, end, conventions) == format_interval(
            start, end, "MMMd", locale=where
        ), (start, end)


@pytest.mark.parametrize(
    ("tag", "start", "end", "wanted"),
    [
        ("en", date(2026, 12, 10), date(2026, 12, 14), "Dec 10\u2009–\u200914"),
        ("en", date(2026, 11, 29), date(2026, 12, 3), "Nov 29\u2009–\u2009Dec 3"),
        ("en", date(2026, 12, 30), date(2027, 1, 2), "Dec 30\u2009–\u2009Jan 2"),
        ("en", date(2026, 12, 12), date(2026, 12, 12), "Dec 12"),
        ("de", date(2026, 12, 10), date(2026, 12, 14), "10.–14. Dez."),
        ("de", date(2026, 11, 29), date(2026, 12, 3), "29. Nov.\u2009–\u20093. Dez."),
        ("de", date(2026, 12, 30), date(2027, 1, 2), "30. Dez.\u2009–\u20092. Jan."),
        ("fr", date(2026, 12, 10), date(2026, 12, 14), "10–14 déc."),
        ("es", date(2026, 11, 29), date(2026, 12, 3), "29 nov\u2009–\u20093 dic"),
        # A year or more: month and day alone would read as days apart (Babel: `Mar 5 - 7`).
        ("en", date(2027, 3, 5), date(2028, 3, 7), "Mar 5, 2027\u2009–\u2009Mar 7, 2028"),
        ("en", date(2027, 3, 5), date(2028, 3, 5), "Mar 5, 2027\u2009–\u2009Mar 5, 2028"),
        ("de", date(2027, 3, 5), date(2028, 3, 7), "05.03.2027\u2009–\u200907.03.2028"),
    ],
)
def test_day_ranges_across_days_months_and_years(
    tag: str, start: date, end: date, wanted: str
) -> None:
    assert cldr.format_month_day_range(start, end, cldr.conventions(tag)) == wanted


def instants() -> list[datetime]:
    """A year of days and times in the zone, and each side of Berlin's and New York's DST."""
    moments = [
        datetime.combine(day, moment).astimezone(UTC)
        for day in days_of_a_year()[::3]
        for moment in TIMES
    ]
    for edge in (
        datetime(2027, 3, 28, 1, 0, tzinfo=UTC),
        datetime(2027, 10, 31, 1, 0, tzinfo=UTC),
        datetime(2027, 3, 14, 7, 0, tzinfo=UTC),
        datetime(2027, 11, 7, 6, 0, tzinfo=UTC),
    ):
        moments += [edge + timedelta(minutes=offset) for offset in (-61, -1, 0, 1, 59, 60)]
    return moments


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York"])
@pytest.mark.parametrize(
    "tag", ["de", "de_CH", "de_AT", "fr", "fr_CA", "es", "es_MX", "es_CO", "en_US", "en_GB"]
)
def test_the_apps_dates_are_what_babel_gave_across_the_year_and_dst(
    speak: None, zone: str, tag: str
) -> None:
    """Through i18n and fmt as the app calls them, in a language that is not English (English
    writes ISO dates by hand) and in English's own month_day."""
    where = babel_locale(tag)
    i18n.use(Language("de" if tag.startswith("en") else tag[:2], tag))
    with local_zone(zone):
        for instant in instants():
            local = local_time.to_local(instant)
            assert i18n.month_day(instant) == format_skeleton("MMMd", local, locale=where)
            assert i18n.day(instant) == format_date(local.date(), "medium", locale=where)
            assert fmt.local_datetime(instant) == babel_date_time(local, where)
            assert fmt.clock_time(instant, instant) == format_time(
                local.time(), "short", locale=where
            )


@pytest.mark.parametrize("tag", ["en", "de", "de_CH", "fr", "fr_CA", "es", "es_419", "en_IN"])
def test_the_apps_figures_are_what_babel_gave(speak: None, tag: str) -> None:
    where = babel_locale(tag)
    i18n.use(Language(tag[:2], tag))
    for value in VALUES:
        assert fmt.number(value, 2) == babel_decimal(value, 2, where)
        assert i18n.decimal(value) == babel_decimal(value, 0, where)
    for points in range(0, 201):
        assert fmt.percent(points / 100) == format_percent(points / 100, locale=where)
    assert i18n.decimal_mark() == str(where.number_symbols["latn"]["decimal"])


@pytest.mark.parametrize(
    ("tag", "value", "wanted"),
    [
        ("es", 3932, "3.932"),  # an explicit pattern: no minimum grouping digits
        ("de_CH", 3932, "3'932"),
        ("de_CH", 1234567, "1234567"),  # Babel strips quoted text: 1'234'567 loses its quotes
        ("en", 2.5, "2"),  # half to even
        ("en", 3.5, "4"),
        ("en", -0.4, "-0"),
        ("en", 10**15, "1,000,000,000,000,000"),
        ("en_IN", 1234567, "1,234,567"),  # the explicit pattern groups by three
    ],
)
def test_babels_quirks_are_kept(speak: None, tag: str, value: float, wanted: str) -> None:
    i18n.use(Language(tag[:2], tag))
    assert i18n.decimal(value) == wanted


def test_a_percent_keeps_the_locales_own_grouping() -> None:
    conventions = cldr.conventions("en_IN")
    assert cldr.format_number(12345.67, conventions.percent, conventions) == "12,34,567%"


def test_a_tag_resolves_to_the_locale_babel_resolves_it_to() -> None:
    """Every language_TERRITORY tag of the app's languages (two letters, three digits, in any
    case) gets the table entry of the locale Babel would have loaded, without Babel."""
    for language in sorted(i18n.LANGUAGES):
        for territory in [a + b for a in string.ascii_uppercase for b in string.ascii_uppercase]:
            for tag in (f"{language}_{territory}", f"{language}_{territory.lower()}"):
                resolved = str(cldr.babel_locale(tag))
                assert cldr.conventions(tag) == cldr.conventions(resolved), tag
        for number in range(1000):
            tag = f"{language}_{number:03d}"
            assert cldr.conventions(tag) == cldr.conventions(str(cldr.babel_locale(tag))), tag


def test_a_locale_outside_the_table_is_read_from_babel() -> None:
    assert "it" not in cldr_data.COMMON
    italian = cldr.conventions("it_IT")
    assert cldr.format_number(Decimal("1234.5"), cldr.decimal_pattern(2), italian) == "1.234,50"
    assert cldr.format_date_time(italian.month_day, date(2027, 1, 31), italian) == "31 gen"


def test_without_babel_a_locale_outside_the_table_is_its_languages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The frozen app leaves Babel out: a tag with a script or a variant gets its language's
    entry, a language the table does not have gets English's, instead of an ImportError."""
    monkeypatch.setitem(sys.modules, "babel", None)  # `import babel` raises ImportError
    cldr.conventions.cache_clear()
    cldr.babel_locale.cache_clear()
    try:
        with pytest.raises(ImportError):
            cldr.babel_locale("en_Latn_US")
        assert cldr.conventions("en_Latn_US") == cldr.conventions("en")
        assert cldr.conventions("de_Latn_CH") == cldr.conventions("de")
        assert cldr.conventions("fr_FR_POSIX") == cldr.conventions("fr")
        assert cldr.conventions("it_IT") == cldr.conventions("en")
        assert cldr.conventions("de_CH").group != cldr.conventions("de").group
    finally:
        cldr.conventions.cache_clear()
        cldr.babel_locale.cache_clear()


def test_an_unsupported_field_is_refused() -> None:
    with pytest.raises(KeyError, match="E"):
        cldr.format_date_time("EEE d", date(2027, 1, 1), cldr.conventions("en"))


def test_showing_figures_imports_no_babel() -> None:
    """The status bar's and the tray's figures, in every language, cost no Babel import."""
    probe = (
        "import sys\n"
        "from datetime import UTC, datetime\n"
        "import desktop.core.fmt as fmt\n"
        "from desktop.core import i18n\n"
        "now = datetime(2027, 1, 31, 22, 59, tzinfo=UTC)\n"
        "for tag in ('en', 'en_US', 'de', 'de_DE', 'fr', 'es', 'de_CH', 'es_MX', 'de_ZZ'):\n"
        "    i18n.use(i18n.Language(tag[:2], tag))\n"
        "    fmt.credits(4067.0), fmt.credits(512.4), fmt.percent(0.78), fmt.number(1.5, 2)\n"
        "    fmt.local_datetime(now), fmt.clock_time(now, now), i18n.day(now)\n"
        "    i18n.month_day(now), fmt.short_number(4100)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'babel'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.stdout == "[]\n"
